"""`plan`: solve, sweep, compare, validate and template commands.

Standard output carries only what a command promises (the JSON object with --json);
progress, warnings and the solver's summary go to standard error. Exit status: 0 a plan
was found, 1 no plan exists, 2 the workbook or the command is wrong, 130 interrupted (Ctrl-C);
with --all-scenarios also 3 a solver process failed (a fault in plan).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from importlib import resources
from pathlib import Path

import click

from optimizer.problems import InputError, Problem
from optimizer.streams import ensure_standard_streams, stdout_reserved
from optimizer.text import duration, share, yen

EXIT_PLAN, EXIT_NO_PLAN, EXIT_INPUT = 0, 1, 2


def example_workbook() -> Path:
    """The bundled example. Looked for on the package's own path first: `importlib.resources`
    raises on a namespace package installed in editable mode (setuptools' path-hook entry is not a
    folder), and a planner must never see that traceback."""
    import inputs

    for folder in getattr(inputs, "__path__", []):
        candidate = Path(folder) / "kei-jv.xlsx"
        if candidate.is_file():
            return candidate
    return Path(str(resources.files("inputs").joinpath("kei-jv.xlsx")))


def say(text: str) -> None:
    click.echo(text, err=True)


def report_problems(problems: list[Problem], warnings: bool = False, about: str = "input") -> None:
    if warnings:
        for p in problems:
            say(f"warning: {p}")
        return
    where = "in the input" if about == "input" else f"with the {about}"
    say(f"plan: {len(problems)} problem{'s' if len(problems) != 1 else ''} {where}:")
    for p in problems:
        say(f"  - {p}")


def report_error(err: InputError) -> None:
    report_problems(err.problems, about=err.about)


class Finite(click.ParamType):
    """A finite number above `minimum` (or at it, when `inclusive`): nan and inf are refused,
    which click's FloatRange lets through (nan compares false with every bound)."""

    name = "number"

    def __init__(self, minimum: float, inclusive: bool, what: str) -> None:
        self.minimum, self.inclusive, self.what = minimum, inclusive, what

    def convert(self, value, param, ctx) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number; expected {self.what}", param, ctx)
        low = number < self.minimum if self.inclusive else number <= self.minimum
        if not math.isfinite(number) or low:
            self.fail(f"{value!r} is not {self.what}", param, ctx)
        return number


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kei-plan")
def main() -> None:
    """Plan a shared kei EV platform from the planners' workbook."""
    ensure_standard_streams()


@main.command()
@click.argument("workbook", required=False, type=click.Path(path_type=Path, dir_okay=True))
@click.option("--scenario", default="base", show_default=True, help="Apply this scenario of the scenarios sheet.")
@click.option("--out", type=click.Path(), help="Report file (.xlsx), or a folder to put it in (an existing one, or any path ending in /) [default: reports/<workbook>-<scenario>.xlsx].")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON on standard output.")
@click.option("--time-limit", type=Finite(0, False, "a number of seconds above 0"), help="Solver time limit in seconds (overrides time_limit_s).")
@click.option("--gap", type=Finite(0, True, "a relative gap of 0 or more (0.01 = 1 %)"), help="Relative optimality gap (overrides mip_rel_gap).")
@click.option("--no-sharing-baseline", is_flag=True, help="Skip solving the case without cross-brand sharing.")
@click.option("--solver-log", is_flag=True, help="Stream HiGHS's log to standard error.")
@click.option("--all-scenarios", is_flag=True, help="Solve the base case and every scenario, one report each, then write the comparison workbook (--out names it, or the folder for all of them).")
@click.option("--jobs", type=click.IntRange(min=1), help="With --all-scenarios: cases solved in parallel processes [default: the number of cores].")
@click.option("--scheduler", metavar="ADDRESS", help="With --all-scenarios: solve on the Dask cluster whose scheduler is at ADDRESS [default: $DASK_SCHEDULER_ADDRESS, else local processes].")
@click.option("--robust", is_flag=True, help="One design for every future of the futures sheet, at the least expected cost; with each future's own optimum and the regret matrix.")
@click.option("--worst-case", is_flag=True, help="With --robust: minimise the largest cost over the futures instead of the expected cost.")
def solve(workbook: Path | None, scenario: str, out: str | None, as_json: bool, time_limit: float | None, gap: float | None, no_sharing_baseline: bool, solver_log: bool, all_scenarios: bool, jobs: int | None, scheduler: str | None, robust: bool, worst_case: bool) -> None:
    """Find the cheapest plan for WORKBOOK (default: the bundled example) and write its report."""
    workbook = workbook or example_workbook()
    scenario_given = click.get_current_context().get_parameter_source("scenario") != click.core.ParameterSource.DEFAULT
    if robust and (scenario_given or all_scenarios):
        raise click.UsageError("--robust plans for every future of the futures sheet; it excludes --scenario and --all-scenarios.")
    if worst_case and not robust:
        raise click.UsageError("--worst-case applies to --robust only.")
    if all_scenarios and scenario_given:
        raise click.UsageError("--scenario and --all-scenarios exclude each other: --all-scenarios solves the base case and every scenario.")
    if jobs is not None and not all_scenarios:
        raise click.UsageError("--jobs applies to --all-scenarios only.")
    if scheduler is not None and not all_scenarios:
        raise click.UsageError("--scheduler applies to --all-scenarios only.")
    if scheduler is not None and jobs is not None:
        raise click.UsageError("--jobs and --scheduler exclude each other: --jobs starts local processes, --scheduler uses a cluster's workers.")
    with stdout_reserved() if as_json else contextlib.nullcontext(click.echo) as emit:
        if all_scenarios:
            try:
                code = _solve_all(workbook, out, as_json, time_limit, gap, not no_sharing_baseline, solver_log, jobs, scheduler, emit)
            except KeyboardInterrupt:  # while reading: nothing written yet (later, _solve_all says what was)
                say("interrupted: nothing written")
                code = EXIT_INTERRUPTED
        elif robust:
            try:
                code = _solve_robust(workbook, out, as_json, time_limit, gap, worst_case, solver_log, emit)
            except KeyboardInterrupt:
                say("interrupted: no report written (a report already at that path is unchanged)")
                code = EXIT_INTERRUPTED
        else:
            try:
                code = _solve(workbook, scenario, out, as_json, time_limit, gap, not no_sharing_baseline, solver_log, emit)
            except KeyboardInterrupt:  # Ctrl-C: nothing written, an earlier report left as it was
                say("interrupted: no report written (a report already at that path is unchanged)")
                code = EXIT_INTERRUPTED
    sys.exit(EXIT_INPUT if getattr(emit, "failed", False) and code == EXIT_PLAN else code)


def _outputs_refused(paths: list[Path], inputs: tuple[Path, ...]) -> bool:
    """Check every destination before any work; report what is wrong (True) or nothing."""
    from optimizer.files import check_outputs

    try:
        check_outputs(paths, inputs)
    except InputError as err:
        report_error(err)
        return True
    return False


def _solve(workbook, scenario, out, as_json, time_limit, gap, sharing_baseline, solver_log, emit) -> int:
    from optimizer.files import output_path
    from optimizer.pipeline import load_input, solve_case
    from optimizer.workbook.convert import clean_name
    from optimizer.workbook.scenarios import BASE, is_base

    scenario = BASE if is_base(scenario) else clean_name(scenario)  # the name the report is filed under
    out = output_path(out, f"{Path(workbook).stem}-{_file_safe(scenario)}.xlsx")
    refused = _outputs_refused([out], inputs=(Path(workbook),))
    try:
        say(f"reading {workbook}" + (f" (scenario {scenario})" if scenario != "base" else ""))
        source, inp, warnings = load_input(workbook, scenario)
    except InputError as err:
        report_error(err)
        return EXIT_INPUT
    if refused:
        return EXIT_INPUT
    # The solver stack (Pyomo, HiGHS) is imported only for a workbook worth solving.
    from optimizer.report.json_out import dumps, plan_json
    from optimizer.report import write_report
    from optimizer.solving.solve import FEASIBLE, OPTIMAL
    report_problems(warnings, warnings=True)

    from optimizer.clock import Deadline

    case = solve_case(
        source, inp, time_limit_s=time_limit, mip_rel_gap=gap, sharing_baseline=sharing_baseline,
        log=say, solver_log=say if solver_log else None,
        deadline=Deadline(time_limit if time_limit is not None else inp.settings.time_limit_s),  # from the command's start
    )
    outcome = case.outcome
    baseline_warnings = case.baseline.warnings if case.baseline is not None and case.baseline is not outcome else []
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
            caveat = "" if case.baseline.status == OPTIMAL else f"; that case stopped at its time limit, {share(case.baseline.gap)} from proven optimal"
            say(f"cross-brand sharing saves {yen(case.sharing_saving_jpy)} ({share(case.sharing_saving_jpy / alone)} of {yen(alone)} without it{caveat})")
    else:
        say(f"{outcome.status}: no plan")
        for text in outcome.conflicts:
            say(f"  - {text}")
        if outcome.diagnosis is not None and outcome.diagnosis.summary():
            say(outcome.diagnosis.summary())

    code = EXIT_PLAN if outcome.status in (OPTIMAL, FEASIBLE) else EXIT_NO_PLAN
    report: str | None = None
    try:
        report = str(write_report(out, case))
        say(f"report: {report}")
    except InputError as err:
        report_error(err)
        code = EXIT_INPUT
    if as_json:
        emit(dumps(plan_json(case, report)))
    return code


def _solve_robust(workbook, out, as_json, time_limit, gap, worst_case, solver_log, emit) -> int:
    """--robust: every future validated and the report's destination checked first (exit 2 if
    anything is wrong), then one design for all of them."""
    from optimizer.files import output_path
    from optimizer.pipeline import load_futures, solve_robust_case

    out = output_path(out, f"{Path(workbook).stem}-robust.xlsx")
    refused = _outputs_refused([out], inputs=(Path(workbook),))
    try:
        say(f"reading {workbook} and its futures")
        source, futures, warnings = load_futures(workbook)
    except InputError as err:
        report_error(err)
        return EXIT_INPUT
    if refused:
        return EXIT_INPUT
    from optimizer.report.json_out import dumps, robust_json
    from optimizer.report.robust import write_robust_report
    from optimizer.solving.solve import FEASIBLE, OPTIMAL

    report_problems(warnings, warnings=True)
    say("futures: " + ", ".join(f"{f.name} ({share(f.probability)})" for f in futures))
    from optimizer.clock import Deadline

    limit = time_limit if time_limit is not None else futures[0].inp.settings.time_limit_s
    case = solve_robust_case(source, futures, worst_case=worst_case, time_limit_s=time_limit, mip_rel_gap=gap,
                             log=say, solver_log=say if solver_log else None, deadline=Deadline(limit))
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
    code = EXIT_PLAN if o.status in (OPTIMAL, FEASIBLE) else EXIT_NO_PLAN
    report: str | None = None
    try:
        report = str(write_robust_report(out, case))
        say(f"report: {report}")
    except InputError as err:
        report_error(err)
        code = EXIT_INPUT
    if as_json:
        emit(dumps(robust_json(case, report)))
    return code


def _file_safe(name: str) -> str:
    from optimizer.sweeps.batch import file_safe

    return file_safe(name)


EXIT_INTERRUPTED, EXIT_FAULT, EXIT_TERMINATED = 130, 3, 143


def _solve_all(workbook, out, as_json, time_limit, gap, sharing_baseline, solver_log, jobs, scheduler, emit) -> int:
    """--all-scenarios: validate every case and check every destination first (exit 2, nothing
    written, if any is wrong), then solve them in parallel, and write the reports and the
    comparison all together at the end: all of them, or none."""
    from optimizer.files import output_path, save_all_atomically
    from optimizer.sweeps import require_engine
    from optimizer.sweeps.batch import BatchError, Task, default_jobs, prepare_all, report_paths, run_tasks

    try:
        require_engine("--all-scenarios")
    except InputError as err:
        report_problems(err.problems)
        return EXIT_INPUT
    scheduler = _scheduler(scheduler) if jobs is None else None  # --jobs: local, whatever the environment says
    stem = Path(workbook).stem
    comparison_path = output_path(out, f"{stem}-comparison.xlsx")
    refused = _outputs_refused([comparison_path], inputs=(Path(workbook),))
    try:
        say(f"reading {workbook}")
        cases = prepare_all(workbook)
    except InputError as err:
        report_error(err)
        return EXIT_INPUT
    names = [c.source.scenario for c in cases]
    paths = report_paths(comparison_path.parent, stem, names, taken=(comparison_path,))
    if refused or _outputs_refused(list(paths.values()), inputs=(Path(workbook),)):
        return EXIT_INPUT
    shown: list[Problem] = []
    for c in cases:
        fresh = [w for w in c.warnings if w not in shown]
        shown += fresh
        for w in fresh:
            say(f"warning{'' if c.source.scenario == 'base' else f' (scenario {c.source.scenario})'}: {w}")

    # Needed only once every case is solved, and slow to import (the report package): imported
    # meanwhile, off the critical path.
    _import_in_background("optimizer.report.json_out", "optimizer.report.compare", "optimizer.report.comparison")
    jobs = min(jobs or default_jobs(), len(cases))
    total = len(cases)
    tasks = [
        Task(i, total, c.source, c.plan_input, paths[c.source.scenario], time_limit, gap, sharing_baseline, solver_log)
        for i, c in enumerate(cases)
    ]
    where = f"on the Dask cluster at {scheduler}" if scheduler else f"with {'1 process' if jobs == 1 else f'{jobs} parallel processes'}"
    say(f"solving {total} case{'s' if total != 1 else ''} (base + {total - 1} scenario{'s' if total != 2 else ''}) {where}")
    done: list = []  # results of the cases solved, their reports still in memory

    def started(task) -> None:
        say(f"[{task.index + 1}/{total}] {task.scenario}: solving")

    def finished(task, result) -> None:
        done.append(result)
        k = result.kpis
        cost = f"total cost {yen(k['total_cost_jpy'])}" if k["total_cost_jpy"] is not None else "no plan"
        saving = f", sharing saves {yen(k['sharing_saving_jpy'])}" if k.get("sharing_saving_jpy") is not None else ""
        say(f"[{task.index + 1}/{total}] {task.scenario}: {k['status']}, {cost}{saving} ({duration(result.seconds)}; {len(done)} of {total} done)")
        for w in result.warnings:
            say(f"warning (scenario {task.scenario}): {w}")

    def write_done() -> list[Path]:
        """The reports of the cases solved so far, all or none (on Ctrl-C or a failed worker)."""
        try:
            files = [(r.report, r.report_bytes) for r in sorted(done, key=lambda r: r.index)]
            return save_all_atomically(files, inputs=(Path(workbook),))
        except InputError as err:
            report_error(err)
            return []

    try:
        results = run_tasks(tasks, jobs, started=started, finished=finished, scheduler=scheduler)
        from optimizer.files import rendered
        from optimizer.report.compare import cases_from, compare
        from optimizer.report.json_out import dumps
        from optimizer.report.comparison import build_comparison
        from optimizer.solving.solve import FEASIBLE, OPTIMAL

        cmp = compare(cases_from([r.embedded for r in results], [str(r.report) for r in results]))
        files = [(r.report, r.report_bytes) for r in results]
        files.append((comparison_path, rendered(build_comparison(cmp).save, comparison_path)))
        written = save_all_atomically(files, inputs=(Path(workbook),))
    except InputError as err:
        report_error(err)
        say("nothing written: the reports and the comparison are written all together or not at all")
        return EXIT_INPUT
    except BatchError as err:
        kept = write_done()
        say(f"plan: {err}" + (f" ({', '.join(map(str, kept))})" if kept else ""))
        return EXIT_FAULT
    except KeyboardInterrupt as stop:
        kept = write_done()
        listed = f" ({', '.join(map(str, kept))})" if kept else ""
        say(f"{_stopped(stop)}: {len(kept)} of {total} reports written, no comparison{listed}")
        return _interrupted(stop)
    for path in written[:-1]:
        say(f"report: {path}")
    say(f"comparison: {written[-1]}")
    if as_json:
        emit(dumps({"scenarios": {r.scenario: r.plan for r in results}, "comparison": str(written[-1])}))
    return EXIT_PLAN if all(r.kpis["status"] in (OPTIMAL, FEASIBLE) for r in results) else EXIT_NO_PLAN


def _scheduler(option: str | None) -> str | None:
    """--scheduler, else $DASK_SCHEDULER_ADDRESS (read without importing Dask)."""
    return option or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def _stopped(stop: KeyboardInterrupt) -> str:
    return "terminated (SIGTERM)" if type(stop).__name__ == "Terminated" else "interrupted"


def _interrupted(stop: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM (the shell's 128 + signal number)."""
    return EXIT_TERMINATED if type(stop).__name__ == "Terminated" else EXIT_INTERRUPTED


def _import_in_background(*modules: str) -> None:
    import importlib
    import threading

    threading.Thread(target=lambda: [importlib.import_module(m) for m in modules], daemon=True).start()


@main.command()
@click.argument("workbook", required=False, type=click.Path(path_type=Path, dir_okay=True))
@click.option("--samples", type=click.IntRange(min=1), help="Monte Carlo: solve this many samples, every range drawn together [default: a tornado, each range at its low and its high].")
@click.option("--seed", type=click.IntRange(min=0), help="With --samples: the random seed; the same seed gives the same samples [default: 0].")
@click.option("--design", "design", type=click.Path(path_type=Path), metavar="REPORT.xlsx", help="Keep the design of this report (plan solve or plan solve --robust) in every case: offers, options, packs, launch years; units, plants and lines re-planned.")
@click.option("--pareto", metavar="commonality|range:VARIANT", help="A Pareto front instead: cost against the developments of options and packs, or against VARIANT's range target, by epsilon-constraint.")
@click.option("--scenario", default="base", show_default=True, help="Sweep around this scenario of the scenarios sheet.")
@click.option("--out", type=click.Path(), help="Sweep workbook (.xlsx), or a folder for it [default: reports/<workbook>-tornado.xlsx, -monte-carlo.xlsx or -pareto-<front>.xlsx].")
@click.option("--results", type=click.Path(path_type=Path), help="Results file (CSV), one line per finished case [default: the sweep workbook's name with .csv].")
@click.option("--resume", is_flag=True, help="Keep the cases already in the results file and solve only the others.")
@click.option("--jobs", type=click.IntRange(min=1), help="Cases solved at once, each in its own local process [default: the number of cores].")
@click.option("--scheduler", metavar="ADDRESS", help="Solve on the Dask cluster whose scheduler is at ADDRESS [default: $DASK_SCHEDULER_ADDRESS, else local processes].")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Solver time limit per case in seconds (overrides time_limit_s).")
@click.option("--gap", type=click.FloatRange(min=0), help="Relative optimality gap per case (overrides mip_rel_gap).")
@click.option("--json", "as_json", is_flag=True, help="Print the sweep's figures as JSON on standard output.")
def sweep(workbook: Path | None, samples: int | None, seed: int | None, design: Path | None, pareto: str | None, scenario: str, out: str | None, results: Path | None, resume: bool, jobs: int | None, scheduler: str | None, time_limit: float | None, gap: float | None, as_json: bool) -> None:
    """Which input matters, how bad can it get, what commonality costs: re-optimise WORKBOOK (default: the bundled example) over its ranges sheet, or along a Pareto front."""
    from optimizer.files import output_path
    from optimizer.sweeps.command import default_names, sweep_command
    from optimizer.sweeps.run import SweepConfig

    workbook = workbook or example_workbook()
    if seed is not None and samples is None:
        raise click.UsageError("--seed applies to --samples (a Monte Carlo sweep) only.")
    if scheduler is not None and jobs is not None:
        raise click.UsageError("--jobs and --scheduler exclude each other: --jobs starts local processes, --scheduler uses a cluster's workers.")
    if pareto is not None and (samples is not None or design is not None):
        raise click.UsageError("--pareto draws a front of re-optimised plans; it excludes --samples and --design.")
    report = output_path(out, default_names(workbook, scenario, samples, design=design is not None, pareto=pareto))
    cfg = SweepConfig(
        workbook=Path(workbook), out=report, results=results or report.with_suffix(".csv"), scenario=scenario, samples=samples,
        seed=seed or 0, time_limit_s=time_limit, mip_rel_gap=gap, jobs=jobs, scheduler=_scheduler(scheduler) if jobs is None else None,
        resume=resume, design=design, pareto=pareto,
    )
    with stdout_reserved() if as_json else contextlib.nullcontext(click.echo) as emit:
        try:
            code = sweep_command(cfg, as_json=as_json, emit=emit)
        except KeyboardInterrupt:  # while reading: nothing written yet
            say("interrupted: nothing written")
            code = EXIT_INTERRUPTED
    sys.exit(code)


@main.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(), help="Comparison workbook to write (.xlsx), or a folder for it [default: reports/comparison.xlsx].")
def compare(reports: tuple[Path, ...], out: str | None) -> None:
    """Compare REPORT files written by `plan solve` (the base case's, if given, is the reference)."""
    from optimizer.files import output_path
    from optimizer.report.compare import compare as compare_cases
    from optimizer.report.compare import read_reports
    from optimizer.report.comparison import write_comparison

    path = output_path(out, "comparison.xlsx")
    refused = _outputs_refused([path], inputs=tuple(reports))
    try:
        cases = read_reports(list(reports))
        if refused:
            sys.exit(EXIT_INPUT)
        cmp = compare_cases(cases)
        written = write_comparison(path, cmp, inputs=tuple(reports))
    except InputError as err:
        report_error(err)
        sys.exit(EXIT_INPUT)
    for note in cmp.notes:
        say(f"note: {note}")
    say(f"compared {len(cmp.cases)} case{'s' if len(cmp.cases) != 1 else ''} against {cmp.base_case.label!r}: "
        f"{sum(1 for c in cmp.changes if c.decision != 'none')} decisions differ")
    say(f"comparison: {written}")


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--scenario", help="Validate only this scenario [default: the base case and every scenario].")
def validate(workbook: Path, scenario: str | None) -> None:
    """Check WORKBOOK (and its scenarios) without solving."""
    from optimizer.workbook.scenarios import apply_scenario, other_rows_problems, scenario_names, sheet_problems
    from optimizer.workbook.validate import validate as check
    from optimizer.workbook.read import read_workbook

    try:
        raw = read_workbook(workbook)
        names = [scenario] if scenario else ["base"] + scenario_names(raw)
        problems: list[Problem] = [] if scenario else sheet_problems(raw)
        if scenario:  # as plan solve --scenario does: the rows it does not apply only warn
            report_problems(other_rows_problems(raw, scenario), warnings=True)
        warned = False
        for name in names:
            try:
                validated = check(apply_scenario(raw, name))
                if not warned:
                    report_problems(validated.warnings, warnings=True)
                    warned = True
            except InputError as err:
                problems += [p for p in err.problems if p not in problems]
        ranges = None
        if not problems and "ranges" in raw.sheets:
            from optimizer.sweeps.cases import check_ranges

            try:
                ranges = check_ranges(raw)
                report_problems(list(ranges.warnings), warnings=True)
            except InputError as err:
                problems += err.problems
        if problems:
            raise InputError(problems)
    except InputError as err:
        report_error(err)
        sys.exit(EXIT_INPUT)
    inp = validated.plan_input
    say(
        f"{workbook}: valid — {len(inp.variants)} variants, {len(inp.categories)} categories, {len(inp.parts)} options, "
        f"{len(inp.packs)} packs, {len(inp.plants)} plants; scenarios checked: {', '.join(names)}"
        + (f"; ranges checked at their low and high: {', '.join(ranges.names())}" if ranges is not None and ranges.uncertainties else "")
    )


@main.command()
@click.argument("path", type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def template(path: str, force: bool) -> None:
    """Write a blank workbook (PATH: a .xlsx file, or a folder for template.xlsx) with every
    sheet and column, help on each header and drop-down lists.

    Its first sheet, "read me", says how to fill it in, check it (plan validate) and solve it
    (plan solve). The full guide to every sheet and column, with a worked example, is
    docs/workbook.md in the plan project.
    """
    from optimizer.files import check_outputs, output_path, save_atomically
    from optimizer.problems import OutputError
    from optimizer.workbook.template import build_template

    target = output_path(path, "template.xlsx")
    try:
        check_outputs([target])
        if os.path.lexists(target) and not force:
            raise OutputError([Problem(
                None, None, None, None, f"the output {target} already exists; refusing to overwrite it",
                "Choose another path or add --force.",
            )])
        save_atomically(target, build_template().save)
    except InputError as err:
        report_error(err)
        sys.exit(EXIT_INPUT)
    say(f"template: {target}")


if __name__ == "__main__":  # pragma: no cover
    main()
