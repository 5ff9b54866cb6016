"""What a small change of a rule on discrete choices (range target, unit cost ceiling, power,
height, length) costs: re-solve the MIP with the changed workbook, letting only the variants the
rule touches re-choose their parts and pack; every other decision of the plan stays.

Rules on discrete choices have no marginal value (one more km of range target is either free or
needs another pack), so the answer is a cost difference for a stated change. Keeping the rest of
the plan makes the answer precise (the same plan, before and after, solved to a tight gap) and
fast (a small MIP), at the price of being an upper bound: a full re-plan may do better.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.core as pyo  # modelling only: pyomo.environ would also load every solver plugin (+0.2 s a run)

from models.data import PlanInput
from models.build import SCALE_JPY, PlatformModel
from models.plan import Plan
from optimizer.solving.highs_bridge import compile_model, run_highs

WHAT_IF_GAP = 1e-6
WHAT_IF_TIME_LIMIT_S = 5.0


@dataclass(frozen=True)
class Local:
    """The cheapest plan with only `free` variants re-choosing parts and pack."""

    cost_jpy: float | None  # None: no such plan (the change cannot be met that way)
    plan: Plan | None
    proven: bool  # solved to optimality within the time limit


def local_resolve(inp: PlanInput, plan: Plan, free: frozenset[str], *, time_limit_s: float = WHAT_IF_TIME_LIMIT_S) -> Local:
    """Fix which variants are offered, and every other variant's parts and pack, at the plan's
    choices; solve for the rest (the free variants' parts and pack, developments, tiers, lines,
    units)."""
    pm = PlatformModel(inp)
    m = pm.m
    if any(name not in pm.choices for name in plan.offered()):
        return Local(None, None, True)  # an offered variant can no longer be offered at all
    for v in m.offer:
        m.offer[v].fix(1 if plan.variants[v].offered else 0)
    for v, c, o in m.use:
        if v not in free:
            m.use[v, c, o].fix(1 if plan.variants[v].options.get(c) == o else 0)
    for v, p in m.pack:
        if v not in free:
            m.pack[v, p].fix(1 if plan.variants[v].pack == p else 0)
    if inp.settings.integer_units:
        for var in m.component_data_objects(pyo.Var):
            if var.is_integer() and not var.is_binary():
                var.domain = pyo.NonNegativeReals
    compiled = compile_model(m)
    run = run_highs(compiled, time_limit_s=time_limit_s, mip_rel_gap=WHAT_IF_GAP)
    if not run.has_solution:
        return Local(None, None, run.infeasible)
    return Local(run.objective * SCALE_JPY, pm.plan_from(compiled.reader(run.values)), run.optimal)


@dataclass(frozen=True)
class WhatIf:
    """A stated change and what meeting it costs, keeping the rest of the plan."""

    rule: str  # e.g. "range target"
    subject: str  # the variant, or the variants at the limit of a rules-sheet rule
    change: str  # in the workbook's words, e.g. "range_target_km of Honda hatch 180 → 190 km"
    delta_jpy: float | None  # lifecycle cost after minus before; None: cannot be met this way
    how: str  # what the re-solved plan changes, e.g. "Honda hatch: pack 20 kWh NMC → 25 kWh NMC"
    proven: bool


def what_if(rule: str, subject: str, change: str, changed: PlanInput, plan: Plan, free: frozenset[str], base_cost: float | None, base_plan: Plan | None = None, *, time_limit_s: float = WHAT_IF_TIME_LIMIT_S) -> tuple[WhatIf, Local]:
    """Re-solve the changed workbook locally and compare with `base_cost` (the plan's own cost, or
    the unchanged workbook's local re-solve); also returns the local solve itself."""
    after = local_resolve(changed, plan, free, time_limit_s=time_limit_s)
    if after.cost_jpy is None or base_cost is None:
        how = "no choice of parts and pack meets it" + (" (the solver ran out of time)" if not after.proven else "")
        return WhatIf(rule, subject, change, None, how, after.proven), after
    how = describe_changes(base_plan or plan, after.plan, free)
    return WhatIf(rule, subject, change, after.cost_jpy - base_cost, how, after.proven), after


def describe_changes(before: Plan, after: Plan, variants: frozenset[str]) -> str:
    """The free variants' changed parts and pack, in workbook names."""
    out = []
    for v in sorted(variants):
        b, a = before.variants[v], after.variants[v]
        changes = [f"{c} {b.options.get(c, 'none')} → {a.options.get(c, 'none')}" for c in sorted(set(b.options) | set(a.options)) if b.options.get(c) != a.options.get(c)]
        if a.pack != b.pack:
            changes.insert(0, f"pack {b.pack} → {a.pack}")
        if changes:
            out.append(f"{v}: " + ", ".join(changes))
    return "; ".join(out) or "no change of parts or pack"
