"""What each car costs: the plan's total cost allocated to the offered variants, per car.

Production costs belong to the variant that uses them (each part at its tier price, the pack,
the top hat, assembly at its plants). One-time costs are shared out: a development among the
variants using it (those of its brand when it is developed per brand), a plant line among the
variants of its body style built there, each in proportion to units; a top hat's development
is its variant's own. Spread over the lifecycle's units, every yen of the total lands on a car:
Σ per-car cost × units × lifecycle_years = total cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.data import PlanInput
from models.plan import Plan
from models.evaluate import Evaluation

ONE_TIME = ("development: parts", "development: packs", "development: top hats", "plant lines")


@dataclass
class CarCost:
    """Yen per car of one offered variant, by what the money buys."""

    variant: str
    brand: str
    units: float  # a year
    top_hat: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)  # category -> unit price at its tier
    pack: float = 0.0
    assembly: float = 0.0
    one_time_jpy: dict[str, float] = field(default_factory=dict)  # ONE_TIME kind -> yen allocated (lifecycle)
    lifecycle_units: float = 0.0  # units × lifecycle_years

    def one_time_per_car(self, kind: str) -> float:
        return self.one_time_jpy.get(kind, 0.0) / self.lifecycle_units if self.lifecycle_units > 0 else 0.0

    @property
    def production(self) -> float:
        return self.top_hat + sum(self.parts.values()) + self.pack + self.assembly

    @property
    def development(self) -> float:
        """One-time costs spread over the lifecycle's units (developments and plant lines)."""
        return sum(self.one_time_per_car(k) for k in ONE_TIME)

    @property
    def total(self) -> float:
        return self.production + self.development

    @property
    def allocated_jpy(self) -> float:
        """The variant's share of the plan's total cost over the lifecycle."""
        return self.production * self.lifecycle_units + sum(self.one_time_jpy.values())


def _split(amount: float, weights: dict[str, float]) -> dict[str, float]:
    """Split in proportion to weights; equally when they are all zero."""
    total = sum(weights.values())
    if not weights:
        return {}
    if total <= 0:
        return {k: amount / len(weights) for k in weights}
    return {k: amount * w / total for k, w in weights.items()}


def cost_per_car(inp: PlanInput, plan: Plan, ev: Evaluation) -> dict[str, CarCost]:
    """Every offered variant's cost per car, in the workbook's variant order."""
    years = inp.settings.lifecycle_years
    plants = {k.name: k for k in inp.plants}
    out: dict[str, CarCost] = {}
    users: dict[str, list[str]] = {}
    for v in inp.variants:
        vp = plan.variants.get(v.name)
        if vp is None or not vp.offered:
            continue
        car = CarCost(v.name, v.brand, vp.units, lifecycle_units=vp.units * years, one_time_jpy=dict.fromkeys(ONE_TIME, 0.0))
        car.top_hat = v.top_hat_unit_cost_jpy
        for c in inp.categories:
            o = vp.options.get(c.name)
            car.parts[c.name] = ev.volumes[f"{c.name}/{o}"].unit_price_jpy if o is not None and f"{c.name}/{o}" in ev.volumes else 0.0
            if o is not None:
                users.setdefault(f"{c.name}/{o}", []).append(v.name)
        if vp.pack is not None:
            car.pack = ev.volumes[vp.pack].unit_price_jpy if vp.pack in ev.volumes else 0.0
            users.setdefault(vp.pack, []).append(v.name)
        if vp.units > 0:
            car.assembly = sum(plants[k].assembly_cost_jpy * u for k, u in vp.plants.items()) / vp.units
        car.one_time_jpy["development: top hats"] = v.top_hat_dev_cost_jpy
        out[v.name] = car

    kind_of = {"option": "development: parts", "pack": "development: packs"}
    for d in ev.developments:
        if d.kind not in kind_of:
            continue
        names = [n for n in users.get(d.item, []) if d.brand is None or out[n].brand == d.brand]
        for n, share in _split(d.cost_jpy, {n: out[n].units for n in names}).items():
            out[n].one_time_jpy[kind_of[d.kind]] += share
    styles = {v.name: v.body_style for v in inp.variants}
    for plant, style in ev.lines:
        built = {n: plan.variants[n].plants.get(plant, 0.0) for n in out if styles[n] == style and plant in plan.variants[n].plants}
        for n, share in _split(plants[plant].line_cost_jpy, built).items():
            out[n].one_time_jpy["plant lines"] += share
    return out


def by_brand(inp: PlanInput, cars: dict[str, CarCost]) -> dict[str, float]:
    """Each brand's share of the total: the sum over its variants (every brand listed)."""
    out = dict.fromkeys(inp.brands, 0.0)
    for car in cars.values():
        out[car.brand] += car.allocated_jpy
    return out
