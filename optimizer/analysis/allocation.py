"""Who pays: the joint plan's total cost split between the brands three ways.

- by units: in proportion to each brand's units a year;
- by equity: in proportion to the `equity_<brand>` settings (equal when none is given);
- Shapley: each partner's stand-alone cost minus an equal share of the saving that sharing
  brings. For two partners the Shapley value of the cost game is exactly that: a brand's
  stand-alone cost is what it bears in the same case solved with cross_brand_sharing = no
  (its variants' costs, shared costs such as plant lines split by its units), and the saving
  is that case's total minus the joint total. The shares add up to the joint total, and while
  sharing saves money each brand pays less than alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.data import PlanInput
from optimizer.analysis.certainty import Bracket, between, saving_bracket, signed_yen, why_unproven
from optimizer.analysis.cost_per_car import by_brand, cost_per_car
from optimizer.solving.case import Case


@dataclass(frozen=True)
class BrandShare:
    brand: str
    units: float  # a year, in the joint plan
    by_units_jpy: float
    equity: float  # share, 0..1
    by_equity_jpy: float
    by_use_jpy: float  # what its variants cost in the joint plan (cost per car × units × years)
    alone_jpy: float | None  # what it bears in the plan without cross-brand sharing
    shapley_jpy: float | None


@dataclass
class WhoPays:
    total_jpy: float
    saving_jpy: float | None  # cost without sharing minus cost with it
    brands: list[BrandShare]
    notes: list[str] = field(default_factory=list)
    saving: Bracket | None = None  # the saving with the range the solvers' bounds allow
    doubt: str | None = None  # why the stand-alone costs and the Shapley split are not certain

    @property
    def proven(self) -> bool:
        """The stand-alone costs and the Shapley split rest on solves that are certain."""
        return self.doubt is None


def equity_shares(inp: PlanInput) -> dict[str, float]:
    """The equity settings as shares adding up to 1; equal shares when none is set."""
    given = dict(inp.settings.equity)
    if not given:
        return {b: 1.0 / len(inp.brands) for b in inp.brands}
    total = sum(given.get(b, 0.0) for b in inp.brands)
    return {b: given.get(b, 0.0) / total for b in inp.brands}


def who_pays(case: Case) -> WhoPays | None:
    """None when the case has no plan."""
    inp, o = case.plan_input, case.outcome
    if o.plan is None or o.evaluation is None:
        return None
    total = o.evaluation.total_cost_jpy
    units = dict.fromkeys(inp.brands, 0.0)
    for v in inp.variants:
        vp = o.plan.variants.get(v.name)
        if vp is not None and vp.offered:
            units[v.brand] += vp.units
    all_units = sum(units.values())
    equity = equity_shares(inp)
    use = by_brand(inp, cost_per_car(inp, o.plan, o.evaluation))
    notes: list[str] = []
    alone: dict[str, float] | None = None
    saving = case.sharing_saving_jpy
    base = case.baseline
    if base is not None and base.plan is not None and base.evaluation is not None and base is not o:
        alone = by_brand(inp, cost_per_car(inp, base.plan, base.evaluation))
    elif base is o:
        notes.append("The workbook sets cross_brand_sharing = no, so the plan is already each brand's stand-alone plan and there is no saving to share.")
        alone = use
    else:
        notes.append("The case without cross-brand sharing was not solved, so stand-alone costs and the Shapley split are not available.")
    shapley: dict[str, float] | None = None
    if alone is not None and saving is not None:
        if len(inp.brands) == 2:
            shapley = {b: alone[b] - saving / 2 for b in inp.brands}
        elif len(inp.brands) == 1:
            shapley = {inp.brands[0]: total}
        else:
            notes.append("The Shapley split is given here for two partners only; with more brands it needs every coalition's plan.")
    elif alone is not None and base is o:
        shapley = dict(use)
    if saving is not None and saving < 0:
        notes.append(
            "The plan without sharing came out cheaper than the joint plan (both are solved to a gap, "
            "not exactly), so the saving is negative and a brand may pay more than alone; tighten mip_rel_gap."
        )
    rows = [
        BrandShare(
            brand=b,
            units=units[b],
            by_units_jpy=total * units[b] / all_units if all_units > 0 else total / len(inp.brands),
            equity=equity[b],
            by_equity_jpy=total * equity[b],
            by_use_jpy=use[b],
            alone_jpy=None if alone is None else alone[b],
            shapley_jpy=None if shapley is None else shapley[b],
        )
        for b in inp.brands
    ]
    bracket = saving_bracket(case)
    doubt = _doubt(bracket, case) if bracket is not None and not bracket.certain else None
    return WhoPays(total, saving, rows, notes + ([doubt] if doubt else []), bracket, doubt)


def _doubt(saving: Bracket, case: Case) -> str:
    """The note on a split that rests on a solve not proven."""
    width = "" if saving.low is None or saving.high is None else (
        f"; each brand's Shapley share may move by up to {signed_yen((saving.high - saving.low) / 2)} on the saving alone"
    )
    why = why_unproven(case)
    return (
        f"{why[0].upper()}{why[1:]}, so the stand-alone costs and the Shapley split are those of the plans found. "
        f"The saving is {between(saving)}{width}; more time (time_limit_s) narrows this."
    )
