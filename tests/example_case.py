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
