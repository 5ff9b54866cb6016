"""Variant physics and the kei rules: what an offered variant's options and pack make of it.

  mass = glider + Σ option masses + pack mass
  consumption = base + wh_per_km_per_kg × mass + Σ option Wh/km
  range = 1000 × usable kWh / consumption >= range target, written linearly in Wh/km:
      Σ pack (1000 kWh / target − k × pack mass) − Σ options (k × mass + Wh/km)
          − (base + k × glider) >= 0
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
    total = sum(
        max((of_option(inp.part(f"{c}/{o}")) for o in opts), default=0.0) for c, opts in vc.options.items()
    )
    if of_pack is not None:
        total += max((of_pack(inp.pack(p)) for p in vc.packs), default=0.0)
    return total


def define_variant_rules(pm: "PlatformModel") -> None:
    """Range, power and the kei rules, for each variant in each future."""
    _define_range_target(pm)
    _define_power(pm)
    _define_size_rules(pm)
    _define_body_rules(pm)


class _FamilyRows:
    """One family's rows, keyed (future, variant); a row another future repeats exactly is kept once."""

    def __init__(self, pm: "PlatformModel", family: str):
        self.pm, self.family = pm, family
        self.rows: dict = {}
        self.seen: set[tuple] = set()

    def put(self, f: str, v: str, lo, terms, offer_coef: float, hi) -> None:
        """The row lo <= Σ terms + offer_coef × offer[v] <= hi for variant v in future f."""
        signature = (self.family, v) + linear_signature(lo, terms + [(offer_coef, self.pm.m.offer[v])], hi)
        if signature in self.seen:
            return
        self.seen.add(signature)
        self.rows[(f, v)] = (lo, sum(a * x for a, x in terms) + offer_coef * self.pm.m.offer[v], hi)

    def add(self, meaning, reference) -> None:
        """Adds the family to the model, with what each row means to a planner."""
        self.pm.add(self.family, self.rows, meaning, reference)


def _each_variant(pm: "PlatformModel"):
    """(future's input, future, variant) for every offerable variant the rules of each future bind."""
    for fut in pm.futures:
        for v in pm.choices:
            yield fut.inp, fut.name, v


def _lookups(pm: "PlatformModel"):
    """For a row key (future, variant): that future's variant, its kei rules and its Wh/km per kg."""
    fut_of = {f.name: f.inp for f in pm.futures}
    return (
        lambda k: fut_of[k[0]].variant(k[1]),
        lambda k: fut_of[k[0]].rules,
        lambda k: fut_of[k[0]].settings.wh_per_km_per_kg,
    )


def _define_range_target(pm: "PlatformModel") -> None:
    """Range target: the chosen pack carries the variant, with its options, at least its target km."""
    rows = _FamilyRows(pm, "range_target")
    for inp, f, v in _each_variant(pm):
        var, k = inp.variant(v), inp.settings.wh_per_km_per_kg
        if var.range_target_km > 0:
            terms = _terms(pm, inp, v, lambda o: -(k * o.mass_kg + o.wh_per_km),
                           lambda p: 1000.0 * p.usable_kwh / var.range_target_km - k * p.mass_kg)
            rows.put(f, v, 0, terms, -(var.base_wh_per_km + k * var.glider_mass_kg), None)
    V, _R, K = _lookups(pm)
    rows.add(lambda key: Rule(
        "range target", "variants", key[1],
        f"variant {key[1]} reaches its range target of {V(key).range_target_km:,.0f} km", future=key[0]),
        lambda key: V(key).base_wh_per_km + K(key) * V(key).glider_mass_kg)


def _define_power(pm: "PlatformModel") -> None:
    """Power: the chosen options give at least the variant's minimum and stay within the kei power cap."""
    low, cap = _FamilyRows(pm, "min_power"), _FamilyRows(pm, "power_cap")
    for inp, f, v in _each_variant(pm):
        var, r = inp.variant(v), inp.rules
        power = _terms(pm, inp, v, lambda o: o.power_kw, None)
        if var.min_power_kw > 0:
            low.put(f, v, 0, power, -var.min_power_kw, None)
        if _worst(pm, inp, v, lambda o: o.power_kw) > r.max_power_kw:
            cap.put(f, v, None, power, -r.max_power_kw, 0)
    V, R, _K = _lookups(pm)
    low.add(lambda key: Rule(
        "minimum power", "variants", key[1], f"variant {key[1]} has at least {V(key).min_power_kw:g} kW",
        future=key[0]), lambda key: V(key).min_power_kw)
    cap.add(lambda key: Rule(
        "power cap", "rules", key[1],
        f"variant {key[1]} stays within the {R(key).max_power_kw:g} kW power cap",
        future=key[0]), lambda key: R(key).max_power_kw)


def _define_size_rules(pm: "PlatformModel") -> None:
    """Height and length: the body with what its options (and pack) add stays within the kei rules."""
    height, length = _FamilyRows(pm, "max_height"), _FamilyRows(pm, "max_length")
    for inp, f, v in _each_variant(pm):
        var, r = inp.variant(v), inp.rules
        tallest = _worst(pm, inp, v, lambda o: o.height_mm, lambda p: p.height_mm) + var.height_mm
        if tallest > r.max_height_mm:
            terms = _terms(pm, inp, v, lambda o: o.height_mm, lambda p: p.height_mm)
            height.put(f, v, None, terms, -(r.max_height_mm - var.height_mm), 0)
        if _worst(pm, inp, v, lambda o: o.length_mm) + var.length_mm > r.max_length_mm:
            terms = _terms(pm, inp, v, lambda o: o.length_mm, None)
            length.put(f, v, None, terms, -(r.max_length_mm - var.length_mm), 0)
    _V, R, _K = _lookups(pm)
    height.add(lambda key: Rule(
        "height rule", "rules", key[1], f"variant {key[1]} stays within {R(key).max_height_mm:,.0f} mm high",
        future=key[0]), lambda key: R(key).max_height_mm)
    length.add(lambda key: Rule(
        "length rule", "rules", key[1], f"variant {key[1]} stays within {R(key).max_length_mm:,.0f} mm long",
        future=key[0]), lambda key: R(key).max_length_mm)


def _define_body_rules(pm: "PlatformModel") -> None:
    """Width, seats and payload: fixed by the body, so rows only in the elastic model (else blocked)."""
    fam = {n: _FamilyRows(pm, n) for n in ("max_width", "max_seats", "max_payload")}
    for inp, f, v in _each_variant(pm):
        var, r = inp.variant(v), inp.rules
        for family, value, limit in (
            ("max_width", var.width_mm, r.max_width_mm),
            ("max_seats", var.seats, r.max_seats),
            ("max_payload", var.payload_kg, r.max_payload_kg),
        ):
            if value > limit:  # only in the elastic model; otherwise the variant is blocked
                fam[family].put(f, v, None, [], value - limit, 0)
    _V, R, _K = _lookups(pm)
    fam["max_width"].add(lambda key: Rule(
        "width rule", "rules", key[1], f"variant {key[1]} stays within {R(key).max_width_mm:,.0f} mm wide",
        future=key[0]), lambda key: R(key).max_width_mm)
    fam["max_seats"].add(lambda key: Rule(
        "seat rule", "rules", key[1], f"variant {key[1]} has at most {R(key).max_seats:g} seats",
        future=key[0]), lambda key: R(key).max_seats or 1.0)
    fam["max_payload"].add(lambda key: Rule(
        "payload rule", "rules", key[1], f"variant {key[1]} carries at most {R(key).max_payload_kg:,.0f} kg",
        future=key[0]), lambda key: R(key).max_payload_kg or 1.0)


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
                terms = _terms(pm, inp, v, lambda o: pf * o.unit_cost_jpy / SCALE_JPY,
                               lambda p: kf * p.unit_cost_jpy / SCALE_JPY)
                worst = _worst(
                    pm, inp, v, lambda o: pf * o.unit_cost_jpy, lambda p: kf * p.unit_cost_jpy
                ) / SCALE_JPY
                room = (var.max_unit_cost_jpy * y.ceiling_factor - var.top_hat_unit_cost_jpy) / SCALE_JPY
                if worst <= room:
                    continue  # no choice can break it
                signature = (v, _sells_key(pm, v, t)) + linear_signature(None, terms, room)
                if signature in seen:
                    continue
                seen.add(signature)
                sells = pm.sells(v, t)
                rows[(f, v, t)] = (
                    None, sum(a * x for a, x in terms) - room * sells - worst * (m.offer[v] - sells), 0)
    def ceiling(k) -> float:
        return pm.variant(k[0], k[1]).max_unit_cost_jpy * pm.year(k[0], k[2]).ceiling_factor

    pm.add("unit_cost_ceiling", rows, lambda k: Rule(
        "unit cost ceiling", "variants", k[1],
        f"variant {k[1]}'s list unit cost stays within ¥{ceiling(k):,.0f}",
        year=k[2], future=k[0]), lambda k: ceiling(k) / SCALE_JPY)


def _sells_key(pm: "PlatformModel", v: str, t: str) -> tuple:
    """Which launch years `sells(v, t)` adds up (rows with the same sum and coefficients are one row)."""
    return tuple(x for x in pm.choices[v].launch_years if pm.year_index[x] <= pm.year_index[t])

