"""The object `plan solve --json` prints: every field docs/workbook.md describes, plus what sharing
saves and how sure that is (README, JSON)."""

from __future__ import annotations

import json

from optimizer.analysis.certainty import saving_bracket
from optimizer.solving.case import Case
from optimizer.solving.solve import INFEASIBLE, UNKNOWN


def variant_json(inp, vp) -> dict:
    """One variant of the spec's JSON; with a years sheet an offered one adds its launch year and
    its units and plant split year by year (its `units` and `plants` are then the sums)."""
    if vp is None or not vp.offered:
        return {"offered": False, "units": 0.0, "pack": None, "options": {}, "plants": {}}
    out = {"offered": True, "units": vp.units, "pack": vp.pack, "options": dict(vp.options), "plants": dict(vp.plants)}
    if inp.years:
        out["launch_year"] = vp.launch_year
        out["by_year"] = {
            y.name: {"units": vp.units_in(y.name), "plants": dict(vp.built.get(y.name, {}))} for y in inp.years
        }
    return out


def plan_json(case: Case, report: str | None) -> dict:
    inp, outcome, scenario = case.plan_input, case.outcome, case.source.scenario
    plan = outcome.plan
    variants = {v.name: variant_json(inp, plan.variants[v.name] if plan is not None else None) for v in inp.variants}
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
        **({"years": [y.name for y in inp.years]} if inp.years else {}),
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


def robust_json(case, report: str | None) -> dict:
    """The object `plan solve --robust --json` prints: the common design at the top, each future's
    cost, own optimum and units under it, and the expected value of perfect information."""
    o = case.outcome
    inp = case.futures[0].inp
    first = o.futures[0].plan if o.futures else None
    variants = {}
    for v in inp.variants:
        vp = first.variants[v.name] if first is not None else None
        entry = {"offered": bool(vp and vp.offered), "pack": vp.pack if vp and vp.offered else None,
                 "options": dict(vp.options) if vp and vp.offered else {}}
        if inp.years and vp is not None and vp.offered:
            entry["launch_year"] = vp.launch_year
        variants[v.name] = entry
    developed = {"options": [], "packs": []}
    ev = o.futures[0].evaluation if o.futures else None
    if ev is not None:
        keys = {d.item: d.kind for d in ev.developments}
        developed = {"options": [p.key for p in inp.parts if keys.get(p.key) == "option"],
                     "packs": [p.name for p in inp.packs if keys.get(p.name) == "pack"]}
    futures = {}
    for fut, r in zip(case.futures, o.futures):
        units = {}
        for v in fut.inp.variants:
            vp = r.plan.variants[v.name] if r.plan is not None else None
            if vp is not None and vp.offered:
                full = variant_json(fut.inp, vp)
                units[v.name] = {k: full[k] for k in ("units", "plants", "by_year") if k in full}
        futures[fut.name] = {"probability": fut.probability, "total_cost_jpy": r.cost_jpy,
                             "own_optimum_jpy": r.own_optimum_jpy, "regret_jpy": r.regret_jpy, "variants": units}
    probability = {f.name: f.probability for f in case.futures}
    out = {
        "status": o.status,
        "expected_cost_jpy": o.expected_cost_jpy,
        "best_bound_jpy": o.best_bound_jpy,
        "gap": o.gap,
        "bound_from": o.bound_from,
        **({"objective": "worst", "worst_cost_jpy": o.worst_cost_jpy} if o.objective == "worst" else {}),
        **({"years": [y.name for y in inp.years]} if inp.years else {}),
        "variants": variants,
        "developed": developed,
        "futures": futures,
        "evpi_jpy": o.evpi_jpy,
        "bets": {b.design_of: {"expected_cost_jpy": b.expected_jpy(probability),
                               "total_cost_jpy": {f: x.total_cost_jpy for f, x in b.outcomes.items()}} for b in o.bets},
        "report": report,
    }
    if o.status in (INFEASIBLE, UNKNOWN):
        out["conflicts"] = list(o.conflicts)
    return out


def dumps(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False)
