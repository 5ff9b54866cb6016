"""A quick plan for when HiGHS reaches its time limit without one, so that a planner gets a plan.

On large workbooks on a busy machine HiGHS can spend its whole time limit in the root node
without a plan in hand. (Handing this plan to HiGHS before its search, as a start, was measured
and did not pay: it costs seconds and HiGHS finds better plans itself when it has the time.)
A variant's parts and pack enter only that variant's own rules (range, power, height,
length, unit cost ceiling), so once each variant's configuration is fixed to one that obeys
them, the remaining choices (which variants, how many, where, which lines and tiers) have a
plan whenever the workbook has one — and form a much smaller MIP.

1. Each variant's configuration: the cheapest one that obeys its rules, found by the same
   formulation applied to the variants taken apart (each alone, at its minimum volume, each
   option's and pack's development shared among the variants that could use it).
2. The full model with those configurations fixed, solved under a short time limit.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from models.data import Plant, PlanInput
from models.build import PlatformModel
from models.plan import Plan
from optimizer.solving.highs_bridge import Compiled, compile_model, run_highs

# Share of the time limit the whole heuristic may use.


def configurations(pm: PlatformModel, seconds: float) -> dict[str, tuple[dict[str, str], str]]:
    """Per offerable variant: (category -> option, pack) obeying its own rules, cheapest at its
    minimum volume with developments shared among the variants that could use them.

    One MIP for all variants: each variant becomes its own brand, nothing is shared and tiers
    are left out, so the model falls apart into one small independent block per variant.
    """
    inp = pm.inp
    variants = [vc.variant for vc in pm.choices.values()]
    users: dict[str, int] = {}
    for vc in pm.choices.values():
        for key in [f"{c}/{o}" for c, opts in vc.options.items() for o in opts] + list(vc.packs):
            users[key] = users.get(key, 0) + 1

    def own_brands(allowed: frozenset[str] | None) -> frozenset[str] | None:
        return None if allowed is None else frozenset(v.name for v in variants if v.brand in allowed)

    units = {v.name: max(v.min_units, 1.0) for v in variants}
    alone = PlanInput(
        settings=replace(inp.settings, integer_units=False, cross_brand_sharing=False),
        rules=inp.rules,
        brands=tuple(units),
        variants=tuple(
            replace(v, brand=v.name, must_offer=True, min_units=units[v.name], max_units=units[v.name])
            for v in variants
        ),
        categories=inp.categories,
        parts=tuple(
            replace(o, dev_cost_jpy=o.dev_cost_jpy / users.get(o.key, 1), brands=own_brands(o.brands))
            for o in inp.parts
        ),
        packs=tuple(replace(p, dev_cost_jpy=p.dev_cost_jpy / users.get(p.name, 1)) for p in inp.packs),
        # where it is built does not matter here
        plants=(Plant("anywhere", capacity_units=sum(units.values())),),
        years=inp.years,  # a configuration must meet every year's unit cost ceiling
        locks=tuple(lock for lock in inp.locks if lock.variant in units and lock.item != "offer"),
    )
    sub = PlatformModel(alone)
    compiled = compile_model(sub.m)
    run = run_highs(compiled, time_limit_s=max(0.1, seconds), mip_rel_gap=1e-3)
    if not run.has_solution:
        return {}
    plan = sub.plan_from(compiled.reader(run.values))
    return {
        name: (vp.options, vp.pack)
        for name, vp in plan.variants.items() if vp.offered and vp.pack is not None
    }


def first_plan(
    pm: PlatformModel, compiled: Compiled, budget: float, log: Callable[[str], None] = lambda _t: None
) -> Plan | None:
    """A plan obeying every rule, or None if none was found within about `budget` seconds. Uses
    the already compiled model with each variant's configuration pinned."""
    started = time.perf_counter()
    configs = configurations(pm, budget / 2)
    m, col = pm.m, compiled.col_of
    pinned: dict[int, float] = {}

    def pin(var, value: float) -> None:
        if id(var) in col:
            pinned[col[id(var)]] = value

    for v, c, o in pm.use_idx:
        chosen = configs.get(v)
        pin(m.use[v, c, o], 1.0 if chosen is not None and chosen[0].get(c) == o else 0.0)
    for v, p in pm.pack_idx:
        chosen = configs.get(v)
        pin(m.pack[v, p], 1.0 if chosen is not None and chosen[1] == p else 0.0)
    for v in pm.offer_idx:
        if v not in configs:
            pin(m.offer[v], 0.0)
    left = max(0.5, budget - (time.perf_counter() - started))
    run = run_highs(compiled, time_limit_s=left, mip_rel_gap=0.01, fix=pinned)
    if not run.has_solution:
        log(f"no starting plan found in {time.perf_counter() - started:.1f} s; searching without one")
        return None
    plan = pm.plan_from(compiled.reader(run.values))
    log(f"starting plan: ¥{run.objective * 1e6:,.0f} found in {time.perf_counter() - started:.1f} s")
    return plan
