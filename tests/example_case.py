"""The bundled example, solved once per test process (with its no-sharing baseline) for the
analysis and report tests. The example may change; tests check properties, not numbers."""

from __future__ import annotations

import functools
from pathlib import Path

from optimizer.analysis.analyse import CaseAnalysis, analyse
from optimizer.pipeline import Case, load_input, solve_case

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "kei-jv.xlsx"


@functools.lru_cache(maxsize=None)
def example_case() -> Case:
    source, inp, _warnings = load_input(EXAMPLE, "base")
    case = solve_case(source, inp)
    assert case.outcome.plan is not None and case.baseline is not None
    return case


@functools.lru_cache(maxsize=None)
def example_analysis() -> CaseAnalysis:
    return analyse(example_case())


@functools.lru_cache(maxsize=None)
def example_report():
    from optimizer.report import build_report

    return build_report(example_case(), analysis=example_analysis())


@functools.lru_cache(maxsize=None)
def unproven_case() -> Case:
    """The example as if both solves had stopped at their time limit: the plan stopped 1 % and
    the plan without sharing 10 % from proven (the plans are the example's; only the proof is
    taken away, so the test does not depend on how fast the machine is)."""
    from dataclasses import replace

    c = example_case()
    o = replace(c.outcome, status="feasible", best_bound_jpy=c.outcome.total_cost_jpy * 0.99, gap=0.01)
    alone = replace(c.baseline, status="feasible", best_bound_jpy=c.baseline.total_cost_jpy * 0.9, gap=0.1)
    case = replace(c, outcome=o, baseline=alone)
    case.analysis = analyse(case, what_ifs=False)
    return case


@functools.lru_cache(maxsize=None)
def example_robust_case():
    """`plan solve --robust` on the bundled example (its futures sheet), solved once per process.
    Its own optima and bets are time-limited solves: tests check how they are reported, not whether
    they were proven on this machine."""
    from optimizer.pipeline import load_futures, solve_robust_case

    source, futures, _warnings = load_futures(EXAMPLE)
    case = solve_robust_case(source, futures)
    assert case.outcome.expected_cost_jpy is not None
    return case
