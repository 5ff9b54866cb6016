"""The object `plan solve --json` prints: every field of the workbook contract's object, plus what
sharing saves and how sure that is (docs/cli.md)."""

from __future__ import annotations

import json

from optimizer.analysis.certainty import saving_bracket
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
        **_sharing_proof(case),
    }
    if outcome.status in (INFEASIBLE, UNKNOWN):
        out["conflicts"] = list(outcome.conflicts)
    return out


def _sharing_proof(case: Case) -> dict:
    """The range the bounds allow for the saving, whether it is proven, and the solve without
    sharing it rests on (null when that case was not solved)."""
    saving, alone = saving_bracket(case), case.baseline
    return {
        "sharing_saving_range_jpy": None if saving is None else [saving.low, saving.high],
        "sharing_saving_proven": None if saving is None else saving.certain,
        "without_sharing": None if alone is None else {
            "status": alone.status, "total_cost_jpy": alone.total_cost_jpy, "best_bound_jpy": alone.best_bound_jpy, "gap": alone.gap,
        },
    }


def dumps(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False)
