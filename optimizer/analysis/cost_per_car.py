"""What each car costs: the plan's total cost allocated to the offered variants, per car.

Production costs belong to the variant that uses them (each part at its tier price, the pack,
the top hat, assembly at its plants). One-time costs are shared out: a development among the
variants using it (those of its brand when it is developed per brand), a plant line among the
variants of its body style built there, each in proportion to units; a top hat's development
is its variant's own. Spread over the lifecycle's units, every yen of the total lands on a car:
Σ per-car cost × lifecycle units = total cost, where a car's lifecycle units are its units weighed
as the total weighs production (units a year × lifecycle_years; over a programme, each year's
units × that year's discount factor), and a per-car price is the average over those units of each
year's price (present value per car).
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
    units: float  # a year (over the programme, with a years sheet)
    top_hat: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)  # category -> unit price at its tier
    pack: float = 0.0
    assembly: float = 0.0
    one_time_jpy: dict[str, float] = field(default_factory=dict)  # ONE_TIME kind -> yen allocated (lifecycle)
    lifecycle_units: float = 0.0  # units as the total weighs them (units × lifecycle_years, or Σ discount × units)

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
    plants = {k.name: k for k in inp.plants}
    out: dict[str, CarCost] = {}
    users: dict[str, list[str]] = {}
    for v in inp.variants:
        vp = plan.variants.get(v.name)
        if vp is None or not vp.offered:
            continue
        weighted = [(p, p.production_weight * vp.units_in(p.year)) for p in ev.periods]
        lifecycle = sum(w for _p, w in weighted)
        car = CarCost(v.name, v.brand, vp.units, lifecycle_units=lifecycle, one_time_jpy=dict.fromkeys(ONE_TIME, 0.0))
        car.top_hat = v.top_hat_unit_cost_jpy

        def per_car(item: str) -> float:
            """The item's price over the car's lifecycle units (each year's tier price)."""
            paid = sum(w * p.volumes[item].unit_price_jpy for p, w in weighted if item in p.volumes)
            return paid / lifecycle if lifecycle > 0 else (ev.volumes[item].unit_price_jpy if item in ev.volumes else 0.0)

        for c in inp.categories:
            o = vp.options.get(c.name)
            car.parts[c.name] = per_car(f"{c.name}/{o}") if o is not None else 0.0
            if o is not None:
                users.setdefault(f"{c.name}/{o}", []).append(v.name)
        if vp.pack is not None:
            car.pack = per_car(vp.pack)
            users.setdefault(vp.pack, []).append(v.name)
        if lifecycle > 0:
            car.assembly = sum(
                p.production_weight * sum(plants[k].assembly_cost_jpy * u for k, u in vp.built.get(p.year, {}).items())
                for p in ev.periods
            ) / lifecycle
        launch = ev.period(vp.launch_year) if vp.launch_year is not None and inp.years else ev.periods[0]
        car.one_time_jpy["development: top hats"] = v.top_hat_dev_cost_jpy * launch.one_time_weight
        out[v.name] = car

    kind_of = {"option": "development: parts", "pack": "development: packs"}
    for d in ev.developments:
        if d.kind not in kind_of:
            continue
        names = [n for n in users.get(d.item, []) if d.brand is None or out[n].brand == d.brand]
        paid = d.cost_jpy * ev.period(d.year).one_time_weight
        for n, share in _split(paid, {n: out[n].units for n in names}).items():
            out[n].one_time_jpy[kind_of[d.kind]] += share
    styles = {v.name: v.body_style for v in inp.variants}
    for plant, style in ev.lines:
        built = {n: plan.variants[n].plants.get(plant, 0.0) for n in out if styles[n] == style and plant in plan.variants[n].plants}
        paid = plants[plant].line_cost_jpy * ev.period(ev.line_years.get((plant, style), ev.periods[0].year)).one_time_weight
        for n, share in _split(paid, built).items():
            out[n].one_time_jpy["plant lines"] += share
    return out


def by_brand(inp: PlanInput, cars: dict[str, CarCost]) -> dict[str, float]:
    """Each brand's share of the total: the sum over its variants (every brand listed)."""
    out = dict.fromkeys(inp.brands, 0.0)
    for car in cars.values():
        out[car.brand] += car.allocated_jpy
    return out
