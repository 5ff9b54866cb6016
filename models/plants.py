"""Units and plants, in each future and year.

  units[f,v,t]     units variant v sells in year t of future f (from its first possible launch year)
  built[f,v,k,t]   of which built at plant k
  line[f,k,s,t]    plant k is set up for body style s, paid in year t (t over `line_years[f]`: every
                   year when the future discounts, else the first only — the year is then immaterial)

From its launch year on a variant sells between min_units and max_units × that year's demand factor
(nothing before); its units split over plants that can build its body style and are set up for it;
a plant builds at most its capacity × that year's capacity factor.
"""

from __future__ import annotations

import pyomo.core as pyo

from models.rows import Rule

if False:  # pragma: no cover - typing only
    from models.build import PlatformModel


def define_units(pm: "PlatformModel") -> None:
    m, ch = pm.m, pm.choices
    pm.units_idx = [(f.name, v, t) for f in pm.futures for v in ch for t in pm.selling_years(v)]
    pm.built_idx = [(f, v, k, t) for f, v, t in pm.units_idx for k in ch[v].plants[f]]
    styles = sorted({vc.variant.body_style for vc in ch.values()})
    pm.line_idx = [
        (f.name, k.name, s, pm.periods[i].name)
        for f in pm.futures for k in f.inp.plants for s in styles if k.builds(s)
        for i in pm.line_years[f.name]
    ]
    integer = {f.name: f.inp.settings.integer_units for f in pm.futures}
    m.units = pyo.Var(
        pm.units_idx,
        within=lambda _m, f, v, t: pyo.NonNegativeIntegers if integer[f] else pyo.NonNegativeReals,
        bounds=lambda _m, f, v, t: (0, ch[v].max_units[(f, t)]))
    m.built = pyo.Var(
        pm.built_idx,
        within=lambda _m, f, v, k, t: pyo.NonNegativeIntegers if integer[f] else pyo.NonNegativeReals,
        bounds=lambda _m, f, v, k, t: (0, _built_ub(pm, f, v, k, t)))
    m.line = pyo.Var(pm.line_idx, domain=pyo.Binary)

    rows = {n: {} for n in ("min_units", "max_units", "units_need_offer")}
    for f, v, t in pm.units_idx:
        var, y, u = pm.variant(f, v), pm.year(f, t), m.units[f, v, t]
        sells = pm.sells(v, t)
        if var.min_units > 0:
            rows["min_units"][(f, v, t)] = (0, u - var.min_units * y.demand_factor * sells, None)
        most = var.max_units * y.demand_factor if pm.elastic else ch[v].max_units[(f, t)]
        rows["max_units"][(f, v, t)] = (None, u - most * sells, 0)
        if pm.elastic:  # breaking max_units must not let a variant that is not offered sell units
            rows["units_need_offer"][(f, v, t)] = (None, u - ch[v].max_units[(f, t)] * sells, 0)
    V, Y = pm.variant, pm.year

    def min_of(k) -> float:
        """The units an offered variant must sell in year k[2] of future k[0]."""
        return V(k[0], k[1]).min_units * Y(k[0], k[2]).demand_factor

    def max_of(k) -> float:
        """The units a variant may sell at most in year k[2] of future k[0]."""
        return V(k[0], k[1]).max_units * Y(k[0], k[2]).demand_factor

    pm.add("min_units", rows["min_units"], lambda k: Rule(
        "minimum units", "variants", k[1],
        f"variant {k[1]} sells at least {min_of(k):,.0f} units{_in(k[2])} if offered",
        year=k[2], future=k[0]), min_of)
    pm.add("max_units", rows["max_units"], lambda k: Rule(
        "maximum units", "variants", k[1], f"variant {k[1]} sells at most {max_of(k):,.0f} units{_in(k[2])}",
        year=k[2], future=k[0]), lambda k: max_of(k) or 1.0)
    pm.add("units_need_offer", rows["units_need_offer"], lambda k: Rule(
        "maximum units", "variants", k[1], f"variant {k[1]} sells units only once launched",
        year=k[2], future=k[0]))
    define_plants(pm)


def _in(year: str) -> str:
    return f" in {year}" if year else " a year"


def _built_ub(pm: "PlatformModel", f: str, v: str, k: str, t: str) -> float:
    most = pm.choices[v].max_units[(f, t)]
    if pm.elastic:
        return most
    return min(pm.plant(f, k).capacity_units * pm.year(f, t).capacity_factor, most)


def line_open(pm: "PlatformModel", f: str, k: str, style: str, t: str):
    """1 when plant k is set up for `style` by year t in future f."""
    ti = pm.year_index[t]
    return sum(pm.m.line[f, k, style, pm.periods[i].name] for i in pm.line_years[f] if i <= ti)


def define_plants(pm: "PlatformModel") -> None:
    m, ch = pm.m, pm.choices
    split, capacity, line_link, once = {}, {}, {}, {}
    load: dict[tuple[str, str, str], list] = {}
    for f, v, t in pm.units_idx:
        split[(f, v, t)] = (0, sum(m.built[f, v, k, t] for k in ch[v].plants[f]) - m.units[f, v, t], 0)
    for f, v, k, t in pm.built_idx:
        load.setdefault((f, k, t), []).append(m.built[f, v, k, t])
        line_link[(f, v, k, t)] = (
            None,
            m.built[f, v, k, t]
            - m.built[f, v, k, t].ub * line_open(pm, f, k, ch[v].variant.body_style, t),
            0)
    for (f, k, t), members in load.items():
        cap = pm.plant(f, k).capacity_units * pm.year(f, t).capacity_factor
        if sum(x.ub for x in members) > cap:
            capacity[(f, k, t)] = (None, sum(members), cap)
    if any(len(pm.line_years[f.name]) > 1 for f in pm.futures):
        lines: dict[tuple, list] = {}
        for f, k, s, t in pm.line_idx:
            lines.setdefault((f, k, s), []).append(m.line[f, k, s, t])
        once = {key: (None, sum(xs), 1) for key, xs in lines.items() if len(xs) > 1}
    P, Y = pm.plant, pm.year

    def cap_of(key) -> float:
        """The units plant key[1] can build in year key[2] of future key[0]."""
        return P(key[0], key[1]).capacity_units * Y(key[0], key[2]).capacity_factor

    pm.add("plant_split", split, lambda key: Rule(
        "plant split", "plants", key[1],
        f"variant {key[1]}'s units are built at plants that can build its body style",
        year=key[2], future=key[0]))
    pm.add("plant_capacity", capacity, lambda key: Rule(
        "plant capacity", "plants", key[1],
        f"plant {key[1]} builds at most {cap_of(key):,.0f} units{_in(key[2])}",
        year=key[2], future=key[0]), cap_of)
    pm.add("line_setup", line_link, lambda key: Rule(
        "plant line", "plants", key[2],
        f"plant {key[2]} is set up for {ch[key[1]].variant.body_style} before it builds variant {key[1]}",
        year=key[3], future=key[0]))
    pm.add("line_once", once, lambda key: Rule(
        "plant line", "plants", key[1], f"plant {key[1]} is set up for {key[2]} once", future=key[0]))
