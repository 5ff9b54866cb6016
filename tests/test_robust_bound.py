"""The bound from each future solved on its own (no shared design): a valid lower bound on the
robust plan's expected (or worst-case) cost, taken where it beats the robust search's bound."""

from __future__ import annotations

from dataclasses import replace

import pytest

from builders import tables, write
from optimizer.pipeline import load_futures
from optimizer.solving import robust as robust_module
from optimizer.solving.robust import (
    EXTENSIVE, FUTURES_ALONE, FutureResult, RobustOutcome, bound_without_shared_design, make_robust_plan,
    tighten_bound,
)
from optimizer.solving.solve import Outcome

FUTURES = [dict(scenario="base", probability=0.6), dict(scenario="dear-packs", probability=0.4)]


def _own(cost: float, bound: float | None, status: str = "feasible") -> Outcome:
    gap = None if bound is None else (cost - bound) / cost
    return Outcome(status, None, None, cost, bound, gap, [], 60.0, 0.001)


def _outcome(owns: list[Outcome], costs: list[float], probabilities=(0.6, 0.4), objective="expected",
             bound: float | None = None) -> RobustOutcome:
    futures = []
    for name, p, own, cost in zip(("base", "war"), probabilities, owns, costs):
        r = FutureResult(name, p, None, None, own)
        futures.append(r)
    expected = sum(p * c for p, c in zip(probabilities, costs))
    target = expected if objective == "expected" else max(costs)
    gap = None if bound is None else (target - bound) / target
    o = RobustOutcome("feasible", objective, expected, bound, gap, None, futures, [], 60.0, 0.001)
    # each future's cost under the robust design, as the evaluation would give it
    for r, c in zip(o.futures, costs):
        r.evaluation = type("E", (), {"total_cost_jpy": c})()
    return o


def test_expected_cost_bound_is_the_probability_weighted_own_bounds():
    o = _outcome([_own(100.0, 99.0), _own(200.0, 190.0)], [101.0, 201.0])
    assert bound_without_shared_design(o) == pytest.approx(0.6 * 99.0 + 0.4 * 190.0)


def test_worst_case_bound_is_the_largest_own_bound():
    o = _outcome([_own(100.0, 99.0), _own(200.0, 190.0)], [101.0, 201.0], objective="worst")
    assert bound_without_shared_design(o) == pytest.approx(190.0)


def test_no_bound_when_a_future_alone_proved_none():
    missing = _outcome([_own(100.0, 99.0), _own(200.0, None)], [101.0, 201.0])
    assert bound_without_shared_design(missing) is None
    assert bound_without_shared_design(_outcome([_own(100.0, 99.0), None], [101.0, 201.0])) is None
    # solved without a search (nothing to choose): its cost is exact
    exact = replace(_own(200.0, None, status="optimal"), gap=None)
    assert bound_without_shared_design(_outcome([_own(100.0, 99.0), exact], [101.0, 201.0])) == pytest.approx(
        0.6 * 99.0 + 0.4 * 200.0)


def test_tighten_takes_the_better_bound_and_proves_the_plan_within_the_target():
    o = _outcome([_own(100.0, 99.95), _own(200.0, 199.9)], [100.0, 200.0], bound=130.0)
    tighten_bound(o)
    assert o.best_bound_jpy == pytest.approx(0.6 * 99.95 + 0.4 * 199.9)
    assert o.gap == pytest.approx((140.0 - o.best_bound_jpy) / 140.0)
    assert o.bound_from == FUTURES_ALONE and o.status == "optimal"  # 0.06 % <= the 0.1 % target


def test_tighten_keeps_a_better_search_bound_and_an_unproven_status():
    o = _outcome([_own(100.0, 90.0), _own(200.0, 180.0)], [100.0, 200.0], bound=139.0)
    tighten_bound(o)
    assert o.best_bound_jpy == 139.0 and o.bound_from == EXTENSIVE and o.status == "feasible"
    o = _outcome([_own(100.0, 95.0), _own(200.0, 190.0)], [100.0, 200.0], bound=120.0)
    tighten_bound(o)
    assert o.best_bound_jpy == pytest.approx(133.0) and o.bound_from == FUTURES_ALONE
    assert o.status == "feasible" and o.gap == pytest.approx(7.0 / 140.0)


def test_a_robust_search_stopped_with_a_weak_bound_reports_the_futures_alone_bound(tmp_path, monkeypatch):
    """The robust search ends with a poor bound (as at a time limit on a large case): the plan's
    bound is then the futures-alone one, which stays below the cost, and the JSON says where it is from."""
    path = write(tables(futures=FUTURES), tmp_path / "wb.xlsx")
    _source, futures, _ = load_futures(path)
    proper = make_robust_plan(futures)
    assert proper.status == "optimal"
    real = robust_module.run_model

    def weak(*args, **kwargs):
        run = real(*args, **kwargs)
        return replace(run, optimal=False, dual_bound=0.5 * run.objective)

    monkeypatch.setattr(robust_module, "run_model", weak)
    weakened = make_robust_plan(futures)
    alone = sum(r.probability * r.own.best_bound_jpy for r in weakened.futures)
    assert weakened.expected_cost_jpy == pytest.approx(proper.expected_cost_jpy, rel=1e-9)
    assert weakened.bound_from == FUTURES_ALONE
    assert weakened.best_bound_jpy == pytest.approx(min(alone, weakened.expected_cost_jpy), rel=1e-12)
    assert 0.5 * weakened.expected_cost_jpy < weakened.best_bound_jpy <= weakened.expected_cost_jpy
    assert weakened.best_bound_jpy <= proper.expected_cost_jpy * (1 + 1e-9)
