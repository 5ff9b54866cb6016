"""When no plan exists: the fewest planner-level rules to change, and by how much.

The elastic model (`PlatformModel(elastic=True)`) may break every rule a planner can change
(must-offer, min/max units, range targets, power, the kei rules, unit cost ceilings, plant
capacity, demand rows) at a penalty of its relative violation. A deletion filter then shrinks
the set of rules allowed to break: a rule is dropped whenever a plan still exists without
breaking it. What is left is minimal — changing all of it gives a plan, leaving any one of
it as it is gives none — so a planner gets a short list of real choices instead of
"infeasible". Each change is read off the relaxed plan itself, rounded in the relaxing
direction, so that making exactly these changes to the workbook yields a plan.

The kei rules are one rule each (the planner edits one cell on the rules sheet), however many
variants break them; every other rule is one row of its sheet — over a programme, one cell for
every year it holds in (a variant's min_units is one rule however many years it binds). With
several futures (`plan solve --robust`) each future's rules are its own: the diagnosis says in
which future a rule must change.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Callable


from models.data import Future, PlanInput
from models.build import PlatformModel, Slack
from models.plan import Design, Plan
from models.values import fix_design
from models.evaluate import Evaluation, evaluate, list_cost_in
from optimizer.solving.checks import Finding, ceiling_blocks_range
from optimizer.solving.highs_bridge import Compiled, HighsRun, compile_model, run_highs

# Kei rules: the rules-sheet name, the unit, and each offered variant's measure in a plan.
KEI_RULES: dict[str, tuple[str, str, str]] = {
    "power_cap": ("max_power_kw", "kW", "power cap"),
    "max_height": ("max_height_mm", "mm", "height rule"),
    "max_length": ("max_length_mm", "mm", "length rule"),
    "max_width": ("max_width_mm", "mm", "width rule"),
    "max_seats": ("max_seats", "seats", "seat rule"),
    "max_payload": ("max_payload_kg", "kg", "payload rule"),
}
# A slack counts as used above this share of its rule's own size (solver noise is ~1e-7).
USED = 1e-6
DIAGNOSIS_GAP = 1e-4
MIN_SECONDS = 1.0  # the search's budget when the time left is shorter

RuleKey = tuple[str, tuple]  # (family, (future, subject)): subject None for a kei rule


@dataclass(frozen=True)
class Move:
    """One rule of the minimal set, and the change to its cell that admits a plan."""

    rule: str  # what a planner calls it: "range target", "plant capacity"
    sheet: str  # where it is changed
    record: str  # the row's name (variant, plant, demand row) or the rule's name on the rules sheet
    column: str  # the column to change
    current: object
    needed: object
    text: str  # the sentence
    row: int | None = None  # the Excel row, when the record has no name (demand rows)
    unit: str = ""
    future: str = ""  # with several futures: the future whose rule this is


@dataclass
class Diagnosis:
    findings: list[Finding]  # fatal checks that need no solver
    moves: list[Move]  # the minimal set of rule changes that gives a plan
    notes: list[Finding] = field(default_factory=list)  # variants that can never be offered
    complete: bool = True  # False: stopped at the time limit; the set may not be minimal
    solves: int = 0
    seconds: float = 0.0

    def conflicts(self) -> list[str]:
        """The `conflicts` of the outcome, each a conflict: why (the checks), the rules to change,
        what else is known (variants that can never be offered). When neither the checks nor the
        search name a rule, the one sentence saying that the rules conflict together."""
        out = [f.text for f in self.findings] + [m.text for m in self.moves]
        if not out:
            out.append(
                "No plan satisfies every rule of the workbook together"
                + (
                    ", and the search for the rules to change stopped at its time limit."
                    if not self.complete else "."
                )
            )
        return out + [f.text for f in self.notes]

    def summary(self) -> str:
        """What the list of rules to change amounts to ('' without one): said beside the conflicts."""
        n = len(self.moves)
        if n and not self.complete:
            return (
                "The search for the fewest rules stopped at its time limit: "
                f"changing these {n} rules as stated gives a plan, but fewer may do."
            )
        if n == 1:
            return "Changing this one rule as stated gives a plan."
        if n:
            return (
                f"Changing these {n} rules together as stated gives a plan; "
                "leaving any one of them as it is gives none."
            )
        return ""


def diagnose(
    source: PlanInput | list[Future],
    findings: list[Finding],
    *,
    time_limit_s: float,
    log: Callable[[str], None] = lambda _text: None,
    design: Design | None = None,
) -> Diagnosis:
    """Find a minimal set of rules whose change admits a plan (the workbook, or the futures
    together, have none; with `design`, none keeping that design)."""
    started = time.perf_counter()
    deadline = started + max(time_limit_s, MIN_SECONDS)
    diagnosis = Diagnosis([f for f in findings if f.fatal], [], [f for f in findings if not f.fatal])
    pm = PlatformModel(source, elastic=True)
    if design is not None:
        fix_design(pm, design)
    search = _Search(pm, compile_model(pm.m), deadline)
    log(f"no plan: looking for the fewest rules to change ({len(search.columns)} rules may change)")

    run = search.attempt(set(search.columns))
    if run is None:
        diagnosis.complete = False
    else:
        kept = search.used(run)
        for key in sorted(kept, key=lambda k: (-search.weight(run, k), str(k))):
            if key not in kept:
                continue  # dropped with an earlier rule
            trial = search.attempt(kept - {key})
            if trial is not None:
                run, kept = trial, search.used(trial)
            elif not search.proved_infeasible:
                diagnosis.complete = False
                break
        plans = pm.plans_from(search.compiled.reader(run.values))
        several = len(pm.futures) > 1
        moves = []
        for key in sorted(kept, key=_order):
            fut = next(f for f in pm.futures if f.name == key[1][0]) if key[1][0] or not several else None
            for f in [fut] if fut is not None else pm.futures:
                found = _moves(f.inp, key, plans[f.name], evaluate(f.inp, plans[f.name]))
                moves += [_in_future(m, f.name) for m in found] if several else found
        diagnosis.moves = list(dict.fromkeys(moves))
    diagnosis.solves = search.solves
    diagnosis.seconds = time.perf_counter() - started
    log(f"diagnosis: {len(diagnosis.moves)} rule(s) to change, {search.solves} solves, "
        f"{diagnosis.seconds:.1f} s")
    return diagnosis


def _in_future(move: Move, future: str) -> Move:
    from dataclasses import replace

    return replace(move, future=future, text=f"In future {future}: {move.text[0].lower()}{move.text[1:]}")


def _order(key: RuleKey) -> tuple:
    """Workbook order: locks, variants' rules, then kei rules, plants, demand rows."""
    family, subject = key
    rank = ["lock", "must_offer", "min_units", "max_units", "range_target", "min_power", "unit_cost_ceiling",
            *KEI_RULES, "plant_capacity", "demand"]
    return (rank.index(family) if family in rank else len(rank), str(subject))


class _Search:
    """Solves the compiled elastic model with only some rules' slacks free (the others fixed at 0)."""

    def __init__(self, pm: PlatformModel, compiled: Compiled, deadline: float):
        self.compiled, self.deadline = compiled, deadline
        self.columns: dict[RuleKey, list[int]] = {}
        self.reference: dict[int, float] = {}
        for vid, slack in pm.slacks.items():
            j = compiled.col_of.get(vid)
            if j is None:
                continue  # a slack in no row the compiler kept
            self.columns.setdefault(_rule_key(slack), []).append(j)
            self.reference[j] = max(slack.reference, 1e-9)
        self.solves = 0
        self.proved_infeasible = False

    def attempt(self, free: set[RuleKey]) -> HighsRun | None:
        """A least-violation plan breaking only rules in `free`, or None (see proved_infeasible)."""
        fixed = {j: 0.0 for key, cols in self.columns.items() if key not in free for j in cols}
        remaining = self.deadline - time.perf_counter()
        self.proved_infeasible = False
        if remaining <= 0:
            return None
        run = run_highs(self.compiled, time_limit_s=remaining, mip_rel_gap=DIAGNOSIS_GAP, fix=fixed)
        self.solves += 1
        self.proved_infeasible = run.infeasible
        return run if run.has_solution else None

    def used(self, run: HighsRun) -> set[RuleKey]:
        return {
            key for key, cols in self.columns.items()
            if any(run.values[j] > USED * self.reference[j] for j in cols)
        }

    def weight(self, run: HighsRun, key: RuleKey) -> float:
        return sum(run.values[j] / self.reference[j] for j in self.columns[key])


def _rule_key(slack: Slack) -> RuleKey:
    """The workbook cell a slack relaxes: (family, (future, subject)); over a programme every
    year's row of one cell is the same rule. Kei rules have no subject: one cell of the rules sheet."""
    key = slack.key if isinstance(slack.key, tuple) else ("", slack.key)
    future = key[0]
    if slack.family in KEI_RULES:
        return (slack.family, (future, None))
    return (slack.family, (future, key[1]))


# ---------------------------------------------------------------------------- the changes
# Units come from the solver, rounded to 1e-4 of a unit (models.formulation._clean); a thousandth
# of a unit over a whole number is its noise, not a need. Figures computed from the workbook's
# own numbers (range, cost, height) are exact and get only float rounding.
UNITS_NOISE = 1e-3
EXACT = 1e-9


def _up(x: float, step: float = 1.0, noise: float = EXACT) -> float:
    """Round up to a multiple of `step`: the changed limit must admit the plan."""
    return round(math.ceil((x - noise) / step) * step, 9)


def _down(x: float, step: float = 1.0, noise: float = EXACT) -> float:
    return round(math.floor((x + noise) / step) * step, 9)


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def _moves(inp: PlanInput, key: RuleKey, plan: Plan, ev: Evaluation) -> list[Move]:
    family, (_future, subject) = key
    offered = [v for v in inp.variants if plan.variants[v.name].offered]
    if family in KEI_RULES:
        return _kei_move(inp, family, offered, ev)
    if family == "plant_capacity":
        return _capacity_move(inp, subject, ev)
    if family == "demand":
        return _demand_move(inp, subject, plan)
    if family == "lock":
        lock = next(x for x in inp.locks if x.label == subject)
        return [Move("lock", "locks", lock.variant, "choice", _shown(lock.choice), "(remove the lock)",
                     f"Lift {lock.text}: delete the row or change its choice (locks sheet).",
                     _row_of(lock.label))]
    v = inp.variant(subject)
    vp = plan.variants[v.name]
    if family == "must_offer":
        return [Move("must offer", "variants", v.name, "must_offer", "yes", "no",
                     f"Let variant {v.name} go unoffered: set its must_offer to no (variants sheet).")
                ] if not vp.offered else []
    if not vp.offered:
        return []
    f = ev.figures[v.name]
    where = "variants sheet"
    selling = [(y, vp.units_in(y.name)) for y in inp.periods if y.name in vp.built or not inp.years]
    if family == "min_units":
        new = _down(min((u / y.demand_factor for y, u in selling), default=0.0), noise=UNITS_NOISE)
        return [Move("minimum units", "variants", v.name, "min_units", v.min_units, new,
                     f"Lower variant {v.name}'s minimum from {_n(v.min_units)} to {_n(new)} units a year "
                     f"({where}, min_units).",
                     unit="units a year")] if new < v.min_units else []
    if family == "max_units":
        new = _up(max((u / y.demand_factor for y, u in selling), default=0.0), noise=UNITS_NOISE)
        return [Move("maximum units", "variants", v.name, "max_units", v.max_units, new,
                     f"Raise variant {v.name}'s maximum from {_n(v.max_units)} to {_n(new)} units a year "
                     f"({where}, max_units).",
                     unit="units a year")] if new > v.max_units else []
    if family == "range_target":
        new = _down(f.range_km)
        why = ceiling_blocks_range(inp, v)
        return [Move("range target", "variants", v.name, "range_target_km", v.range_target_km, new,
                     f"Lower variant {v.name}'s range target from {_n(v.range_target_km)} km "
                     f"to {_n(new)} km "
                     f"(pack {vp.pack} takes it {f.range_km:,.1f} km; {where}, range_target_km)"
                     + (f"; its unit cost ceiling is why: {why.short}." if why else "."), unit="km")
                ] if new < v.range_target_km else []
    if family == "min_power":
        new = _down(f.power_kw, 0.1)
        return [Move("minimum power", "variants", v.name, "min_power_kw", v.min_power_kw, new,
                     f"Lower variant {v.name}'s minimum power from {v.min_power_kw:g} kW to {new:g} kW "
                     f"({where}, min_power_kw).",
                     unit="kW")] if new < v.min_power_kw else []
    if family == "unit_cost_ceiling":
        return _ceiling_move(inp, v, vp, f)
    return []


def _shown(choice: object) -> str:
    if isinstance(choice, bool):
        return "yes" if choice else "no"
    return "none" if choice is None else str(choice)


def _row_of(label: str) -> int | None:
    found = re.search(r"(\d+)$", label)
    return int(found.group(1)) if found else None


def _ceiling_move(inp: PlanInput, v, vp, f) -> list[Move]:
    """The ceiling that admits the plan's build in every year it sells (cost / that year's
    factor)."""
    years = [y for y in inp.periods if not inp.years or inp.periods.index(y) >= _launch(inp, vp)]
    needs = [(list_cost_in(v, f, y) / y.ceiling_factor, y) for y in years]
    need, year = max(needs, key=lambda x: x[0])
    new = _up(need)
    ceiling = v.max_unit_cost_jpy or 0.0
    when = (
        f" (in {year.name} it costs ¥{list_cost_in(v, f, year):,.0f} at that year's prices)" if inp.years
        else ""
    )
    return [Move("unit cost ceiling", "variants", v.name, "max_unit_cost_jpy", ceiling, new,
                 f"Raise variant {v.name}'s unit cost ceiling by ¥{new - ceiling:,.0f}, "
                 f"from ¥{ceiling:,.0f} to ¥{new:,.0f}{when} "
                 "(variants sheet, max_unit_cost_jpy).", unit="¥")] if new > ceiling else []


def _launch(inp: PlanInput, vp) -> int:
    names = [y.name for y in inp.periods]
    return names.index(vp.launch_year) if vp.launch_year in names else 0


def _capacity_move(inp: PlanInput, plant_name: str, ev: Evaluation) -> list[Move]:
    """The capacity that admits the plan's build in every year (units / that year's factor)."""
    k = next(p for p in inp.plants if p.name == plant_name)
    year_of = {y.name: y for y in inp.periods}
    needs = [(p.plant_units[k.name] / year_of[p.year].capacity_factor, p) for p in ev.periods]
    need, period = max(needs, key=lambda x: x[0])
    new = _up(need, noise=UNITS_NOISE)
    when = (f" (in {period.year} it must build {_n(period.plant_units[k.name])} units "
            f"at that year's capacity factor {year_of[period.year].capacity_factor:g})") if inp.years else ""
    return [Move(
        "plant capacity", "plants", k.name, "capacity_units", k.capacity_units, new,
        f"Raise plant {k.name}'s capacity by {_n(new - k.capacity_units)} units a year, "
        f"from {_n(k.capacity_units)} to {_n(new)}{when} (plants sheet, capacity_units).",
        unit="units a year",
    )] if new > k.capacity_units else []


def _kei_move(inp: PlanInput, family: str, offered, ev: Evaluation) -> list[Move]:
    name, unit, what = KEI_RULES[family]
    limit = getattr(inp.rules, name)
    measure = {
        "power_cap": lambda v: ev.figures[v.name].power_kw,
        "max_height": lambda v: ev.figures[v.name].height_mm,
        "max_length": lambda v: ev.figures[v.name].length_mm,
        "max_width": lambda v: v.width_mm,
        "max_seats": lambda v: v.seats,
        "max_payload": lambda v: v.payload_kg,
    }[family]
    over = [(v.name, measure(v)) for v in offered if measure(v) > limit]
    if not over:
        return []
    new = _up(max(x for _, x in over), 0.1 if family == "power_cap" else 1.0)
    if new <= limit:
        return []
    who = ", ".join(f"{name_} {_n(x)} {unit}" for name_, x in over)
    return [Move(what, "rules", name, "value", limit, new,
                 f"Raise the {what} from {_n(limit)} {unit} to {_n(new)} {unit} (rules sheet, {name}); "
                 f"the plan needs it for {who}.",
                 unit=unit)]


def _demand_move(inp: PlanInput, label: str, plan: Plan) -> list[Move]:
    """The bound that admits the plan's units in every year the row holds (a row without a year
    is scaled by each year's demand factor, so the need is units / factor)."""
    row = next(d for d in inp.demand if d.label == label)
    covered = [v for v in inp.variants if row.covers(v) and plan.variants[v.name].offered]
    years = [
        (y, sum(plan.variants[v.name].units_in(y.name) for v in covered))
        for y in inp.periods if row.bounds_in(y) is not None
    ]
    scale = (lambda y: y.demand_factor) if row.year is None else (lambda y: 1.0)
    excel_row = _row_of(label)
    head = f"{label} ({row.title})"
    a_year = " a year" if not inp.years or row.year is None else f" in {row.year}"
    if row.min_units is not None and years:
        new = _down(min(u / scale(y) for y, u in years), noise=UNITS_NOISE)
        if new < row.min_units:
            return [Move("demand", "demand", head, "min_units", row.min_units, new,
                         f"Lower {head}'s minimum from {_n(row.min_units)} to {_n(new)} units{a_year} "
                         "(demand sheet, min_units).",
                         excel_row, "units a year")]
    if row.max_units is not None and years:
        new = _up(max(u / scale(y) for y, u in years), noise=UNITS_NOISE)
        if new > row.max_units:
            return [Move("demand", "demand", head, "max_units", row.max_units, new,
                         f"Raise {head}'s maximum from {_n(row.max_units)} to {_n(new)} units{a_year} "
                         "(demand sheet, max_units).",
                         excel_row, "units a year")]
    return []
