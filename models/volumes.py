"""Item volumes and all-units volume tiers, in each future and year.

  option_units[f,v,c,o,t], pack_units[f,v,p,t]   units of v carrying a costly item that year
  tier_units[f,i,t,j], in_tier[f,i,t,j]          item i's volume that year, priced in tier j
                                                  (j = 0 is the list price; multiple choice)

An item is costly when its list price or a tier price is above zero. A year's volume of an item is
the units of every variant carrying it; the price of all of them is that of the highest tier the
volume reaches (thresholds are not scaled by year; prices are, by that year's cost factor).

Only tiered items need a volume per year. An item priced at its list price alone costs, over the
programme, price × Σ_t weight_t × factor_t × units_t: one variable per (variant, item) carries that
weighted sum (year "*", the weights relative to the first year's, so that a steady year's variable is
its units a year as before). A choice whose options are all untiered is linked once, not once a
year: over six years that halves the item rows of the medium benchmark (9 of its 15 categories).
"""

from __future__ import annotations

import pyomo.core as pyo

from models.physics import SCALE_JPY
from models.rows import Rule

if False:  # pragma: no cover - typing only
    from models.build import PlatformModel


ALL_YEARS = "*"  # the year of an item variable that carries its weighted units over the programme


def item_weight(pm: "PlatformModel", f: str, kind: str, t: str) -> float:
    """What a unit of a `kind` ("option" or "pack") item built in year t counts, relative to the
    first year: weight × cost factor of t over those of the first year."""
    first = pm.periods[0].name

    def raw(year: str) -> float:
        y = pm.year(f, year)
        return pm.production_weight(f, year) * (y.pack_cost_factor if kind == "pack" else y.part_cost_factor)

    return raw(t) / raw(first)


def weighted_units(pm: "PlatformModel", f: str, v: str, kind: str):
    return sum(item_weight(pm, f, kind, t) * pm.m.units[f, v, t] for t in pm.selling_years(v))


def define_item_volumes(pm: "PlatformModel") -> None:
    m, ch = pm.m, pm.choices
    pm.costly_use, pm.costly_pack = [], []
    for f in pm.futures:
        inp = f.inp

        def costly(price: float, item: str) -> bool:
            """The item costs something: its list price or a tier price is above zero."""
            return price > 0 or any(t.unit_cost_jpy > 0 for t in inp.tiers.get(item, ()))

        groups: dict[tuple[str, str], list[str]] = {}
        for v, c, o in pm.use_idx:
            if costly(inp.part(f"{c}/{o}").unit_cost_jpy, f"{c}/{o}"):
                groups.setdefault((v, c), []).append(o)
        for (v, c), opts in groups.items():
            per_year = any(f"{c}/{o}" in inp.tiers for o in opts)
            years = pm.selling_years(v) if per_year else [ALL_YEARS]
            pm.costly_use += [(f.name, v, c, o, t) for o in opts for t in years]
        packs: dict[str, list[str]] = {}
        for v, p in pm.pack_idx:
            if costly(inp.pack(p).unit_cost_jpy, p):
                packs.setdefault(v, []).append(p)
        for v, ps in packs.items():
            years = pm.selling_years(v) if any(p in inp.tiers for p in ps) else [ALL_YEARS]
            pm.costly_pack += [(f.name, v, p, t) for p in ps for t in years]

    def most(f: str, v: str, kind: str, t: str) -> float:
        if t != ALL_YEARS:
            return ch[v].max_units[(f, t)]
        return sum(item_weight(pm, f, kind, x) * ch[v].max_units[(f, x)] for x in pm.selling_years(v))

    def units(f: str, v: str, kind: str, t: str):
        return weighted_units(pm, f, v, kind) if t == ALL_YEARS else m.units[f, v, t]

    m.option_units = pyo.Var(pm.costly_use, bounds=lambda _m, f, v, c, o, t: (0, most(f, v, "option", t)))
    m.pack_units = pyo.Var(pm.costly_pack, bounds=lambda _m, f, v, p, t: (0, most(f, v, "pack", t)))

    rows: dict[str, dict] = {}
    _item_unit_rows(rows, "option", pm.costly_use, m.option_units, lambda i: m.use[i[1:4]],
                    lambda i: (i[0], i[1], i[2], i[4]),
                    lambda v, c: (pm.category(c).required, len(ch[v].options[c])),
                    lambda f, v, t: units(f, v, "option", t), lambda f, v, t: most(f, v, "option", t))
    _item_unit_rows(rows, "pack", pm.costly_pack, m.pack_units, lambda i: m.pack[i[1:3]],
                    lambda i: (i[0], i[1], "pack", i[3]), lambda v, _c: (True, len(ch[v].packs)),
                    lambda f, v, t: units(f, v, "pack", t), lambda f, v, t: most(f, v, "pack", t))
    for kind, rule in (("option", _option_rule), ("pack", _pack_rule)):
        for part in ("cap", "floor"):
            pm.add(f"{kind}_units_{part}", rows.get(f"{kind}_units_{part}", {}), rule)
    pm.add("option_units_sum", rows.get("option_units_sum", {}), lambda k: Rule(
        "item volume", "parts", k[2], f"variant {k[1]}'s units carry its {k[2]} option",
        year=k[-1], future=k[0]))
    pm.add("pack_units_sum", rows.get("pack_units_sum", {}), lambda k: Rule(
        "item volume", "packs", k[1], f"variant {k[1]}'s units carry its pack", year=k[-1], future=k[0]))
    define_tiers(pm)


def _option_rule(k) -> Rule:
    """An option's units in a variant follow the variant's units when it takes the option."""
    return Rule("item volume", "parts", f"{k[2]}/{k[3]}",
                f"option {k[2]}/{k[3]} counts the units of variant {k[1]} when it uses it",
                year=k[-1], future=k[0])


def _pack_rule(k) -> Rule:
    """A pack's units in a variant follow the variant's units when it carries the pack."""
    return Rule("item volume", "packs", k[2],
                f"pack {k[2]} counts the units of variant {k[1]} when it carries it",
                year=k[-1], future=k[0])


def _item_unit_rows(
    rows: dict, kind: str, items: list, units_var, choice_of, group, completeness, units, most
) -> None:
    """Rows linking an item's units in a variant to the variant's units and the choice: units
    <= max units × chosen, and the items of one choice add up to the variant's units. Where the
    choice may fall on no costly item (an optional category, or a free option) the sum is only <=,
    and each item also gets units >= variant's units − max units × (1 − chosen). `units(f, v, t)`
    and `most(f, v, t)` are the variant's units and their bound in year t (or weighted, t = "*").

    The other McCormick envelopes (units >= min_units × chosen, and the floor on every item)
    tighten the root LP (medium 7.0 % -> 6.1 % gap) but cost more in node LPs than they save:
    medium took 13-15 s with them and 10 s without, large ended 60 s at 1.5 % against 0.7 %
    (benchmarks, three seeds)."""
    groups: dict[tuple, list] = {}
    for i in items:
        f, v, t = i[0], i[1], i[-1]
        groups.setdefault(group(i), []).append(i)
        rows.setdefault(f"{kind}_units_cap", {})[i] = (None, units_var[i] - most(f, v, t) * choice_of(i), 0)
    for (f, v, c, t), members in groups.items():
        required, choices = completeness(v, c)
        exact = required and len(members) == choices
        total = sum(units_var[i] for i in members) - units(f, v, t)
        rows.setdefault(f"{kind}_units_sum", {})[(f, v, c, t)] = (0 if exact else None, total, 0)
        if not exact:
            for i in members:
                rows.setdefault(f"{kind}_units_floor", {})[i] = (
                    None, units(f, v, t) - units_var[i] - most(f, v, t) * (1 - choice_of(i)), 0)


def define_tiers(pm: "PlatformModel") -> None:
    """Each item's volume in a year priced in exactly one tier it reaches (all-units discounts)."""
    m, ch = pm.m, pm.choices
    pm.volume_of: dict[tuple[str, str, str], list] = {}  # (future, item, year) -> per-variant item units
    limit: dict[tuple[str, str, str], float] = {}
    for i in pm.costly_use:
        f, v, c, o, t = i
        if t == ALL_YEARS:
            continue
        key = (f, f"{c}/{o}", t)
        pm.volume_of.setdefault(key, []).append(m.option_units[i])
        limit[key] = limit.get(key, 0.0) + ch[v].max_units[(f, t)]
    for i in pm.costly_pack:
        f, v, p, t = i
        if t == ALL_YEARS:
            continue
        key = (f, p, t)
        pm.volume_of.setdefault(key, []).append(m.pack_units[i])
        limit[key] = limit.get(key, 0.0) + ch[v].max_units[(f, t)]
    if not pm.elastic:
        for key in limit:
            f, _item, t = key
            capacity = sum(k.capacity_units for k in pm.future(f).plants) * pm.year(f, t).capacity_factor
            limit[key] = min(limit[key], capacity)
    pm.item_limit = limit

    pm.tiers_of: dict[tuple[str, str, str], list[tuple[int, float, float]]] = {}  # (j, min_units, price ¥)
    tier_idx: list[tuple] = []
    for key in pm.volume_of:
        f, item, t = key
        factor = pm.price_factor(f, item, t)
        tiers = pm.future(f).tiers.get(item, ())
        reachable = [(j, x.min_units, x.unit_cost_jpy * factor)
                     for j, x in enumerate(tiers, start=1) if x.min_units <= limit[key]]
        if reachable:
            pm.tiers_of[key] = reachable
            tier_idx += [key + (0,)] + [key + (j,) for j, _, _ in reachable]
    m.tier_units = pyo.Var(tier_idx, bounds=lambda _m, f, i, t, j: (0, limit[(f, i, t)]))
    m.in_tier = pyo.Var([k for k in tier_idx if k[-1] > 0], domain=pyo.Binary)
    balance, reach, cap, one_tier = {}, {}, {}, {}
    for key, reachable in pm.tiers_of.items():
        js = [0] + [j for j, _, _ in reachable]
        balance[key] = (0, sum(m.tier_units[key + (j,)] for j in js) - sum(pm.volume_of[key]), 0)
        one_tier[key] = (None, sum(m.in_tier[key + (j,)] for j, _, _ in reachable), 1)
        for j, t_min, _price in reachable:
            if t_min > 0:
                reach[key + (j,)] = (0, m.tier_units[key + (j,)] - t_min * m.in_tier[key + (j,)], None)
            cap[key + (j,)] = (None, m.tier_units[key + (j,)] - limit[key] * m.in_tier[key + (j,)], 0)
    tier_min = lambda k: pm.future(k[0]).tiers[k[1]][k[3] - 1].min_units  # noqa: E731
    pm.add("tier_balance", balance, lambda k: Rule(
        "volume tiers", "tiers", k[1], f"{k[1]}'s volume is priced in one tier", year=k[2], future=k[0]))
    pm.add("one_tier", one_tier, lambda k: Rule(
        "volume tiers", "tiers", k[1], f"{k[1]} is priced in one tier", year=k[2], future=k[0]))
    pm.add("tier_reached", reach, lambda k: Rule(
        "volume tiers", "tiers", k[1], f"{k[1]} reaches its tier from {tier_min(k):,.0f} units a year",
        year=k[2], future=k[0]))
    pm.add("tier_cap", cap, lambda k: Rule(
        "volume tiers", "tiers", k[1],
        f"{k[1]} is priced in its tier from {tier_min(k):,.0f} units only when that tier is chosen",
        year=k[2], future=k[0]))


def item_cost(pm: "PlatformModel", f: str):
    """Production cost of every costly option and pack in future f, weighted year by year."""
    m, cost = pm.m, 0
    for key, flows in pm.volume_of.items():
        if key[0] != f:
            continue
        _f, item, t = key
        weight = pm.production_weight(f, t) / SCALE_JPY
        list_price = pm.list_price(f, item) * pm.price_factor(f, item, t)
        if key not in pm.tiers_of:
            cost += weight * list_price * sum(flows)
            continue
        cost += weight * list_price * m.tier_units[key + (0,)]
        for j, _t_min, price in pm.tiers_of[key]:
            cost += weight * price * m.tier_units[key + (j,)]
    first = pm.periods[0].name
    for var, kind, item in _weighted_items(pm, f):
        weight = pm.production_weight(f, first) * pm.price_factor(f, item, first) / SCALE_JPY
        cost += weight * pm.list_price(f, item) * var
    return cost


def _weighted_items(pm: "PlatformModel", f: str):
    """(variable, kind, item) of every item variable carrying weighted units over the programme."""
    m = pm.m
    for i in pm.costly_use:
        if i[0] == f and i[-1] == ALL_YEARS:
            yield m.option_units[i], "option", f"{i[2]}/{i[3]}"
    for i in pm.costly_pack:
        if i[0] == f and i[-1] == ALL_YEARS:
            yield m.pack_units[i], "pack", i[2]
