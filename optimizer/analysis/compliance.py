"""Kei compliance: every offered variant against every rule of the rules sheet, its range
target and its power needs — value, limit and margin in the rule's own unit."""

from __future__ import annotations

from dataclasses import dataclass

from models.data import PlanInput
from models.plan import Plan
from models.evaluate import Evaluation, list_cost_in

# A margin at or below this counts as "at the limit" (the rule binds); figures are exact sums
# of workbook numbers, so only floating-point noise separates them from the limit.
AT_LIMIT = 1e-6
# A margin below this (in the rule's unit) is "tight": a small change of the design would hit it.
TIGHT: dict[str, float] = {"mm": 10.0, "kg": 10.0, "kW": 1.0, "km": 5.0, "seats": 0.0, "¥": 10000.0}


@dataclass(frozen=True)
class Check:
    """One variant against one rule. `margin` is how far the value may still move before it
    breaks the rule (limit − value for a maximum, value − limit for a minimum)."""

    variant: str
    rule: str  # planner's name of the rule, e.g. "max height"
    sheet: str  # where the limit is set: "rules" or "variants"
    unit: str  # "mm", "kg", "kW", "km", "seats" or "¥"
    value: float
    limit: float
    is_minimum: bool  # True: the value must be at least the limit

    @property
    def margin(self) -> float:
        return self.value - self.limit if self.is_minimum else self.limit - self.value

    @property
    def status(self) -> str:
        if self.margin < -AT_LIMIT * max(1.0, abs(self.limit)):
            return "broken"
        if self.margin <= AT_LIMIT * max(1.0, abs(self.limit)):
            return "at the limit"
        if self.margin < TIGHT[self.unit]:
            return "tight"
        return "ok"


def _tightest_year(inp: PlanInput, v, vp, f) -> tuple[float, float]:
    """(list unit cost, ceiling) in the year the variant sells that leaves the least margin (list
    prices without a years sheet)."""
    names = [y.name for y in inp.periods]
    start = names.index(vp.launch_year) if inp.years and vp.launch_year in names else 0
    pairs = [(list_cost_in(v, f, y), v.max_unit_cost_jpy * y.ceiling_factor) for y in inp.periods[start:]]
    return min(pairs, key=lambda x: x[1] - x[0])


def kei_checks(inp: PlanInput, plan: Plan, ev: Evaluation, *, with_cost: bool = False) -> list[Check]:
    """Checks for every offered variant, in the workbook's variant order. `with_cost` adds the
    unit cost ceiling (not a kei rule, but a limit on the same choices)."""
    r = inp.rules
    out: list[Check] = []
    for v in inp.variants:
        vp = plan.variants.get(v.name)
        if vp is None or not vp.offered:
            continue
        f = ev.figures[v.name]
        rows = [
            ("max length", "rules", "mm", f.length_mm, r.max_length_mm, False),
            ("max width", "rules", "mm", v.width_mm, r.max_width_mm, False),
            ("max height", "rules", "mm", f.height_mm, r.max_height_mm, False),
            ("max seats", "rules", "seats", v.seats, r.max_seats, False),
            ("max payload", "rules", "kg", v.payload_kg, r.max_payload_kg, False),
            ("power cap", "rules", "kW", f.power_kw, r.max_power_kw, False),
            ("min power", "variants", "kW", f.power_kw, v.min_power_kw, True),
            ("range target", "variants", "km", f.range_km, v.range_target_km, True),
        ]
        if with_cost and v.max_unit_cost_jpy is not None:
            cost, ceiling = _tightest_year(inp, v, vp, f)
            rows.append(("unit cost ceiling", "variants", "¥", cost, ceiling, False))
        out += [Check(v.name, *row) for row in rows]
    return out
