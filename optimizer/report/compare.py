"""The comparison of planning cases, as data: KPIs side by side with deltas against the base
case, and every decision that differs from it.

It works only from what a report embeds (the plan JSON and `case_kpis`), never from a live
solve, so `plan solve --all-scenarios` and `plan compare REPORT...` produce the same comparison
from the same cases. No Excel is written here (optimizer/report/comparison.py does that).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optimizer.analysis.certainty import Bracket, between, difference
from optimizer.problems import InputError, Problem

BASE = "base"

# Units of a KPI row: how its values are shown and whether a relative delta means anything.
YEN, UNITS, COUNT, SHARE, TEXT = "¥", "units", "count", "share", "text"
# Units a year below this difference count as equal (the solver rounds units to 1e-4).
UNITS_TOLERANCE = 1e-3
# The hidden sheet that marks a comparison workbook (so that it is recognised when given as a report).
COMPARISON_MARKER_SHEET = "_comparison"


@dataclass(frozen=True)
class CaseData:
    """One case as a report stores it."""

    label: str  # unique among the compared cases (the scenario name unless two reports share it)
    scenario: str
    report: str | None
    plan: dict  # the spec's per-case JSON object (optimizer.report.json_out.plan_json)
    kpis: dict  # optimizer.analysis.kpis.case_kpis

    @property
    def has_plan(self) -> bool:
        return self.kpis.get("total_cost_jpy") is not None


@dataclass(frozen=True)
class Kpi:
    """One row of the KPI table: a value per case and its delta against the base case."""

    key: str  # e.g. "total_cost_jpy", "cost_by_kind_jpy/production: packs"
    section: str
    label: str
    unit: str
    values: tuple[object, ...]
    deltas: tuple[object, ...]  # this minus base (text rows: what changed, "" when nothing did)
    shares: tuple[float | None, ...]  # delta / |base|; None where that means nothing


@dataclass(frozen=True)
class Change:
    """A decision of one case that differs from the base case."""

    case: str  # the case's label
    decision: str  # offered, dropped, pack, option, plant split, option development, ...
    item: str
    base: str
    this: str
    cost_delta_jpy: float | None = None  # for developments: what the change costs


@dataclass(frozen=True)
class Comparison:
    cases: tuple[CaseData, ...]
    base: int  # index of the case the deltas are taken against
    kpis: tuple[Kpi, ...]
    changes: tuple[Change, ...]
    notes: tuple[str, ...]
    cost_kinds: tuple[str, ...]
    variants: tuple[str, ...]

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)

    @property
    def base_case(self) -> CaseData:
        return self.cases[self.base]


# --- reading reports --------------------------------------------------------------------------


def read_reports(paths: list[Path]) -> list[CaseData]:
    """The cases stored in reports written by `plan solve`; InputError naming every file that is
    not one (all files are checked before any is refused, so one run reports every problem)."""
    from optimizer.report.embedded import read_embedded

    problems: list[Problem] = []
    found: list[tuple[dict, str]] = []
    for path in paths:
        try:
            data = read_embedded(Path(path))
        except InputError as err:
            problems += [explained(p, Path(path)) for p in err.problems]
            continue
        found.append((data, str(path)))
    if problems:
        raise InputError(problems)
    return cases_from([d for d, _ in found], [p for _, p in found])


def explained(problem: Problem, path: Path) -> Problem:
    """Say what a refused file is when it is one of ours, the usual mix-ups being the
    comparison itself or the planning workbook given in place of a report."""
    from dataclasses import replace

    if "is not a report written by plan" not in problem.message:
        return problem  # missing, not a workbook, too big...: said well enough already
    what = _kind_of_workbook(path)
    if what is None:
        return problem
    return replace(problem, message=f"is {what}, not a report written by plan solve", hint="Give the reports plan solve wrote (one per case).")


def _kind_of_workbook(path: Path) -> str | None:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            names = {n.strip().casefold() for n in wb.sheetnames}
        finally:
            wb.close()
    except Exception:  # unreadable: the original message says so
        return None
    if COMPARISON_MARKER_SHEET in names:
        return "a comparison workbook (written by plan compare or --all-scenarios)"
    from optimizer.report.sweep import MARKER_SHEET as SWEEP_MARKER_SHEET

    if SWEEP_MARKER_SHEET in names:
        return "a sweep workbook (written by plan sweep)"
    if {"variants", "parts", "packs"} <= names:
        return "a planning workbook (the input of plan solve)"
    return None


def cases_from(embedded: list[dict], reports: list[str | None]) -> list[CaseData]:
    """CaseData for each report's embedded data, with unique labels."""
    scenarios = [str(d["kpis"].get("scenario") or d["plan"].get("scenario") or "?") for d in embedded]
    labels = unique_labels(scenarios, reports)
    return [CaseData(lab, s, r, d["plan"], d["kpis"]) for lab, s, r, d in zip(labels, scenarios, reports, embedded)]


def unique_labels(scenarios: list[str], reports: list[str | None]) -> list[str]:
    """Scenario names, made unique (the same scenario from two workbooks or two runs): a repeated
    name gets its report's file name, then a number if that is not enough."""
    counts = {s: scenarios.count(s) for s in scenarios}
    labels: list[str] = []
    for s, r in zip(scenarios, reports):
        label = s if counts[s] == 1 else f"{s} ({Path(r).name})" if r else s
        n, candidate = 2, label
        while candidate.casefold() in (x.casefold() for x in labels):
            candidate, n = f"{label} #{n}", n + 1
        labels.append(candidate)
    return labels


# --- comparing --------------------------------------------------------------------------------


def compare(cases: list[CaseData]) -> Comparison:
    """KPIs and changed decisions of every case against the base case (the first case whose
    scenario is `base`, else the first case)."""
    if not cases:
        raise ValueError("nothing to compare")
    notes: list[str] = []
    base = next((i for i, c in enumerate(cases) if c.scenario == BASE), None)
    if base is None:
        base = 0
        notes.append(f"No report is of the base case; deltas are against {cases[0].label!r}, the first report given.")
    digests = {c.kpis.get("workbook_sha256") for c in cases}
    if len(digests) > 1:
        notes.append("The reports come from different input workbooks (or versions of one); deltas mix input and scenario changes.")
    b = cases[base]
    if not b.has_plan:
        notes.append(f"The base case {b.label!r} has no plan ({b.kpis.get('status')}); deltas cannot be computed.")

    cost_kinds = _keys(cases, "cost_by_kind_jpy")
    variants = tuple(dict.fromkeys(v for c in cases for v in c.plan.get("variants", {})))
    rows: list[Kpi] = []

    def add(key: str, section: str, label: str, unit: str, value_of, listing: bool = False) -> None:
        values = tuple(value_of(c) if c.has_plan or key in _ALWAYS else None for c in cases)
        if listing:  # names: shown joined, delta = names added and removed
            deltas = tuple(_list_delta(values[base], v) for v in values)
            values = tuple(None if v is None else ", ".join(v) for v in values)
        else:
            deltas = tuple(_delta(values[base], v, unit) for v in values)
        shares = tuple(
            d / abs(values[base]) if unit in (YEN, UNITS, COUNT) and d is not None and values[base] else None
            for d in deltas
        )
        rows.append(Kpi(key, section, label, unit, values, deltas, shares))

    k = lambda name: (lambda c: c.kpis.get(name))  # noqa: E731
    add("status", "case", "status", TEXT, k("status"))
    add("total_cost_jpy", "cost", "total cost (¥, lifecycle)", YEN, k("total_cost_jpy"))
    add("gap", "cost", "gap to proven optimum", SHARE, k("gap"))
    unproven = [c for c in cases if c.has_plan and c.kpis.get("status") != "optimal"]
    if unproven:  # the bound is what an unproven cost is known to lie above
        add("best_bound_jpy", "cost", "no plan costs less than (¥, the solver's bound)", YEN, k("best_bound_jpy"))
    for kind in cost_kinds:
        add(f"cost_by_kind_jpy/{kind}", "cost", f"cost: {kind} (¥)", YEN, lambda c, kind=kind: _in(c, "cost_by_kind_jpy").get(kind, 0.0))
    add("sharing_saving_jpy", "sharing", "saving from cross-brand sharing (¥)", YEN, k("sharing_saving_jpy"))
    add("sharing_saving_share", "sharing", "saving from cross-brand sharing (% of cost without it)", SHARE, k("sharing_saving_share"))
    add("cost_without_sharing_jpy", "sharing", "cost without cross-brand sharing (¥)", YEN, k("cost_without_sharing_jpy"))
    add("sharing_saving_proven", "sharing", "saving from sharing proven", TEXT, lambda c: _yes_no(c.kpis.get("sharing_saving_proven")))
    doubtful = [c for c in cases if saving_of(c) is not None and not saving_of(c).certain]
    for end, word in ((0, "least"), (1, "most")) if doubtful else ():
        add(f"sharing_saving_range_jpy/{word}", "sharing", f"saving from sharing: the {word} the bounds allow (¥)", YEN,
            lambda c, end=end: (c.kpis.get("sharing_saving_range_jpy") or [None, None])[end])
    per = units_label(cases)
    add("units_total", "units", per, UNITS, k("units_total"))
    for group, title in (("units_by_brand", "brand"), ("units_by_body_style", "body style")):
        for name in _keys(cases, group):
            add(f"{group}/{name}", "units", f"{per}: {title} {name}", UNITS, lambda c, g=group, n=name: _in(c, g).get(n, 0.0))
    for name in variants:
        add(f"units_by_variant/{name}", "units", f"{per}: variant {name}", UNITS, lambda c, n=name: _in(c, "units_by_variant").get(n, 0.0))
    add("variants_offered_count", "decisions", "variants offered", COUNT, lambda c: len(_in(c, "variants_offered")))
    add("variants_offered", "decisions", "variants offered (names)", TEXT, lambda c: list(_in(c, "variants_offered")), listing=True)
    add("packs_developed_count", "decisions", "packs developed", COUNT, lambda c: len(_in(c, "packs_developed")))
    add("packs_developed", "decisions", "packs developed (names)", TEXT, lambda c: list(_in(c, "packs_developed")), listing=True)
    add("options_developed_count", "decisions", "distinct parts developed", COUNT, lambda c: len(_in(c, "options_developed")))
    for name in variants:
        add(f"list_unit_cost_by_variant_jpy/{name}", "unit cost", f"list unit cost: {name} (¥)", YEN, lambda c, n=name: _in(c, "list_unit_cost_by_variant_jpy").get(n))

    changes: list[Change] = []
    for i, c in enumerate(cases):
        if i != base:
            changes += changed_decisions(b, c)
    return Comparison(tuple(cases), base, tuple(rows), tuple(changes), tuple(notes), cost_kinds, variants)


_ALWAYS = {"status", "gap"}  # shown even for a case without a plan


def units_label(cases: list[CaseData]) -> str:
    """How the cases count units: 'units a year', 'units over 2027–2032', or both when they differ."""
    spans = {tuple(c.plan.get("years") or ()) for c in cases}
    if spans == {()}:
        return "units a year"
    if len(spans) == 1:
        years = spans.pop()
        return f"units over {years[0]}–{years[-1]}"
    return "units (a year, or over the programme)"


def _yes_no(flag: object) -> str | None:
    return None if flag is None else ("yes" if flag else "no")


# --- how sure the figures are -----------------------------------------------------------------


def cost_bracket(case: CaseData) -> Bracket | None:
    """A case's cheapest cost as its report stored it: between its bound and its plan's cost."""
    total = case.kpis.get("total_cost_jpy")
    if total is None:
        return None
    return Bracket(total, case.kpis.get("best_bound_jpy"), total, case.kpis.get("status") == "optimal", abs(total))


def saving_of(case: CaseData) -> Bracket | None:
    """What sharing saves in a case, with its range (reports written before the range was stored
    say nothing about it and count as not proven)."""
    value = case.kpis.get("sharing_saving_jpy")
    if value is None:
        return None
    low, high = case.kpis.get("sharing_saving_range_jpy") or [None, None]
    scale = abs(case.kpis.get("total_cost_jpy") or 0.0)
    return Bracket(value, low, high, bool(case.kpis.get("sharing_saving_proven")), scale)


def doubts(cmp: Comparison, i: int) -> list[str]:
    """What in a case's row of the comparison is not proven, with the range the bounds allow."""
    case, out = cmp.cases[i], []
    cost = cost_bracket(case)
    if cost is not None and not cost.proven:
        out.append(f"cost not proven the cheapest: {between(cost)}")
    if i != cmp.base:
        delta = difference(cost, cost_bracket(cmp.base_case))
        if delta is not None and not delta.certain:
            out.append(f"Δ vs base {between(delta)}")
    saving = saving_of(case)
    if saving is not None and not saving.certain:
        out.append(f"sharing saves {between(saving)}")
    return out


def _in(case: CaseData, group: str):
    """A KPI group of a case ({} or [] when its report does not hold it)."""
    return case.kpis.get(group) or {}


def _keys(cases: list[CaseData], group: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for c in cases for name in (c.kpis.get(group) or {})))


def _delta(base: object, this: object, unit: str) -> object:
    """Numbers: this minus base (None when either is missing). Text: "" when equal, else
    "base → this"."""
    if unit == TEXT:
        return "" if base == this else f"{base if base is not None else '—'} → {this if this is not None else '—'}"
    if base is None or this is None:
        return None
    return this - base


def _list_delta(before: list[str] | None, after: list[str] | None) -> str | None:
    """'+ added; − removed' ("" when the lists hold the same names)."""
    if before is None or after is None:
        return None
    added = [x for x in after if x not in before]
    removed = [x for x in before if x not in after]
    return "; ".join(p for p in ("+ " + ", ".join(added) if added else "", "− " + ", ".join(removed) if removed else "") if p)


# --- what changed -----------------------------------------------------------------------------


def changed_decisions(base: CaseData, this: CaseData) -> list[Change]:
    """Every decision of `this` that differs from `base`, in a stable order: variants in the
    workbook's order (offered or dropped, launch year, pack, option per category, plant split), then
    developments (who pays for which option and pack), then plant lines."""
    out: list[Change] = []
    add = lambda *a, **kw: out.append(Change(this.label, *a, **kw))  # noqa: E731
    if not base.has_plan or not this.has_plan:
        why = "; ".join(this.plan.get("conflicts") or []) if not this.has_plan else ""
        add("status", "the plan", base.kpis.get("status", "?"), this.kpis.get("status", "?") + (f": {why}" if why else ""))
        return out

    bv, tv = base.plan.get("variants", {}), this.plan.get("variants", {})
    for name in dict.fromkeys([*bv, *tv]):
        b, t = bv.get(name) or {"offered": False}, tv.get(name) or {"offered": False}
        if b["offered"] != t["offered"]:
            add("offered" if t["offered"] else "dropped", name, _offer(b, base), _offer(t, this))
            continue
        if not t["offered"]:
            continue
        if b.get("launch_year") != t.get("launch_year"):
            add("launch year", name, b.get("launch_year") or "—", t.get("launch_year") or "—")
        if b.get("pack") != t.get("pack"):
            add("pack", name, b.get("pack") or "none", t.get("pack") or "none")
        bo, to = b.get("options", {}), t.get("options", {})
        for cat in dict.fromkeys([*bo, *to]):
            if bo.get(cat) != to.get(cat):
                add("option", f"{name} · {cat}", bo.get(cat) or "none", to.get(cat) or "none")
        if not _same_split(b.get("plants", {}), t.get("plants", {})):
            add("plant split", name, _split_text(b.get("plants", {})), _split_text(t.get("plants", {})))

    bd, td = _developments(base.kpis), _developments(this.kpis)
    for key in sorted(set(bd) | set(td), key=lambda k: (k[0] != "pack", k[1])):
        b, t = bd.get(key, {}), td.get(key, {})
        if b != t:
            add(f"{key[0]} development", key[1], _dev_text(b), _dev_text(t), cost_delta_jpy=sum(t.values()) - sum(b.values()))

    bl, tl = {tuple(x) for x in base.kpis.get("lines", [])}, {tuple(x) for x in this.kpis.get("lines", [])}
    for plant, style in sorted(bl ^ tl):
        add("plant line", f"{plant} · {style}", "set up" if (plant, style) in bl else "not set up", "set up" if (plant, style) in tl else "not set up")
    if not out:
        add("none", "", "", "no decision differs from the base case")
    return out


def _offer(v: dict, case: CaseData) -> str:
    if not v.get("offered"):
        return "not offered"
    launch = f", launching {v['launch_year']}" if v.get("launch_year") else ""
    return f"offered, {v.get('units', 0.0):,.0f} {units_label([case])}{launch}"


def _same_split(a: dict, b: dict) -> bool:
    return set(a) == set(b) and all(abs(a[k] - b[k]) <= UNITS_TOLERANCE for k in a)


def _split_text(plants: dict) -> str:
    return "; ".join(f"{k} {u:,.0f}" for k, u in plants.items()) or "none"


def _developments(kpis: dict) -> dict[tuple[str, str], dict[str, float]]:
    """(kind, item) -> {brand or "all brands": cost}."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for d in kpis.get("developments", []):
        out.setdefault((d["kind"], d["item"]), {})[d["brand"] or "all brands"] = d["cost_jpy"]
    return out


def _dev_text(devs: dict[str, float]) -> str:
    if not devs:
        return "not developed"
    if list(devs) == ["all brands"]:
        return f"once for all brands, ¥{devs['all brands']:,.0f}"
    return f"for {', '.join(devs)} separately, ¥{sum(devs.values()):,.0f}"
