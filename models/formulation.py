"""The platform plan as a mixed-integer program (Pyomo).

Decisions (sparse: only pairs the workbook allows get a variable):
  offer[v]            variant v is offered
  use[v,c,o]          offered variant v takes option o of category c
  pack[v,p]           offered variant v carries pack p
  develop[c,o,b]      option c/o is developed (b = brand, or "" when one development serves all)
  develop_pack[p,b]   pack p is developed
  line[k,s]           plant k is set up for body style s
  units[v]            units a year of variant v
  built[v,k]          units a year of v built at plant k
  option_units[v,c,o], pack_units[v,p]   units of v carrying an item (for item volumes)
  tier_units[i,j], in_tier[i,j]          all-units tiers of item i (j = 0 is the list price)

Money is in millions of yen inside the model (`SCALE_JPY`) so that coefficients stay
between about 1e-3 and 1e4; the plan's cost is recomputed in yen by `models.plan.evaluate`.

Deductions made here are exact: a part, pack or variant is left out only when it breaks a
rule on its own, since every contribution it adds (mass, power, height, length, cost) is
non-negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pyomo.environ as pyo

from models.data import Category, Pack, PartOption, PlanInput, Tier, Variant
from models.plan import Plan, VariantPlan

SCALE_JPY = 1e6


@dataclass(frozen=True)
class Rule:
    """What one constraint means to a planner, in the workbook's names."""

    kind: str  # e.g. "range target", "plant capacity"
    sheet: str  # where the planner changes it
    subject: str  # the workbook name it is about
    text: str  # a sentence


@dataclass
class VariantChoices:
    """What an offerable variant may choose from, after exact deductions."""

    variant: Variant
    options: dict[str, list[PartOption]]  # category -> allowed options
    packs: list[Pack]
    plants: list[str]
    max_units: float  # tightest upper bound on its units


class PlatformModel:
    """Builds the MIP for a `PlanInput` and turns solver values back into a `Plan`."""

    def __init__(self, inp: PlanInput):
        self.inp = inp
        self.blocked: dict[str, list[str]] = {}  # variant -> why it can never be offered
        self.choices: dict[str, VariantChoices] = {}
        self._meaning: dict[str, Callable[[object], Rule]] = {}  # constraint component -> key -> Rule
        self._deduce()
        self.m = pyo.ConcreteModel(name="kei platform plan")
        self._build()

    # ------------------------------------------------------------------ deductions
    @property
    def static_conflicts(self) -> list[str]:
        """Reasons no plan can exist, found without a solver (must-offer variants that can never
        be offered, demand minimums no variant can serve)."""
        out = [
            f"variant {v.name} must be offered, but " + "; ".join(self.blocked[v.name])
            for v in self.inp.variants
            if v.must_offer and v.name in self.blocked
        ]
        for d in self.inp.demand:
            if (d.min_units or 0) > 0 and not any(d.covers(vc.variant) for vc in self.choices.values()):
                out.append(f"{d.label} ({d.title}) asks for at least {d.min_units:,.0f} units a year, but no variant it covers can be offered")
        return out

    def rule(self, con: pyo.Constraint) -> Rule:
        """The planner's meaning of a constraint of this model."""
        return self._meaning[con.parent_component().local_name](con.index())

    def _deduce(self) -> None:
        inp, r = self.inp, self.inp.rules
        for v in inp.variants:
            why: list[str] = []
            if v.width_mm > r.max_width_mm:
                why.append(f"it is {v.width_mm:,.0f} mm wide, above the {r.max_width_mm:,.0f} mm rule")
            if v.seats > r.max_seats:
                why.append(f"it has {v.seats:g} seats, above the {r.max_seats:g} seat rule")
            if v.payload_kg > r.max_payload_kg:
                why.append(f"its payload of {v.payload_kg:,.0f} kg is above the {r.max_payload_kg:,.0f} kg rule")
            if v.length_mm > r.max_length_mm:
                why.append(f"its body is {v.length_mm:,.0f} mm long, above the {r.max_length_mm:,.0f} mm rule")
            if v.height_mm > r.max_height_mm:
                why.append(f"its body is {v.height_mm:,.0f} mm high, above the {r.max_height_mm:,.0f} mm rule")
            options = {c.name: self._allowed_options(v, c) for c in inp.categories}
            for c in inp.categories:
                if c.required and not options[c.name]:
                    why.append(f"no option of required category {c.name} is allowed for it")
            packs = [p for p in inp.packs if self._pack_fits(v, p)]
            if not packs:
                why.append("no pack fits its bay, its height limit and its unit cost ceiling")
            plants = [k.name for k in inp.plants if k.builds(v.body_style)]
            max_units = min(
                [v.max_units, sum(k.capacity_units for k in inp.plants if k.name in plants)]
                + [d.max_units for d in inp.demand if d.max_units is not None and d.covers(v)]
            )
            if max_units < v.min_units:
                why.append(
                    f"its minimum of {v.min_units:,.0f} units a year is more than plants and demand "
                    f"rows allow ({max_units:,.0f})"
                )
            if why:
                self.blocked[v.name] = why
            else:
                self.choices[v.name] = VariantChoices(v, options, packs, plants, max_units)

    def _allowed_options(self, v: Variant, c: Category) -> list[PartOption]:
        r = self.inp.rules
        ceiling = v.max_unit_cost_jpy
        return [
            o
            for o in self.inp.options_of(c.name)
            if o.allowed_for(v)
            and o.power_kw <= r.max_power_kw
            and v.height_mm + o.height_mm <= r.max_height_mm
            and v.length_mm + o.length_mm <= r.max_length_mm
            and (ceiling is None or v.top_hat_unit_cost_jpy + o.unit_cost_jpy <= ceiling)
        ]

    def _pack_fits(self, v: Variant, p: Pack) -> bool:
        ceiling = v.max_unit_cost_jpy
        return (
            p.length_mm <= v.pack_bay_mm
            and v.height_mm + p.height_mm <= self.inp.rules.max_height_mm
            and (ceiling is None or v.top_hat_unit_cost_jpy + p.unit_cost_jpy <= ceiling)
        )

    # ------------------------------------------------------------------ the model
    def _build(self) -> None:
        inp, m = self.inp, self.m
        s = inp.settings
        years = s.lifecycle_years
        ch = self.choices
        units_domain = pyo.NonNegativeIntegers if s.integer_units else pyo.NonNegativeReals

        offer_idx = list(ch)
        use_idx = [(v, c, o.option) for v, vc in ch.items() for c, opts in vc.options.items() for o in opts]
        pack_idx = [(v, p.name) for v, vc in ch.items() for p in vc.packs]
        built_idx = [(v, k) for v, vc in ch.items() for k in vc.plants]
        styles = sorted({vc.variant.body_style for vc in ch.values()})
        line_idx = [(k.name, st) for k in inp.plants for st in styles if k.builds(st)]

        m.offer = pyo.Var(offer_idx, domain=pyo.Binary)
        m.use = pyo.Var(use_idx, domain=pyo.Binary)
        m.pack = pyo.Var(pack_idx, domain=pyo.Binary)
        m.units = pyo.Var(offer_idx, domain=units_domain, bounds=lambda _m, v: (0, ch[v].max_units))
        m.built = pyo.Var(built_idx, domain=units_domain, bounds=self._built_bounds)
        m.line = pyo.Var(line_idx, domain=pyo.Binary)

        # Items whose volume costs money get per-variant volume variables.
        part_by = {(p.category, p.option): p for p in inp.parts}
        costly_use = [i for i in use_idx if self._costly(part_by[i[1:]].unit_cost_jpy, part_by[i[1:]].key)]
        costly_pack = [i for i in pack_idx if self._costly(inp.pack(i[1]).unit_cost_jpy, i[1])]
        m.option_units = pyo.Var(costly_use, domain=pyo.NonNegativeReals, bounds=lambda _m, v, c, o: (0, ch[v].max_units))
        m.pack_units = pyo.Var(costly_pack, domain=pyo.NonNegativeReals, bounds=lambda _m, v, p: (0, ch[v].max_units))

        # Developments: one per option (or per brand for unshared categories / no sharing).
        dev_of_use: dict[tuple[str, str, str], tuple[str, str, str]] = {}
        for v, c, o in use_idx:
            per_brand = not (inp.category(c).shared and s.cross_brand_sharing)
            dev_of_use[(v, c, o)] = (c, o, ch[v].variant.brand if per_brand else "")
        dev_of_pack = {
            (v, p): (p, "" if s.cross_brand_sharing else ch[v].variant.brand) for v, p in pack_idx
        }
        m.develop = pyo.Var(sorted(set(dev_of_use.values())), domain=pyo.Binary)
        m.develop_pack = pyo.Var(sorted(set(dev_of_pack.values())), domain=pyo.Binary)
        self.dev_of_use, self.dev_of_pack = dev_of_use, dev_of_pack

        self._constraints_variants(use_idx, pack_idx)
        cost = self._constraints_items(costly_use, costly_pack)
        cost += self._constraints_plants(built_idx, line_idx)
        self._constraints_demand()

        cost += sum(part_by[(c, o)].dev_cost_jpy / SCALE_JPY * m.develop[c, o, b] for c, o, b in m.develop)
        cost += sum(inp.pack(p).dev_cost_jpy / SCALE_JPY * m.develop_pack[p, b] for p, b in m.develop_pack)
        cost += sum(
            ch[v].variant.top_hat_dev_cost_jpy / SCALE_JPY * m.offer[v]
            + years * ch[v].variant.top_hat_unit_cost_jpy / SCALE_JPY * m.units[v]
            for v in offer_idx
        )
        m.total_cost = pyo.Objective(expr=cost, sense=pyo.minimize)

    def _costly(self, list_price: float, item: str) -> bool:
        return list_price > 0 or any(t.unit_cost_jpy > 0 for t in self.inp.tiers.get(item, ()))

    def _built_bounds(self, _m: pyo.ConcreteModel, v: str, k: str) -> tuple[float, float]:
        plant = next(p for p in self.inp.plants if p.name == k)
        return (0, min(plant.capacity_units, self.choices[v].max_units))

    def _add(self, name: str, rows: dict, rule: Callable[[object], Rule]) -> None:
        """Add one constraint per key: rows[key] = (lower, body, upper); rule(key) says what it means."""
        if not rows:
            return

        def body(_m: pyo.ConcreteModel, *idx: str):
            return rows[idx if len(idx) > 1 else idx[0]]

        self.m.add_component(name, pyo.Constraint(list(rows), rule=body))
        self._meaning[name] = rule

    def _constraints_variants(self, use_idx: list, pack_idx: list) -> None:
        inp, m, ch = self.inp, self.m, self.choices
        r, k_mass = inp.rules, inp.settings.wh_per_km_per_kg
        part_by = {(p.category, p.option): p for p in inp.parts}
        uses: dict[str, list[tuple[str, str, str]]] = {v: [] for v in ch}
        for i in use_idx:
            uses[i[0]].append(i)
        packs: dict[str, list[tuple[str, str]]] = {v: [] for v in ch}
        for i in pack_idx:
            packs[i[0]].append(i)

        must, min_u, max_u, one_of, one_pack = {}, {}, {}, {}, {}
        range_rows, pmin, pmax, height, length, ceiling, dev_link, dev_pack_link = {}, {}, {}, {}, {}, {}, {}, {}
        for v, vc in ch.items():
            var, y, u = vc.variant, m.offer[v], m.units[v]
            if var.must_offer:
                must[v] = (1, y, None)
            if var.min_units > 0:
                min_u[v] = (0, u - var.min_units * y, None)
            max_u[v] = (None, u - vc.max_units * y, 0)
            for c in inp.categories:
                chosen = sum(m.use[i] for i in uses[v] if i[1] == c.name)
                one_of[(v, c.name)] = (0, chosen - y, 0) if c.required else (None, chosen - y, 0)
            one_pack[v] = (0, sum(m.pack[i] for i in packs[v]) - y, 0)
            opts = [(i, part_by[i[1:]]) for i in uses[v]]
            pks = [(i, inp.pack(i[1])) for i in packs[v]]
            if var.range_target_km > 0:
                range_rows[v] = (
                    0,
                    sum((1000.0 * p.usable_kwh / var.range_target_km - k_mass * p.mass_kg) * m.pack[i] for i, p in pks)
                    - sum((k_mass * o.mass_kg + o.wh_per_km) * m.use[i] for i, o in opts)
                    - (var.base_wh_per_km + k_mass * var.glider_mass_kg) * y,
                    None,
                )
            power = sum(o.power_kw * m.use[i] for i, o in opts if o.power_kw)
            if var.min_power_kw > 0:
                pmin[v] = (0, power - var.min_power_kw * y, None)
            if self._worst(vc, lambda o: o.power_kw) > r.max_power_kw:
                pmax[v] = (None, power - r.max_power_kw * y, 0)
            if self._worst(vc, lambda o: o.height_mm, lambda p: p.height_mm) + var.height_mm > r.max_height_mm:
                height[v] = (
                    None,
                    sum(o.height_mm * m.use[i] for i, o in opts if o.height_mm)
                    + sum(p.height_mm * m.pack[i] for i, p in pks if p.height_mm)
                    - (r.max_height_mm - var.height_mm) * y,
                    0,
                )
            if self._worst(vc, lambda o: o.length_mm) + var.length_mm > r.max_length_mm:
                length[v] = (
                    None,
                    sum(o.length_mm * m.use[i] for i, o in opts if o.length_mm) - (r.max_length_mm - var.length_mm) * y,
                    0,
                )
            if var.max_unit_cost_jpy is not None:
                worst = self._worst(vc, lambda o: o.unit_cost_jpy, lambda p: p.unit_cost_jpy)
                if worst + var.top_hat_unit_cost_jpy > var.max_unit_cost_jpy:
                    ceiling[v] = (
                        None,
                        sum(o.unit_cost_jpy / SCALE_JPY * m.use[i] for i, o in opts if o.unit_cost_jpy)
                        + sum(p.unit_cost_jpy / SCALE_JPY * m.pack[i] for i, p in pks if p.unit_cost_jpy)
                        - (var.max_unit_cost_jpy - var.top_hat_unit_cost_jpy) / SCALE_JPY * y,
                        0,
                    )
            for i in uses[v]:
                dev_link[i] = (None, m.use[i] - m.develop[self.dev_of_use[i]], 0)
            for i in packs[v]:
                dev_pack_link[i] = (None, m.pack[i] - m.develop_pack[self.dev_of_pack[i]], 0)

        V = lambda v: ch[v].variant  # noqa: E731
        self._add("must_offer", must, lambda v: Rule("must offer", "variants", v, f"variant {v} must be offered"))
        self._add("min_units", min_u, lambda v: Rule("minimum units", "variants", v, f"variant {v} sells at least {V(v).min_units:,.0f} units a year if offered"))
        self._add("max_units", max_u, lambda v: Rule("maximum units", "variants", v, f"variant {v} sells at most {ch[v].max_units:,.0f} units a year"))
        self._add("one_option", one_of, lambda k: Rule("option choice", "parts", k[0], f"variant {k[0]} takes {'one option' if inp.category(k[1]).required else 'at most one option'} of {k[1]}"))
        self._add("one_pack", one_pack, lambda v: Rule("pack choice", "packs", v, f"variant {v} carries one pack that fits its {V(v).pack_bay_mm:,.0f} mm bay"))
        self._add("range_target", range_rows, lambda v: Rule("range target", "variants", v, f"variant {v} reaches its range target of {V(v).range_target_km:,.0f} km"))
        self._add("min_power", pmin, lambda v: Rule("minimum power", "variants", v, f"variant {v} has at least {V(v).min_power_kw:g} kW"))
        self._add("power_cap", pmax, lambda v: Rule("power cap", "rules", v, f"variant {v} stays within the {r.max_power_kw:g} kW cap"))
        self._add("max_height", height, lambda v: Rule("height rule", "rules", v, f"variant {v} stays within {r.max_height_mm:,.0f} mm high"))
        self._add("max_length", length, lambda v: Rule("length rule", "rules", v, f"variant {v} stays within {r.max_length_mm:,.0f} mm long"))
        self._add("unit_cost_ceiling", ceiling, lambda v: Rule("unit cost ceiling", "variants", v, f"variant {v}'s list unit cost stays within ¥{V(v).max_unit_cost_jpy:,.0f}"))
        self._add("develop_option", dev_link, lambda k: Rule("development", "parts", f"{k[1]}/{k[2]}", f"option {k[1]}/{k[2]} is developed before variant {k[0]} uses it"))
        self._add("develop_pack_link", dev_pack_link, lambda k: Rule("development", "packs", k[1], f"pack {k[1]} is developed before variant {k[0]} carries it"))

    @staticmethod
    def _worst(vc: VariantChoices, of_option: Callable[[PartOption], float], of_pack: Callable[[Pack], float] | None = None) -> float:
        """Largest total a variant could reach on one measure: the sum of each choice's maximum."""
        total = sum(max((of_option(o) for o in opts), default=0.0) for opts in vc.options.values())
        if of_pack is not None:
            total += max((of_pack(p) for p in vc.packs), default=0.0)
        return total

    def _constraints_items(self, costly_use: list, costly_pack: list):
        """Volumes of each costly option and pack, priced at their all-units tiers."""
        inp, m, ch = self.inp, self.m, self.choices
        years = inp.settings.lifecycle_years
        part_by = {(p.category, p.option): p for p in inp.parts}

        # Per-variant item units equal the variant's units when the item is chosen.
        flow_eq, flow_cap, flow_floor = {}, {}, {}
        by_vc: dict[tuple[str, str], list] = {}
        for i in costly_use:
            by_vc.setdefault((i[0], i[1]), []).append(i)
            flow_cap[i] = (None, m.option_units[i] - ch[i[0]].max_units * m.use[i], 0)
        for (v, c), items in by_vc.items():
            total = sum(m.option_units[i] for i in items)
            if inp.category(c).required and len(items) == len(ch[v].options[c]):
                flow_eq[(v, c)] = (0, total - m.units[v], 0)
            else:
                flow_eq[(v, c)] = (None, total - m.units[v], 0)
                for i in items:  # at least the variant's units when chosen
                    flow_floor[i] = (None, m.units[v] - m.option_units[i] - ch[v].max_units * (1 - m.use[i]), 0)
        pack_eq, pack_cap, pack_floor = {}, {}, {}
        by_v: dict[str, list] = {}
        for i in costly_pack:
            by_v.setdefault(i[0], []).append(i)
            pack_cap[i] = (None, m.pack_units[i] - ch[i[0]].max_units * m.pack[i], 0)
        for v, items in by_v.items():
            if len(items) == len(ch[v].packs):
                pack_eq[v] = (0, sum(m.pack_units[i] for i in items) - m.units[v], 0)
            else:
                pack_eq[v] = (None, sum(m.pack_units[i] for i in items) - m.units[v], 0)
                for i in items:
                    pack_floor[i] = (None, m.units[v] - m.pack_units[i] - ch[v].max_units * (1 - m.pack[i]), 0)

        volume: dict[str, list] = {}
        limit: dict[str, float] = {}
        price: dict[str, float] = {}
        for i in costly_use:
            key = part_by[i[1:]].key
            volume.setdefault(key, []).append(m.option_units[i])
            limit[key] = limit.get(key, 0.0) + ch[i[0]].max_units
            price[key] = part_by[i[1:]].unit_cost_jpy
        for i in costly_pack:
            volume.setdefault(i[1], []).append(m.pack_units[i])
            limit[i[1]] = limit.get(i[1], 0.0) + ch[i[0]].max_units
            price[i[1]] = inp.pack(i[1]).unit_cost_jpy
        total_capacity = sum(k.capacity_units for k in inp.plants)

        cost = 0
        tier_idx: list[tuple[str, int]] = []
        tiers_of: dict[str, list[tuple[int, Tier]]] = {}
        for item, flows in volume.items():
            limit[item] = min(limit[item], total_capacity)
            reachable = [(j, t) for j, t in enumerate(inp.tiers.get(item, ()), start=1) if t.min_units <= limit[item]]
            if not reachable:
                cost += years * price[item] / SCALE_JPY * sum(flows)
                continue
            tiers_of[item] = reachable
            tier_idx += [(item, 0)] + [(item, j) for j, _ in reachable]
        m.tier_units = pyo.Var(tier_idx, domain=pyo.NonNegativeReals, bounds=lambda _m, i, j: (0, limit[i]))
        m.in_tier = pyo.Var([k for k in tier_idx if k[1] > 0], domain=pyo.Binary)
        balance, reach, cap, one_tier = {}, {}, {}, {}
        for item, reachable in tiers_of.items():
            balance[item] = (0, sum(m.tier_units[item, j] for j in [0] + [j for j, _ in reachable]) - sum(volume[item]), 0)
            one_tier[item] = (None, sum(m.in_tier[item, j] for j, _ in reachable), 1)
            cost += years * price[item] / SCALE_JPY * m.tier_units[item, 0]
            for j, t in reachable:
                if t.min_units > 0:
                    reach[(item, j)] = (0, m.tier_units[item, j] - t.min_units * m.in_tier[item, j], None)
                cap[(item, j)] = (None, m.tier_units[item, j] - limit[item] * m.in_tier[item, j], 0)
                cost += years * t.unit_cost_jpy / SCALE_JPY * m.tier_units[item, j]

        option_rule = lambda k: Rule("item volume", "parts", f"{k[1]}/{k[2]}", f"option {k[1]}/{k[2]} is counted in the units of variant {k[0]} when it uses it")  # noqa: E731
        pack_rule = lambda k: Rule("item volume", "packs", k[1], f"pack {k[1]} is counted in the units of variant {k[0]} when it carries it")  # noqa: E731
        self._add("option_units_cap", flow_cap, option_rule)
        self._add("option_units_floor", flow_floor, option_rule)
        self._add("option_units_sum", flow_eq, lambda k: Rule("item volume", "parts", k[1], f"variant {k[0]}'s units carry its {k[1]} option"))
        self._add("pack_units_cap", pack_cap, pack_rule)
        self._add("pack_units_floor", pack_floor, pack_rule)
        self._add("pack_units_sum", pack_eq, lambda v: Rule("item volume", "packs", v, f"variant {v}'s units carry its pack"))
        self._add("tier_balance", balance, lambda i: Rule("volume tiers", "tiers", i, f"{i}'s annual volume is priced in one tier"))
        self._add("one_tier", one_tier, lambda i: Rule("volume tiers", "tiers", i, f"{i} is priced in one tier"))
        self._add("tier_reached", reach, lambda k: Rule("volume tiers", "tiers", k[0], f"{k[0]} reaches the tier from {tiers_min(inp, k):,.0f} units"))
        self._add("tier_cap", cap, lambda k: Rule("volume tiers", "tiers", k[0], f"{k[0]} is priced in its tier only when that tier is chosen"))
        return cost

    def _constraints_plants(self, built_idx: list, line_idx: list):
        inp, m, ch = self.inp, self.m, self.choices
        years = inp.settings.lifecycle_years
        plant_by = {k.name: k for k in inp.plants}
        split, capacity, line_link = {}, {}, {}
        for v, vc in ch.items():
            split[v] = (0, sum(m.built[v, k] for k in vc.plants) - m.units[v], 0)
        for k in inp.plants:
            load = [m.built[i] for i in built_idx if i[1] == k.name]
            if load and sum(ch[v].max_units for v, kk in built_idx if kk == k.name) > k.capacity_units:
                capacity[k.name] = (None, sum(load), k.capacity_units)
        for v, k in built_idx:
            line_link[(v, k)] = (None, m.built[v, k] - m.built[v, k].ub * m.line[k, ch[v].variant.body_style], 0)
        self._add("plant_split", split, lambda v: Rule("plant split", "plants", v, f"variant {v}'s units are built at plants that can build its body style"))
        self._add("plant_capacity", capacity, lambda k: Rule("plant capacity", "plants", k, f"plant {k} builds at most {plant_by[k].capacity_units:,.0f} units a year"))
        self._add("line_setup", line_link, lambda i: Rule("plant line", "plants", i[1], f"plant {i[1]} is set up for {ch[i[0]].variant.body_style} before it builds variant {i[0]}"))
        cost = sum(plant_by[k].line_cost_jpy / SCALE_JPY * m.line[k, st] for k, st in line_idx)
        cost += sum(years * plant_by[k].assembly_cost_jpy / SCALE_JPY * m.built[v, k] for v, k in built_idx)
        return cost

    def _constraints_demand(self) -> None:
        """Demand rows over the variants that can be offered; rows none of them serve are left to
        `static_conflicts` (a positive minimum) or hold trivially."""
        m, ch = self.m, self.choices
        rows, row_of = {}, {}
        for d in self.inp.demand:
            covered = [m.units[v] for v, vc in ch.items() if d.covers(vc.variant)]
            if covered:
                rows[d.label] = (d.min_units, sum(covered), d.max_units)
                row_of[d.label] = d
        self._add("demand", rows, lambda k: Rule("demand", "demand", row_of[k].title, f"{k} ({row_of[k].title}): {bounds_text(row_of[k].min_units, row_of[k].max_units)} units a year"))

    # ------------------------------------------------------------------ solutions
    def plan_from(self, value: Callable[[pyo.Var], float]) -> Plan:
        """Read a plan from variable values (a function, so any solver interface can supply them)."""
        m, inp = self.m, self.inp
        integer = inp.settings.integer_units
        variants: dict[str, VariantPlan] = {}
        for v in inp.variants:
            if v.name not in self.choices or value(m.offer[v.name]) < 0.5:
                variants[v.name] = VariantPlan(offered=False)
                continue
            vc = self.choices[v.name]
            options = {}
            for c, opts in vc.options.items():
                for o in opts:
                    if value(m.use[v.name, c, o.option]) > 0.5:
                        options[c] = o.option
            pack = next((p.name for p in vc.packs if value(m.pack[v.name, p.name]) > 0.5), None)
            plants = {}
            for k in vc.plants:
                amount = _clean(value(m.built[v.name, k]), integer)
                if amount > 0:
                    plants[k] = amount
            variants[v.name] = VariantPlan(
                offered=True, units=_clean(value(m.units[v.name]), integer), pack=pack, options=options, plants=plants
            )
        return Plan(variants)


def _clean(x: float, integer: bool) -> float:
    """Round away solver noise: whole units when units are integer, else 1e-4 of a unit."""
    if x is None:
        return 0.0
    x = round(x) if integer else round(x, 4)
    return float(x) if x > 0 else 0.0


def bounds_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"between {lo:,.0f} and {hi:,.0f}"
    if lo is not None:
        return f"at least {lo:,.0f}"
    return f"at most {hi:,.0f}"


def tiers_min(inp: PlanInput, key: tuple[str, int]) -> float:
    return inp.tiers[key[0]][key[1] - 1].min_units
