"""Marginal values of continuous limits agree with finite differences: move the limit in the
workbook's input, rebuild the model, fix the plan's decisions and re-solve."""

from __future__ import annotations

import pytest

from example_case import example_case
from optimizer.analysis import marginals as mg


@pytest.fixture(scope="module")
def found():
    case = example_case()
    lp, ms = mg.marginals(case.plan_input, case.outcome.plan)
    return case, lp, ms


def test_the_plans_lp_reproduces_its_cost(found):
    case, lp, _ = found
    assert lp is not None and lp.relaxed
    assert lp.cost_jpy == pytest.approx(case.outcome.total_cost_jpy, rel=1e-9)


def test_every_marginal_agrees_with_a_finite_difference(found):
    case, _, ms = found
    inp, plan = case.plan_input, case.outcome.plan
    base = mg.solve_fixed(inp, plan, relax=False).cost_jpy
    assert ms, "the example has binding continuous limits"
    for m in ms:
        moved = mg.moved_cost(inp, plan, m.kind, m.key, m.step)
        expected = None if moved is None else moved - base
        if expected is None:
            assert m.delta_jpy is None, m
        else:
            assert m.delta_jpy == pytest.approx(expected, rel=1e-6, abs=1.0), m


def test_a_half_unit_move_costs_half_where_the_value_is_linear(found):
    case, _, ms = found
    inp, plan = case.plan_input, case.outcome.plan
    base = mg.solve_fixed(inp, plan, relax=False).cost_jpy
    checked = 0
    for m in ms:
        if not m.delta_jpy:
            continue
        half = mg.moved_cost(inp, plan, m.kind, m.key, m.step / 2)
        assert half is not None
        assert 2 * (half - base) == pytest.approx(m.delta_jpy, rel=1e-6, abs=1.0), m
        checked += 1
    assert checked > 0


def test_binding_limits_are_all_found(found):
    """Every limit the plan meets exactly, in any year it holds, is found; and only those."""
    case, _, ms = found
    inp, ev, plan = case.plan_input, case.outcome.evaluation, case.outcome.plan
    kinds = {(m.kind, m.subject) for m in ms}
    names = [y.name for y in inp.periods]
    for y, period in zip(inp.periods, ev.periods):
        for k in inp.plants:
            if period.plant_units[k.name] >= k.capacity_units * y.capacity_factor - 1e-6:
                assert (mg.PLANT_CAPACITY, k.name) in kinds
        for v in inp.variants:
            vp = plan.variants[v.name]
            if not vp.offered or (inp.years and names.index(y.name) < names.index(vp.launch_year)):
                continue
            if vp.units_in(y.name) >= v.max_units * y.demand_factor - 1e-6:
                assert (mg.MAX_UNITS, v.name) in kinds
            if vp.units_in(y.name) <= v.min_units * y.demand_factor + 1e-6:
                assert (mg.MIN_UNITS, v.name) in kinds
    for m in ms:  # and only binding ones: the plan meets the bound (as that year scales it) exactly
        y = next(y for y in inp.periods if y.name == (m.years[0] if m.years else ""))
        scale = {mg.PLANT_CAPACITY: y.capacity_factor, mg.MAX_UNITS: y.demand_factor, mg.MIN_UNITS: y.demand_factor}.get(m.kind)
        if m.kind in (mg.DEMAND_MIN, mg.DEMAND_MAX):
            scale = y.demand_factor if next(d for d in inp.demand if d.label == m.subject).year is None else 1.0
        assert m.activity == pytest.approx(m.bound * (scale or 1.0), abs=1e-6)
