"""Solves side by side in threads (the own optima and bets of --robust): the same answers as one
after the other, in order, and a failure or Ctrl-C stops every solve still running."""

from __future__ import annotations

import time

import pytest

from benchmarks.generate import make
from models.build import PlatformModel
from optimizer.pipeline import load_input
from optimizer.solving import highs_bridge
from optimizer.solving.highs_bridge import compile_model, run_highs
from optimizer.solving.parallel import side_by_side
from optimizer.solving.solve import make_plan


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parallel")
    return [load_input(make("small", seed, folder / f"small{seed}.xlsx"), "base")[1] for seed in (1, 2, 3)]


def test_side_by_side_gives_each_solve_its_own_answer_in_order(inputs):
    alone = [make_plan(inp, time_limit_s=60, mip_rel_gap=0.0) for inp in inputs]
    together = side_by_side([lambda inp=inp: make_plan(inp, time_limit_s=60, mip_rel_gap=0.0) for inp in inputs])
    assert [o.status for o in together] == [o.status for o in alone] == ["optimal"] * 3
    assert [o.total_cost_jpy for o in together] == pytest.approx([o.total_cost_jpy for o in alone], rel=1e-9)
    assert len({o.total_cost_jpy for o in together}) == 3  # three different workbooks, kept apart


def test_a_failure_stops_the_solves_still_running(tmp_path):
    """A solve with a 120 s limit and no gap is cancelled when its neighbour fails (as on Ctrl-C):
    the call ends long before the limit, and the cancel flag is cleared for the next call."""
    inp = load_input(make("medium", 1, tmp_path / "medium.xlsx"), "base")[1]
    compiled = compile_model(PlatformModel(inp).m)

    def long_solve():
        return run_highs(compiled, time_limit_s=120, mip_rel_gap=0.0)

    def failing():
        time.sleep(1.0)
        raise KeyboardInterrupt

    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        side_by_side([long_solve, failing])
    assert time.perf_counter() - started < 60
    assert not highs_bridge.CANCEL.is_set()


def test_the_case_without_sharing_is_the_same_beside_the_plan_or_after_it(monkeypatch):
    """Two cores: the plan and the case without sharing solved side by side (the example: 5.2 ->
    3.8 s end to end); one core (a sweep's worker): one after the other, the baseline started from
    the plan. Both give the same proven figures."""
    from optimizer.cli import example_workbook
    from optimizer.pipeline import solve_case
    from optimizer.solving import parallel

    source, inp, _ = load_input(example_workbook(), "base")
    cases = {}
    for workers in (1, 2):
        monkeypatch.setattr(parallel, "SIDE_BY_SIDE", workers)
        cases[workers] = solve_case(source, inp)
    for case in cases.values():
        assert case.outcome.status == case.baseline.status == "optimal"
    assert cases[1].outcome.total_cost_jpy == pytest.approx(cases[2].outcome.total_cost_jpy, rel=1e-9)
    assert cases[1].baseline.total_cost_jpy == pytest.approx(cases[2].baseline.total_cost_jpy, rel=1e-4)
    assert cases[2].sharing_saving_jpy > 0
