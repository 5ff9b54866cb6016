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
from optimizer.commands.console import (
    EXIT_INPUT, EXIT_INTERRUPTED, EXIT_PLAN, outputs_refused, report_error, report_problems, say,
    scheduler_address,
)

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
@click.option("--scenario", default="base", show_default=True,
              help="Apply this scenario of the scenarios sheet.")
@click.option("--out", type=click.Path(),
              help="Report file (.xlsx), or a folder to put it in (an existing one, or any path ending "
                   "in /) [default: reports/<workbook>-<scenario>.xlsx].")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON on standard output.")
@click.option("--time-limit", type=Finite(0, False, "a number of seconds above 0"),
              help="Solver time limit in seconds (overrides time_limit_s).")
@click.option("--gap", type=Finite(0, True, "a relative gap of 0 or more (0.01 = 1 %)"),
              help="Relative optimality gap (overrides mip_rel_gap).")
@click.option("--no-sharing-baseline", is_flag=True,
              help="Skip solving the case without cross-brand sharing.")
@click.option("--solver-log", is_flag=True, help="Stream HiGHS's log to standard error.")
@click.option("--all-scenarios", is_flag=True,
              help="Solve the base case and every scenario, one report each, then write the comparison "
                   "workbook (--out names it, or the folder for all of them).")
@click.option("--jobs", type=click.IntRange(min=1),
              help="With --all-scenarios: cases solved in parallel processes [default: the number of "
                   "cores].")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --all-scenarios: solve on the Dask cluster whose scheduler is at ADDRESS "
                   "[default: $DASK_SCHEDULER_ADDRESS, else local processes].")
@click.option("--robust", is_flag=True,
              help="One design for every future of the futures sheet, at the least expected cost; with "
                   "each future's own optimum and the regret matrix.")
@click.option("--worst-case", is_flag=True,
              help="With --robust: minimise the largest cost over the futures instead of the expected "
                   "cost.")
def solve(
    workbook: Path | None, scenario: str, out: str | None, as_json: bool, time_limit: float | None,
    gap: float | None, no_sharing_baseline: bool, solver_log: bool, all_scenarios: bool, jobs: int | None,
    scheduler: str | None, robust: bool, worst_case: bool,
) -> None:
    """Find the cheapest plan for WORKBOOK (default: the bundled example) and write its report."""
    workbook = workbook or example_workbook()
    scenario_given = (
        click.get_current_context().get_parameter_source("scenario") != click.core.ParameterSource.DEFAULT
    )
    _refuse_solve_combinations(scenario_given, all_scenarios, jobs, scheduler, robust, worst_case)
    from optimizer.commands.scenarios import solve_all
    from optimizer.commands.solve import solve_one, solve_robust

    with stdout_reserved() if as_json else contextlib.nullcontext(click.echo) as emit:
        if all_scenarios:
            try:
                code = solve_all(
                    workbook, out, as_json, time_limit, gap, not no_sharing_baseline, solver_log, jobs,
                    scheduler, emit,
                )
            except KeyboardInterrupt:  # while reading: nothing written yet (later, _solve_all says what was)
                say("interrupted: nothing written")
                code = EXIT_INTERRUPTED
        elif robust:
            try:
                code = solve_robust(workbook, out, as_json, time_limit, gap, worst_case, solver_log, emit)
            except KeyboardInterrupt:
                say("interrupted: no report written (a report already at that path is unchanged)")
                code = EXIT_INTERRUPTED
        else:
            try:
                code = solve_one(
                    workbook, scenario, out, as_json, time_limit, gap, not no_sharing_baseline, solver_log,
                    emit,
                )
            except KeyboardInterrupt:  # Ctrl-C: nothing written, an earlier report left as it was
                say("interrupted: no report written (a report already at that path is unchanged)")
                code = EXIT_INTERRUPTED
    sys.exit(EXIT_INPUT if getattr(emit, "failed", False) and code == EXIT_PLAN else code)


def _refuse_solve_combinations(
    scenario_given: bool, all_scenarios: bool, jobs: int | None, scheduler: str | None, robust: bool,
    worst_case: bool,
) -> None:
    """Options of `plan solve` that exclude or need one another: a UsageError before any work."""
    if robust and (scenario_given or all_scenarios):
        raise click.UsageError(
            "--robust plans for every future of the futures sheet; it excludes --scenario and "
            "--all-scenarios."
        )
    if worst_case and not robust:
        raise click.UsageError("--worst-case applies to --robust only.")
    if all_scenarios and scenario_given:
        raise click.UsageError(
            "--scenario and --all-scenarios exclude each other: --all-scenarios solves the base case and "
            "every scenario."
        )
    if jobs is not None and not all_scenarios:
        raise click.UsageError("--jobs applies to --all-scenarios only.")
    if scheduler is not None and not all_scenarios:
        raise click.UsageError("--scheduler applies to --all-scenarios only.")
    if scheduler is not None and jobs is not None:
        raise click.UsageError(
            "--jobs and --scheduler exclude each other: --jobs starts local processes, --scheduler uses a "
            "cluster's workers."
        )


@main.command()
@click.argument("workbook", required=False, type=click.Path(path_type=Path, dir_okay=True))
@click.option("--samples", type=click.IntRange(min=1),
              help="Monte Carlo: solve this many samples, every range drawn together [default: a "
                   "tornado, each range at its low and its high].")
@click.option("--seed", type=click.IntRange(min=0),
              help="With --samples: the random seed; the same seed gives the same samples [default: 0].")
@click.option("--design", "design", type=click.Path(path_type=Path), metavar="REPORT.xlsx",
              help="Keep the design of this report (plan solve or plan solve --robust) in every case: "
                   "offers, options, packs, launch years; units, plants and lines re-planned.")
@click.option("--pareto", metavar="commonality|range:VARIANT",
              help="A Pareto front instead: cost against the developments of options and packs, or "
                   "against VARIANT's range target, by epsilon-constraint.")
@click.option("--scenario", default="base", show_default=True,
              help="Sweep around this scenario of the scenarios sheet.")
@click.option("--out", type=click.Path(),
              help="Sweep workbook (.xlsx), or a folder for it [default: reports/<workbook>-tornado.xlsx, "
                   "-monte-carlo.xlsx or -pareto-<front>.xlsx].")
@click.option("--results", type=click.Path(path_type=Path),
              help="Results file (CSV), one line per finished case [default: the sweep workbook's name "
                   "with .csv].")
@click.option("--resume", is_flag=True,
              help="Keep the cases already in the results file and solve only the others.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Cases solved at once, each in its own local process [default: the number of cores].")
@click.option("--scheduler", metavar="ADDRESS",
              help="Solve on the Dask cluster whose scheduler is at ADDRESS [default: "
                   "$DASK_SCHEDULER_ADDRESS, else local processes].")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True),
              help="Solver time limit per case in seconds (overrides time_limit_s).")
@click.option("--gap", type=click.FloatRange(min=0),
              help="Relative optimality gap per case (overrides mip_rel_gap).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the sweep's figures as JSON on standard output.")
def sweep(
    workbook: Path | None, samples: int | None, seed: int | None, design: Path | None, pareto: str | None,
    scenario: str, out: str | None, results: Path | None, resume: bool, jobs: int | None,
    scheduler: str | None, time_limit: float | None, gap: float | None, as_json: bool,
) -> None:
    """Which input matters, how bad can it get, what commonality costs: re-optimise WORKBOOK
    (default: the bundled example) over its ranges sheet, or along a Pareto front."""
    from optimizer.files import output_path
    from optimizer.sweeps.command import default_names, sweep_command
    from optimizer.sweeps.run import SweepConfig

    workbook = workbook or example_workbook()
    if seed is not None and samples is None:
        raise click.UsageError("--seed applies to --samples (a Monte Carlo sweep) only.")
    if scheduler is not None and jobs is not None:
        raise click.UsageError(
            "--jobs and --scheduler exclude each other: --jobs starts local processes, --scheduler uses a "
            "cluster's workers."
        )
    if pareto is not None and (samples is not None or design is not None):
        raise click.UsageError(
            "--pareto draws a front of re-optimised plans; it excludes --samples and --design."
        )
    report = output_path(
        out, default_names(workbook, scenario, samples, design=design is not None, pareto=pareto)
    )
    cfg = SweepConfig(
        workbook=Path(workbook), out=report, results=results or report.with_suffix(".csv"),
        scenario=scenario, samples=samples, seed=seed or 0, time_limit_s=time_limit, mip_rel_gap=gap,
        jobs=jobs, scheduler=scheduler_address(scheduler) if jobs is None else None,
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
@click.option("--out", type=click.Path(),
              help="Comparison workbook to write (.xlsx), or a folder for it [default: "
                   "reports/comparison.xlsx].")
def compare(reports: tuple[Path, ...], out: str | None) -> None:
    """Compare REPORT files written by `plan solve` (the base case's, if given, is the reference)."""
    from optimizer.files import output_path
    from optimizer.report.compare import compare as compare_cases
    from optimizer.report.compare import read_reports
    from optimizer.report.comparison import write_comparison

    path = output_path(out, "comparison.xlsx")
    refused = outputs_refused([path], inputs=tuple(reports))
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
    say(f"compared {len(cmp.cases)} case{'s' if len(cmp.cases) != 1 else ''} "
        f"against {cmp.base_case.label!r}: "
        f"{sum(1 for c in cmp.changes if c.decision != 'none')} decisions differ")
    say(f"comparison: {written}")


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--scenario", help="Validate only this scenario [default: the base case and every scenario].")
def validate(workbook: Path, scenario: str | None) -> None:
    """Check WORKBOOK (and its scenarios) without solving."""
    from optimizer.workbook.scenarios import (
        apply_scenario, other_rows_problems, scenario_names, sheet_problems,
    )
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
        f"{workbook}: valid — {len(inp.variants)} variants, {len(inp.categories)} categories, "
        f"{len(inp.parts)} options, {len(inp.packs)} packs, {len(inp.plants)} plants; "
        f"scenarios checked: {', '.join(names)}"
        + (
            f"; ranges checked at their low and high: {', '.join(ranges.names())}"
            if ranges is not None and ranges.uncertainties else ""
        )
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
