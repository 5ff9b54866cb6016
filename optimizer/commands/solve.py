"""`plan solve`: one case (the base case or a scenario), or one design for every future
(`--robust`). Every destination is checked and the workbook validated before any solving."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from optimizer.commands.console import (
    EXIT_INPUT, EXIT_NO_PLAN, EXIT_PLAN, outputs_refused, report_error, report_problems, say,
)
from optimizer.problems import InputError
from optimizer.text import duration, share, yen


def solve_one(workbook, scenario, out, as_json, time_limit, gap, sharing_baseline, solver_log, emit) -> int:
    from optimizer.files import output_path
    from optimizer.pipeline import load_input, solve_case
    from optimizer.workbook.convert import clean_name
    from optimizer.workbook.scenarios import BASE, is_base

    scenario = BASE if is_base(scenario) else clean_name(scenario)  # the name the report is filed under
    out = output_path(out, f"{Path(workbook).stem}-{file_safe_name(scenario)}.xlsx")
    refused = outputs_refused([out], inputs=(Path(workbook),))
    try:
        say(f"reading {workbook}" + (f" (scenario {scenario})" if scenario != "base" else ""))
        source, inp, warnings = load_input(workbook, scenario)
    except InputError as err:
        report_error(err)
        return EXIT_INPUT
    if refused:
        return EXIT_INPUT
    # The solver stack (Pyomo, HiGHS) is imported only for a workbook worth solving.
    from optimizer.report.json_out import plan_json
    from optimizer.report import write_report
    from optimizer.solving.solve import FEASIBLE, OPTIMAL
    report_problems(warnings, warnings=True)

    from optimizer.clock import Deadline

    case = solve_case(
        source, inp, time_limit_s=time_limit, mip_rel_gap=gap, sharing_baseline=sharing_baseline,
        log=say, solver_log=say if solver_log else None,
        # from the command's start
        deadline=Deadline(time_limit if time_limit is not None else inp.settings.time_limit_s),
    )
    _say_outcome(case, inp)

    found = case.outcome.status in (OPTIMAL, FEASIBLE)
    return _write_and_print(
        lambda: write_report(out, case), lambda report: plan_json(case, report), found, as_json, emit
    )


def _say_outcome(case, inp) -> None:
    """What the planner reads on standard error once the case is solved: its warnings, then the
    plan's cost and what sharing saves, or why there is no plan."""
    from optimizer.solving.solve import OPTIMAL

    outcome = case.outcome
    baseline_warnings = (
        case.baseline.warnings if case.baseline is not None and case.baseline is not outcome else []
    )
    for w in outcome.warnings + baseline_warnings:
        say(f"warning: {w}")
    if outcome.total_cost_jpy is not None:
        search = outcome.seconds.get("local search")
        say(
            f"{outcome.status}: total cost {yen(outcome.total_cost_jpy)}, gap {share(outcome.gap)}, "
            f"{len(outcome.plan.offered())} of {len(inp.variants)} variants offered "
            f"(solver {duration(outcome.seconds.get('solve', 0))}, {outcome.nodes:,} nodes"
            + (f", then local search {duration(search)})" if search is not None else ")")
        )
        if case.sharing_saving_jpy is not None and case.baseline.total_cost_jpy:
            alone = case.baseline.total_cost_jpy
            caveat = "" if case.baseline.status == OPTIMAL else (
                f"; that case stopped at its time limit, {share(case.baseline.gap)} from proven optimal"
            )
            say(f"cross-brand sharing saves {yen(case.sharing_saving_jpy)} "
                f"({share(case.sharing_saving_jpy / alone)} of {yen(alone)} without it{caveat})")
    else:
        say(f"{outcome.status}: no plan")
        for text in outcome.conflicts:
            say(f"  - {text}")
        if outcome.diagnosis is not None and outcome.diagnosis.summary():
            say(outcome.diagnosis.summary())


def solve_robust(workbook, out, as_json, time_limit, gap, worst_case, solver_log, emit) -> int:
    """--robust: every future validated and the report's destination checked first (exit 2 if
    anything is wrong), then one design for all of them."""
    from optimizer.files import output_path
    from optimizer.pipeline import load_futures, solve_robust_case

    out = output_path(out, f"{Path(workbook).stem}-robust.xlsx")
    refused = outputs_refused([out], inputs=(Path(workbook),))
    try:
        say(f"reading {workbook} and its futures")
        source, futures, warnings = load_futures(workbook)
    except InputError as err:
        report_error(err)
        return EXIT_INPUT
    if refused:
        return EXIT_INPUT
    from optimizer.report.json_out import robust_json
    from optimizer.report.robust import write_robust_report
    from optimizer.solving.solve import FEASIBLE, OPTIMAL

    report_problems(warnings, warnings=True)
    say("futures: " + ", ".join(f"{f.name} ({share(f.probability)})" for f in futures))
    from optimizer.clock import Deadline

    limit = time_limit if time_limit is not None else futures[0].inp.settings.time_limit_s
    case = solve_robust_case(source, futures, worst_case=worst_case, time_limit_s=time_limit,
                             mip_rel_gap=gap, log=say, solver_log=say if solver_log else None,
                             deadline=Deadline(limit))
    o = case.outcome
    for w in o.warnings:
        say(f"warning: {w}")
    if o.expected_cost_jpy is not None:
        say(f"{o.status}: expected total cost {yen(o.expected_cost_jpy)}, gap {share(o.gap)}; "
            + "; ".join(f"{r.name} {yen(r.cost_jpy)}" for r in o.futures))
        if o.evpi_jpy is not None:
            say(f"knowing the future in advance would be worth {yen(o.evpi_jpy)} (EVPI)")
    else:
        say(f"{o.status}: no plan serves every future")
        for text in o.conflicts:
            say(f"  - {text}")
    found = o.status in (OPTIMAL, FEASIBLE)
    return _write_and_print(lambda: write_robust_report(out, case),
                            lambda report: robust_json(case, report), found, as_json, emit)


def _write_and_print(write: Callable[[], Path], as_object: Callable[[str | None], dict], found: bool,
                     as_json: bool, emit) -> int:
    """Write the report, print the JSON object when asked (with the report's path, or null when
    it could not be written), and give the exit status."""
    from optimizer.report.json_out import dumps

    code = EXIT_PLAN if found else EXIT_NO_PLAN
    report: str | None = None
    try:
        report = str(write())
        say(f"report: {report}")
    except InputError as err:
        report_error(err)
        code = EXIT_INPUT
    if as_json:
        emit(dumps(as_object(report)))
    return code


def file_safe_name(name: str) -> str:
    from optimizer.sweeps.batch import file_safe

    return file_safe(name)
