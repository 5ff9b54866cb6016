"""Pareto fronts by epsilon-constraint (`plan sweep --pareto`): what commonality, or a variant's
range, costs.

`--pareto commonality`: the cheapest plan with at most ε developments of options and packs, for ε
from the count of the cheapest plan (the unconstrained optimum: more developments never help) down
to the fewest that still have a plan. A development is what the cost pays once: an option or pack
developed, or, for an unshared category (or without cross-brand sharing), developed again for each
brand that uses it. Top hats are not counted: each offered variant has its own.

`--pareto range:VARIANT`: the cheapest plan with the variant's range target at ε, from its target
in the workbook upward on a grid of round kilometres (see `range_grid`), until no plan exists or no
configuration of the variant can reach ε (beyond that, it cannot be offered at all).

Both bounds are monotone: a plan within a tighter bound is within every looser one, so the cost
never falls as the bound tightens, and once a bound has no plan every tighter one has none. Two
shortcuts follow, both exact: a point whose plan already meets tighter bounds (a plan with 24
developments under a cap of 26, a pack that takes the variant 12 km past its target) answers
those points when it is proven optimal, and nothing tighter than a point without a plan is solved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.data import PlanInput
from models.plan import per_category_extreme
from optimizer.problems import InputError, Problem
from optimizer.sweeps.cases import CaseDef
from optimizer.sweeps.results import Row

COMMONALITY, RANGE = "commonality", "range"
HAS_PLAN = ("optimal", "feasible")
RANGE_STEPS_KM = (5.0, 10.0, 20.0, 25.0, 50.0, 100.0)  # round steps planners quote ranges in
MAX_RANGE_POINTS = 30  # the grid's points above the workbook's target, at most
COST_TOLERANCE = 1e-9  # relative: costs closer than this are equal (dominance)


@dataclass(frozen=True)
class Axis:
    """What a front trades against cost: the developments paid, or a variant's range target."""

    kind: str
    variant: str | None = None

    @property
    def name(self) -> str:
        return COMMONALITY if self.kind == COMMONALITY else f"{RANGE}:{self.variant}"

    @property
    def bound(self) -> str:
        """What ε is, for headers and sentences."""
        if self.kind == COMMONALITY:
            return "at most ε developments"
        return f"range target of {self.variant} (km)"

    def label(self, epsilon: float) -> str:
        if self.kind == COMMONALITY:
            return f"at most {epsilon:,.0f} developments"
        return f"{self.variant} range target {epsilon:,.6g} km"

    def compute(self, epsilon: float) -> str:
        """What a point computes, part of its key."""
        if self.kind == COMMONALITY:
            return f"pareto developments <= {int(epsilon)}"
        return f"pareto range {self.variant} >= {epsilon!r}"

    def achieved(self, record: dict) -> float:
        """What a point's plan reaches on this axis: its developments, or the variant's range (+inf
        when it is not offered: then no range target binds it)."""
        if self.kind == COMMONALITY:
            return float(len(record.get("developed") or []))
        return float((record.get("range_km") or {}).get(self.variant, math.inf))

    def answers(self, solved_at: float, record: dict, epsilon: float) -> bool:
        """Whether the optimal plan found at `solved_at` is also the optimum at `epsilon`."""
        if record.get("status") != "optimal":
            return False
        reached = self.achieved(record)
        if self.kind == COMMONALITY:
            return reached <= epsilon <= solved_at
        return solved_at <= epsilon <= reached + 1e-9

    def tighter(self, epsilon: float, than: float) -> bool:
        return epsilon < than if self.kind == COMMONALITY else epsilon > than

    def better(self, a: float, b: float) -> bool:
        """Whether reaching `a` is better than reaching `b` on this axis (fewer developments, more range)."""
        return a < b if self.kind == COMMONALITY else a > b


def parse_axis(text: str, inp: PlanInput) -> Axis:
    """--pareto's value. Raises InputError naming what is wrong."""
    from optimizer.workbook.checker import did_you_mean

    value = text.strip()
    if value.lower() == COMMONALITY:
        return Axis(COMMONALITY)
    if value.lower().startswith(f"{RANGE}:"):
        variant = value.split(":", 1)[1].strip()
        names = [v.name for v in inp.variants]
        if variant in names:
            return Axis(RANGE, variant)
        hint = did_you_mean(variant, names) or f"The variants are {', '.join(names)}."
        raise InputError([Problem(
            None, None, "--pareto", text,
            f"names variant {variant!r}, which the workbook's variants sheet does not have", hint,
        )])
    raise InputError([Problem(None, None, "--pareto", text, "is not a front plan sweep draws",
                              "Write --pareto commonality, or --pareto range:VARIANT (a variant's name).")])


# ---- the grid ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """The bounds a front is solved at, in order from the workbook's outward."""

    points: tuple[float, ...]
    note: str  # why these points, for the sweep workbook


def commonality_grid(base_record: dict) -> Grid:
    """Every cap below the cheapest plan's own count of developments, down to none."""
    n0 = len(base_record.get("developed") or [])
    return Grid(
        tuple(float(e) for e in range(n0 - 1, -1, -1)),
        f"every whole number of developments from the cheapest plan's {n0} down, until no plan exists",
    )


def range_grid(inp: PlanInput, variant: str) -> Grid:
    """Range targets from the variant's own upward, in a round step (5 km, or the next of 10, 20,
    25, 50, 100 km that keeps the grid to MAX_RANGE_POINTS points), up to the first point beyond the
    most any configuration of the variant can reach (so the front ends where the variant can no
    longer be offered). Why round steps: planners set and quote ranges in 5- or 10-km steps, and
    the cost changes only where a pack or option stops reaching the target, which the table shows
    as each point's range."""
    v = inp.variant(variant)
    target = v.range_target_km
    most = max_range_km(inp, variant)
    span = max(most - target, 0.0)
    step = next((s for s in RANGE_STEPS_KM if span / s <= MAX_RANGE_POINTS), RANGE_STEPS_KM[-1])
    first = (math.floor(target / step) + 1) * step
    points = [first]
    while points[-1] <= most and len(points) < MAX_RANGE_POINTS + 1:
        points.append(points[-1] + step)
    reach = f"{most:,.1f} km" if math.isfinite(most) else "no limit the workbook sets"
    note = (
        f"{variant}'s range target from its {target:,.6g} km in the workbook up in steps of {step:g} km, "
        f"to the first point beyond the most any of its configurations reaches ({reach})"
    )
    return Grid(tuple(points), note)


def max_range_km(inp: PlanInput, variant: str) -> float:
    """The longest range any configuration of the variant reaches, rules other than range aside:
    the pack that fits its bay with the most energy per Wh/km, with the options that add least to
    consumption (mass × wh_per_km_per_kg + wh_per_km). No plan offers it above this."""
    v = inp.variant(variant)
    k = inp.settings.wh_per_km_per_kg
    allowed = {c.name: [p for p in inp.options_of(c.name) if p.allowed_for(v)] for c in inp.categories}
    required = {c.name: c.required for c in inp.categories}
    least = per_category_extreme(allowed, lambda c: required[c], lambda o: k * o.mass_kg + o.wh_per_km)
    options = sum(least.values())
    best = 0.0
    for pack in inp.packs:
        if pack.length_mm > v.pack_bay_mm:
            continue
        consumption = v.base_wh_per_km + k * (v.glider_mass_kg + pack.mass_kg) + options
        best = max(best, math.inf if consumption <= 0 else 1000.0 * pack.usable_kwh / consumption)
    return best


# ---- the front --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One bound of the front and the plan it gets (solved there, or answered by another point)."""

    epsilon: float
    case: int  # the case solved for this point (another's when answered)
    record: dict
    answered_by: float | None = None  # the bound whose solve answers this point
    dominated_by: float | None = None  # a point reaching as far or further for no more cost

    @property
    def status(self) -> str:
        return self.record.get("status", "")

    @property
    def total_cost_jpy(self) -> float | None:
        return self.record.get("total_cost_jpy")

    @property
    def has_plan(self) -> bool:
        return self.status in HAS_PLAN


class ParetoSummary:
    """The front from the results rows of its points, in grid order. Which point is solved and
    which answered by another is decided here from the rows alone, so a resumed front is the
    front of an uninterrupted run."""

    def __init__(self, axis: Axis, workbook_target_km: float | None = None):
        self.axis = axis
        self.workbook_target_km = workbook_target_km  # range: the variant's target in the workbook
        self.base: Row | None = None
        self.grid: Grid | None = None
        self.cases: dict[int, CaseDef] = {}
        self.rows: dict[int, Row] = {}

    def add(self, row: Row) -> None:
        self.rows[row.case] = row
        if row.case == 0:
            self.base = row

    def base_epsilon(self) -> float:
        """The unconstrained optimum's bound: its own developments, or the workbook's range target."""
        if self.axis.kind == RANGE:
            return float(self.workbook_target_km)
        return self.axis.achieved(self.base.record) if self.base is not None else 0.0

    def lines(self):
        """The Cases sheet: every case solved for a point of the front (points solved ahead beyond
        its end are in the results file only, so the sheet is the same after --resume)."""
        from optimizer.sweeps.summary import CaseLine

        return [CaseLine.of(self.rows[i]) for i in sorted({p.case for p in self.points()})]

    def points(self) -> list[Point]:
        """The base point, then each grid point up to and including the first without a plan."""
        if self.base is None:
            return []
        base_eps = self.base_epsilon()
        out = [Point(base_eps, 0, self.base.record)]
        if not out[0].has_plan:
            return out
        solved = [(base_eps, 0, self.base.record)]
        for case in sorted(self.cases.values(), key=lambda c: c.index):
            eps = case.epsilon
            by = next(((at, i, rec) for at, i, rec in solved if self.axis.answers(at, rec, eps)), None)
            if by is not None:
                out.append(Point(eps, by[1], by[2], answered_by=by[0]))
                continue
            row = self.rows.get(case.index)
            if row is None:
                break  # not solved: a tighter bound than one without a plan (or the run stopped)
            solved.append((eps, case.index, row.record))
            out.append(Point(eps, case.index, row.record))
            if row.record.get("status") not in HAS_PLAN:
                break
        return _mark_dominated(self.axis, out)

    def unconstrained_cost(self) -> float | None:
        return self.base.record.get("total_cost_jpy") if self.base is not None else None


def _mark_dominated(axis: Axis, points: list[Point]) -> list[Point]:
    """A point is dominated when another reaches as far or further on the axis (fewer developments,
    more range: what its plan reaches, not its bound) for no more cost, one of them strictly.
    Points with the same plan (one answering the other) do not dominate each other."""
    from dataclasses import replace

    out = []
    for p in points:
        by = None
        if p.has_plan:
            for q in points:
                if q is p or not q.has_plan or q.case == p.case:
                    continue
                a, b = axis.achieved(q.record), axis.achieved(p.record)
                cq, cp = q.total_cost_jpy, p.total_cost_jpy
                tol = COST_TOLERANCE * max(1.0, abs(cp))
                cheaper, as_cheap = cq < cp - tol, cq <= cp + tol
                further, as_far = axis.better(a, b), a == b or axis.better(a, b)
                if (as_far and cheaper) or (further and as_cheap):
                    by = q.epsilon
                    break
        out.append(replace(p, dominated_by=by))
    return out
