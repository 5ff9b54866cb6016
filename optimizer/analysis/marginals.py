"""What one more unit of each continuous limit is worth, with the plan's decisions fixed.

Every yes/no decision of the plan (variants offered, parts, packs, developments, tiers, plant
lines) is fixed, which leaves a linear program in the units a year. Its row duals are the
classic answer, but at this plan's corner several limits bind at once (a plant at capacity,
a demand row at its minimum, a tier at its threshold, ...), where a dual is only one of many
valid prices and often not the one for "one more unit". So we use the duals as the rate at the
plan and measure "one more unit" exactly: move that one bound by one unit in the compiled LP
and re-solve (a few milliseconds each).

Over a programme a workbook bound holds in every year, scaled by that year's factor (capacity,
units and demand) or as written (tier thresholds): a limit is then the workbook's cell, and "one
more unit" moves the cell, so every year's row of it moves by its factor at once.

Once the decisions are fixed the formulation carries each planner's bound in several places
(the bound's own row, the columns' bounds and linking rows such as "option units ≤ max units
× chosen"). Those copies are redundant, and they would stop a one-unit move of the bound's own
row, so they are relaxed before solving; the relaxed LP must reproduce the plan's cost, or we
fall back to rebuilding the model with the bound moved (slow but always right).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
import numpy as np
from pyomo.common.errors import InfeasibleConstraintException
import pyomo.core as pyo  # modelling only: pyomo.environ would also load every solver plugin (+0.2 s a run)

from models.data import PlanInput
from models.build import SCALE_JPY, PlatformModel
from models.plan import Plan
from optimizer.solving.highs_bridge import Compiled, compile_model, run_highs

# Relative distance from its bound at which a row counts as binding.
BINDING_TOL = 1e-7
# A one-unit move whose cost change is below this many yen "changes nothing".
NOTHING_JPY = 1.0
LP_TIME_LIMIT_S = 10.0

PLANT_CAPACITY = "plant capacity"
MAX_UNITS = "maximum units"
MIN_UNITS = "minimum units"
DEMAND_MIN = "demand minimum"
DEMAND_MAX = "demand maximum"
TIER = "tier threshold"


@dataclass(frozen=True)
class Marginal:
    """One binding continuous limit and the cost change of moving it one unit the way a planner
    would ask: one more unit of capacity or of a maximum, one more unit required by a minimum,
    a tier threshold one unit lower."""

    kind: str  # one of the constants above
    subject: str  # workbook name: plant, variant, demand row label, or tier item
    bound: float  # the limit as the workbook sets it (units a year)
    activity: float  # the plan's units a year against it
    step: float  # +1 or -1 (units a year)
    delta_jpy: float | None  # lifecycle cost after the step minus before; None: impossible with the decisions fixed
    dual_jpy: float  # the LP's dual at the plan, yen per unit a year (one of possibly many prices at a corner)
    detail: str = ""  # e.g. the demand row's scope ("brand Honda")
    tier: int = 0  # for a tier threshold: which tier of the item (1 = first)
    years: tuple[str, ...] = ()  # the years in which it binds (programmes only)

    @property
    def key(self) -> object:
        """What `moved_input` takes to move this limit."""
        return (self.subject, self.tier) if self.kind == TIER else self.subject


@dataclass
class FixedLP:
    """The plan's LP: decisions fixed, units free."""

    pm: PlatformModel
    compiled: Compiled
    cost_jpy: float
    values: np.ndarray
    duals: np.ndarray
    activity: np.ndarray  # row activities
    relaxed: bool  # redundant copies of the bounds relaxed (see module docstring)


def fix_decisions(pm: PlatformModel, plan: Plan) -> None:
    """Fix every binary at the plan's value; integer units become continuous (an LP remains)."""
    values = pm.values_for(plan)
    for var in pm.m.component_data_objects(pyo.Var):
        if var.is_binary():
            var.fix(round(values.get(id(var), 0.0)))
        elif var.is_integer():
            var.domain = pyo.NonNegativeReals


def _add_missing_capacity_rows(pm: PlatformModel) -> None:
    """The formulation leaves out a plant's capacity row when its column bounds already keep it
    within capacity; we relax those bounds, so the row must be there."""
    m = pm.m
    have = set(m.plant_capacity) if hasattr(m, "plant_capacity") else set()
    load: dict[tuple[str, str, str], list] = {}
    for f, v, k, t in m.built:
        load.setdefault((f, k, t), []).append(m.built[f, v, k, t])
    missing = [key for key in load if key not in have]
    if missing:
        capacity = lambda f, k, t: pm.plant(f, k).capacity_units * pm.year(f, t).capacity_factor  # noqa: E731
        m.report_capacity = pyo.Constraint(missing, rule=lambda _m, f, k, t: sum(load[f, k, t]) <= capacity(f, k, t))


def _solve(compiled: Compiled) -> tuple[float | None, np.ndarray | None, np.ndarray | None]:
    run = run_highs(compiled, time_limit_s=LP_TIME_LIMIT_S, mip_rel_gap=0.0)
    if not run.has_solution or not run.optimal:
        return None, None, None
    return run.objective * SCALE_JPY, run.values, run.row_duals


def solve_fixed(inp: PlanInput, plan: Plan, *, relax: bool = True) -> FixedLP | None:
    """The plan's LP, solved. None when it has no optimum (the plan breaks a rule)."""
    pm = PlatformModel(inp)
    fix_decisions(pm, plan)
    if relax:
        _add_missing_capacity_rows(pm)
    try:
        compiled = compile_model(pm.m)
    except InfeasibleConstraintException:  # with the decisions fixed a row is a constant that fails
        return None
    if not compiled.columns:
        return None
    cost, values, duals = _solve(compiled)
    if cost is None:
        return None
    relaxed = False
    if relax:
        saved = _relax_copies(pm, compiled)
        cost_r, values_r, duals_r = _solve(compiled)
        if cost_r is not None and abs(cost_r - cost) <= 1e-9 * max(1.0, abs(cost)) + NOTHING_JPY:
            cost, values, duals, relaxed = cost_r, values_r, duals_r, True
        else:
            _restore(compiled, saved)
    activity = compiled.activity(values)
    return FixedLP(pm, compiled, cost, values, duals, activity, relaxed)


def _planner_row(pm: PlatformModel, con, mult: int) -> tuple[str, object, float] | None:
    """(kind, key, scale) when the row is `scale` × a planner's continuous bound in one year, else
    None. The key is the plant, variant or demand row label, or (item, tier) for a tier threshold."""
    family, index = con.parent_component().local_name, con.index()
    if family in ("plant_capacity", "report_capacity"):
        f, k, t = index
        return PLANT_CAPACITY, k, pm.year(f, t).capacity_factor
    offered = lambda v: v in pm.m.offer and pm.m.offer[v].value is not None and pm.m.offer[v].value > 0.5  # noqa: E731
    if family in ("max_units", "min_units"):
        f, v, t = index
        if offered(v) and pyo.value(pm.sells(v, t)) > 0.5:  # before its launch a variant's rows bind nothing
            return (MAX_UNITS if family == "max_units" else MIN_UNITS), v, pm.year(f, t).demand_factor
        return None
    if family == "demand":
        f, label, t = index
        row = _demand(pm.future(f), label)
        return (DEMAND_MIN if mult <= 0 else DEMAND_MAX), label, pm.year(f, t).demand_factor if row.year is None else 1.0
    if family == "tier_reached":
        f, item, t, j = index
        if pm.m.in_tier[index].value is not None and pm.m.in_tier[index].value > 0.5:
            return TIER, (item, j), 1.0
    return None


def _relax_copies(pm: PlatformModel, compiled: Compiled) -> tuple:
    """Relax continuous columns' upper bounds and every non-planner row whose bound is not zero
    (with the decisions fixed these only repeat planner bounds); put each variant's maximum row
    at the workbook's max_units. Returns what to restore."""
    lp = compiled.lp
    saved = (np.array(lp.col_upper_), np.array(lp.row_lower_), np.array(lp.row_upper_))
    inf = np.inf
    upper = np.array(lp.col_upper_)
    for j, var in enumerate(compiled.columns):
        if not var.is_integer():
            upper[j] = inf
    lower_r, upper_r = np.array(lp.row_lower_), np.array(lp.row_upper_)
    for i, (con, mult) in enumerate(compiled.rows):
        planner = _planner_row(pm, con, mult)
        if planner is None:
            if mult < 0 and lower_r[i] != 0:
                lower_r[i] = -inf
            if mult > 0 and upper_r[i] != 0:
                upper_r[i] = inf
        elif planner[0] == MAX_UNITS:
            upper_r[i] = max(upper_r[i], pm.inp.variant(planner[1]).max_units * planner[2])
    lp.col_upper_, lp.row_lower_, lp.row_upper_ = upper, lower_r, upper_r
    return saved


def _restore(compiled: Compiled, saved: tuple) -> None:
    compiled.lp.col_upper_, compiled.lp.row_lower_, compiled.lp.row_upper_ = saved


def marginals(inp: PlanInput, plan: Plan) -> tuple[FixedLP | None, list[Marginal]]:
    """The plan's LP and every binding continuous limit with the value of a one-unit move."""
    lp = solve_fixed(inp, plan)
    if lp is None:
        return None, []
    lo, hi = np.array(lp.compiled.lp.row_lower_), np.array(lp.compiled.lp.row_upper_)
    cells: dict[tuple[str, object], list[tuple[int, int, float, bool, str]]] = {}  # the rows of one workbook bound
    for i, (con, mult) in enumerate(lp.compiled.rows):
        planner = _planner_row(lp.pm, con, mult)
        if planner is None:
            continue
        kind, key, scale = planner
        rhs = lo[i] if mult < 0 else hi[i]
        binding = abs(lp.activity[i] - rhs) <= BINDING_TOL * max(1.0, abs(rhs))
        cells.setdefault((kind, key), []).append((i, mult, scale, binding, con.index()[-2 if kind == TIER else -1]))
    out: list[Marginal] = []
    for (kind, key), rows in cells.items():
        binding = [r for r in rows if r[3]]
        if not binding:
            continue
        step = -1.0 if kind == TIER else 1.0
        if lp.relaxed:
            delta = _moved_lp(lp, [(i, mult, scale) for i, mult, scale, _b, _t in rows], step)
        else:
            delta = _moved_rebuild(inp, plan, kind, key, step, lp.cost_jpy)
        dual = sum(lp.duals[i] * scale for i, _m, scale, _b, _t in rows) * SCALE_JPY
        years = tuple(t for *_r, t in binding if t)
        out.append(_marginal(inp, kind, key, step, delta, dual, lp.activity[binding[0][0]], years))
    return lp, out


def _moved_lp(lp: FixedLP, rows: list[tuple[int, int, float]], step: float) -> float | None:
    """The LP's cost change when a workbook bound moves by `step`: each of its rows by step × scale."""
    compiled = lp.compiled
    saved = (np.array(compiled.lp.col_upper_), np.array(compiled.lp.row_lower_), np.array(compiled.lp.row_upper_))
    lower, upper = np.array(saved[1]), np.array(saved[2])
    for i, mult, scale in rows:
        if mult <= 0:
            lower[i] += step * scale
        if mult >= 0:
            upper[i] += step * scale
    compiled.lp.row_lower_, compiled.lp.row_upper_ = lower, upper
    try:
        cost, _values, _duals = _solve(compiled)
    finally:
        _restore(compiled, saved)
    return None if cost is None else cost - lp.cost_jpy


def moved_input(inp: PlanInput, kind: str, key: object, step: float) -> PlanInput:
    """The workbook's input with one continuous limit moved by `step` units a year (key as in
    `Marginal.key`)."""
    subject = key
    if kind == PLANT_CAPACITY:
        plants = tuple(replace(k, capacity_units=k.capacity_units + step) if k.name == subject else k for k in inp.plants)
        return replace(inp, plants=plants)
    if kind in (MAX_UNITS, MIN_UNITS):
        field = "max_units" if kind == MAX_UNITS else "min_units"
        variants = tuple(replace(v, **{field: getattr(v, field) + step}) if v.name == subject else v for v in inp.variants)
        return replace(inp, variants=variants)
    if kind in (DEMAND_MIN, DEMAND_MAX):
        field = "min_units" if kind == DEMAND_MIN else "max_units"
        demand = tuple(replace(d, **{field: getattr(d, field) + step}) if d.label == subject else d for d in inp.demand)
        return replace(inp, demand=demand)
    if kind == TIER:
        item, j = key
        tiers = dict(inp.tiers)
        tiers[item] = tuple(replace(t, min_units=t.min_units + step) if n == j else t for n, t in enumerate(tiers[item], start=1))
        return replace(inp, tiers=tiers)
    raise ValueError(kind)


def _moved_rebuild(inp: PlanInput, plan: Plan, kind: str, key: object, step: float, cost: float) -> float | None:
    moved = solve_fixed(moved_input(inp, kind, key, step), plan, relax=False)
    return None if moved is None else moved.cost_jpy - cost


def _marginal(inp: PlanInput, kind: str, key: object, step: float, delta: float | None, dual: float, activity: float,
              years: tuple[str, ...] = ()) -> Marginal:
    tier = 0
    detail = ""
    if kind == PLANT_CAPACITY:
        bound = next(k.capacity_units for k in inp.plants if k.name == key)
    elif kind in (MAX_UNITS, MIN_UNITS):
        v = inp.variant(key)
        bound = v.max_units if kind == MAX_UNITS else v.min_units
    elif kind in (DEMAND_MIN, DEMAND_MAX):
        d = _demand(inp, key)
        bound, detail = (d.min_units if kind == DEMAND_MIN else d.max_units), d.title
    else:
        key, tier = key
        bound = inp.tiers[key][tier - 1].min_units
    if delta is not None and abs(delta) < NOTHING_JPY:
        delta = 0.0
    return Marginal(kind, key, bound, activity, step, delta, dual, detail, tier, years)


def _demand(inp: PlanInput, label: str):
    return next(d for d in inp.demand if d.label == label)


def moved_cost(inp: PlanInput, plan: Plan, kind: str, key: object, step: float) -> float | None:
    """Reference check (tests): the plan's LP cost after moving one limit in the workbook's input
    and rebuilding the model from scratch."""
    lp = solve_fixed(moved_input(inp, kind, key, step), plan, relax=False)
    return None if lp is None else lp.cost_jpy
