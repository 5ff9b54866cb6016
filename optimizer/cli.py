"""`plan`: solve, validate and template commands.

Standard output carries only what a command promises (the JSON object with --json);
progress, warnings and the solver's summary go to standard error. Exit status: 0 a plan
was found, 1 no plan exists, 2 the workbook or the command is wrong.
"""

from __future__ import annotations

import contextlib
import os
import sys
from importlib import resources
from pathlib import Path

import click

from optimizer.problems import InputError, Problem

EXIT_PLAN, EXIT_NO_PLAN, EXIT_INPUT = 0, 1, 2


def example_workbook() -> Path:
    return Path(str(resources.files("inputs").joinpath("kei-jv.xlsx")))


def say(text: str) -> None:
    click.echo(text, err=True)


def report_problems(problems: list[Problem], warnings: bool = False) -> None:
    if warnings:
        for p in problems:
            say(f"warning: {p}")
        return
    say(f"plan: {len(problems)} problem{'s' if len(problems) != 1 else ''} in the input:")
    for p in problems:
        say(f"  - {p}")


@contextlib.contextmanager
def stdout_reserved():
    """Send everything written to standard output (HiGHS's C-level banner included) to standard
    error, and yield a function that writes to the real standard output."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    real = os.fdopen(saved, "w", encoding="utf-8", closefd=True)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield lambda text: (real.write(text + "\n"), real.flush())
    finally:
        sys.stdout.flush()
        os.dup2(real.fileno(), 1)
        real.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kei-plan")
def main() -> None:
    """Plan a shared kei EV platform from the planners' workbook."""


@main.command()
@click.argument("workbook", required=False, type=click.Path(path_type=Path, dir_okay=True))
@click.option("--scenario", default="base", show_default=True, help="Apply this scenario of the scenarios sheet.")
@click.option("--out", type=click.Path(path_type=Path), help="Report path [default: reports/<workbook>-<scenario>.xlsx].")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON on standard output.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Solver time limit in seconds (overrides time_limit_s).")
@click.option("--gap", type=click.FloatRange(min=0), help="Relative optimality gap (overrides mip_rel_gap).")
@click.option("--no-sharing-baseline", is_flag=True, help="Skip solving the case without cross-brand sharing.")
@click.option("--solver-log", is_flag=True, help="Stream HiGHS's log to standard error.")
def solve(workbook: Path | None, scenario: str, out: Path | None, as_json: bool, time_limit: float | None, gap: float | None, no_sharing_baseline: bool, solver_log: bool) -> None:
    """Find the cheapest plan for WORKBOOK (default: the bundled example) and write its report."""
    workbook = workbook or example_workbook()
    with stdout_reserved() if as_json else contextlib.nullcontext(lambda text: click.echo(text)) as emit:
        code = _solve(workbook, scenario, out, as_json, time_limit, gap, not no_sharing_baseline, solver_log, emit)
    sys.exit(code)


def _solve(workbook, scenario, out, as_json, time_limit, gap, sharing_baseline, solver_log, emit) -> int:
    from optimizer.json_out import dumps, plan_json
    from optimizer.pipeline import load_input, solve_case
    from optimizer.report import write_report
    from optimizer.solve import FEASIBLE, OPTIMAL

    try:
        say(f"reading {workbook}" + (f" (scenario {scenario})" if scenario != "base" else ""))
        source, inp, warnings = load_input(workbook, scenario)
    except InputError as err:
        report_problems(err.problems)
        return EXIT_INPUT
    report_problems(warnings, warnings=True)
    out = out or Path("reports") / f"{Path(workbook).stem}-{_file_safe(scenario)}.xlsx"

    case = solve_case(
        source, inp, time_limit_s=time_limit, mip_rel_gap=gap, sharing_baseline=sharing_baseline,
        log=say, solver_log=say if solver_log else None,
    )
    outcome = case.outcome
    baseline_warnings = case.baseline.warnings if case.baseline is not None and case.baseline is not outcome else []
    for w in outcome.warnings + baseline_warnings:
        say(f"warning: {w}")
    if outcome.total_cost_jpy is not None:
        say(
            f"{outcome.status}: total cost ¥{outcome.total_cost_jpy:,.0f}, gap {outcome.gap:.4%}, "
            f"{len(outcome.plan.offered())} of {len(inp.variants)} variants offered "
            f"(solver {outcome.seconds.get('solve', 0):.2f} s, {outcome.nodes} nodes)"
        )
        if case.sharing_saving_jpy is not None and case.baseline.total_cost_jpy:
            alone = case.baseline.total_cost_jpy
            say(f"cross-brand sharing saves ¥{case.sharing_saving_jpy:,.0f} ({case.sharing_saving_jpy / alone:.1%} of ¥{alone:,.0f} without it)")
    else:
        say(f"{outcome.status}: no plan")
        for text in outcome.conflicts:
            say(f"  - {text}")

    code = EXIT_PLAN if outcome.status in (OPTIMAL, FEASIBLE) else EXIT_NO_PLAN
    report: str | None = None
    try:
        report = str(write_report(out, case))
        say(f"report: {report}")
    except InputError as err:
        report_problems(err.problems)
        code = EXIT_INPUT
    if as_json:
        emit(dumps(plan_json(case, report)))
    return code


def _file_safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:80] or "scenario"


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--scenario", help="Validate only this scenario [default: the base case and every scenario].")
def validate(workbook: Path, scenario: str | None) -> None:
    """Check WORKBOOK (and its scenarios) without solving."""
    from optimizer.scenarios import apply_scenario, scenario_names
    from optimizer.validate import validate as check
    from optimizer.workbook import read_workbook

    try:
        raw = read_workbook(workbook)
        names = [scenario] if scenario else ["base"] + scenario_names(raw)
        problems: list[Problem] = []
        warned = False
        for name in names:
            try:
                validated = check(apply_scenario(raw, name))
                if not warned:
                    report_problems(validated.warnings, warnings=True)
                    warned = True
            except InputError as err:
                problems += [p for p in err.problems if p not in problems]
        if problems:
            raise InputError(problems)
    except InputError as err:
        report_problems(err.problems)
        sys.exit(EXIT_INPUT)
    inp = validated.plan_input
    say(
        f"{workbook}: valid — {len(inp.variants)} variants, {len(inp.categories)} categories, {len(inp.parts)} options, "
        f"{len(inp.packs)} packs, {len(inp.plants)} plants; scenarios checked: {', '.join(names)}"
    )


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def template(path: Path, force: bool) -> None:
    """Write a blank workbook with every sheet and column, help on each header and drop-down lists."""
    from optimizer.files import save_atomically
    from optimizer.template import build_template

    if path.exists() and not force:
        report_problems([Problem(None, None, None, str(path), "already exists; refusing to overwrite it", "Choose another path or add --force.")])
        sys.exit(EXIT_INPUT)
    try:
        save_atomically(path, build_template().save)
    except InputError as err:
        report_problems(err.problems)
        sys.exit(EXIT_INPUT)
    say(f"template: {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
