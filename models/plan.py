"""A plan (the decisions) and its evaluation by the spec's formulas.

`evaluate` recomputes every figure the reports show — mass, range, cost by kind — directly
from the decisions, without the MIP. The solver's objective must agree with it; that
agreement is checked after every solve and in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from models.data import PartOption, PlanInput, Tier, Variant

# A volume within this relative distance below a tier threshold counts as reaching it: the
# solver works to a feasibility tolerance of about 1e-7 and units are rounded to 1e-4.
TIER_TOLERANCE = 1e-6
# Absolute tolerance (in the rule's own unit) before a rule counts as broken when checking a plan.
RULE_TOLERANCE = 1e-4


@dataclass
class VariantPlan:
    offered: bool
    units: float = 0.0
    pack: str | None = None
    options: dict[str, str] = field(default_factory=dict)  # category -> option
    plants: dict[str, float] = field(default_factory=dict)  # plant -> units a year


@dataclass
class Plan:
    variants: dict[str, VariantPlan]

    def offered(self) -> list[str]:
        return [name for name, vp in self.variants.items() if vp.offered]


@dataclass(frozen=True)
class VariantFigures:
    """What an offered variant is, with its chosen parts and pack."""

    mass_kg: float
    consumption_wh_per_km: float
    range_km: float
    power_kw: float
    height_mm: float
    length_mm: float
    list_unit_cost_jpy: float


@dataclass(frozen=True)
class ItemVolume:
    """An option (`category/option`) or pack with its annual volume and the price it reaches."""

    item: str
    kind: str  # "option" or "pack"
    units: float
    list_price_jpy: float
    unit_price_jpy: float
    tier_min_units: float | None  # threshold of the tier reached; None: list price


@dataclass(frozen=True)
class Development:
    """One development paid: an option or pack, for one brand or (brand None) for all."""

    item: str
    kind: str  # "option", "pack" or "top hat"
    brand: str | None
    cost_jpy: float


COST_KINDS = (
    "development: parts",
    "development: packs",
    "development: top hats",
    "plant lines",
    "production: top hats",
    "production: parts",
    "production: packs",
    "production: assembly",
)


@dataclass
class Evaluation:
    figures: dict[str, VariantFigures]
    volumes: dict[str, ItemVolume]
    developments: list[Development]
    lines: list[tuple[str, str]]  # (plant, body style) set up
    plant_units: dict[str, float]
    costs: dict[str, float]  # COST_KINDS -> yen
    violations: list[str]

    @property
    def total_cost_jpy(self) -> float:
        return sum(self.costs.values())


def price_at(list_price: float, tiers: tuple[Tier, ...], volume: float) -> tuple[float, float | None]:
    """All-units price: that of the highest tier whose threshold the volume reaches."""
    price, reached = list_price, None
    for tier in tiers:
        if volume >= tier.min_units - TIER_TOLERANCE * max(1.0, tier.min_units):
            price, reached = tier.unit_cost_jpy, tier.min_units
    return price, reached


def per_category_extreme(
    options: dict[str, list[PartOption]], required: Callable[[str], bool], measure: Callable[[PartOption], float], pick=min
) -> dict[str, float]:
    """Per category, the least (or with pick=max the most) an allowed option adds to a measure;
    an optional category may take no option and so counts 0 as a choice. Measures add up over
    categories, so the sum is the least (most) a variant's options can reach together. A required
    category with nothing allowed counts 0 (such a variant can never be offered anyway)."""
    return {c: pick([measure(o) for o in opts] + ([] if required(c) else [0.0]), default=0.0) for c, opts in options.items()}


def variant_figures(inp: PlanInput, variant: Variant, vp: VariantPlan) -> VariantFigures:
    parts = [inp.part(f"{c}/{o}") for c, o in vp.options.items()]
    pack = inp.pack(vp.pack) if vp.pack is not None else None
    mass = variant.glider_mass_kg + sum(p.mass_kg for p in parts) + (pack.mass_kg if pack else 0.0)
    consumption = (
        variant.base_wh_per_km
        + inp.settings.wh_per_km_per_kg * mass
        + sum(p.wh_per_km for p in parts)
    )
    kwh = pack.usable_kwh if pack else 0.0
    range_km = 1000.0 * kwh / consumption if consumption > 0 else float("inf")
    return VariantFigures(
        mass_kg=mass,
        consumption_wh_per_km=consumption,
        range_km=range_km,
        power_kw=sum(p.power_kw for p in parts),
        height_mm=variant.height_mm + sum(p.height_mm for p in parts) + (pack.height_mm if pack else 0.0),
        length_mm=variant.length_mm + sum(p.length_mm for p in parts),
        list_unit_cost_jpy=variant.top_hat_unit_cost_jpy
        + sum(p.unit_cost_jpy for p in parts)
        + (pack.unit_cost_jpy if pack else 0.0),
    )


def evaluate(inp: PlanInput, plan: Plan) -> Evaluation:
    """Every figure of a plan by the spec's formulas, and the rules it breaks (if any)."""
    s = inp.settings
    years = s.lifecycle_years
    violations: list[str] = []
    figures: dict[str, VariantFigures] = {}
    costs = dict.fromkeys(COST_KINDS, 0.0)
    option_users: dict[str, list[Variant]] = {}
    pack_users: dict[str, list[Variant]] = {}
    volume: dict[str, float] = {}
    plant_units = {p.name: 0.0 for p in inp.plants}
    lines: set[tuple[str, str]] = set()

    for v in inp.variants:
        vp = plan.variants.get(v.name, VariantPlan(offered=False))
        if not vp.offered:
            if v.must_offer:
                violations.append(f"variant {v.name} must be offered but is not")
            continue
        f = variant_figures(inp, v, vp)
        figures[v.name] = f
        violations += _variant_violations(inp, v, vp, f)
        costs["development: top hats"] += v.top_hat_dev_cost_jpy
        costs["production: top hats"] += years * v.top_hat_unit_cost_jpy * vp.units
        for c, o in vp.options.items():
            key = f"{c}/{o}"
            option_users.setdefault(key, []).append(v)
            volume[key] = volume.get(key, 0.0) + vp.units
        if vp.pack is not None:
            pack_users.setdefault(vp.pack, []).append(v)
            volume[vp.pack] = volume.get(vp.pack, 0.0) + vp.units
        for plant_name, units in vp.plants.items():
            plant = next(p for p in inp.plants if p.name == plant_name)
            plant_units[plant_name] += units
            costs["production: assembly"] += years * plant.assembly_cost_jpy * units
            if units > RULE_TOLERANCE:
                lines.add((plant_name, v.body_style))
                if not plant.builds(v.body_style):
                    violations.append(f"plant {plant_name} cannot build body style {v.body_style}")

    developments: list[Development] = []
    volumes: dict[str, ItemVolume] = {}
    for key, users in option_users.items():
        part = inp.part(key)
        per_brand = not (inp.category(part.category).shared and s.cross_brand_sharing)
        developments += _developments(key, "option", part.dev_cost_jpy, users, per_brand)
        volumes[key] = _volume(inp, key, "option", part.unit_cost_jpy, volume[key])
        costs["production: parts"] += years * volumes[key].units * volumes[key].unit_price_jpy
    for name, users in pack_users.items():
        pack = inp.pack(name)
        developments += _developments(name, "pack", pack.dev_cost_jpy, users, not s.cross_brand_sharing)
        volumes[name] = _volume(inp, name, "pack", pack.unit_cost_jpy, volume[name])
        costs["production: packs"] += years * volumes[name].units * volumes[name].unit_price_jpy
    costs["development: parts"] = sum(d.cost_jpy for d in developments if d.kind == "option")
    costs["development: packs"] = sum(d.cost_jpy for d in developments if d.kind == "pack")
    for plant_name, body_style in sorted(lines):
        costs["plant lines"] += next(p for p in inp.plants if p.name == plant_name).line_cost_jpy

    for plant in inp.plants:
        if plant_units[plant.name] > plant.capacity_units + RULE_TOLERANCE:
            violations.append(
                f"plant {plant.name} builds {plant_units[plant.name]:,.10g} units, "
                f"above its capacity of {plant.capacity_units:,.0f}"
            )
    for row in inp.demand:
        units = sum(plan.variants[v.name].units for v in inp.variants if row.covers(v) and v.name in plan.variants)
        if row.min_units is not None and units < row.min_units - RULE_TOLERANCE:
            violations.append(f"{row.label} ({row.title}): {units:,.10g} units, below its minimum {row.min_units:,.0f}")
        if row.max_units is not None and units > row.max_units + RULE_TOLERANCE:
            violations.append(f"{row.label} ({row.title}): {units:,.10g} units, above its maximum {row.max_units:,.0f}")
    return Evaluation(
        figures=figures,
        volumes=volumes,
        developments=developments,
        lines=sorted(lines),
        plant_units=plant_units,
        costs=costs,
        violations=violations,
    )


def _developments(item: str, kind: str, cost: float, users: list[Variant], per_brand: bool) -> list[Development]:
    if not per_brand:
        return [Development(item, kind, None, cost)]
    brands = sorted({v.brand for v in users})
    return [Development(item, kind, b, cost) for b in brands]


def _volume(inp: PlanInput, item: str, kind: str, list_price: float, units: float) -> ItemVolume:
    price, reached = price_at(list_price, inp.tiers.get(item, ()), units)
    return ItemVolume(item, kind, units, list_price, price, reached)


def _variant_violations(inp: PlanInput, v: Variant, vp: VariantPlan, f: VariantFigures) -> list[str]:
    r, tol = inp.rules, RULE_TOLERANCE
    out: list[str] = []

    def check(ok: bool, text: str) -> None:
        if not ok:
            out.append(f"variant {v.name}: {text}")

    for c in inp.categories:
        chosen = vp.options.get(c.name)
        check(chosen is not None or not c.required, f"no option of required category {c.name}")
        if chosen is not None:
            part = inp.part(f"{c.name}/{chosen}")
            check(part.allowed_for(v), f"option {part.key} is not allowed for it")
    check(vp.pack is not None, "no pack")
    if vp.pack is not None:
        check(inp.pack(vp.pack).length_mm <= v.pack_bay_mm + tol, f"pack {vp.pack} is longer than its bay")
    check(f.range_km >= v.range_target_km - tol, f"range {f.range_km:.1f} km below target {v.range_target_km:g} km")
    check(f.consumption_wh_per_km > 0, f"consumption {f.consumption_wh_per_km:,.1f} Wh/km is not above zero, so it has no range")
    check(f.power_kw >= v.min_power_kw - tol, f"power {f.power_kw:g} kW below its minimum {v.min_power_kw:g} kW")
    check(f.power_kw <= r.max_power_kw + tol, f"power {f.power_kw:g} kW above the cap {r.max_power_kw:g} kW")
    check(f.height_mm <= r.max_height_mm + tol, f"height {f.height_mm:g} mm above {r.max_height_mm:g} mm")
    check(f.length_mm <= r.max_length_mm + tol, f"length {f.length_mm:g} mm above {r.max_length_mm:g} mm")
    check(v.width_mm <= r.max_width_mm + tol, f"width {v.width_mm:g} mm above {r.max_width_mm:g} mm")
    check(v.seats <= r.max_seats + tol, f"{v.seats:g} seats above {r.max_seats:g}")
    check(v.payload_kg <= r.max_payload_kg + tol, f"payload {v.payload_kg:g} kg above {r.max_payload_kg:g} kg")
    if v.max_unit_cost_jpy is not None:
        check(
            f.list_unit_cost_jpy <= v.max_unit_cost_jpy + 1.0,
            f"list unit cost ¥{f.list_unit_cost_jpy:,.0f} above its ceiling ¥{v.max_unit_cost_jpy:,.0f}",
        )
    check(vp.units >= v.min_units - tol, f"{vp.units:,.10g} units below its minimum {v.min_units:,.0f}")
    check(vp.units <= v.max_units + tol, f"{vp.units:,.10g} units above its maximum {v.max_units:,.0f}")
    check(abs(sum(vp.plants.values()) - vp.units) <= tol * max(1.0, vp.units), "plant split does not add up to its units")
    return out
