"""One planning case end to end: workbook + scenario -> validated input -> plan, plus the same
case without cross-brand sharing (what sharing is worth, and the brands' stand-alone costs)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from models.data import PlanInput
from optimizer.problems import Problem
from optimizer.solving.case import Case, Source
from optimizer.workbook.scenarios import apply_scenario
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook
from optimizer.workbook.rows import record_rows


# The baseline without sharing gets what the main solve left of the time limit, but at least this
# share of it, so that a plan solve takes at most about 1.25 time limits.
BASELINE_SHARE = 0.25


def load_input(workbook: Path, scenario: str) -> tuple[Source, PlanInput, list[Problem]]:
    """Read, apply the scenario, validate. Raises InputError."""
    raw = read_workbook(workbook)
    applied = apply_scenario(raw, scenario)
    validated = validate(applied)
    return Source(Path(workbook), raw.sha256, scenario, record_rows(applied)), validated.plan_input, validated.warnings


def solve_case(
    source: Source,
    inp: PlanInput,
    *,
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
    sharing_baseline: bool = True,
    log: Callable[[str], None] = lambda _text: None,
    solver_log: Callable[[str], None] | None = None,
) -> Case:
    """Solve the case, its no-sharing baseline, and the analysis the report explains it with
    (marginal values and what-ifs re-solve small models, so they belong to solving)."""
    from optimizer.analysis.analyse import analyse
    from optimizer.solving.solve import FEASIBLE, OPTIMAL, make_plan

    outcome = make_plan(inp, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap, log=log, solver_log=solver_log)
    case = Case(source, inp, outcome)
    if sharing_baseline and outcome.status in (OPTIMAL, FEASIBLE):
        if not inp.settings.cross_brand_sharing:
            case.baseline = outcome
        else:
            limit = inp.settings.time_limit_s if time_limit_s is None else time_limit_s
            left = max(BASELINE_SHARE * limit, limit - sum(outcome.seconds.values()))
            log(f"solving the same case without cross-brand sharing (what sharing is worth; time limit {left:.3g} s)")
            alone = replace(inp, settings=replace(inp.settings, cross_brand_sharing=False))
            case.baseline = make_plan(
                alone, time_limit_s=left, mip_rel_gap=mip_rel_gap, log=log, solver_log=solver_log, start=outcome.plan
            )
    case.analysis = analyse(case)
    return case
