"""The figures a case is compared on (one scenario column of the comparison workbook)."""

from __future__ import annotations

from models.plan import COST_KINDS
from optimizer.pipeline import Case


def case_kpis(case: Case) -> dict:
    """Plain numbers and names only, so they survive a round trip through the report's JSON."""
    o, inp = case.outcome, case.plan_input
    out: dict = {
        "scenario": case.source.scenario,
        "status": o.status,
        "total_cost_jpy": o.total_cost_jpy,
        "best_bound_jpy": o.best_bound_jpy,
        "gap": o.gap,
        "sharing_saving_jpy": case.sharing_saving_jpy,
        "cost_by_kind_jpy": {},
        "units_by_brand": {},
        "units_by_body_style": {},
        "units_by_variant": {},
        "list_unit_cost_by_variant_jpy": {},
        "variants_offered": [],
        "packs_developed": [],
        "options_developed": [],
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
        out["units_by_variant"][v.name] = vp.units
        out["units_by_brand"][v.brand] += vp.units
        out["units_by_body_style"][v.body_style] += vp.units
        out["list_unit_cost_by_variant_jpy"][v.name] = ev.figures[v.name].list_unit_cost_jpy
    developed = {d.item: d.kind for d in ev.developments}
    out["packs_developed"] = [p.name for p in inp.packs if developed.get(p.name) == "pack"]
    out["options_developed"] = [p.key for p in inp.parts if developed.get(p.key) == "option"]
    return out
