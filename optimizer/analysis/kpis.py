"""The figures a case is compared on (one scenario column of the comparison workbook).

They are stored in every report (hidden sheet) so that `plan compare` works from reports
alone, long after the solve: everything the comparison shows must therefore be here, as plain
JSON values, and nothing that varies between identical runs (times, dates) may be.
"""

from __future__ import annotations

from models.evaluate import COST_KINDS
from optimizer.analysis.certainty import saving_bracket
from optimizer.solving.case import Case


def case_kpis(case: Case) -> dict:
    """Plain numbers and names only, so they survive a round trip through the report's JSON."""
    o, inp = case.outcome, case.plan_input
    alone = case.baseline.total_cost_jpy if case.baseline is not None else None
    saving = case.sharing_saving_jpy
    bracket = saving_bracket(case)
    out: dict = {
        "scenario": case.source.scenario,
        "workbook": str(case.source.workbook),
        "workbook_sha256": case.source.sha256,
        "status": o.status,
        "total_cost_jpy": o.total_cost_jpy,
        "best_bound_jpy": o.best_bound_jpy,
        "gap": o.gap,
        "sharing_saving_jpy": saving,
        # What the same case costs with cross_brand_sharing = no, and the saving as a share of it.
        "cost_without_sharing_jpy": alone if saving is not None else None,
        "sharing_saving_share": saving / alone if saving is not None and alone else None,
        # How sure the saving is: the solve without sharing, and the range the bounds allow.
        "cost_without_sharing_status": case.baseline.status if case.baseline is not None else None,
        "cost_without_sharing_bound_jpy": case.baseline.best_bound_jpy if case.baseline is not None else None,
        "sharing_saving_range_jpy": None if bracket is None else [bracket.low, bracket.high],
        "sharing_saving_proven": None if bracket is None else bracket.certain,
        "cost_by_kind_jpy": {},
        "units_total": 0.0,
        "units_by_brand": {},
        "units_by_body_style": {},
        "units_by_variant": {},
        "units_by_plant": {},
        "list_unit_cost_by_variant_jpy": {},
        "variants_offered": [],
        "packs_developed": [],
        "options_developed": [],
        # Who pays which development: the decision sharing changes (brand None = all brands).
        "developments": [],
        "lines": [],  # [plant, body style] set up
    }
    if o.plan is None or o.evaluation is None:
        return out
    ev = o.evaluation
    out["cost_by_kind_jpy"] = {k: ev.costs[k] for k in COST_KINDS}
    for v in inp.variants:
        vp = o.plan.variants[v.name]
        out["units_by_brand"].setdefault(v.brand, 0.0)
        out["units_by_body_style"].setdefault(v.body_style, 0.0)
        if not vp.offered:
            continue
        out["variants_offered"].append(v.name)
        out["units_total"] += vp.units
        out["units_by_variant"][v.name] = vp.units
        out["units_by_brand"][v.brand] += vp.units
        out["units_by_body_style"][v.body_style] += vp.units
        out["list_unit_cost_by_variant_jpy"][v.name] = ev.figures[v.name].list_unit_cost_jpy
    out["units_by_plant"] = {p.name: ev.plant_units.get(p.name, 0.0) for p in inp.plants}
    developed = {d.item: d.kind for d in ev.developments}
    out["packs_developed"] = [p.name for p in inp.packs if developed.get(p.name) == "pack"]
    out["options_developed"] = [p.key for p in inp.parts if developed.get(p.key) == "option"]
    out["developments"] = [
        {"item": d.item, "kind": d.kind, "brand": d.brand, "cost_jpy": d.cost_jpy}
        for d in sorted(ev.developments, key=lambda d: (d.kind, d.item, d.brand or ""))
    ]
    out["lines"] = [[plant, style] for plant, style in sorted(ev.lines)]
    if inp.years:
        out.update(programme_kpis(inp, o.plan, ev))
    return out


def programme_kpis(inp, plan, ev) -> dict:
    """A programme year by year: the years, each year's units (all variants), what is paid in it
    and what that counts in the total (present value); a year's present values add up to the total."""
    names = [y.name for y in inp.years]
    offered = plan.offered()
    return {
        "years": names,
        "units_by_year": {y: sum(plan.variants[v].units_in(y) for v in offered) for y in names},
        "cost_paid_by_year_jpy": {p.year: sum(p.paid.values()) for p in ev.periods},
        "cost_present_value_by_year_jpy": {p.year: sum(p.weighted.values()) for p in ev.periods},
    }
