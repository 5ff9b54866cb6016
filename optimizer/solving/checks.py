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

from models.data import DemandRow, Pack, PartOption, PlanInput, Variant, lock_contradictions
from models.plan import per_category_extreme


@dataclass(frozen=True)
class Finding:
    text: str  # a sentence in the workbook's names, with the numbers
    fatal: bool  # True: no plan can exist; False: something can never happen (a variant offered)
    subject: str  # the workbook name it is about: a variant, a body style or a demand row


@dataclass(frozen=True)
class _Build:
    """What a variant may be built from: its allowed options per category and the packs its bay
    takes."""

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
        must = must_because(inp, v)
        for why in reasons:
            if must:
                findings.append(Finding(f"Variant {v.name} {must}, but {why}.", True, v.name))
            else:
                findings.append(Finding(f"Variant {v.name} can never be offered: {why}.", False, v.name))
    findings += _body_styles(inp)
    # A must-offer variant that cannot be offered is already a fatal finding; the demand rows are
    # judged as if it were mended, so that one mistake is not reported again as several.
    offerable = [
        v for v in inp.variants
        if must_because(inp, v) or (v.name not in never and _plants_for(inp, v.body_style))
    ]
    for row in inp.demand:
        findings += _demand_row(inp, row, offerable, never)
    findings += _must_offer_capacity(inp)
    return findings


def must_because(inp: PlanInput, v: Variant) -> str:
    """Why v must be offered, in a planner's words ("" when it need not be): must_offer, or a lock."""
    if v.must_offer:
        return "must be offered"
    lock = next(
        (x for x in inp.locks if x.variant == v.name and not (x.item == "offer" and not x.choice)), None
    )
    return f"is in the plan by {lock.text}" if lock else ""


def variant_reasons(inp: PlanInput, v: Variant) -> list[str]:
    """Why variant v can never be offered, whatever else the plan does (empty: it may be). Reasons
    that only the locks cause name the lock."""
    mine = [x for x in inp.locks if x.variant == v.name]
    clash = lock_contradictions(mine, lambda c: any(x.name == c and x.required for x in inp.categories))
    if clash:
        return clash  # what the locks would leave cannot be judged further
    out = [f"{x.text} keeps it out of the plan" for x in mine if x.item == "offer" and not x.choice]
    locked = [x for x in mine if x.item != "offer"]
    reasons = _reasons(inp, v, locked)
    if locked:
        free = set(_reasons(inp, v, []))
        texts = ", ".join(x.text for x in locked)
        reasons = [why if why in free else _with_lock(why, locked, texts) for why in reasons]
    return out + reasons


def _with_lock(why: str, locked: list, texts: str) -> str:
    """A reason that only the locks cause, naming them: 'the lock of pack P20 on variant V (locks
    row 2) cannot reach its 180 km range target: ...'."""
    if why.startswith("it cannot reach") and len(locked) == 1:
        return f"{texts} cannot reach" + why[len("it cannot reach"):]
    return f"with {texts}, {why}"


def _reasons(inp: PlanInput, v: Variant, locked: list) -> list[str]:
    """Why v can never be offered with these locks: its own measures against the rules, then what
    its allowed parts and packs can reach (range, power, length, height, unit cost, units)."""
    r, k = inp.rules, inp.settings.wh_per_km_per_kg
    out: list[str] = _size_reasons(v, r)
    b = _build(inp, v, locked)
    missing = [c.name for c in inp.categories if c.required and not b.options[c.name]]
    for c in missing:
        out.append(
            f"no option of required category {c} is allowed for it "
            f"(body style {v.body_style}, brand {v.brand}): "
            + _restrictions(inp.options_of(c))
        )
    if not b.packs:
        out.append(_no_pack_reason(inp, v, locked))
    if missing or not b.packs:
        return out  # the measures below need one option of every required category and a pack

    def total(measure, pick=min) -> float:
        return _total(b, measure, pick)

    out += _length_and_height_reasons(v, r, b, total)

    # Range: the pack that goes furthest, each category's most frugal option (an optional
    # category only when its option saves energy, e.g. a heat pump).
    frugal = total(lambda o: k * o.mass_kg + o.wh_per_km)
    best_km, best_pack = max((_range_km(v, p, k, frugal), p.name) for p in b.packs)
    if best_km < v.range_target_km:
        out.append(
            f"it cannot reach its {v.range_target_km:,.0f} km range target: even with pack {best_pack} "
            f"and its most efficient allowed parts it reaches at most {_down(best_km):,.1f} km"
        )

    out += _power_reasons(v, r, total)

    if v.max_unit_cost_jpy is not None:
        ceiling = _ceiling_reasons(inp, v, b, total(lambda o: o.unit_cost_jpy))
        block = _ceiling_blocks_range(inp, v, b) if not ceiling and best_km >= v.range_target_km else None
        out += ceiling + ([block.text] if block else [])
    out += _units_reasons(inp, v)
    return out


def _size_reasons(v: Variant, r) -> list[str]:
    """The variant's own width, seats and payload against the rules (no part changes those)."""
    out: list[str] = []
    for value, limit, text in (
        (v.width_mm, r.max_width_mm,
         f"it is {v.width_mm:,.0f} mm wide, above the {r.max_width_mm:,.0f} mm width rule (max_width_mm)"),
        (v.seats, r.max_seats,
         f"it has {v.seats:g} seats, above the {r.max_seats:g}-seat rule (max_seats)"),
        (v.payload_kg, r.max_payload_kg,
         f"its payload of {v.payload_kg:,.0f} kg is above the {r.max_payload_kg:,.0f} kg rule "
         "(max_payload_kg)"),
    ):
        if value > limit:
            out.append(text)
    return out


def _no_pack_reason(inp: PlanInput, v: Variant, locked: list) -> str:
    """No pack fits the variant's pack bay (or the one it is locked to does not): with the length
    of the shortest pack, or of the locked one."""
    shortest = min(inp.packs, key=lambda p: p.length_mm, default=None)
    detail = f" (the shortest, {shortest.name}, is {shortest.length_mm:,.0f} mm long)" if shortest else ""
    pack_lock = next((x for x in locked if x.item == "pack"), None)
    if pack_lock is not None and pack_lock.choice in {p.name for p in inp.packs}:
        detail = f" ({pack_lock.choice} is {inp.pack(pack_lock.choice).length_mm:,.0f} mm long)"
        return f"the pack it is locked to does not fit its {v.pack_bay_mm:,.0f} mm pack bay{detail}"
    return f"no pack fits its {v.pack_bay_mm:,.0f} mm pack bay{detail}"


def _length_and_height_reasons(v: Variant, r, b: _Build, total) -> list[str]:
    """The variant with its shortest allowed parts against the length rule, and with its lowest
    parts and pack against the height rule."""
    out: list[str] = []
    length = v.length_mm + total(lambda o: o.length_mm)
    if length > r.max_length_mm:
        out.append(
            f"even with its shortest allowed parts it is {length:,.0f} mm long, "
            f"above the {r.max_length_mm:,.0f} mm length rule (max_length_mm)"
        )
    lowest_pack = min(b.packs, key=lambda p: p.height_mm)
    height = v.height_mm + total(lambda o: o.height_mm) + lowest_pack.height_mm
    if height > r.max_height_mm:
        out.append(
            f"even with its lowest allowed parts and pack {lowest_pack.name} it is {height:,.0f} mm high, "
            f"above the {r.max_height_mm:,.0f} mm height rule (max_height_mm)"
        )
    return out


def _power_reasons(v: Variant, r, total) -> list[str]:
    """The power its allowed options can give against its own minimum and the power cap."""
    out: list[str] = []
    most, fewest = total(lambda o: o.power_kw, max), total(lambda o: o.power_kw)
    if v.min_power_kw > r.max_power_kw:
        out.append(
            f"it needs at least {v.min_power_kw:g} kW, above the {r.max_power_kw:g} kW power cap "
            "(max_power_kw)"
        )
    elif most < v.min_power_kw:
        out.append(
            f"its most powerful allowed options give {most:g} kW, "
            f"below its minimum power of {v.min_power_kw:g} kW"
        )
    if fewest > r.max_power_kw:
        out.append(
            f"even its least powerful allowed options give {fewest:g} kW, "
            f"above the {r.max_power_kw:g} kW power cap (max_power_kw)"
        )
    return out


@dataclass(frozen=True)
class CeilingBlock:
    """The unit cost ceiling keeps a variant from its range target (see ceiling_blocks_range)."""

    text: str  # the whole reason, for the checks
    short: str  # the packs that reach the range and what they cost, for a sentence that has the rest


def ceiling_blocks_range(inp: PlanInput, v: Variant) -> CeilingBlock | None:
    """Whether the unit cost ceiling is why v cannot reach its range target: every pack that can
    reach the target (with v's most efficient allowed parts) takes the list unit cost above the
    ceiling (with its cheapest allowed parts) in a year v surely sells in. None when some pack
    passes both, or when either rule alone already fails (said elsewhere). A necessary condition,
    like every check here."""
    b = _build(inp, v, [x for x in inp.locks if x.variant == v.name and x.item != "offer"])
    if v.max_unit_cost_jpy is None or not b.packs or any(not opts for opts in b.required.values()):
        return None
    return _ceiling_blocks_range(inp, v, b)


def _ceiling_blocks_range(inp: PlanInput, v: Variant, b: _Build) -> CeilingBlock | None:
    k = inp.settings.wh_per_km_per_kg
    frugal = _total(b, lambda o: k * o.mass_kg + o.wh_per_km)
    parts = _total(b, lambda o: o.unit_cost_jpy)

    def over(p: Pack) -> tuple[float, float, str] | None:
        """(cost, ceiling, ' in <year>') in the first year v surely sells in where p breaks the ceiling."""
        for y in _surely_selling(inp, v):
            cost = (
                v.top_hat_unit_cost_jpy + parts * y.part_cost_factor + p.unit_cost_jpy * y.pack_cost_factor
            )
            ceiling = (v.max_unit_cost_jpy or 0.0) * y.ceiling_factor
            if cost > ceiling + 1e-9 * max(1.0, ceiling):
                return cost, ceiling, f" in {y.name}" if y.name else ""
        return None

    reaching = sorted(
        (p for p in b.packs if _range_km(v, p, k, frugal) >= v.range_target_km),
        key=lambda p: p.unit_cost_jpy,
    )
    within = [p for p in b.packs if over(p) is None]
    if not reaching or not within or any(over(p) is None for p in reaching):
        return None
    dear = [(p, *over(p)) for p in reaching]
    ceilings = {f"¥{c:,.0f}{when}" for _, _, c, when in dear}
    text = f"{dear[0][0].name} takes its list unit cost to ¥{dear[0][1]:,.0f}{dear[0][3]}" + "".join(
        f", {p.name} to ¥{cost:,.0f}{when}" for p, cost, _, when in dear[1:]
    )
    best_km, best = max((_range_km(v, p, k, frugal), p.name) for p in within)
    return CeilingBlock(
        f"its unit cost ceiling of {', '.join(sorted(ceilings))} rules out every pack that reaches its "
        f"{v.range_target_km:,.0f} km range target: with its cheapest allowed parts {text}, "
        f"while the packs within the ceiling reach at most {_down(best_km):,.1f} km "
        f"({best}, with its most efficient allowed parts)",
        f"with its cheapest allowed parts {text}, above its {', '.join(sorted(ceilings))} ceiling",
    )


def _total(b: _Build, measure, pick=min) -> float:
    """The least (or with pick=max the most) a variant's options can add up to on one measure."""
    return sum(per_category_extreme(b.options, lambda c: c in b.required, measure, pick).values())


def _ceiling_reasons(inp: PlanInput, v: Variant, b: _Build, cheapest_parts: float) -> list[str]:
    """The unit cost ceiling in every year the variant surely sells (from the last year it may
    launch): its cheapest parts and pack at that year's prices against that year's ceiling."""
    out = []
    cheapest_pack = min(b.packs, key=lambda p: p.unit_cost_jpy)
    for y in _surely_selling(inp, v):
        cost = (
            v.top_hat_unit_cost_jpy + cheapest_parts * y.part_cost_factor
            + cheapest_pack.unit_cost_jpy * y.pack_cost_factor
        )
        ceiling = v.max_unit_cost_jpy * y.ceiling_factor
        if cost > ceiling + 1e-9 * max(1.0, ceiling):
            if not y.name:
                out.append(f"its cheapest allowed parts with pack {cheapest_pack.name} "
                           f"cost ¥{cost:,.0f} a unit (list prices), "
                           f"above its unit cost ceiling of ¥{ceiling:,.0f}")
            else:
                out.append(f"in {y.name}, a year it sells in whenever it launches, "
                           f"its cheapest allowed parts with pack {cheapest_pack.name} "
                           f"cost ¥{cost:,.0f} a unit at that year's prices, "
                           f"above that year's unit cost ceiling of ¥{ceiling:,.0f}")
            break
    return out


def _surely_selling(inp: PlanInput, v: Variant):
    """The years an offered v sells in whatever its launch year: from the last year of its window."""
    window = inp.launch_window(v)
    return inp.periods[inp.periods.index(window[-1]):]


def _units_reasons(inp: PlanInput, v: Variant) -> list[str]:
    """Its minimum units against its plants' capacity and the demand rows' maximums, each year it
    surely sells."""
    out = []
    plants = _plants_for(inp, v.body_style)
    for y in _surely_selling(inp, v):
        need = v.min_units * y.demand_factor
        capacity = sum(p.capacity_units * y.capacity_factor for p in plants)
        when = f"in {y.name} " if y.name else ""
        a_year = "units" if y.name else "units a year"
        if plants and need > capacity + 1e-9:
            factor = " at that year's capacity factor" if y.name else ""
            out.append(f"{when}its minimum of {need:,.0f} {a_year} is more than the {capacity:,.0f} "
                       f"the plants that can build {v.body_style} ({_names(plants)}) "
                       f"have between them{factor}")
            break
        rows = [(row, row.bounds_in(y)) for row in inp.demand if row.covers(v)]
        limits = [
            (row, b[1]) for row, b in rows if b is not None and b[1] is not None and need > b[1] + 1e-9
        ]
        if limits:
            row, most = limits[0]
            out.append(f"{when}its minimum of {need:,.0f} {a_year} is above the {most:,.0f} "
                       f"that {row.label} ({row.title}) allows")
            break
    return out


def _build(inp: PlanInput, v: Variant, locked: list = ()) -> _Build:
    options = {c.name: [o for o in inp.options_of(c.name) if o.allowed_for(v)] for c in inp.categories}
    packs = [p for p in inp.packs if p.length_mm <= v.pack_bay_mm]
    for lock in locked:
        if lock.item == "pack":
            packs = [p for p in packs if p.name == lock.choice]
        else:
            options[lock.item] = [o for o in options.get(lock.item, []) if o.option == lock.choice]
    required = {c.name: options[c.name] for c in inp.categories if c.required}
    return _Build(options, required, packs)


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
        plants = "; ".join(
            f"{k.name} builds {', '.join(sorted(k.body_styles or ()))}" for k in inp.plants
        ) or "the plants sheet lists none"
        text = f"No plant can build body style {style} ({plants})"
        if must:
            out.append(Finding(f"{text}, but {', '.join(must)} must be offered.", True, style))
        else:
            out.append(Finding(
                f"{text}, so {', '.join(v.name for v in variants)} can never be offered.", False, style
            ))
    return out


def _demand_row(inp: PlanInput, row: DemandRow, offerable: list[Variant],
                never: dict[str, list[str]]) -> list[Finding]:
    """A demand row against what its variants can sell and its plants can build, in each year it
    holds (the first year that fails is reported)."""
    for y in inp.periods:
        bounds = row.bounds_in(y)
        found = [] if bounds is None else _demand_year(inp, row, y, bounds, offerable)
        if found:
            return found
    return []


def _demand_year(inp: PlanInput, row: DemandRow, y, bounds, offerable: list[Variant]) -> list[Finding]:
    lo, hi = bounds
    head = f"{row.label.capitalize()} ({row.title})"
    if y.name:
        head = f"In {y.name}, {row.label} ({row.title})"
    a_year = "units" if y.name else "units a year"
    out = []
    names = [x.name for x in inp.periods]
    covered = [
        v for v in offerable
        if row.covers(v) and names.index(inp.launch_window(v)[0].name) <= names.index(y.name)
    ]
    if lo is not None and lo > 0:
        blocked = [v.name for v in inp.variants if row.covers(v) and v not in covered]
        also = (
            f"; {', '.join(blocked)} can never be offered" + (" or selling then" if y.name else "")
            if blocked else ""
        )
        most = sum(v.max_units * y.demand_factor for v in covered)
        if not covered:
            out.append(Finding(
                f"{head} asks for at least {lo:,.0f} {a_year}, "
                f"but no variant it covers can be offered{also}.", True, row.label,
            ))
        elif lo > most + 1e-9:
            sold = ", ".join(f"{v.name} {v.max_units * y.demand_factor:,.0f}" for v in covered)
            out.append(Finding(
                f"{head} asks for at least {lo:,.0f} {a_year}, but the variants it covers can sell at most "
                f"{most:,.0f} between them (max_units: {sold}){also}.", True, row.label,
            ))
        plants = [k for k in inp.plants if any(k.builds(v.body_style) for v in covered)]
        capacity = sum(k.capacity_units * y.capacity_factor for k in plants)
        if covered and lo > capacity + 1e-9:
            tail = (
                f"can build {capacity:,.0f} at that year's capacity factor" if y.name
                else f"have {capacity:,.0f} units a year between them"
            )
            out.append(Finding(f"{head} asks for at least {lo:,.0f} {a_year}, "
                               f"but the plants that can build its variants "
                               f"({_names(plants)}) {tail}.", True, row.label))
    if hi is not None:
        must = [v for v in inp.variants if v.must_offer and row.covers(v) and v in _surely_in(inp, y)]
        need = sum(v.min_units * y.demand_factor for v in must)
        if need > hi + 1e-9:
            mins = ", ".join(f"{v.name} {v.min_units * y.demand_factor:,.0f}" for v in must)
            out.append(Finding(
                f"{head} allows at most {hi:,.0f} {a_year}, but the variants it covers that must be offered "
                f"need at least {need:,.0f} between them (min_units: {mins}).", True, row.label,
            ))
    return out


def _surely_in(inp: PlanInput, y) -> list[Variant]:
    """The variants that sell in year y if offered, whatever their launch year."""
    names = [x.name for x in inp.periods]
    return [v for v in inp.variants if names.index(inp.launch_window(v)[-1].name) <= names.index(y.name)]


def _must_offer_capacity(inp: PlanInput) -> list[Finding]:
    """The must-offer variants' minimums together against their plants, in each year they all sell."""
    for y in inp.periods:
        must = [v for v in inp.variants if v.must_offer and v.min_units > 0 and v in _surely_in(inp, y)]
        plants = [k for k in inp.plants if any(k.builds(v.body_style) for v in must)]
        capacity = sum(k.capacity_units * y.capacity_factor for k in plants)
        need = sum(v.min_units * y.demand_factor for v in must)
        if len(must) < 2 or not plants or need <= capacity + 1e-9:
            continue  # one variant alone is a variant finding
        mins = ", ".join(f"{v.name} {v.min_units * y.demand_factor:,.0f}" for v in must)
        when, a_year = (f"In {y.name}, the", "units") if y.name else ("The", "units a year")
        return [Finding(
            f"{when} variants that must be offered need at least {need:,.0f} {a_year} between them "
            f"(min_units: {mins}), "
            f"but the plants that can build them ({_names(plants)}) have {capacity:,.0f} {a_year} "
            "between them.", True, "plants",
        )]
    return []
