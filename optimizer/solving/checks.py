"""Reasons no plan can exist that need no solver, each a sentence with the numbers.

They run before the model is built because they are cheap and say far more than a solver's
"infeasible" can: which pack gets closest to a range target and how close, by how much the
cheapest build misses its ceiling, which plants could build a body style. Every check is a
necessary condition for a plan, never a guess: a fatal finding proves that no plan exists; a
note proves that one variant can never be offered (fatal when the variant must be offered).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.data import DemandRow, Pack, PartOption, PlanInput, Variant
from models.plan import per_category_extreme


@dataclass(frozen=True)
class Finding:
    text: str  # a sentence in the workbook's names, with the numbers
    fatal: bool  # True: no plan can exist; False: something can never happen (a variant offered)
    subject: str  # the workbook name it is about: a variant, a body style or a demand row


@dataclass(frozen=True)
class _Build:
    """What a variant may be built from: its allowed options per category and the packs its bay takes."""

    options: dict[str, list[PartOption]]
    required: dict[str, list[PartOption]]
    packs: list[Pack]


def presolve_checks(inp: PlanInput) -> list[Finding]:
    """Every finding, variants first (in workbook order), then body styles, demand rows and plants."""
    findings: list[Finding] = []
    never: dict[str, list[str]] = {}  # variant -> why it can never be offered
    for v in inp.variants:
        reasons = variant_reasons(inp, v)
        if reasons:
            never[v.name] = reasons
        for why in reasons:
            if v.must_offer:
                findings.append(Finding(f"Variant {v.name} must be offered, but {why}.", True, v.name))
            else:
                findings.append(Finding(f"Variant {v.name} can never be offered: {why}.", False, v.name))
    findings += _body_styles(inp)
    # A must-offer variant that cannot be offered is already a fatal finding; the demand rows are
    # judged as if it were mended, so that one mistake is not reported again as several.
    offerable = [v for v in inp.variants if v.must_offer or (v.name not in never and _plants_for(inp, v.body_style))]
    for row in inp.demand:
        findings += _demand_row(inp, row, offerable, never)
    findings += _must_offer_capacity(inp)
    return findings


def variant_reasons(inp: PlanInput, v: Variant) -> list[str]:
    """Why variant v can never be offered, whatever else the plan does (empty: it may be)."""
    r, k = inp.rules, inp.settings.wh_per_km_per_kg
    out: list[str] = []
    for value, limit, text in (
        (v.width_mm, r.max_width_mm, f"it is {v.width_mm:,.0f} mm wide, above the {r.max_width_mm:,.0f} mm width rule (max_width_mm)"),
        (v.seats, r.max_seats, f"it has {v.seats:g} seats, above the {r.max_seats:g}-seat rule (max_seats)"),
        (v.payload_kg, r.max_payload_kg, f"its payload of {v.payload_kg:,.0f} kg is above the {r.max_payload_kg:,.0f} kg rule (max_payload_kg)"),
    ):
        if value > limit:
            out.append(text)
    b = _build(inp, v)
    missing = [c.name for c in inp.categories if c.required and not b.options[c.name]]
    for c in missing:
        out.append(
            f"no option of required category {c} is allowed for it (body style {v.body_style}, brand {v.brand}): "
            + _restrictions(inp.options_of(c))
        )
    if not b.packs:
        shortest = min(inp.packs, key=lambda p: p.length_mm, default=None)
        detail = f" (the shortest, {shortest.name}, is {shortest.length_mm:,.0f} mm long)" if shortest else ""
        out.append(f"no pack fits its {v.pack_bay_mm:,.0f} mm pack bay{detail}")
    if missing or not b.packs:
        return out  # the measures below need one option of every required category and a pack

    def total(measure, pick=min) -> float:
        return _total(b, measure, pick)

    length = v.length_mm + total(lambda o: o.length_mm)
    if length > r.max_length_mm:
        out.append(f"even with its shortest allowed parts it is {length:,.0f} mm long, above the {r.max_length_mm:,.0f} mm length rule (max_length_mm)")
    lowest_pack = min(b.packs, key=lambda p: p.height_mm)
    height = v.height_mm + total(lambda o: o.height_mm) + lowest_pack.height_mm
    if height > r.max_height_mm:
        out.append(
            f"even with its lowest allowed parts and pack {lowest_pack.name} it is {height:,.0f} mm high, "
            f"above the {r.max_height_mm:,.0f} mm height rule (max_height_mm)"
        )

    # Range: the pack that goes furthest, each category's most frugal option (an optional
    # category only when its option saves energy, e.g. a heat pump).
    frugal = total(lambda o: k * o.mass_kg + o.wh_per_km)
    best_km, best_pack = max((_range_km(v, p, k, frugal), p.name) for p in b.packs)
    if best_km < v.range_target_km:
        out.append(
            f"it cannot reach its {v.range_target_km:,.0f} km range target: even with pack {best_pack} and its most "
            f"efficient allowed parts it reaches at most {_down(best_km):,.1f} km"
        )

    most, fewest = total(lambda o: o.power_kw, max), total(lambda o: o.power_kw)
    if v.min_power_kw > r.max_power_kw:
        out.append(f"it needs at least {v.min_power_kw:g} kW, above the {r.max_power_kw:g} kW power cap (max_power_kw)")
    elif most < v.min_power_kw:
        out.append(f"its most powerful allowed options give {most:g} kW, below its minimum power of {v.min_power_kw:g} kW")
    if fewest > r.max_power_kw:
        out.append(f"even its least powerful allowed options give {fewest:g} kW, above the {r.max_power_kw:g} kW power cap (max_power_kw)")

    if v.max_unit_cost_jpy is not None:
        cheapest_pack = min(b.packs, key=lambda p: p.unit_cost_jpy)
        cheapest, ceiling, when = _unit_cost(inp, v, b, cheapest_pack), *_ceiling(inp, v)
        if cheapest > ceiling:
            out.append(
                f"its cheapest allowed parts with pack {cheapest_pack.name} cost ¥{cheapest:,.0f} a unit (list prices{when}), "
                f"above its unit cost ceiling of ¥{ceiling:,.0f}"
            )
        elif best_km >= v.range_target_km and (block := ceiling_blocks_range(inp, v)) is not None:
            out.append(block.text)

    plants = _plants_for(inp, v.body_style)
    capacity = sum(p.capacity_units for p in plants)
    if plants and v.min_units > capacity:
        out.append(
            f"its minimum of {v.min_units:,.0f} units a year is more than the {capacity:,.0f} the plants that can build "
            f"{v.body_style} ({_names(plants)}) have between them"
        )
    for row in inp.demand:
        if row.max_units is not None and row.covers(v) and v.min_units > row.max_units:
            out.append(f"its minimum of {v.min_units:,.0f} units a year is above the {row.max_units:,.0f} that {row.label} ({row.title}) allows")
    return out


@dataclass(frozen=True)
class CeilingBlock:
    """The unit cost ceiling keeps a variant from its range target (see ceiling_blocks_range)."""

    text: str  # the whole reason, for the checks
    short: str  # the packs that reach the range and what they cost, for a sentence that has the rest


def ceiling_blocks_range(inp: PlanInput, v: Variant) -> CeilingBlock | None:
    """Whether the unit cost ceiling is why v cannot reach its range target: every pack that can
    reach the target (with v's most efficient allowed parts) takes the list unit cost above the
    ceiling (with its cheapest allowed parts). None when some pack passes both, or when either
    rule alone already fails (said elsewhere). A necessary condition, like every check here."""
    b = _build(inp, v)
    if v.max_unit_cost_jpy is None or not b.packs or any(not opts for opts in b.required.values()):
        return None
    k, (ceiling, when) = inp.settings.wh_per_km_per_kg, _ceiling(inp, v)
    frugal = _total(b, lambda o: k * o.mass_kg + o.wh_per_km)
    reaching = sorted((p for p in b.packs if _range_km(v, p, k, frugal) >= v.range_target_km), key=lambda p: p.unit_cost_jpy)
    within = [p for p in b.packs if _unit_cost(inp, v, b, p) <= ceiling]
    if not reaching or not within or any(_unit_cost(inp, v, b, p) <= ceiling for p in reaching):
        return None
    costs = [f"¥{_unit_cost(inp, v, b, p):,.0f}{when}" for p in reaching]
    dear = f"{reaching[0].name} takes its list unit cost to {costs[0]}" + "".join(f", {p.name} to {c}" for p, c in zip(reaching[1:], costs[1:]))
    best_km, best = max((_range_km(v, p, k, frugal), p.name) for p in within)
    short = f"with its cheapest allowed parts {dear}, above its ¥{ceiling:,.0f} ceiling"
    return CeilingBlock(
        f"its unit cost ceiling of ¥{ceiling:,.0f} rules out every pack that reaches its {v.range_target_km:,.0f} km range "
        f"target: with its cheapest allowed parts {dear}, while the packs within the ceiling reach at most "
        f"{_down(best_km):,.1f} km ({best}, with its most efficient allowed parts)",
        short,
    )


def _unit_cost(inp: PlanInput, v: Variant, b: _Build, pack: Pack) -> float:
    """The least list unit cost v can have with `pack`, in the last year (an offered variant sells
    in it whatever its launch year, so its ceiling must hold there)."""
    y = inp.periods[-1]
    parts = _total(b, lambda o: o.unit_cost_jpy)
    return v.top_hat_unit_cost_jpy + parts * y.part_cost_factor + pack.unit_cost_jpy * y.pack_cost_factor


def _ceiling(inp: PlanInput, v: Variant) -> tuple[float, str]:
    """v's unit cost ceiling in the last year, and ' in <year>' to say so ('' without a years sheet)."""
    y = inp.periods[-1]
    return (v.max_unit_cost_jpy or 0.0) * y.ceiling_factor, f" in {y.name}" if y.name else ""


def _total(b: _Build, measure, pick=min) -> float:
    """The least (or with pick=max the most) a variant's options can add up to on one measure."""
    return sum(per_category_extreme(b.options, lambda c: c in b.required, measure, pick).values())


def _build(inp: PlanInput, v: Variant) -> _Build:
    options = {c.name: [o for o in inp.options_of(c.name) if o.allowed_for(v)] for c in inp.categories}
    required = {c.name: options[c.name] for c in inp.categories if c.required}
    return _Build(options, required, [p for p in inp.packs if p.length_mm <= v.pack_bay_mm])


def _range_km(v: Variant, p: Pack, k: float, parts_wh_per_km: float) -> float:
    consumption = v.base_wh_per_km + k * (v.glider_mass_kg + p.mass_kg) + parts_wh_per_km
    return math.inf if consumption <= 0 else 1000.0 * p.usable_kwh / consumption


def _down(x: float) -> float:
    """Round down to 0.1 so that a reachable figure is never shown above what is reachable."""
    return math.floor(x * 10 + 1e-9) / 10


def _restrictions(options: list[PartOption]) -> str:
    if not options:
        return "the parts sheet lists no option of it"
    shown = []
    for o in options:
        limits = []
        if o.body_styles is not None:
            limits.append("body styles " + ", ".join(sorted(o.body_styles)))
        if o.brands is not None:
            limits.append("brands " + ", ".join(sorted(o.brands)))
        shown.append(f"{o.option} fits {' and '.join(limits) if limits else 'every variant'}")
    return "; ".join(shown)


def _plants_for(inp: PlanInput, body_style: str):
    return [k for k in inp.plants if k.builds(body_style)]


def _names(items) -> str:
    return ", ".join(i.name for i in items)


def _body_styles(inp: PlanInput) -> list[Finding]:
    out = []
    for style in dict.fromkeys(v.body_style for v in inp.variants):
        if _plants_for(inp, style):
            continue
        variants = [v for v in inp.variants if v.body_style == style]
        must = [v.name for v in variants if v.must_offer]
        plants = "; ".join(f"{k.name} builds {', '.join(sorted(k.body_styles or ()))}" for k in inp.plants) or "the plants sheet lists none"
        text = f"No plant can build body style {style} ({plants})"
        if must:
            out.append(Finding(f"{text}, but {', '.join(must)} must be offered.", True, style))
        else:
            out.append(Finding(f"{text}, so {', '.join(v.name for v in variants)} can never be offered.", False, style))
    return out


def _demand_row(inp: PlanInput, row: DemandRow, offerable: list[Variant], never: dict[str, list[str]]) -> list[Finding]:
    head = f"{row.label.capitalize()} ({row.title})"
    out = []
    covered = [v for v in offerable if row.covers(v)]
    if row.min_units is not None and row.min_units > 0:
        blocked = [v.name for v in inp.variants if row.covers(v) and v not in covered]
        also = f"; {', '.join(blocked)} can never be offered" if blocked else ""
        most = sum(v.max_units for v in covered)
        if not covered:
            out.append(Finding(f"{head} asks for at least {row.min_units:,.0f} units a year, but no variant it covers can be offered{also}.", True, row.label))
        elif row.min_units > most:
            sold = ", ".join(f"{v.name} {v.max_units:,.0f}" for v in covered)
            out.append(Finding(
                f"{head} asks for at least {row.min_units:,.0f} units a year, but the variants it covers can sell at most "
                f"{most:,.0f} between them (max_units: {sold}){also}.", True, row.label,
            ))
        plants = [k for k in inp.plants if any(k.builds(v.body_style) for v in covered)]
        capacity = sum(k.capacity_units for k in plants)
        if covered and row.min_units > capacity:
            out.append(Finding(
                f"{head} asks for at least {row.min_units:,.0f} units a year, but the plants that can build its variants "
                f"({_names(plants)}) have {capacity:,.0f} units a year between them.", True, row.label,
            ))
    if row.max_units is not None:
        must = [v for v in inp.variants if v.must_offer and row.covers(v)]
        need = sum(v.min_units for v in must)
        if need > row.max_units:
            mins = ", ".join(f"{v.name} {v.min_units:,.0f}" for v in must)
            out.append(Finding(
                f"{head} allows at most {row.max_units:,.0f} units a year, but the variants it covers that must be offered "
                f"need at least {need:,.0f} between them (min_units: {mins}).", True, row.label,
            ))
    return out


def _must_offer_capacity(inp: PlanInput) -> list[Finding]:
    must = [v for v in inp.variants if v.must_offer and v.min_units > 0]
    plants = [k for k in inp.plants if any(k.builds(v.body_style) for v in must)]
    capacity = sum(k.capacity_units for k in plants)
    need = sum(v.min_units for v in must)
    if len(must) < 2 or not plants or need <= capacity:
        return []  # one variant alone is a variant finding
    mins = ", ".join(f"{v.name} {v.min_units:,.0f}" for v in must)
    return [Finding(
        f"The variants that must be offered need at least {need:,.0f} units a year between them (min_units: {mins}), "
        f"but the plants that can build them ({_names(plants)}) have {capacity:,.0f} units a year between them.", True, "plants",
    )]
