"""What limits the plan: the rules that bind, in sentences with the workbook's names, and what
moving each would be worth.

Two kinds of answer, never mixed up:
- continuous limits (plant capacity, a variant's min/max units, demand rows, tier thresholds)
  get a marginal value from the plan's linear program with every yes/no decision fixed
  (`marginals`): exact for one unit a year, valid while the parts, packs, tiers and plant lines
  stay as planned;
- rules on discrete choices (range target, unit cost ceiling, power cap, height, length) have
  no marginal value; we say how close they are and, where a change could matter, what a stated
  change costs by re-solving the MIP with the other variants' choices kept (`whatif`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from models.data import PlanInput, Variant
from optimizer.text import horizon
from models.plan import Plan
from models.evaluate import Evaluation
from optimizer.analysis.certainty import signed_yen
from optimizer.analysis import marginals as mg
from optimizer.analysis.compliance import Check, kei_checks
from optimizer.analysis.whatif import Local, WhatIf, describe_changes, local_resolve, what_if

# Stated changes for the what-ifs, in the rule's unit.
RANGE_STEP_KM = 10.0
CEILING_STEP_JPY = 10000.0
RELAX_STEP = {"power cap": 1.0, "max height": 10.0, "max length": 10.0}
# Wall-clock budget for what-if re-solves in one report; the rest are listed as not re-solved.
# Each re-solve gets what is left of it (at least MIN_SOLVE_S), so the budget holds.
WHAT_IF_BUDGET_S = 3.0
MIN_SOLVE_S = 0.2

LP_BASIS = "LP, decisions fixed"
MIP_BASIS = "MIP re-solve, other choices kept"
NO_SOLVE_BASIS = "no re-solve needed"


@dataclass(frozen=True)
class Limit:
    """One binding (or nearly binding) rule and what moving it is worth."""

    rule: str  # e.g. "plant capacity", "range target"
    subject: str  # workbook name of what it is about
    sheet: str  # where the planner changes it
    sentence: str
    value: float | None
    limit: float | None
    margin: float | None
    unit: str
    change: str  # the move priced, e.g. "+1 unit a year", "+10 km"
    worth_jpy: float | None  # lifecycle cost change of that move (negative: saves); None: not priced / impossible
    basis: str  # LP_BASIS, MIP_BASIS or NO_SOLVE_BASIS


@dataclass
class LimitsAnalysis:
    limits: list[Limit]
    lp_cost_jpy: float | None  # the plan's LP optimum (decisions fixed)
    lp_relaxed: bool
    seconds: dict[str, float]
    over: str  # what the yen count: 'over 6 years', or over a programme in present value
    skipped: str = ""  # why some of it was not analysed (the time limit), for the reader


def yen(x: float) -> str:
    """Yen in a sentence, without its sign (the sentence says saving or cost): ¥1.23 bn, ¥456.7 M."""
    return signed_yen(abs(x))


def analyse_limits(inp: PlanInput, plan: Plan, ev: Evaluation, *, what_ifs: bool = True, budget_s: float = WHAT_IF_BUDGET_S,
                   marginals_s: float | None = None) -> LimitsAnalysis:
    """`budget_s` bounds the whole analysis; `marginals_s` is what the plan's LP is expected to take
    (about two model builds): when the budget cannot hold it, the limits are not analysed."""
    over = horizon(inp)
    seconds: dict[str, float] = {}
    if marginals_s is not None and budget_s < marginals_s:
        return LimitsAnalysis([], None, False, seconds, over,
                              skipped="not analysed: the time limit was spent before there was time for it (raise --time-limit)")
    started = time.perf_counter()
    lp, found = mg.marginals(inp, plan)
    seconds["marginals"] = time.perf_counter() - started
    limits = [_continuous(inp, m, over) for m in found]
    started = time.perf_counter()
    left = min(WHAT_IF_BUDGET_S, budget_s - seconds["marginals"])
    limits += _discrete(inp, plan, ev, over, what_ifs and left > MIN_SOLVE_S, left, lp.cost_jpy if lp else None)
    seconds["what-ifs"] = time.perf_counter() - started
    limits.sort(key=lambda x: (x.basis != LP_BASIS, x.worth_jpy is None, -abs(x.worth_jpy or 0.0), x.rule, x.subject))
    return LimitsAnalysis(limits, lp.cost_jpy if lp else None, bool(lp and lp.relaxed), seconds, over)


# ---------------------------------------------------------------- continuous limits
def _continuous(inp: PlanInput, m: mg.Marginal, over: str) -> Limit:
    n = f"{m.bound:,.0f}"
    if m.years:  # a programme: the workbook's bound, and the years in which it binds
        n += f" (binding in {', '.join(m.years)})"
    d = m.delta_jpy
    if m.kind == mg.PLANT_CAPACITY:
        head = f"Plant {m.subject} builds at its capacity of {n} units a year"
        move = _worth(d, "one more unit a year of capacity", over, raise_=True)
        return Limit("plant capacity", m.subject, "plants", f"{head}; {move}.", m.activity, m.bound, 0.0, "units a year", "+1 unit a year", d, LP_BASIS)
    if m.kind == mg.MAX_UNITS:
        head = f"Variant {m.subject} sells its maximum of {n} units a year"
        move = _worth(d, "allowing one more unit a year", over, raise_=True)
        return Limit("maximum units", m.subject, "variants", f"{head}; {move}.", m.activity, m.bound, 0.0, "units a year", "+1 unit a year", d, LP_BASIS)
    if m.kind == mg.MIN_UNITS:
        head = f"Variant {m.subject} sells only its minimum of {n} units a year"
        move = _worth(d, "each extra unit a year required", over, raise_=False)
        return Limit("minimum units", m.subject, "variants", f"{head}; {move}.", m.activity, m.bound, 0.0, "units a year", "+1 unit a year", d, LP_BASIS)
    if m.kind in (mg.DEMAND_MIN, mg.DEMAND_MAX):
        lower = m.kind == mg.DEMAND_MIN
        head = f"Demand: {m.subject} ({m.detail}) is met exactly at its {'minimum' if lower else 'maximum'} of {n} units a year"
        move = _worth(d, "each extra unit a year it asks for" if lower else "allowing one more unit a year", over, raise_=not lower)
        return Limit("demand " + ("minimum" if lower else "maximum"), f"{m.subject} ({m.detail})", "demand", f"{head}; {move}.", m.activity, m.bound, 0.0, "units a year", "+1 unit a year", d, LP_BASIS)
    price = inp.tiers[m.subject][m.tier - 1].unit_cost_jpy
    head = f"The plan buys {m.subject} at exactly {n} units a year, the threshold of its tier price ¥{price:,.0f}"
    move = _worth(d, "a threshold one unit lower", over, raise_=True)
    return Limit("tier threshold", m.subject, "tiers", f"{head}; {move}.", m.activity, m.bound, 0.0, "units a year", "−1 unit a year", d, LP_BASIS)


def _worth(delta: float | None, what: str, over: str, *, raise_: bool) -> str:
    if delta is None:
        return f"{what} cannot be met without changing the plan's decisions"
    if delta == 0:
        return f"{what} would change nothing unless the plan's decisions change"
    verb = "would save" if delta < 0 else "would cost"
    return f"{what} {verb} {yen(delta)} {over}"


# ---------------------------------------------------------------- discrete rules
def _discrete(inp: PlanInput, plan: Plan, ev: Evaluation, over: str, what_ifs: bool, budget_s: float, lp_cost: float | None) -> list[Limit]:
    """Rules on discrete choices that bind or nearly bind, with a what-if where a change could
    matter. Each what-if lets only the variants it is about re-choose parts and pack, and is
    compared with the plan's own cost (`lp_cost`, decisions fixed)."""
    checks = [c for c in kei_checks(inp, plan, ev, with_cost=True) if c.status in ("at the limit", "tight")]
    out: list[Limit] = []
    pending: list[tuple[str, str, str, Check, str, PlanInput, frozenset[str]]] = []  # priced below

    for rule in ("power cap", "max height", "max length"):
        close = [c for c in checks if c.rule == rule]
        if not close:
            continue
        names = [c.variant for c in close]
        worst = min(close, key=lambda c: c.margin)
        change = f"+{RELAX_STEP[rule]:g} {worst.unit}"
        subject = ", ".join(names)
        text = f"{_rule_words(rule, worst)} {'is reached' if worst.status == 'at the limit' else 'is nearly reached'} by {subject}"
        held = frozenset(n for n in names if _holds_back(inp, inp.variant(n), rule))
        if not held:
            sentence = f"{text}; no combination of parts and pack allowed for {'it' if len(names) == 1 else 'them'} goes past it, so raising it would change nothing."
            out.append(Limit(rule, subject, "rules", sentence, worst.value, worst.limit, worst.margin, worst.unit, change, 0.0, NO_SOLVE_BASIS))
        else:
            pending.append((rule, subject, "rules", worst, text, _relaxed_rule(inp, rule, RELAX_STEP[rule]), held))
    for c in checks:
        if c.rule == "range target":
            v = inp.variant(c.variant)
            changed = _with_variant(inp, replace(v, range_target_km=v.range_target_km + RANGE_STEP_KM))
            text = f"Variant {c.variant} reaches {c.value:,.1f} km against its range target of {c.limit:,.0f} km"
            pending.append((c.rule, c.variant, "variants", c, text, changed, frozenset({c.variant})))
        elif c.rule == "unit cost ceiling":
            v = inp.variant(c.variant)
            changed = _with_variant(inp, replace(v, max_unit_cost_jpy=v.max_unit_cost_jpy - CEILING_STEP_JPY))
            text = f"Variant {c.variant}'s list unit cost ¥{c.value:,.0f} is within ¥{c.margin:,.0f} of its ceiling ¥{c.limit:,.0f}"
            pending.append((c.rule, c.variant, "variants", c, text, changed, frozenset({c.variant})))

    deadline = time.perf_counter() + budget_s
    bases: dict[frozenset[str], Local] = {}
    for rule, subject, sheet, c, text, changed, free in pending:
        change = _change_words(rule, c)
        w = None
        if what_ifs and lp_cost is not None and time.perf_counter() <= deadline:
            left = lambda: max(MIN_SOLVE_S, deadline - time.perf_counter())  # noqa: E731  each solve within the budget
            w, after = what_if(rule, subject, change, changed, plan, free, lp_cost, time_limit_s=left())
            tightening = rule in ("range target", "unit cost ceiling")
            if w.delta_jpy is not None and (not tightening or w.delta_jpy < -mg.NOTHING_JPY):
                # A relaxation, or a tightening that seems to save: the plan itself could be
                # improved by re-choosing these parts, so compare with that re-choice instead.
                if free not in bases:
                    bases[free] = local_resolve(inp, plan, free, time_limit_s=left())
                base = bases[free]
                if base.cost_jpy is not None:
                    how = describe_changes(base.plan, after.plan, free)
                    w = replace(w, delta_jpy=after.cost_jpy - base.cost_jpy, how=how, proven=w.proven and base.proven)
        out.append(_discrete_limit(rule, subject, sheet, text, c, change, w, over))
    return out


def _change_words(rule: str, c: Check) -> str:
    if rule == "range target":
        return f"+{RANGE_STEP_KM:g} km of range target"
    if rule == "unit cost ceiling":
        return f"a ceiling ¥{CEILING_STEP_JPY:,.0f} lower"
    return f"+{RELAX_STEP[rule]:g} {c.unit} of {rule}"


def _rule_words(rule: str, c: Check) -> str:
    return {
        "power cap": f"The {c.limit:g} kW power cap",
        "max height": f"The {c.limit:,.0f} mm height rule",
        "max length": f"The {c.limit:,.0f} mm length rule",
    }[rule]


def _discrete_limit(rule: str, subject: str, sheet: str, text: str, c: Check, change: str, w: WhatIf | None, over: str) -> Limit:
    if w is None:
        sentence = f"{text} ({c.margin:,.1f} {c.unit} to spare); the cost of {change} was not re-solved (time budget)."
        return Limit(rule, subject, sheet, sentence, c.value, c.limit, c.margin, c.unit, change, None, MIP_BASIS)
    if w.delta_jpy is None:
        sentence = f"{text} ({_spare(c)}); {change} could not be met by re-choosing parts and pack: {w.how}."
    elif abs(w.delta_jpy) < mg.NOTHING_JPY:
        sentence = f"{text} ({_spare(c)}); {change} would cost nothing ({w.how})."
    else:
        verb = "would cost" if w.delta_jpy > 0 else "would save"
        sentence = f"{text} ({_spare(c)}); {change} {verb} {yen(w.delta_jpy)} {over} ({w.how})."
    return Limit(rule, subject, sheet, sentence, c.value, c.limit, c.margin, c.unit, change, w.delta_jpy, MIP_BASIS)


def _spare(c: Check) -> str:
    if c.unit == "¥":
        return f"¥{c.margin:,.0f} to spare"
    return f"{c.margin:,.1f} {c.unit} to spare" if c.margin > 1e-6 else "no margin"


def _with_variant(inp: PlanInput, changed: Variant) -> PlanInput:
    return replace(inp, variants=tuple(changed if v.name == changed.name else v for v in inp.variants))


def _relaxed_rule(inp: PlanInput, rule: str, step: float) -> PlanInput:
    field = {"power cap": "max_power_kw", "max height": "max_height_mm", "max length": "max_length_mm"}[rule]
    return replace(inp, rules=replace(inp.rules, **{field: getattr(inp.rules, field) + step}))


def _holds_back(inp: PlanInput, v: Variant, rule: str) -> bool:
    """Whether some allowed combination of parts and pack would go past the rule's limit, i.e.
    whether the rule removes any choice at all (if not, relaxing it cannot change the plan)."""
    attr, limit, base, with_pack = {
        "power cap": ("power_kw", inp.rules.max_power_kw, 0.0, False),
        "max height": ("height_mm", inp.rules.max_height_mm, v.height_mm, True),
        "max length": ("length_mm", inp.rules.max_length_mm, v.length_mm, False),
    }[rule]
    worst = base
    for cat in inp.categories:
        worst += max((getattr(o, attr) for o in inp.options_of(cat.name) if o.allowed_for(v)), default=0.0)
    if with_pack:
        worst += max((getattr(p, attr) for p in inp.packs if p.length_mm <= v.pack_bay_mm), default=0.0)
    return worst > limit
