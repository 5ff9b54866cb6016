"""The object `plan solve --json` prints, exactly as docs/workbook.md describes it."""

from __future__ import annotations

import json

from optimizer.solving.case import Case
from optimizer.solving.solve import INFEASIBLE, UNKNOWN


def plan_json(case: Case, report: str | None) -> dict:
    inp, outcome, scenario = case.plan_input, case.outcome, case.source.scenario
    variants = {}
    for v in inp.variants:
        vp = outcome.plan.variants[v.name] if outcome.plan is not None else None
        if vp is None or not vp.offered:
            variants[v.name] = {"offered": False, "units": 0.0, "pack": None, "options": {}, "plants": {}}
        else:
            variants[v.name] = {
                "offered": True,
                "units": vp.units,
                "pack": vp.pack,
                "options": dict(vp.options),
                "plants": dict(vp.plants),
            }
    developed = {"options": [], "packs": []}
    if outcome.evaluation is not None:
        keys = {d.item: d.kind for d in outcome.evaluation.developments}
        developed["options"] = [p.key for p in inp.parts if keys.get(p.key) == "option"]
        developed["packs"] = [p.name for p in inp.packs if keys.get(p.name) == "pack"]
    out = {
        "status": outcome.status,
        "scenario": scenario,
        "total_cost_jpy": outcome.total_cost_jpy,
        "best_bound_jpy": outcome.best_bound_jpy,
        "gap": outcome.gap,
        "variants": variants,
        "developed": developed,
        "report": report,
        "sharing_saving_jpy": case.sharing_saving_jpy,
    }
    if outcome.status in (INFEASIBLE, UNKNOWN):
        out["conflicts"] = list(outcome.conflicts)
    return out


def dumps(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False)
