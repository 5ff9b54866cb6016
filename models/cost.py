"""The total cost the plan minimises, in millions of yen, as the spec defines it.

A future's total cost = Σ over years of that year's weight × (its production cost + the one-time
costs paid in it); the weight is the year's discount factor with a years sheet, and for the steady
year lifecycle_years on production and 1 on one-time costs. A plain solve minimises its one future's
cost; `plan solve --robust` the expected cost over the futures (or, optionally, the worst).
"""

from __future__ import annotations

import pyomo.core as pyo

from models.physics import SCALE_JPY
from models.volumes import item_cost

if False:  # pragma: no cover - typing only
    from models.build import PlatformModel

EXPECTED, WORST = "expected", "worst"


def development_cost(pm: "PlatformModel", f: str):
    """Every development the future's keys name, paid in the year its variable says."""
    m, inp, cost = pm.m, pm.future(f), 0
    years = [pm.periods[i].name for i in pm.dev_years]
    for key in sorted(set(pm.dev_of_use[f].values())):
        c, o, _b = key
        cost += inp.part(f"{c}/{o}").dev_cost_jpy / SCALE_JPY * sum(
            pm.one_time_weight(f, t) * m.develop[key + (t,)] for t in years
        )
    for key in sorted(set(pm.dev_of_pack[f].values())):
        cost += inp.pack(key[0]).dev_cost_jpy / SCALE_JPY * sum(
            pm.one_time_weight(f, t) * m.develop_pack[key + (t,)] for t in years
        )
    return cost


def top_hat_cost(pm: "PlatformModel", f: str):
    """Each offered variant's own styling (paid in its launch year) and its body and trim per unit."""
    m, cost = pm.m, 0
    for v, vc in pm.choices.items():
        var = pm.variant(f, v)
        cost += var.top_hat_dev_cost_jpy / SCALE_JPY * sum(
            pm.one_time_weight(f, t) * pm.launched_in(v, t) for t in vc.launch_years
        )
        cost += var.top_hat_unit_cost_jpy / SCALE_JPY * sum(
            pm.production_weight(f, t) * m.units[f, v, t] for t in pm.selling_years(v)
        )
    return cost


def plant_cost(pm: "PlatformModel", f: str):
    """Plant lines (paid in the year set up) and assembly per unit built."""
    m, cost = pm.m, 0
    for ff, k, _s, t in pm.line_idx:
        if ff == f:
            cost += (
                pm.plant(f, k).line_cost_jpy / SCALE_JPY * pm.one_time_weight(f, t) * m.line[ff, k, _s, t]
            )
    for ff, v, k, t in pm.built_idx:
        if ff == f:
            cost += (
                pm.plant(f, k).assembly_cost_jpy / SCALE_JPY * pm.production_weight(f, t)
                * m.built[ff, v, k, t]
            )
    return cost


def future_cost(pm: "PlatformModel", f: str):
    return development_cost(pm, f) + top_hat_cost(pm, f) + plant_cost(pm, f) + item_cost(pm, f)


def define_objective(pm: "PlatformModel", objective: str = EXPECTED) -> None:
    """Minimise the expected total cost over the futures (or the worst); the elastic model instead
    minimises the rules' relative violations."""
    m = pm.m
    pm.cost_of = {f.name: future_cost(pm, f.name) for f in pm.futures}
    pm.cost_expr = sum(f.probability * pm.cost_of[f.name] for f in pm.futures)
    if pm.elastic:
        m.violation = pyo.Objective(
            expr=sum(var / max(1e-9, pm.book.slacks[id(var)].reference) for var in pm.book.slack_vars()),
            sense=pyo.minimize)
    elif objective == WORST and len(pm.futures) > 1:
        m.worst_cost = pyo.Var()
        m.worst_case = pyo.Constraint(
            [f.name for f in pm.futures], rule=lambda _m, f: m.worst_cost >= pm.cost_of[f]
        )
        m.total_cost = pyo.Objective(expr=m.worst_cost, sense=pyo.minimize)
    else:
        m.total_cost = pyo.Objective(expr=pm.cost_expr, sense=pyo.minimize)
