"""The platform plan as a mixed-integer program: the families of `models/` assembled in order.

One model serves every case: a plain solve is one future ("") and, without a years sheet, one
period (the steady year ""); a programme adds years; `plan solve --robust` adds futures. Every
family is written once over (future, year) where it varies. Reading order:

  design.py    offer, options, pack, launch year, locks; developments (and their cap)
  physics.py   range, power, kei rules; the unit cost ceiling by year
  plants.py    units by year, the plant split, capacity, lines
  volumes.py   item volumes and all-units tiers by year
  demand.py    demand rows by year
  cuts.py      measured strengtheners
  cost.py      the total cost (expected over futures, weighted by year)
  values.py    plans <-> variable values
"""

from __future__ import annotations

from typing import Callable, Sequence

import pyomo.core as pyo

from models import cost, cuts, demand, design, physics, plants, volumes
from models.data import Future, Plant, PlanInput, Variant, Year
from models.index import Deductions
from models.plan import Plan
from models.rows import Rule, Rows, RuleBook, Slack
from models.values import plans_from, values_for

SCALE_JPY = physics.SCALE_JPY


class PlatformModel:
    """Builds the MIP for one case (a `PlanInput`) or for several futures sharing one design, and
    translates between plans and variable values."""

    def __init__(
        self, source: PlanInput | Sequence[Future], *, elastic: bool = False, objective: str = cost.EXPECTED,
        max_developments: int | None = None,
    ):
        self.futures: tuple[Future, ...] = (
            (Future("", 1.0, source),) if isinstance(source, PlanInput) else tuple(source)
        )
        self.inp = self.futures[0].inp  # the names every future shares
        self.elastic = elastic
        self.max_developments = max_developments  # None: no development cap (design.define_development_cap)
        self.periods: tuple[Year, ...] = self.inp.periods
        self.year_index = {y.name: i for i, y in enumerate(self.periods)}
        self._future = {f.name: f.inp for f in self.futures}
        self._years = {f.name: {y.name: y for y in f.inp.periods} for f in self.futures}
        self._plants = {f.name: {k.name: k for k in f.inp.plants} for f in self.futures}
        self._variants = {f.name: {v.name: v for v in f.inp.variants} for f in self.futures}
        deductions = Deductions(self.futures, elastic)
        self.blocked: dict[str, list[str]] = deductions.blocked
        self.choices = deductions.choices
        self.must_because = deductions.must_because
        weights = [
            [f.probability * self.one_time_weight(f.name, y.name) for y in self.periods]
            for f in self.futures
        ]
        self.dev_years = design.dev_years(weights)
        self.line_years = {
            f.name: design.dev_years([[self.one_time_weight(f.name, y.name) for y in self.periods]])
            for f in self.futures
        }
        self.m = pyo.ConcreteModel(name="kei platform plan")
        self.book = RuleBook(self.m, elastic)
        self._build(objective)

    def _build(self, objective: str) -> None:
        design.define_choices(self)
        physics.define_variant_rules(self)
        plants.define_units(self)
        physics.define_unit_cost_ceilings(self)
        volumes.define_item_volumes(self)
        design.define_developments(self)
        design.define_development_cap(self)
        demand.define_demand(self)
        if not self.elastic:
            cuts.define_cuts(self)
        cost.define_objective(self, objective)

    # ------------------------------------------------------------------ lookups
    def future(self, f: str) -> PlanInput:
        return self._future[f]

    def year(self, f: str, t: str) -> Year:
        return self._years[f][t]

    def plant(self, f: str, k: str) -> Plant:
        return self._plants[f][k]

    def variant(self, f: str, v: str) -> Variant:
        return self._variants[f][v]

    def category(self, c: str):
        return next(x for x in self.inp.categories if x.name == c)

    def production_weight(self, f: str, t: str) -> float:
        return self.future(f).production_weight(self.year(f, t))

    def one_time_weight(self, f: str, t: str) -> float:
        return self.future(f).one_time_weight(self.year(f, t))

    def list_price(self, f: str, item: str) -> float:
        inp = self.future(f)
        return (
            inp.pack(item).unit_cost_jpy if item in {p.name for p in inp.packs}
            else inp.part(item).unit_cost_jpy
        )

    def price_factor(self, f: str, item: str, t: str) -> float:
        y = self.year(f, t)
        return y.pack_cost_factor if item in {p.name for p in self.future(f).packs} else y.part_cost_factor

    def selling_years(self, v: str) -> list[str]:
        """The periods in which v may sell: from its first possible launch year on."""
        return [y.name for y in self.periods[self.year_index[self.choices[v].launch_years[0]]:]]

    def launched_in(self, v: str, t: str):
        """1 when v launches in year t (a variable, or `offer` when it has one launch year)."""
        years = self.choices[v].launch_years
        if len(years) == 1:
            return self.m.offer[v] if t == years[0] else 0
        return self.m.launch[v, t] if t in years else 0

    def sells(self, v: str, t: str):
        """1 when v sells in year t: launched in t or before."""
        years = self.choices[v].launch_years
        ti = self.year_index[t]
        if ti >= self.year_index[years[-1]]:
            return self.m.offer[v]
        return sum(self.launched_in(v, x) for x in years if self.year_index[x] <= ti)

    # ------------------------------------------------------------------ rows and their meaning
    def add(
        self, name: str, rows: Rows, meaning: Callable[[object], Rule],
        reference: Callable[[object], float] | None = None,
    ) -> None:
        self.book.add(name, rows, meaning, reference)

    def rule(self, con) -> Rule:
        return self.book.rule(con)

    @property
    def slacks(self) -> dict[int, Slack]:
        return self.book.slacks

    @property
    def static_conflicts(self) -> list[str]:
        """Reasons no plan can exist found without a solver: variants that must be offered but can
        never be, demand minimums that no variant can serve."""
        out = [
            f"variant {name} {because}, but " + "; ".join(self.blocked[name])
            for name, because in self.must_because.items() if name in self.blocked
        ]
        for f in self.futures:
            for d in f.inp.demand:
                for y in f.inp.periods:
                    bounds = d.bounds_in(y)
                    if bounds is None or not (bounds[0] or 0) > 0:
                        continue
                    if not any(
                        d.covers(vc.variant) and (f.name, v, y.name) in self.m.units
                        for v, vc in self.choices.items()
                    ):
                        when = f" in {y.name}" if y.name else " a year"
                        where = (
                            f" in future {f.name}, but no variant it covers can be offered and selling then "
                            "with a design that obeys every future's rules"
                        ) if len(self.futures) > 1 else (
                            ", but no variant it covers can be offered and selling then"
                        )
                        out.append(
                            f"{d.label} ({d.title}) asks for at least {bounds[0]:,.0f} units{when}{where}"
                        )
        return list(dict.fromkeys(out))

    # ------------------------------------------------------------------ plans <-> values
    def plans_from(self, value: Callable[[object], float]) -> dict[str, Plan]:
        """Each future's plan from variable values (a function, so any solver interface can supply them)."""
        return plans_from(self, value)

    def plan_from(self, value: Callable[[object], float]) -> Plan:
        """The plan of the first (for a plain solve, the only) future."""
        return self.plans_from(value)[self.futures[0].name]

    def values_for(self, plans: Plan | dict[str, Plan]) -> dict[int, float]:
        """Every variable's value (by id) for a plan, e.g. for a solver's MIP start. Variables left
        out are zero. The plan must use only choices this model has."""
        if isinstance(plans, Plan):
            plans = {self.futures[0].name: plans}
        return values_for(self, plans)
