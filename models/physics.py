"""Variant physics and the kei rules: what an offered variant's options and pack make of it.

  mass = glider + Σ option masses + pack mass
  consumption = base + wh_per_km_per_kg × mass + Σ option Wh/km
  range = 1000 × usable kWh / consumption >= range target, written linearly in Wh/km:
      Σ pack (1000 kWh / target − k × pack mass) − Σ options (k × mass + Wh/km) − (base + k × glider) >= 0
  power between the variant's minimum and the power cap; height, length, width, seats and payload
  within the kei rules; the list unit cost within the ceiling in every year the variant sells.

With several futures every future's rules apply to the one design; a row that repeats another
future's exactly is written once.
"""

from __future__ import annotations

from models.data import PlanInput
from models.rows import Rule, linear_signature

SCALE_JPY = 1e6  # the model counts money in millions of yen, so coefficients stay near 1e-3…1e4

if False:  # pragma: no cover - typing only
    from models.build import PlatformModel


def _terms(pm: "PlatformModel", inp: PlanInput, v: str, of_option, of_pack) -> list[tuple[float, object]]:
    """(coefficient, variable) of a measure over v's allowed options and packs in one future."""
    m, vc = pm.m, pm.choices[v]
    out = [(of_option(inp.part(f"{c}/{o}")), m.use[v, c, o]) for c, opts in vc.options.items() for o in opts]
    if of_pack is not None:
        out += [(of_pack(inp.pack(p)), m.pack[v, p]) for p in vc.packs]
    return [(a, x) for a, x in out if a]


def _worst(pm: "PlatformModel", inp: PlanInput, v: str, of_option, of_pack=None) -> float:
    """Largest total a variant could reach on one measure: the sum of each choice's maximum."""
    vc = pm.choices[v]
    total = sum(max((of_option(inp.part(f"{c}/{o}")) for o in opts), default=0.0) for c, opts in vc.options.items())
    if of_pack is not None:
        total += max((of_pack(inp.pack(p)) for p in vc.packs), default=0.0)
    return total


def define_variant_rules(pm: "PlatformModel") -> None:
    """Range, power and the kei rules, for each variant in each future."""
    fam: dict[str, dict] = {n: {} for n in (
        "range_target", "min_power", "power_cap", "max_height", "max_length", "max_width", "max_seats", "max_payload")}
    seen: set[tuple] = set()

    def put(family: str, f: str, v: str, lo, terms, offer_coef: float, hi) -> None:
        signature = (family, v) + linear_signature(lo, terms + [(offer_coef, pm.m.offer[v])], hi)
        if signature in seen:
            return
        seen.add(signature)
        fam[family][(f, v)] = (lo, sum(a * x for a, x in terms) + offer_coef * pm.m.offer[v], hi)

    for fut in pm.futures:
        inp, f, r, k = fut.inp, fut.name, fut.inp.rules, fut.inp.settings.wh_per_km_per_kg
        for v in pm.choices:
            var = inp.variant(v)
            if var.range_target_km > 0:
                terms = _terms(pm, inp, v, lambda o: -(k * o.mass_kg + o.wh_per_km),
                               lambda p: 1000.0 * p.usable_kwh / var.range_target_km - k * p.mass_kg)
                put("range_target", f, v, 0, terms, -(var.base_wh_per_km + k * var.glider_mass_kg), None)
            power = _terms(pm, inp, v, lambda o: o.power_kw, None)
            if var.min_power_kw > 0:
                put("min_power", f, v, 0, power, -var.min_power_kw, None)
            if _worst(pm, inp, v, lambda o: o.power_kw) > r.max_power_kw:
                put("power_cap", f, v, None, power, -r.max_power_kw, 0)
            if _worst(pm, inp, v, lambda o: o.height_mm, lambda p: p.height_mm) + var.height_mm > r.max_height_mm:
                height = _terms(pm, inp, v, lambda o: o.height_mm, lambda p: p.height_mm)
                put("max_height", f, v, None, height, -(r.max_height_mm - var.height_mm), 0)
            if _worst(pm, inp, v, lambda o: o.length_mm) + var.length_mm > r.max_length_mm:
                length = _terms(pm, inp, v, lambda o: o.length_mm, None)
                put("max_length", f, v, None, length, -(r.max_length_mm - var.length_mm), 0)
            for family, value, limit in (
                ("max_width", var.width_mm, r.max_width_mm),
                ("max_seats", var.seats, r.max_seats),
                ("max_payload", var.payload_kg, r.max_payload_kg),
            ):
                if value > limit:  # only in the elastic model; otherwise the variant is blocked
                    put(family, f, v, None, [], value - limit, 0)

    fut_of = {f.name: f.inp for f in pm.futures}
    V = lambda k: fut_of[k[0]].variant(k[1])  # noqa: E731
    R = lambda k: fut_of[k[0]].rules  # noqa: E731
    K = lambda k: fut_of[k[0]].settings.wh_per_km_per_kg  # noqa: E731
    add = pm.add
    add("range_target", fam["range_target"], lambda k: Rule(
        "range target", "variants", k[1], f"variant {k[1]} reaches its range target of {V(k).range_target_km:,.0f} km", future=k[0]),
        lambda k: V(k).base_wh_per_km + K(k) * V(k).glider_mass_kg)
    add("min_power", fam["min_power"], lambda k: Rule(
        "minimum power", "variants", k[1], f"variant {k[1]} has at least {V(k).min_power_kw:g} kW", future=k[0]), lambda k: V(k).min_power_kw)
    add("power_cap", fam["power_cap"], lambda k: Rule(
        "power cap", "rules", k[1], f"variant {k[1]} stays within the {R(k).max_power_kw:g} kW power cap", future=k[0]),
        lambda k: R(k).max_power_kw)
    add("max_height", fam["max_height"], lambda k: Rule(
        "height rule", "rules", k[1], f"variant {k[1]} stays within {R(k).max_height_mm:,.0f} mm high", future=k[0]),
        lambda k: R(k).max_height_mm)
    add("max_length", fam["max_length"], lambda k: Rule(
        "length rule", "rules", k[1], f"variant {k[1]} stays within {R(k).max_length_mm:,.0f} mm long", future=k[0]),
        lambda k: R(k).max_length_mm)
    add("max_width", fam["max_width"], lambda k: Rule(
        "width rule", "rules", k[1], f"variant {k[1]} stays within {R(k).max_width_mm:,.0f} mm wide", future=k[0]),
        lambda k: R(k).max_width_mm)
    add("max_seats", fam["max_seats"], lambda k: Rule(
        "seat rule", "rules", k[1], f"variant {k[1]} has at most {R(k).max_seats:g} seats", future=k[0]), lambda k: R(k).max_seats or 1.0)
    add("max_payload", fam["max_payload"], lambda k: Rule(
        "payload rule", "rules", k[1], f"variant {k[1]} carries at most {R(k).max_payload_kg:,.0f} kg", future=k[0]),
        lambda k: R(k).max_payload_kg or 1.0)


def define_unit_cost_ceilings(pm: "PlatformModel") -> None:
    """The list unit cost stays within the ceiling in every year the variant sells:
        Σ option list prices × part factor + pack list price × pack factor
            <= (ceiling × ceiling factor − top hat) × sells(v, t) + worst × (offer − sells(v, t)),
    so that the row binds from the launch year on and not before (worst: the dearest choice)."""
    m, rows, seen = pm.m, {}, set()
    for fut in pm.futures:
        inp, f = fut.inp, fut.name
        for v, vc in pm.choices.items():
            var = inp.variant(v)
            if var.max_unit_cost_jpy is None:
                continue
            for t in pm.selling_years(v):
                y = pm.year(f, t)
                pf, kf = y.part_cost_factor, y.pack_cost_factor
                terms = _terms(pm, inp, v, lambda o: pf * o.unit_cost_jpy / SCALE_JPY, lambda p: kf * p.unit_cost_jpy / SCALE_JPY)
                worst = _worst(pm, inp, v, lambda o: pf * o.unit_cost_jpy, lambda p: kf * p.unit_cost_jpy) / SCALE_JPY
                room = (var.max_unit_cost_jpy * y.ceiling_factor - var.top_hat_unit_cost_jpy) / SCALE_JPY
                if worst <= room:
                    continue  # no choice can break it
                signature = (v, _sells_key(pm, v, t)) + linear_signature(None, terms, room)
                if signature in seen:
                    continue
                seen.add(signature)
                sells = pm.sells(v, t)
                rows[(f, v, t)] = (None, sum(a * x for a, x in terms) - room * sells - worst * (m.offer[v] - sells), 0)
    def ceiling(k) -> float:
        return pm.variant(k[0], k[1]).max_unit_cost_jpy * pm.year(k[0], k[2]).ceiling_factor

    pm.add("unit_cost_ceiling", rows, lambda k: Rule(
        "unit cost ceiling", "variants", k[1], f"variant {k[1]}'s list unit cost stays within ¥{ceiling(k):,.0f}",
        year=k[2], future=k[0]), lambda k: ceiling(k) / SCALE_JPY)


def _sells_key(pm: "PlatformModel", v: str, t: str) -> tuple:
    """Which launch years `sells(v, t)` adds up (rows with the same sum and coefficients are one row)."""
    return tuple(x for x in pm.choices[v].launch_years if pm.year_index[x] <= pm.year_index[t])

