"""Every figure of a plan by the spec's formulas, and the rules it breaks.

`evaluate` recomputes mass, range, volumes, prices and cost by kind and year directly from the
decisions, without the MIP. The solver's objective must agree with it; that agreement is checked
after every solve and in the tests. Over the years: a year's production is paid in that year at
that year's prices, a one-time cost in the first year it serves, each weighted by the year's
discount factor; the steady year of a workbook without a years sheet weighs its production by
`lifecycle_years` and its one-time costs by 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.data import PlanInput, Tier, Variant, Year
from models.plan import RULE_TOLERANCE, Design, Plan, VariantPlan, price_at


@dataclass(frozen=True)
class VariantFigures:
    """What an offered variant is, with its chosen parts and pack (list prices before factors)."""

    mass_kg: float
    consumption_wh_per_km: float
    range_km: float
    power_kw: float
    height_mm: float
    length_mm: float
    list_unit_cost_jpy: float
    parts_list_jpy: float  # its options' list prices
    pack_list_jpy: float


def list_cost_in(v: Variant, f: VariantFigures, year: Year) -> float:
    """The variant's list unit cost in a year: parts and pack at that year's cost factors."""
    return (
        v.top_hat_unit_cost_jpy + f.parts_list_jpy * year.part_cost_factor
        + f.pack_list_jpy * year.pack_cost_factor
    )


@dataclass(frozen=True)
class ItemVolume:
    """An option (`category/option`) or pack with its volume and the price it reaches in one year."""

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
    year: str = ""  # the year it is paid in (the first year it serves)


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
ONE_TIME_KINDS = COST_KINDS[:4]


@dataclass
class PeriodEvaluation:
    """One year of the programme (or the steady year): what is built and paid in it."""

    year: str
    volumes: dict[str, ItemVolume]
    plant_units: dict[str, float]
    paid: dict[str, float]  # COST_KINDS -> yen paid that year, before its weight
    production_weight: float
    one_time_weight: float

    def weight(self, kind: str) -> float:
        """What a yen of this kind paid this year counts in the total."""
        return self.one_time_weight if kind in ONE_TIME_KINDS else self.production_weight

    @property
    def weighted(self) -> dict[str, float]:
        """What each kind paid this year counts in the total cost."""
        return {k: x * self.weight(k) for k, x in self.paid.items()}


@dataclass
class Evaluation:
    figures: dict[str, VariantFigures]
    periods: list[PeriodEvaluation]
    developments: list[Development]
    lines: list[tuple[str, str]]  # (plant, body style) set up
    costs: dict[str, float]  # COST_KINDS -> yen in the total (present value; × lifecycle_years)
    violations: list[str]
    line_years: dict[tuple[str, str], str] = field(default_factory=dict)  # line -> the year it is paid in

    @property
    def total_cost_jpy(self) -> float:
        return sum(self.costs.values())

    @property
    def undiscounted_cost_jpy(self) -> float:
        """Every yen paid over the programme, without discounting (steady: production × 1 year)."""
        return sum(sum(p.paid.values()) for p in self.periods)

    @property
    def plant_units(self) -> dict[str, float]:
        """Units by plant over the programme (a year, without a years sheet)."""
        out: dict[str, float] = {}
        for p in self.periods:
            for k, x in p.plant_units.items():
                out[k] = out.get(k, 0.0) + x
        return out

    def period(self, year: str) -> PeriodEvaluation:
        return next(p for p in self.periods if p.year == year)

    @property
    def volumes(self) -> dict[str, ItemVolume]:
        """Each item's volume over the programme at its units-weighted average price (the one
        year's volume and price without a years sheet)."""
        if len(self.periods) == 1:
            return self.periods[0].volumes
        out: dict[str, ItemVolume] = {}
        for item in dict.fromkeys(i for p in self.periods for i in p.volumes):
            vols = [p.volumes[item] for p in self.periods if item in p.volumes]
            units = sum(x.units for x in vols)
            paid = sum(x.units * x.unit_price_jpy for x in vols)
            tiers = {x.tier_min_units for x in vols}
            out[item] = ItemVolume(
                item, vols[0].kind, units, vols[0].list_price_jpy,
                paid / units if units else vols[0].unit_price_jpy,
                tiers.pop() if len(tiers) == 1 else None,
            )
        return out


def variant_figures(inp: PlanInput, variant: Variant, vp: VariantPlan) -> VariantFigures:
    parts = [inp.part(f"{c}/{o}") for c, o in vp.options.items()]
    pack = inp.pack(vp.pack) if vp.pack is not None else None
    mass = variant.glider_mass_kg + sum(p.mass_kg for p in parts) + (pack.mass_kg if pack else 0.0)
    consumption = (
        variant.base_wh_per_km + inp.settings.wh_per_km_per_kg * mass + sum(p.wh_per_km for p in parts)
    )
    kwh = pack.usable_kwh if pack else 0.0
    # consumption <= 0 cannot reach any range: the formula's range is then negative or undefined
    range_km = 1000.0 * kwh / consumption if consumption > 0 else float("-inf")
    parts_list = sum(p.unit_cost_jpy for p in parts)
    pack_list = pack.unit_cost_jpy if pack else 0.0
    return VariantFigures(
        mass_kg=mass,
        consumption_wh_per_km=consumption,
        range_km=range_km,
        power_kw=sum(p.power_kw for p in parts),
        height_mm=variant.height_mm + sum(p.height_mm for p in parts) + (pack.height_mm if pack else 0.0),
        length_mm=variant.length_mm + sum(p.length_mm for p in parts),
        list_unit_cost_jpy=variant.top_hat_unit_cost_jpy + parts_list + pack_list,
        parts_list_jpy=parts_list,
        pack_list_jpy=pack_list,
    )


def evaluate(inp: PlanInput, plan: Plan) -> Evaluation:
    """Every figure of a plan by the spec's formulas, and the rules it breaks (if any)."""
    periods = inp.periods
    violations: list[str] = []
    figures: dict[str, VariantFigures] = {}
    launch: dict[str, int] = {}  # offered variant -> index of its launch period
    for v in inp.variants:
        vp = plan.variants.get(v.name, VariantPlan(offered=False))
        if not vp.offered:
            if v.must_offer:
                violations.append(f"variant {v.name} must be offered but is not")
            if vp.units > RULE_TOLERANCE:
                violations.append(f"variant {v.name} is not offered but builds {vp.units:,.1f} units")
            continue
        f = figures[v.name] = variant_figures(inp, v, vp)
        violations += _variant_violations(inp, v, vp, f)
        launch[v.name] = _launch_index(inp, v, vp, violations)
        violations += _yearly_violations(inp, v, vp, f, launch[v.name])
    violations += _lock_violations(inp, plan)

    evaluated = [_period(inp, plan, i, y, violations) for i, y in enumerate(periods)]
    developments = _developments(inp, plan, launch)
    lines = _lines(inp, plan)
    for d in developments:
        kind = {
            "option": "development: parts", "pack": "development: packs", "top hat": "development: top hats",
        }[d.kind]
        evaluated[_index(periods, d.year)].paid[kind] += d.cost_jpy
    for (plant, _style), year in lines.items():
        evaluated[_index(periods, year)].paid["plant lines"] += next(
            k for k in inp.plants if k.name == plant
        ).line_cost_jpy
    costs = dict.fromkeys(COST_KINDS, 0.0)
    for p in evaluated:
        for kind, x in p.weighted.items():
            costs[kind] += x
    return Evaluation(figures, evaluated, developments, sorted(lines), costs, violations, lines)


def design_violations(inp: PlanInput, design: Design) -> list[str]:
    """The rules a design breaks whatever its units: must-offer, locks, each offered variant's parts,
    pack, range, power, kei rules, launch window and its unit cost ceiling in every year it sells."""
    out: list[str] = []
    plan = Plan({v.name: VariantPlan(False) for v in inp.variants})
    for name, choice in design.offered.items():
        if name not in plan.variants:
            out.append(f"variant {name} is not a variant of this workbook")
            continue
        plan.variants[name] = VariantPlan(True, choice.pack, dict(choice.options), {}, choice.launch_year)
    for v in inp.variants:
        vp = plan.variants[v.name]
        if not vp.offered:
            if v.must_offer:
                out.append(f"variant {v.name} must be offered but is not")
            continue
        f = variant_figures(inp, v, vp)
        out += _variant_violations(inp, v, vp, f)
        start = _launch_index(inp, v, vp, out)
        out += [x for x in _yearly_violations(inp, v, vp, f, start) if "list unit cost" in x]
    return out + _lock_violations(inp, plan)


def _index(periods: tuple[Year, ...], name: str) -> int:
    return next(i for i, y in enumerate(periods) if y.name == name)


def _launch_index(inp: PlanInput, v: Variant, vp: VariantPlan, violations: list[str]) -> int:
    """The period from which an offered variant sells; a launch outside its window is a violation."""
    if not inp.years:
        return 0
    names = [y.name for y in inp.periods]
    if vp.launch_year not in names:
        violations.append(f"variant {v.name}: launch year {vp.launch_year!r} is not a year of the programme")
        return 0
    window = [y.name for y in inp.launch_window(v)]
    if vp.launch_year not in window:
        violations.append(
            f"variant {v.name}: launches in {vp.launch_year}, outside its window {window[0]}–{window[-1]}"
        )
    return names.index(vp.launch_year)


def _yearly_violations(
    inp: PlanInput, v: Variant, vp: VariantPlan, f: VariantFigures, start: int
) -> list[str]:
    """Units and the unit cost ceiling, year by year: nothing before launch, then within bounds."""
    tol, out = RULE_TOLERANCE, []
    for i, y in enumerate(inp.periods):
        when = f" in {y.name}" if y.name else ""
        units = vp.units_in(y.name)
        if i < start:
            if units > tol:
                out.append(
                    f"variant {v.name}: {units:,.1f} units{when}, before its launch in {vp.launch_year}"
                )
            continue
        lo, hi = v.min_units * y.demand_factor, v.max_units * y.demand_factor
        if units < lo - tol:
            out.append(f"variant {v.name}: {units:,.10g} units{when}, below its minimum {lo:,.10g}")
        if units > hi + tol:
            out.append(f"variant {v.name}: {units:,.10g} units{when}, above its maximum {hi:,.10g}")
        if v.max_unit_cost_jpy is not None:
            cost, ceiling = list_cost_in(v, f, y), v.max_unit_cost_jpy * y.ceiling_factor
            if cost > ceiling + max(1.0, 1e-9 * ceiling):
                out.append(
                    f"variant {v.name}: list unit cost ¥{cost:,.0f}{when} "
                    f"above its ceiling ¥{ceiling:,.0f}"
                )
        for plant_name in vp.built.get(y.name, {}):
            plant = next((k for k in inp.plants if k.name == plant_name), None)
            if plant is None or not plant.builds(v.body_style):
                out.append(f"variant {v.name}: plant {plant_name} cannot build body style {v.body_style}")
    known = {y.name for y in inp.periods}
    out += [
        f"variant {v.name}: units in {name!r}, not a year of the programme"
        for name in vp.built if name not in known
    ]
    return out


def _lock_violations(inp: PlanInput, plan: Plan) -> list[str]:
    out = []
    for lock in inp.locks:
        vp = plan.variants.get(lock.variant, VariantPlan(offered=False))
        if lock.item == "offer":
            ok = vp.offered == lock.choice
        elif lock.item == "pack":
            ok = vp.offered and vp.pack == lock.choice
        else:
            ok = vp.offered and vp.options.get(lock.item) == lock.choice
        if not ok:
            out.append(f"{lock.text} is not obeyed")
    return out


def _period(inp: PlanInput, plan: Plan, i: int, y: Year, violations: list[str]) -> PeriodEvaluation:
    """One year's volumes, prices, production cost, plant loads and demand rows."""
    paid = dict.fromkeys(COST_KINDS, 0.0)
    volume: dict[str, float] = {}
    plant_units = {k.name: 0.0 for k in inp.plants}
    units: dict[str, float] = {}
    for v in inp.variants:
        vp = plan.variants.get(v.name)
        if vp is None or not vp.offered:
            continue
        units[v.name] = u = vp.units_in(y.name)
        paid["production: top hats"] += v.top_hat_unit_cost_jpy * u
        for item in [f"{c}/{o}" for c, o in vp.options.items()] + ([vp.pack] if vp.pack is not None else []):
            volume[item] = volume.get(item, 0.0) + u
        for plant_name, x in vp.built.get(y.name, {}).items():
            plant = next((k for k in inp.plants if k.name == plant_name), None)
            if plant is not None:
                plant_units[plant_name] += x
                paid["production: assembly"] += plant.assembly_cost_jpy * x
    volumes: dict[str, ItemVolume] = {}
    for item, q in volume.items():
        is_pack = item in {p.name for p in inp.packs}
        factor = y.pack_cost_factor if is_pack else y.part_cost_factor
        list_price = inp.pack(item).unit_cost_jpy if is_pack else inp.part(item).unit_cost_jpy
        tiers = tuple(Tier(t.min_units, t.unit_cost_jpy * factor) for t in inp.tiers.get(item, ()))
        price, reached = price_at(list_price * factor, tiers, q)
        volumes[item] = ItemVolume(
            item, "pack" if is_pack else "option", q, list_price * factor, price, reached
        )
        paid["production: packs" if is_pack else "production: parts"] += q * price
    when = f" in {y.name}" if y.name else ""
    for plant in inp.plants:
        cap = plant.capacity_units * y.capacity_factor
        if plant_units[plant.name] > cap + RULE_TOLERANCE:
            violations.append(
                f"plant {plant.name} builds {plant_units[plant.name]:,.10g} units{when}, "
                f"above its capacity of {cap:,.0f}"
            )
    for row in inp.demand:
        bounds = row.bounds_in(y)
        if bounds is None:
            continue
        lo, hi = bounds
        total = sum(u for name, u in units.items() if row.covers(inp.variant(name)))
        if lo is not None and total < lo - RULE_TOLERANCE:
            violations.append(
                f"{row.label} ({row.title}): {total:,.10g} units{when}, below its minimum {lo:,.0f}"
            )
        if hi is not None and total > hi + RULE_TOLERANCE:
            violations.append(
                f"{row.label} ({row.title}): {total:,.10g} units{when}, above its maximum {hi:,.0f}"
            )
    return PeriodEvaluation(
        y.name, volumes, plant_units, paid, inp.production_weight(y), inp.one_time_weight(y)
    )


def _developments(inp: PlanInput, plan: Plan, launch: dict[str, int]) -> list[Development]:
    """Every development paid, each in the earliest launch year among the variants it serves."""
    s, periods = inp.settings, inp.periods
    first: dict[tuple[str, str, str | None], int] = {}  # (kind, item, brand or None) -> period index
    for name, start in launch.items():
        v, vp = inp.variant(name), plan.variants[name]
        keys = [("top hat", name, None)]
        for c, o in vp.options.items():
            shared = inp.category(c).shared and s.cross_brand_sharing
            keys.append(("option", f"{c}/{o}", None if shared else v.brand))
        if vp.pack is not None:
            keys.append(("pack", vp.pack, None if s.cross_brand_sharing else v.brand))
        for key in keys:
            first[key] = min(first.get(key, start), start)
    out = []
    for (kind, item, brand), start in first.items():
        if kind == "top hat":
            cost = inp.variant(item).top_hat_dev_cost_jpy
        elif kind == "option":
            cost = inp.part(item).dev_cost_jpy
        else:
            cost = inp.pack(item).dev_cost_jpy
        out.append(Development(item, kind, brand, cost, periods[start].name))
    order = {"option": 0, "pack": 1, "top hat": 2}
    return sorted(out, key=lambda d: (order[d.kind], d.item, d.brand or ""))


def _lines(inp: PlanInput, plan: Plan) -> dict[tuple[str, str], str]:
    """Each (plant, body style) set up, and the first year the plant builds units of that style."""
    out: dict[tuple[str, str], str] = {}
    for y in inp.periods:
        for v in inp.variants:
            vp = plan.variants.get(v.name)
            if vp is None or not vp.offered:
                continue
            for plant, x in vp.built.get(y.name, {}).items():
                if x > RULE_TOLERANCE:
                    out.setdefault((plant, v.body_style), y.name)
    return out


def _variant_violations(inp: PlanInput, v: Variant, vp: VariantPlan, f: VariantFigures) -> list[str]:
    """The rules that do not depend on the year: parts allowed, pack bay, range, power, kei rules."""
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
    check(f.consumption_wh_per_km > 0, f"consumption {f.consumption_wh_per_km:.1f} Wh/km is not positive")
    check(f.range_km >= v.range_target_km - tol,
          f"range {f.range_km:.1f} km below target {v.range_target_km:g} km")
    check(f.power_kw >= v.min_power_kw - tol,
          f"power {f.power_kw:g} kW below its minimum {v.min_power_kw:g} kW")
    check(f.power_kw <= r.max_power_kw + tol, f"power {f.power_kw:g} kW above the cap {r.max_power_kw:g} kW")
    check(f.height_mm <= r.max_height_mm + tol, f"height {f.height_mm:g} mm above {r.max_height_mm:g} mm")
    check(f.length_mm <= r.max_length_mm + tol, f"length {f.length_mm:g} mm above {r.max_length_mm:g} mm")
    check(v.width_mm <= r.max_width_mm + tol, f"width {v.width_mm:g} mm above {r.max_width_mm:g} mm")
    check(v.seats <= r.max_seats + tol, f"{v.seats:g} seats above {r.max_seats:g}")
    check(v.payload_kg <= r.max_payload_kg + tol,
          f"payload {v.payload_kg:g} kg above {r.max_payload_kg:g} kg")
    return out
