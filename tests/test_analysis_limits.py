"""What limits the plan: sentences in workbook names, what-ifs that re-solve the MIP."""

from __future__ import annotations

from dataclasses import replace

from example_case import example_analysis, example_case
from models.evaluate import evaluate
from optimizer.analysis.limits import LP_BASIS, MIP_BASIS, RANGE_STEP_KM
from optimizer.analysis.whatif import local_resolve


def test_every_limit_speaks_the_workbooks_names():
    case, la = example_case(), example_analysis().limits
    names = {v.name for v in case.plan_input.variants} | {k.name for k in case.plan_input.plants} | {d.label for d in case.plan_input.demand}
    names |= set(case.plan_input.tiers)
    assert la.limits
    for x in la.limits:
        assert any(n in x.sentence for n in names) or x.rule in ("power cap", "max height", "max length"), x.sentence
        assert x.basis in (LP_BASIS, MIP_BASIS, "no re-solve needed")


def test_a_range_target_what_if_meets_the_raised_target_at_its_cost():
    case = example_case()
    inp, plan = case.plan_input, case.outcome.plan
    ranged = [x for x in example_analysis().limits.limits if x.rule == "range target" and x.worth_jpy is not None]
    assert ranged, "the example has a variant close to its range target"
    x = ranged[0]
    v = inp.variant(x.subject)
    changed = replace(inp, variants=tuple(replace(w, range_target_km=w.range_target_km + RANGE_STEP_KM) if w.name == v.name else w for w in inp.variants))
    after = local_resolve(changed, plan, frozenset({v.name}))
    ev = evaluate(changed, after.plan)
    assert not ev.violations
    assert ev.figures[v.name].range_km >= v.range_target_km + RANGE_STEP_KM - 1e-6
    assert x.worth_jpy > 0 and after.cost_jpy - case.outcome.total_cost_jpy == __import__("pytest").approx(x.worth_jpy, rel=1e-6)
