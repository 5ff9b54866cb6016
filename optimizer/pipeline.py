"""One planning case end to end: workbook + scenario -> validated input -> plan, plus the same
case without cross-brand sharing (what sharing is worth, and the brands' stand-alone costs)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from models.data import Future, PlanInput
from optimizer.clock import REPORT_RESERVE_S, Deadline
from optimizer.problems import InputError, Problem
from optimizer.solving.case import Case, Source
from optimizer.text import duration
from optimizer.workbook.convert import clean_name
from optimizer.workbook.scenarios import BASE, apply_scenario, is_base, other_rows_problems
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook
from optimizer.workbook.rows import merged_rows, record_rows

if TYPE_CHECKING:  # the solver stack is imported only when a case is solved
    from optimizer.solving.robust import RobustOutcome


# Shares of the time limit kept from the main solve: for the case without sharing when it runs after
# the plan (one core; it starts from the main plan, so it has one however short its limit), and
# for the analysis (capped: it needs a few seconds on the largest workbooks; more only buys more
# what-if re-solves).
BASELINE_SHARE = 0.2
ANALYSIS_SHARE, ANALYSIS_MAX_S = 0.1, 4.0
MIN_SOLVE_S = 1e-3  # a solve always gets a moment, however little the time limit leaves


def load_input(workbook: Path, scenario: str) -> tuple[Source, PlanInput, list[Problem]]:
    """Read, apply the scenario, validate. Raises InputError. The warnings include the scenarios
    sheet's rows this case does not apply but that cannot be applied (they would fail another
    run)."""
    raw = read_workbook(workbook)
    scenario = BASE if is_base(scenario) else clean_name(scenario)
    applied = apply_scenario(raw, scenario)
    validated = validate(applied)
    warnings = validated.warnings + [
        p for p in other_rows_problems(raw, scenario) if p not in validated.warnings
    ]
    return (
        Source(Path(workbook), raw.sha256, scenario, record_rows(applied)), validated.plan_input, warnings
    )


def solve_case(
    source: Source,
    inp: PlanInput,
    *,
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
    sharing_baseline: bool = True,
    log: Callable[[str], None] = lambda _text: None,
    solver_log: Callable[[str], None] | None = None,
    deadline: Deadline | None = None,
) -> Case:
    """Solve the case, its no-sharing baseline, and the analysis the report explains it with
    (marginal values and what-ifs re-solve small models, so they belong to solving), all within the
    time limit: `deadline` is the command's (started with it), else the limit counts from now.

    With two cores the plan and the baseline are solved side by side, each until the time the
    analysis and the report keep; with one (a sweep's worker) the plan keeps a share for the
    baseline, which then starts from it. The analysis gets what is left and skips what does not
    fit."""
    from optimizer.analysis.analyse import analyse
    from optimizer.solving.parallel import workers_here
    from optimizer.solving.solve import FEASIBLE, OPTIMAL, make_plan

    limit = inp.settings.time_limit_s if time_limit_s is None else time_limit_s
    deadline = deadline or Deadline.from_now(limit)
    analysis = min(ANALYSIS_MAX_S, ANALYSIS_SHARE * limit)
    log(f"time limit {duration(limit)}, "
        f"gap {inp.settings.mip_rel_gap if mip_rel_gap is None else mip_rel_gap:g} "
        "(every phase included: the plan, the case without sharing, the analysis and the report)")
    solve = partial(make_plan, mip_rel_gap=mip_rel_gap, log=log, solver_log=solver_log)
    wanted = sharing_baseline and inp.settings.cross_brand_sharing
    if wanted and workers_here() > 1:
        case = _side_by_side(source, inp, solve, deadline, analysis, log)
    else:
        case = _one_after_the_other(source, inp, solve, deadline, limit, analysis, wanted, log)
    # the command's limit, which the report states; the solve had its share
    case.outcome.time_limit_s = limit
    if not sharing_baseline or case.outcome.status not in (OPTIMAL, FEASIBLE):
        case.baseline = None
    elif not inp.settings.cross_brand_sharing:
        case.baseline = case.outcome
    case.analysis = analyse(case, seconds=deadline.left(REPORT_RESERVE_S))
    return case


def _without_sharing(inp: PlanInput) -> PlanInput:
    return replace(inp, settings=replace(inp.settings, cross_brand_sharing=False))


def _side_by_side(source: Source, inp: PlanInput, solve: Callable, deadline: Deadline, analysis: float,
                  log: Callable[[str], None]) -> Case:
    """The plan and the case without sharing solved at once, each on a core, each until the time
    the analysis and the report leave. The baseline has no plan to start from; when HiGHS finds
    none in time, make_plan's fallback heuristic gives one."""
    from optimizer.solving.parallel import side_by_side

    left = max(MIN_SOLVE_S, deadline.left(REPORT_RESERVE_S + analysis))
    log("solving the plan and, beside it, the same case without cross-brand sharing "
        "(what sharing is worth)")
    quiet = partial(solve, log=lambda text: log(f"without sharing: {text}"), solver_log=None)
    outcome, baseline = side_by_side([partial(solve, inp, time_limit_s=left, spare_s=analysis),
                                      partial(quiet, _without_sharing(inp), time_limit_s=left)])
    return Case(source, inp, outcome, baseline=baseline)


def _one_after_the_other(source: Source, inp: PlanInput, solve: Callable, deadline: Deadline,
                         limit: float, analysis: float, wanted: bool,
                         log: Callable[[str], None]) -> Case:
    """One core (a sweep's worker): the plan, then the case without sharing started from it (so it
    has a plan however short its share of the limit)."""
    from optimizer.solving.solve import FEASIBLE, OPTIMAL

    keep = REPORT_RESERVE_S + analysis + (BASELINE_SHARE * limit if wanted else 0.0)
    # without a plan there is no baseline or analysis to do: their time goes to the fallback heuristic
    case = Case(source, inp, solve(inp, time_limit_s=max(MIN_SOLVE_S, deadline.left(keep)),
                                   spare_s=keep - REPORT_RESERVE_S))
    if not wanted or case.outcome.status not in (OPTIMAL, FEASIBLE):
        return case
    left = deadline.left(REPORT_RESERVE_S + analysis)
    if left < MIN_SOLVE_S:
        case.outcome.warnings.append(
            "The case without cross-brand sharing was not solved: the time limit was "
            "spent (raise --time-limit to state what sharing is worth)."
        )
        return case
    log("solving the same case without cross-brand sharing "
        f"(what sharing is worth; time limit {duration(left)})")
    case.baseline = solve(_without_sharing(inp), time_limit_s=left, start=case.outcome.plan)
    return case


# ---------------------------------------------------------------------------- several futures
@dataclass
class RobustCase:
    """`plan solve --robust`: the futures sheet's futures and one plan for all of them."""

    source: Source
    futures: list[Future]
    outcome: RobustOutcome
    warnings: list[Problem] = field(default_factory=list)


def load_futures(workbook: Path) -> tuple[Source, list[Future], list[Problem]]:
    """Read the workbook, then each future of its futures sheet: the workbook under that scenario,
    validated. Raises InputError listing every problem of every future."""
    raw = read_workbook(workbook)
    validated = validate(raw)
    if not validated.futures:
        raise InputError([Problem(
            "futures", None, None, None,
            "plan solve --robust needs a futures sheet, and this workbook has none",
            "Add a sheet 'futures' with columns scenario and probability "
            "(base and scenarios of the scenarios sheet).",
        )])
    futures: list[Future] = []
    problems: list[Problem] = []
    applied = []
    for name, probability in validated.futures:
        try:
            applied.append(raw if name == "base" else apply_scenario(raw, name))
            inp = validated.plan_input if name == "base" else validate(applied[-1]).plan_input
        except InputError as err:
            problems += [p for p in err.problems if p not in problems]
            continue
        futures.append(Future(name, probability, inp))
    problems += same_names(futures)
    if problems:
        raise InputError(problems)
    unused = [
        p for p in other_rows_problems(raw, tuple(n for n, _p in validated.futures))
        if p not in validated.warnings
    ]
    return (
        Source(Path(workbook), raw.sha256, "robust", merged_rows(applied)), futures,
        validated.warnings + unused,
    )


def same_names(futures: list[Future]) -> list[Problem]:
    """One design must mean the same in every future: the same variants (brand, body style),
    categories, options, packs, plants and years; a scenario may change values, not names."""
    def names(inp: PlanInput) -> dict[str, tuple]:
        return {
            "variants": tuple((v.name, v.brand, v.body_style) for v in inp.variants),
            "categories": tuple(c.name for c in inp.categories),
            "parts": tuple(p.key for p in inp.parts),
            "packs": tuple(p.name for p in inp.packs),
            "plants": tuple(k.name for k in inp.plants),
            "years": tuple(y.name for y in inp.years),
        }

    base = names(futures[0].inp) if futures else {}
    out = []
    for f in futures[1:]:
        for sheet, these in names(f.inp).items():
            if these != base[sheet]:
                out.append(Problem(
                    "scenarios", None, "scenario", f.name,
                    f"future {f.name} changes the names on the {sheet} sheet; "
                    "one design must mean the same in every future",
                    "A scenario of the futures sheet may change values, not the names of variants, "
                    "brands, body styles, categories, options, packs, plants or years.",
                ))
    return out


def solve_robust_case(source: Source, futures: list[Future], *, worst_case: bool = False,
                      time_limit_s: float | None = None, mip_rel_gap: float | None = None,
                      log: Callable[[str], None] = lambda _text: None,
                      solver_log: Callable[[str], None] | None = None,
                      deadline: Deadline | None = None) -> RobustCase:
    """One design for every future, each future's own optimum and the regret matrix, within the
    time limit (`deadline`: the command's, else counted from now; the report keeps its reserve)."""
    from optimizer.solving.robust import make_robust_plan

    limit = futures[0].inp.settings.time_limit_s if time_limit_s is None else time_limit_s
    deadline = deadline or Deadline.from_now(limit)
    outcome = make_robust_plan(futures, objective="worst" if worst_case else "expected",
                               time_limit_s=max(MIN_SOLVE_S, deadline.left(REPORT_RESERVE_S)),
                               mip_rel_gap=mip_rel_gap, log=log, solver_log=solver_log)
    return RobustCase(source, futures, outcome)
