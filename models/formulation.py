"""The platform plan as a mixed-integer program (Pyomo).

Decisions (sparse: only pairs the workbook allows get a variable):
  offer[v]            variant v is offered
  use[v,c,o]          offered variant v takes option o of category c
  pack[v,p]           offered variant v carries pack p
  develop[c,o,b]      option c/o is developed (b = brand, or "" when one development serves all)
  develop_pack[p,b]   pack p is developed (per brand only without cross-brand sharing)
  line[k,s]           plant k is set up for body style s
  units[v]            units a year of variant v
  built[v,k]          units a year of v built at plant k
  option_units[v,c,o], pack_units[v,p]   units of v carrying a costly item (for item volumes)
  tier_units[i,j], in_tier[i,j]          all-units tiers of item i (j = 0 is the list price)

Money is in millions of yen inside the model (`SCALE_JPY`) so that coefficients stay
between about 1e-3 and 1e4; the plan's cost is recomputed in yen by `models.plan.evaluate`.

Deductions are exact: a part, pack or variant is left out only when it breaks a rule on
its own, since every contribution it adds (mass, power, height, length, cost) is
non-negative. The elastic model (`elastic=True`, for diagnosing infeasible workbooks) makes
no rule-based deductions; instead each planner-level rule gets a slack variable and the
objective is the weighted sum of slacks, each relative to the rule's own limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pyomo.core as pyo  # modelling only: pyomo.environ would also load every solver plugin (+0.2 s a run)

from models.data import Category, Pack, PartOption, PlanInput, Tier, Variant
from models.plan import Plan, VariantPlan, per_category_extreme, price_at

SCALE_JPY = 1e6

# Constraint families a planner can change, with the unit their slack is measured in.
RELAXABLE: dict[str, str] = {
    "must_offer": "offer",
    "min_units": "units a year",
    "max_units": "units a year",
    "range_target": "Wh/km",
    "min_power": "kW",
    "power_cap": "kW",
    "max_height": "mm",
    "max_length": "mm",
    "max_width": "mm",
    "max_seats": "seats",
    "max_payload": "kg",
    "unit_cost_ceiling": "million ¥",
    "plant_capacity": "units a year",
    "demand": "units a year",
}


@dataclass(frozen=True)
class Rule:
    """What one constraint means to a planner, in the workbook's names."""

    kind: str  # e.g. "range target", "plant capacity"
    sheet: str  # where the planner changes it
    subject: str  # the workbook name it is about
    text: str  # a sentence


@dataclass(frozen=True)
class Slack:
    """A way to break one planner-level rule in the elastic model."""

    family: str  # a key of RELAXABLE
    key: object  # the constraint's index (workbook names)
    side: str  # "lower" (raise the bound's shortfall) or "upper" (the excess)
    reference: float  # the rule's own magnitude; slack / reference is the relative violation


@dataclass
class VariantChoices:
    """What an offerable variant may choose from, after deductions."""

    variant: Variant
    options: dict[str, list[PartOption]]  # category -> allowed options
    packs: list[Pack]
    plants: list[str]
    max_units: float  # upper bound on its units (the tightest exact one unless elastic)


class PlatformModel:
    """Builds the MIP for a `PlanInput` and translates between plans and variable values."""

    def __init__(self, inp: PlanInput, *, elastic: bool = False):
        self.inp = inp
        self.elastic = elastic
        self.blocked: dict[str, list[str]] = {}  # variant -> why it can never be offered
        self.choices: dict[str, VariantChoices] = {}
        self.slacks: dict[int, Slack] = {}  # id(slack VarData) -> what it relaxes
        self._meaning: dict[str, Callable[[object], Rule]] = {}
        self._plant = {k.name: k for k in inp.plants}
        self._part = {(p.category, p.option): p for p in inp.parts}
        self._pack = {p.name: p for p in inp.packs}
        self._category = {c.name: c for c in inp.categories}
        self._deduce()
        self.m = pyo.ConcreteModel(name="kei platform plan")
        self._build()

    # ------------------------------------------------------------------ deductions
    @property
    def static_conflicts(self) -> list[str]:
        """Reasons no plan can exist found without a solver: must-offer variants that can never be
        offered, demand minimums that no variant can serve."""
        out = [
            f"variant {v.name} must be offered, but " + "; ".join(self.blocked[v.name])
            for v in self.inp.variants
            if v.must_offer and v.name in self.blocked
        ]
        for d in self.inp.demand:
            if (d.min_units or 0) > 0 and not any(d.covers(vc.variant) for vc in self.choices.values()):
                out.append(
                    f"{d.label} ({d.title}) asks for at least {d.min_units:,.0f} units a year, "
                    "but no variant it covers can be offered"
                )
        return out

    def rule(self, con) -> Rule:
        """The planner's meaning of a constraint (ConstraintData) of this model."""
        return self._meaning[con.parent_component().local_name](con.index())

    def _deduce(self) -> None:
        inp, r = self.inp, self.inp.rules
        total_capacity = sum(k.capacity_units for k in inp.plants)
        for v in inp.variants:
            why: list[str] = []
            if not self.elastic:
                for value, limit, text in (
                    (v.width_mm, r.max_width_mm, f"it is {v.width_mm:,.0f} mm wide, above the {r.max_width_mm:,.0f} mm rule"),
                    (v.seats, r.max_seats, f"it has {v.seats:g} seats, above the {r.max_seats:g} seat rule"),
                    (v.payload_kg, r.max_payload_kg, f"its payload of {v.payload_kg:,.0f} kg is above the {r.max_payload_kg:,.0f} kg rule"),
                    (v.length_mm, r.max_length_mm, f"its body is {v.length_mm:,.0f} mm long, above the {r.max_length_mm:,.0f} mm rule"),
                    (v.height_mm, r.max_height_mm, f"its body is {v.height_mm:,.0f} mm high, above the {r.max_height_mm:,.0f} mm rule"),
                ):
                    if value > limit:
                        why.append(text)
            options = {c.name: self._allowed_options(v, c) for c in inp.categories}
            packs = [p for p in inp.packs if self._pack_fits(v, p)]
            bare = [c.name for c in inp.categories if c.required and not options[c.name]]
            for c in bare:
                why.append(f"no option of required category {c} is allowed for its body style and brand")
            if not packs:
                why.append("no pack fits its bay")
            if not self.elastic and not bare and packs:
                options, packs = self._prune(v, options, packs)
                if not packs or any(c.required and not options[c.name] for c in inp.categories):
                    why.append("no choice of its allowed parts and packs meets its range target, power, height, length and unit cost ceiling together")
            plants = [k.name for k in inp.plants if k.builds(v.body_style)]
            if self.elastic:
                demand_min = [d.min_units for d in inp.demand if d.min_units is not None and d.covers(v)]
                max_units = max([v.max_units, v.min_units, total_capacity] + demand_min)
            else:
                max_units = min(
                    [v.max_units, sum(self._plant[k].capacity_units for k in plants)]
                    + [d.max_units for d in inp.demand if d.max_units is not None and d.covers(v)]
                )
                if max_units < v.min_units:
                    why.append(
                        f"its minimum of {v.min_units:,.0f} units a year is more than its plants and "
                        f"demand rows allow ({max_units:,.0f})"
                    )
            if why:
                self.blocked[v.name] = why
            else:
                self.choices[v.name] = VariantChoices(v, options, packs, plants, max_units)

    def _allowed_options(self, v: Variant, c: Category) -> list[PartOption]:
        return [o for o in self.inp.options_of(c.name) if o.allowed_for(v)]

    def _measures(self, v: Variant) -> list[tuple[Callable[[PartOption], float], Callable[[Pack], float], float, float]]:
        """The variant's own rules as `base + sum over choices <= limit`: (option value, pack
        value, base, limit). A minimum (power) is written negated; range in Wh/km: the body and
        options consume, a pack's energy over the target is a negative consumption."""
        r, k = self.inp.rules, self.inp.settings.wh_per_km_per_kg
        zero = lambda _x: 0.0  # noqa: E731
        out = [
            (lambda o: o.power_kw, zero, 0.0, r.max_power_kw),
            (lambda o: o.height_mm, lambda p: p.height_mm, v.height_mm, r.max_height_mm),
            (lambda o: o.length_mm, zero, v.length_mm, r.max_length_mm),
        ]
        if v.min_power_kw > 0:
            out.append((lambda o: -o.power_kw, zero, 0.0, -v.min_power_kw))
        if v.max_unit_cost_jpy is not None:
            out.append((lambda o: o.unit_cost_jpy, lambda p: p.unit_cost_jpy, v.top_hat_unit_cost_jpy, v.max_unit_cost_jpy))
        if v.range_target_km > 0:
            out.append((
                lambda o: k * o.mass_kg + o.wh_per_km,
                lambda p: k * p.mass_kg - 1000.0 * p.usable_kwh / v.range_target_km,
                v.base_wh_per_km + k * v.glider_mass_kg,
                0.0,
            ))
        return out

    def _prune(self, v: Variant, options: dict[str, list[PartOption]], packs: list[Pack]) -> tuple[dict[str, list[PartOption]], list[Pack]]:
        """Drop every option and pack that breaks one of the variant's rules even with the most
        favourable choice in every other category, repeated until nothing more drops.

        Exact: each rule adds up one value per category (an optional category may add none) and
        one per pack, so a choice that breaks it with the least the others can add breaks it with
        any. Without this the LP relaxation mixes, say, a 30 kW motor into a variant that needs
        39 kW, because a 47 kW one makes up the average."""
        required = lambda c: self._category[c].required  # noqa: E731
        measures = self._measures(v)
        changed = True
        while changed and packs and all(opts or not required(c) for c, opts in options.items()):
            changed = False
            for of_option, of_pack, base, limit in measures:
                least = per_category_extreme(options, required, of_option)
                least_pack = min(of_pack(p) for p in packs)
                total = base + sum(least.values()) + least_pack
                tol = 1e-9 * max(1.0, abs(limit), abs(total))
                kept_packs = [p for p in packs if total - least_pack + of_pack(p) <= limit + tol]
                kept = {c: [o for o in opts if total - least[c] + of_option(o) <= limit + tol] for c, opts in options.items()}
                if len(kept_packs) != len(packs) or any(len(kept[c]) != len(options[c]) for c in options):
                    changed = True
                options, packs = kept, kept_packs
                if not packs:
                    break
        return options, packs

    def _pack_fits(self, v: Variant, p: Pack) -> bool:
        return p.length_mm <= v.pack_bay_mm

    # ------------------------------------------------------------------ the model
    def _build(self) -> None:
        inp, m, ch = self.inp, self.m, self.choices
        s = inp.settings
        years = s.lifecycle_years
        units_domain = pyo.NonNegativeIntegers if s.integer_units else pyo.NonNegativeReals

        self.offer_idx = list(ch)
        self.use_idx = [(v, c, o.option) for v, vc in ch.items() for c, opts in vc.options.items() for o in opts]
        self.pack_idx = [(v, p.name) for v, vc in ch.items() for p in vc.packs]
        self.built_idx = [(v, k) for v, vc in ch.items() for k in vc.plants]
        styles = sorted({vc.variant.body_style for vc in ch.values()})
        self.line_idx = [(k.name, st) for k in inp.plants for st in styles if k.builds(st)]

        m.offer = pyo.Var(self.offer_idx, domain=pyo.Binary)
        m.use = pyo.Var(self.use_idx, domain=pyo.Binary)
        m.pack = pyo.Var(self.pack_idx, domain=pyo.Binary)
        m.units = pyo.Var(self.offer_idx, domain=units_domain, bounds=lambda _m, v: (0, ch[v].max_units))
        m.built = pyo.Var(self.built_idx, domain=units_domain, bounds=self._built_bounds)
        m.line = pyo.Var(self.line_idx, domain=pyo.Binary)

        # Items whose volume costs money get per-variant volume variables.
        self.costly_use = [i for i in self.use_idx if self._costly(self._part[i[1:]].unit_cost_jpy, self._part[i[1:]].key)]
        self.costly_pack = [i for i in self.pack_idx if self._costly(self._pack[i[1]].unit_cost_jpy, i[1])]
        m.option_units = pyo.Var(self.costly_use, bounds=lambda _m, v, c, o: (0, ch[v].max_units))
        m.pack_units = pyo.Var(self.costly_pack, bounds=lambda _m, v, p: (0, ch[v].max_units))

        # Developments: one per option (or per brand for unshared categories / without sharing).
        self.dev_of_use = {
            (v, c, o): (c, o, "" if self._category[c].shared and s.cross_brand_sharing else ch[v].variant.brand)
            for v, c, o in self.use_idx
        }
        self.dev_of_pack = {(v, p): (p, "" if s.cross_brand_sharing else ch[v].variant.brand) for v, p in self.pack_idx}
        m.develop = pyo.Var(sorted(set(self.dev_of_use.values())), domain=pyo.Binary)
        m.develop_pack = pyo.Var(sorted(set(self.dev_of_pack.values())), domain=pyo.Binary)

        self._constraints_variants()
        cost = self._constraints_items()
        cost += self._constraints_plants()
        self._constraints_demand()
        if not self.elastic:
            self._cover_cuts()

        cost += sum(self._part[(c, o)].dev_cost_jpy / SCALE_JPY * m.develop[c, o, b] for c, o, b in m.develop)
        cost += sum(self._pack[p].dev_cost_jpy / SCALE_JPY * m.develop_pack[p, b] for p, b in m.develop_pack)
        cost += sum(
            ch[v].variant.top_hat_dev_cost_jpy / SCALE_JPY * m.offer[v]
            + years * ch[v].variant.top_hat_unit_cost_jpy / SCALE_JPY * m.units[v]
            for v in self.offer_idx
        )
        self.cost_expr = cost
        if self.elastic:
            m.violation = pyo.Objective(
                expr=sum(var / max(1e-9, self.slacks[id(var)].reference) for var in self._slack_vars()),
                sense=pyo.minimize,
            )
        else:
            m.total_cost = pyo.Objective(expr=cost, sense=pyo.minimize)

    def _costly(self, list_price: float, item: str) -> bool:
        return list_price > 0 or any(t.unit_cost_jpy > 0 for t in self.inp.tiers.get(item, ()))

    def _built_bounds(self, _m, v: str, k: str) -> tuple[float, float]:
        if self.elastic:
            return (0, self.choices[v].max_units)
        return (0, min(self._plant[k].capacity_units, self.choices[v].max_units))

    def _add(self, name: str, rows: dict, rule: Callable[[object], Rule], reference: Callable[[object], float] | None = None) -> None:
        """One constraint per key: rows[key] = (lower, body, upper); rule(key) says what it means.
        In the elastic model a relaxable family gets a slack on each bounded side."""
        if not rows:
            return
        if self.elastic and name in RELAXABLE:
            sides = [(k, side) for k, (lo, _b, hi) in rows.items() for side, bound in (("lower", lo), ("upper", hi)) if bound is not None]
            slack = pyo.Var([self._flat(k) + (side,) for k, side in sides], domain=pyo.NonNegativeReals)
            self.m.add_component(f"{name}_slack", slack)
            for k, side in sides:
                var = slack[self._flat(k) + (side,)]
                self.slacks[id(var)] = Slack(name, k, side, abs(reference(k)) if reference else 1.0)
                lo, body, hi = rows[k]  # a row bounded on both sides gets both slacks in its body
                rows[k] = (lo, body + var if side == "lower" else body - var, hi)
        self.m.add_component(name, pyo.Constraint(list(rows), rule=lambda _m, *idx: rows[idx if len(idx) > 1 else idx[0]]))
        self._meaning[name] = rule

    @staticmethod
    def _flat(key: object) -> tuple:
        return key if isinstance(key, tuple) else (key,)

    def _slack_vars(self):
        for comp in self.m.component_objects(pyo.Var):
            if comp.local_name.endswith("_slack"):
                yield from comp.values()

    def _constraints_variants(self) -> None:
        inp, m, ch = self.inp, self.m, self.choices
        r, k_mass = inp.rules, inp.settings.wh_per_km_per_kg
        uses: dict[str, list[tuple[str, str, str]]] = {v: [] for v in ch}
        for i in self.use_idx:
            uses[i[0]].append(i)
        packs: dict[str, list[tuple[str, str]]] = {v: [] for v in ch}
        for i in self.pack_idx:
            packs[i[0]].append(i)

        fam: dict[str, dict] = {n: {} for n in (
            "must_offer", "min_units", "max_units", "one_option", "one_pack", "range_target", "min_power", "power_cap",
            "max_height", "max_length", "max_width", "max_seats", "max_payload", "unit_cost_ceiling", "develop_option", "develop_pack_link",
            "units_need_offer",
        )}
        for v, vc in ch.items():
            var, y, u = vc.variant, m.offer[v], m.units[v]
            if var.must_offer:
                fam["must_offer"][v] = (1, y, None)
            if var.min_units > 0:
                fam["min_units"][v] = (0, u - var.min_units * y, None)
            fam["max_units"][v] = (None, u - (var.max_units if self.elastic else vc.max_units) * y, 0)
            if self.elastic:  # breaking max_units must not let a variant that is not offered sell units
                fam["units_need_offer"][v] = (None, u - vc.max_units * y, 0)
            for c in inp.categories:
                chosen = sum(m.use[i] for i in uses[v] if i[1] == c.name)
                fam["one_option"][(v, c.name)] = (0, chosen - y, 0) if c.required else (None, chosen - y, 0)
            fam["one_pack"][v] = (0, sum(m.pack[i] for i in packs[v]) - y, 0)
            opts = [(i, self._part[i[1:]]) for i in uses[v]]
            pks = [(i, self._pack[i[1]]) for i in packs[v]]
            if var.range_target_km > 0:
                fam["range_target"][v] = (
                    0,
                    sum((1000.0 * p.usable_kwh / var.range_target_km - k_mass * p.mass_kg) * m.pack[i] for i, p in pks)
                    - sum((k_mass * o.mass_kg + o.wh_per_km) * m.use[i] for i, o in opts)
                    - (var.base_wh_per_km + k_mass * var.glider_mass_kg) * y,
                    None,
                )
            power = sum(o.power_kw * m.use[i] for i, o in opts if o.power_kw)
            if var.min_power_kw > 0:
                fam["min_power"][v] = (0, power - var.min_power_kw * y, None)
            if self._worst(vc, lambda o: o.power_kw) > r.max_power_kw:
                fam["power_cap"][v] = (None, power - r.max_power_kw * y, 0)
            if self._worst(vc, lambda o: o.height_mm, lambda p: p.height_mm) + var.height_mm > r.max_height_mm:
                fam["max_height"][v] = (
                    None,
                    sum(o.height_mm * m.use[i] for i, o in opts if o.height_mm)
                    + sum(p.height_mm * m.pack[i] for i, p in pks if p.height_mm)
                    - (r.max_height_mm - var.height_mm) * y,
                    0,
                )
            if self._worst(vc, lambda o: o.length_mm) + var.length_mm > r.max_length_mm:
                fam["max_length"][v] = (
                    None,
                    sum(o.length_mm * m.use[i] for i, o in opts if o.length_mm) - (r.max_length_mm - var.length_mm) * y,
                    0,
                )
            for family, value, limit in (
                ("max_width", var.width_mm, r.max_width_mm),
                ("max_seats", var.seats, r.max_seats),
                ("max_payload", var.payload_kg, r.max_payload_kg),
            ):
                if value > limit:  # only in the elastic model; otherwise the variant is blocked
                    fam[family][v] = (None, (value - limit) * y, 0)
            if var.max_unit_cost_jpy is not None:
                worst = self._worst(vc, lambda o: o.unit_cost_jpy, lambda p: p.unit_cost_jpy)
                if worst + var.top_hat_unit_cost_jpy > var.max_unit_cost_jpy:
                    fam["unit_cost_ceiling"][v] = (
                        None,
                        sum(o.unit_cost_jpy / SCALE_JPY * m.use[i] for i, o in opts if o.unit_cost_jpy)
                        + sum(p.unit_cost_jpy / SCALE_JPY * m.pack[i] for i, p in pks if p.unit_cost_jpy)
                        - (var.max_unit_cost_jpy - var.top_hat_unit_cost_jpy) / SCALE_JPY * y,
                        0,
                    )
            for i in uses[v]:
                fam["develop_option"][i] = (None, m.use[i] - m.develop[self.dev_of_use[i]], 0)
            for i in packs[v]:
                fam["develop_pack_link"][i] = (None, m.pack[i] - m.develop_pack[self.dev_of_pack[i]], 0)

        V = lambda v: ch[v].variant  # noqa: E731
        cat = self._category
        add = self._add
        add("must_offer", fam["must_offer"], lambda v: Rule("must offer", "variants", v, f"variant {v} must be offered"))
        add("min_units", fam["min_units"], lambda v: Rule("minimum units", "variants", v, f"variant {v} sells at least {V(v).min_units:,.0f} units a year if offered"), lambda v: V(v).min_units)
        add("max_units", fam["max_units"], lambda v: Rule("maximum units", "variants", v, f"variant {v} sells at most {V(v).max_units:,.0f} units a year"), lambda v: V(v).max_units or 1.0)
        add("units_need_offer", fam["units_need_offer"], lambda v: Rule("maximum units", "variants", v, f"variant {v} sells units only if offered"))
        add("one_option", fam["one_option"], lambda k: Rule("option choice", "parts", k[0], f"variant {k[0]} takes {'one option' if cat[k[1]].required else 'at most one option'} of {k[1]}"))
        add("one_pack", fam["one_pack"], lambda v: Rule("pack choice", "packs", v, f"variant {v} carries one pack that fits its {V(v).pack_bay_mm:,.0f} mm bay"))
        add("range_target", fam["range_target"], lambda v: Rule("range target", "variants", v, f"variant {v} reaches its range target of {V(v).range_target_km:,.0f} km"), lambda v: V(v).base_wh_per_km + k_mass * V(v).glider_mass_kg)
        add("min_power", fam["min_power"], lambda v: Rule("minimum power", "variants", v, f"variant {v} has at least {V(v).min_power_kw:g} kW"), lambda v: V(v).min_power_kw)
        add("power_cap", fam["power_cap"], lambda v: Rule("power cap", "rules", v, f"variant {v} stays within the {r.max_power_kw:g} kW power cap"), lambda v: r.max_power_kw)
        add("max_height", fam["max_height"], lambda v: Rule("height rule", "rules", v, f"variant {v} stays within {r.max_height_mm:,.0f} mm high"), lambda v: r.max_height_mm)
        add("max_length", fam["max_length"], lambda v: Rule("length rule", "rules", v, f"variant {v} stays within {r.max_length_mm:,.0f} mm long"), lambda v: r.max_length_mm)
        add("max_width", fam["max_width"], lambda v: Rule("width rule", "rules", v, f"variant {v} stays within {r.max_width_mm:,.0f} mm wide"), lambda v: r.max_width_mm)
        add("max_seats", fam["max_seats"], lambda v: Rule("seat rule", "rules", v, f"variant {v} has at most {r.max_seats:g} seats"), lambda v: r.max_seats or 1.0)
        add("max_payload", fam["max_payload"], lambda v: Rule("payload rule", "rules", v, f"variant {v} carries at most {r.max_payload_kg:,.0f} kg"), lambda v: r.max_payload_kg or 1.0)
        add("unit_cost_ceiling", fam["unit_cost_ceiling"], lambda v: Rule("unit cost ceiling", "variants", v, f"variant {v}'s list unit cost stays within ¥{V(v).max_unit_cost_jpy:,.0f}"), lambda v: V(v).max_unit_cost_jpy / SCALE_JPY)
        add("develop_option", fam["develop_option"], lambda k: Rule("development", "parts", f"{k[1]}/{k[2]}", f"option {k[1]}/{k[2]} is developed before variant {k[0]} uses it"))
        add("develop_pack_link", fam["develop_pack_link"], lambda k: Rule("development", "packs", k[1], f"pack {k[1]} is developed before variant {k[0]} carries it"))

    @staticmethod
    def _worst(vc: VariantChoices, of_option: Callable[[PartOption], float], of_pack: Callable[[Pack], float] | None = None) -> float:
        """Largest total a variant could reach on one measure: the sum of each choice's maximum."""
        total = sum(max((of_option(o) for o in opts), default=0.0) for opts in vc.options.values())
        if of_pack is not None:
            total += max((of_pack(p) for p in vc.packs), default=0.0)
        return total

    def _constraints_items(self):
        """Volumes of each costly option and pack, priced at their all-units tiers."""
        inp, m, ch = self.inp, self.m, self.choices
        years = inp.settings.lifecycle_years

        # Per-variant item units equal the variant's units when the item is chosen.
        rows: dict[str, dict] = {}
        self._item_unit_rows(rows, "option", self.costly_use, m.option_units, m.use,
                             lambda i: (i[0], i[1]), lambda v, c: (self._category[c].required, len(ch[v].options[c])))
        self._item_unit_rows(rows, "pack", self.costly_pack, m.pack_units, m.pack,
                             lambda i: (i[0], "pack"), lambda v, _c: (True, len(ch[v].packs)))

        volume: dict[str, list] = {}
        limit: dict[str, float] = {}
        price: dict[str, float] = {}
        for i in self.costly_use:
            key = self._part[i[1:]].key
            volume.setdefault(key, []).append(m.option_units[i])
            limit[key] = limit.get(key, 0.0) + ch[i[0]].max_units
            price[key] = self._part[i[1:]].unit_cost_jpy
        for i in self.costly_pack:
            volume.setdefault(i[1], []).append(m.pack_units[i])
            limit[i[1]] = limit.get(i[1], 0.0) + ch[i[0]].max_units
            price[i[1]] = self._pack[i[1]].unit_cost_jpy
        if not self.elastic:
            capacity = sum(k.capacity_units for k in inp.plants)
            limit = {i: min(x, capacity) for i, x in limit.items()}
        self.item_limit = limit

        cost = 0
        tier_idx: list[tuple[str, int]] = []
        self.tiers_of: dict[str, list[tuple[int, float, float]]] = {}  # item -> (j, min_units, price)
        for item, flows in volume.items():
            reachable = [(j, t.min_units, t.unit_cost_jpy) for j, t in enumerate(inp.tiers.get(item, ()), start=1) if t.min_units <= limit[item]]
            if not reachable:
                cost += years * price[item] / SCALE_JPY * sum(flows)
                continue
            self.tiers_of[item] = reachable
            tier_idx += [(item, 0)] + [(item, j) for j, _, _ in reachable]
        m.tier_units = pyo.Var(tier_idx, bounds=lambda _m, i, j: (0, limit[i]))
        m.in_tier = pyo.Var([k for k in tier_idx if k[1] > 0], domain=pyo.Binary)
        balance, reach, cap, one_tier = {}, {}, {}, {}
        for item, reachable in self.tiers_of.items():
            js = [0] + [j for j, _, _ in reachable]
            balance[item] = (0, sum(m.tier_units[item, j] for j in js) - sum(volume[item]), 0)
            one_tier[item] = (None, sum(m.in_tier[item, j] for j, _, _ in reachable), 1)
            cost += years * price[item] / SCALE_JPY * m.tier_units[item, 0]
            for j, t_min, t_price in reachable:
                if t_min > 0:
                    reach[(item, j)] = (0, m.tier_units[item, j] - t_min * m.in_tier[item, j], None)
                cap[(item, j)] = (None, m.tier_units[item, j] - limit[item] * m.in_tier[item, j], 0)
                cost += years * t_price / SCALE_JPY * m.tier_units[item, j]

        option_rule = lambda k: Rule("item volume", "parts", f"{k[1]}/{k[2]}", f"option {k[1]}/{k[2]} counts the units of variant {k[0]} when it uses it")  # noqa: E731
        pack_rule = lambda k: Rule("item volume", "packs", k[1], f"pack {k[1]} counts the units of variant {k[0]} when it carries it")  # noqa: E731
        for kind, rule in (("option", option_rule), ("pack", pack_rule)):
            for part in ("cap", "floor"):
                self._add(f"{kind}_units_{part}", rows.get(f"{kind}_units_{part}", {}), rule)
        self._add("option_units_sum", rows.get("option_units_sum", {}), lambda k: Rule("item volume", "parts", k[1], f"variant {k[0]}'s units carry its {k[1]} option"))
        self._add("pack_units_sum", rows.get("pack_units_sum", {}), lambda k: Rule("item volume", "packs", k[0], f"variant {k[0]}'s units carry its pack"))
        tier_min = lambda k: inp.tiers[k[0]][k[1] - 1].min_units  # noqa: E731
        self._add("tier_balance", balance, lambda i: Rule("volume tiers", "tiers", i, f"{i}'s annual volume is priced in one tier"))
        self._add("one_tier", one_tier, lambda i: Rule("volume tiers", "tiers", i, f"{i} is priced in one tier"))
        self._add("tier_reached", reach, lambda k: Rule("volume tiers", "tiers", k[0], f"{k[0]} reaches its tier from {tier_min(k):,.0f} units a year"))
        self._add("tier_cap", cap, lambda k: Rule("volume tiers", "tiers", k[0], f"{k[0]} is priced in its tier from {tier_min(k):,.0f} units only when that tier is chosen"))
        return cost

    def _item_unit_rows(self, rows: dict, kind: str, items: list, units_var, choice_var, group, completeness) -> None:
        """Rows linking an item's units in a variant to the variant's units and the choice: units
        <= max_units x choice, and the items of one choice add up to the variant's units. Where
        the choice may fall on no costly item (an optional category, or a free option) the sum
        is only <=, and each item also gets units >= variant's units - max_units x (1 - choice).

        The other McCormick envelopes (units >= min_units x choice, and the floor on every item)
        tighten the root LP (medium 7.0 % -> 6.1 % gap) but cost more in node LPs than they
        save: medium took 13-15 s with them and 10 s without, large ended 60 s at 1.5 % against
        0.7 % (benchmarks, three seeds)."""
        m, ch = self.m, self.choices
        groups: dict[tuple[str, str], list] = {}
        for i in items:
            groups.setdefault(group(i), []).append(i)
            rows.setdefault(f"{kind}_units_cap", {})[i] = (None, units_var[i] - ch[i[0]].max_units * choice_var[i], 0)
        for (v, c), members in groups.items():
            required, choices = completeness(v, c)
            exact = required and len(members) == choices
            total = sum(units_var[i] for i in members) - m.units[v]
            rows.setdefault(f"{kind}_units_sum", {})[(v, c)] = (0 if exact else None, total, 0)
            if not exact:
                for i in members:
                    rows.setdefault(f"{kind}_units_floor", {})[i] = (
                        None, m.units[v] - units_var[i] - ch[v].max_units * (1 - choice_var[i]), 0
                    )

    def _constraints_plants(self):
        inp, m, ch = self.inp, self.m, self.choices
        years = inp.settings.lifecycle_years
        split, capacity, line_link = {}, {}, {}
        for v, vc in ch.items():
            split[v] = (0, sum(m.built[v, k] for k in vc.plants) - m.units[v], 0)
        load: dict[str, list] = {k.name: [] for k in inp.plants}
        most: dict[str, float] = {k.name: 0.0 for k in inp.plants}
        for v, k in self.built_idx:
            load[k].append(m.built[v, k])
            most[k] += m.built[v, k].ub
        for k in inp.plants:
            if load[k.name] and most[k.name] > k.capacity_units:
                capacity[k.name] = (None, sum(load[k.name]), k.capacity_units)
        for v, k in self.built_idx:
            line_link[(v, k)] = (None, m.built[v, k] - m.built[v, k].ub * m.line[k, ch[v].variant.body_style], 0)
        plant = self._plant
        self._add("plant_split", split, lambda v: Rule("plant split", "plants", v, f"variant {v}'s units are built at plants that can build its body style"))
        self._add("plant_capacity", capacity, lambda k: Rule("plant capacity", "plants", k, f"plant {k} builds at most {plant[k].capacity_units:,.0f} units a year"), lambda k: plant[k].capacity_units)
        self._add("line_setup", line_link, lambda i: Rule("plant line", "plants", i[1], f"plant {i[1]} is set up for {ch[i[0]].variant.body_style} before it builds variant {i[0]}"))
        cost = sum(plant[k].line_cost_jpy / SCALE_JPY * m.line[k, st] for k, st in self.line_idx)
        cost += sum(years * plant[k].assembly_cost_jpy / SCALE_JPY * m.built[v, k] for v, k in self.built_idx)
        return cost

    def _constraints_demand(self) -> None:
        """Demand rows over the variants that can be offered; a row none of them serves holds
        trivially or, with a positive minimum, is one of `static_conflicts`."""
        m, ch = self.m, self.choices
        rows, row_of = {}, {}
        for d in self.inp.demand:
            covered = [m.units[v] for v, vc in ch.items() if d.covers(vc.variant)]
            if covered:
                rows[d.label] = (d.min_units, sum(covered), d.max_units)
                row_of[d.label] = d
        self._add(
            "demand", rows,
            lambda k: Rule("demand", "demand", row_of[k].title, f"{k} ({row_of[k].title}): {bounds_text(row_of[k].min_units, row_of[k].max_units)} units a year"),
            lambda k: max(row_of[k].min_units or 0.0, row_of[k].max_units or 0.0, 1.0),
        )

    def _cover_cuts(self) -> None:
        """Valid inequalities that make the LP relaxation pay whole fixed costs.

        demand_cover: a demand minimum D over variants S needs offered variants whose units can
        reach it, so sum over S of min(max_units, D) x offer >= D (one variant able to sell D
        alone counts fully; otherwise their maxima must add up).
        line_cover: an offered variant's minimum units are built on set-up lines of its body
        style, so sum over plants of min(capacity, min_units) x line >= min_units x offer; and
        likewise for a body style's demand minimum.
        line_load: a plant's line for a body style carries all its variants of that style, so
        their units there add up to at most min(capacity, their maxima) x line (the per-variant
        links alone let the LP pay a sliver of the line for each). Medium, 3 seeds: 31/57/>60 s
        -> 27/17/>60 s; large at 60 s: gap 2.45/2.36/2.06 % -> 1.82/2.90/1.57 %.
        Implied by the rules for whole decisions, so they cut off only fractional ones.
        """
        m, ch, inp = self.m, self.choices, self.inp
        demand, lines = {}, {}
        for d in inp.demand:
            need = d.min_units or 0.0
            members = [v for v, vc in ch.items() if d.covers(vc.variant)]
            if need > 0 and members:
                demand[d.label] = (need, sum(min(ch[v].max_units, need) * m.offer[v] for v in members), None)
            if need > 0 and d.scope == "body_style":
                plants = [k for k in inp.plants if (k.name, d.name) in m.line]
                if plants:
                    lines[("body style", d.name, d.label)] = (need, sum(min(k.capacity_units, need) * m.line[k.name, d.name] for k in plants), None)
        for v, vc in ch.items():
            need = vc.variant.min_units
            plants = [self._plant[k] for k in vc.plants]
            if need > 0 and plants:
                style = vc.variant.body_style
                lines[("variant", v, style)] = (0, sum(min(k.capacity_units, need) * m.line[k.name, style] for k in plants) - need * m.offer[v], None)
        load = {}
        for k, st in self.line_idx:
            members = [m.built[v, kk] for v, kk in self.built_idx if kk == k and ch[v].variant.body_style == st]
            if len(members) > 1:
                most = min(self._plant[k].capacity_units, sum(x.ub for x in members))
                load[(k, st)] = (None, sum(members) - most * m.line[k, st], 0)
        self._add("demand_cover", demand, lambda k: Rule("demand", "demand", k, f"{k} needs offered variants that can sell its minimum"))
        self._add("line_load", load, lambda k: Rule("plant line", "plants", k[0], f"plant {k[0]} builds {k[1]} variants only on a {k[1]} line"))
        self._add("line_cover", lines, lambda k: Rule("plant line", "plants", k[1], f"{k[0]} {k[1]} needs plant lines with capacity for its minimum units"))

    # ------------------------------------------------------------------ plans <-> values
    def plan_from(self, value: Callable[[object], float]) -> Plan:
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

    def values_for(self, plan: Plan) -> dict[int, float]:
        """Every variable's value (by id) for a plan, e.g. for a solver's MIP start. Variables left
        out are zero. The plan must use only choices this model has."""
        m, ch = self.m, self.choices
        val: dict[int, float] = {}

        def put(var, x: float) -> None:
            val[id(var)] = float(x)

        volume: dict[str, float] = {}
        for name, vp in plan.variants.items():
            if not vp.offered:
                continue
            put(m.offer[name], 1)
            put(m.units[name], vp.units)
            for k, units in vp.plants.items():
                put(m.built[name, k], units)
                put(m.line[k, ch[name].variant.body_style], 1)
            for c, o in vp.options.items():
                i = (name, c, o)
                put(m.use[i], 1)
                put(m.develop[self.dev_of_use[i]], 1)
                if i in m.option_units:
                    put(m.option_units[i], vp.units)
                    key = self._part[(c, o)].key
                    volume[key] = volume.get(key, 0.0) + vp.units
            if vp.pack is not None:
                i = (name, vp.pack)
                put(m.pack[i], 1)
                put(m.develop_pack[self.dev_of_pack[i]], 1)
                if i in m.pack_units:
                    put(m.pack_units[i], vp.units)
                    volume[vp.pack] = volume.get(vp.pack, 0.0) + vp.units
        for item, reachable in self.tiers_of.items():
            units = volume.get(item, 0.0)
            tiers = tuple(Tier(t_min, t_price) for _, t_min, t_price in reachable)
            _, reached = price_at(0.0, tiers, units)
            j = next((j for j, t_min, _ in reachable if t_min == reached), 0)
            put(m.tier_units[item, j], units)
            if j:
                put(m.in_tier[item, j], 1)
        return val


def _clean(x: float | None, integer: bool) -> float:
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
