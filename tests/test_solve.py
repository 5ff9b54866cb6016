"""Solving: statuses, the time limit keeping its plan, starting plans, and cost agreement."""

from __future__ import annotations

import pytest

import builders
from benchmarks.generate import make
from models.evaluate import evaluate
from optimizer.solving.highs_bridge import HighsRun, compile_model
from optimizer.pipeline import load_input
from optimizer.solving.solve import FEASIBLE, INFEASIBLE, OPTIMAL, make_plan
from optimizer.solving.start import first_plan
from models.build import PlatformModel


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    path = make("large", 1, tmp_path_factory.mktemp("bench") / "large.xlsx")
    return load_input(path, "base")[1]


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    path = make("medium", 1, tmp_path_factory.mktemp("bench") / "medium.xlsx")
    return load_input(path, "base")[1]


def test_a_time_limit_ends_with_the_best_plan_found_not_with_nothing(medium, monkeypatch):
    """medium: HiGHS has a plan within a second and needs about 19 s to prove it (large was
    used before, but its first plan comes near 10 s, so the fallback path could answer). The
    tree search is never judged stalled here (tests/test_polish.py covers that path)."""
    import optimizer.solving.polish as polish

    monkeypatch.setattr(polish, "STALL_FRACTION", 0.0)
    outcome = make_plan(medium, time_limit_s=5)
    assert outcome.status == FEASIBLE
    assert outcome.highs_status == "Time limit reached"
    assert outcome.plan is not None and outcome.plan.offered()
    if outcome.best_bound_jpy is not None:  # unknown when the limit struck before the first bound
        assert outcome.gap > 0 and outcome.best_bound_jpy < outcome.total_cost_jpy
    assert outcome.evaluation.violations == []
    assert outcome.warnings == [] and "start heuristic" not in outcome.seconds


def test_the_quick_plan_heuristic_obeys_every_rule(large):
    pm = PlatformModel(large)
    plan = first_plan(pm, compile_model(pm.m), budget=5)
    assert plan is not None
    assert evaluate(large, plan).violations == []


def test_a_limit_that_strikes_before_any_plan_still_ends_with_one(large, monkeypatch):
    """HiGHS stopped by its limit with no plan (simulated: on a quiet machine it rarely happens)
    but with a bound: the quick heuristic supplies a plan and the bound gives its gap."""
    import optimizer.solving.solve as solve

    def stopped(compiled, **_kw):
        return HighsRun("Time limit reached", False, False, False, None, 800_000.0, 0, 0.01, None, None)

    monkeypatch.setattr(solve, "run_highs", stopped)
    # 20 s gives the heuristic 5 s; it needs about 1.8 s on a quiet machine (2.5 s of a 10 s
    # limit failed once in a full run)
    outcome = make_plan(large, time_limit_s=20)
    assert outcome.status == FEASIBLE and outcome.plan is not None
    assert outcome.evaluation.violations == [] and outcome.warnings == []
    assert "start heuristic" in outcome.seconds
    assert outcome.best_bound_jpy == pytest.approx(8e11) and outcome.gap > 0


def test_a_start_plan_is_kept_when_the_search_has_no_time(tmp_path):
    inp = load_input(builders.write(builders.tables(), tmp_path / "wb.xlsx"), "base")[1]
    best = make_plan(inp)
    assert best.status == OPTIMAL
    again = make_plan(inp, start=best.plan, time_limit_s=1e-3)
    assert again.plan is not None
    assert again.total_cost_jpy == pytest.approx(best.total_cost_jpy, rel=1e-9)


def test_solver_cost_and_evaluated_cost_agree_at_the_optimum(tmp_path):
    inp = load_input(builders.write(builders.tables(), tmp_path / "wb.xlsx"), "base")[1]
    outcome = make_plan(inp)
    assert outcome.warnings == []
    assert outcome.gap == pytest.approx(0.0, abs=1e-9)


def test_an_infeasible_workbook_has_no_plan_and_says_why(tmp_path):
    variants = builders.tables()["variants"]
    variants[0]["range_target_km"] = 900  # must-offer H-hatch: no pack reaches 900 km
    inp = load_input(builders.write(builders.tables(variants=variants), tmp_path / "wb.xlsx"), "base")[1]
    outcome = make_plan(inp)
    assert outcome.status == INFEASIBLE and outcome.plan is None
    assert any("H-hatch" in text for text in outcome.conflicts)
