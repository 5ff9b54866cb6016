"""`plan`: solve, validate and template commands.

Standard output carries only what a command promises (the JSON object with --json);
progress, warnings and the solver's summary go to standard error. Exit status: 0 a plan
was found, 1 no plan exists, 2 the workbook or the command is wrong, 130 interrupted (Ctrl-C);
with --all-scenarios also 3 a solver process failed (a fault in plan).
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
@click.option("--out", type=click.Path(path_type=Path), help="Report file, or a folder to put it in [default: reports/<workbook>-<scenario>.xlsx].")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON on standard output.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Solver time limit in seconds (overrides time_limit_s).")
@click.option("--gap", type=click.FloatRange(min=0), help="Relative optimality gap (overrides mip_rel_gap).")
@click.option("--no-sharing-baseline", is_flag=True, help="Skip solving the case without cross-brand sharing.")
@click.option("--solver-log", is_flag=True, help="Stream HiGHS's log to standard error.")
@click.option("--all-scenarios", is_flag=True, help="Solve the base case and every scenario, one report each, then write the comparison workbook (--out names it, or the folder for all of them).")
@click.option("--jobs", type=click.IntRange(min=1), help="With --all-scenarios: cases solved in parallel processes [default: the number of cores].")
@click.option("--robust", is_flag=True, help="One design for every future of the futures sheet, at the least expected cost; with each future's own optimum and the regret matrix.")
@click.option("--worst-case", is_flag=True, help="With --robust: minimise the largest cost over the futures instead of the expected cost.")
def solve(workbook: Path | None, scenario: str, out: Path | None, as_json: bool, time_limit: float | None, gap: float | None, no_sharing_baseline: bool, solver_log: bool, all_scenarios: bool, jobs: int | None, robust: bool, worst_case: bool) -> None:
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
    with stdout_reserved() if as_json else contextlib.nullcontext(lambda text: click.echo(text)) as emit:
        if all_scenarios:
            try:
                code = _solve_all(workbook, out, as_json, time_limit, gap, not no_sharing_baseline, solver_log, jobs, emit)
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
    sys.exit(code)


def _file_in(out: Path | None, default_name: str) -> Path:
    """Where --out puts a file: by default `reports/<default_name>`; an existing folder gets the
    file under its default name. A folder named like a workbook (`report.xlsx/`) is taken as
    the file meant, and refused when it is written."""
    if out is None:
        return Path("reports") / default_name
    return out / default_name if out.is_dir() and out.suffix.lower() != ".xlsx" else out


def _solve(workbook, scenario, out, as_json, time_limit, gap, sharing_baseline, solver_log, emit) -> int:
    from optimizer.pipeline import load_input, solve_case

    try:
        say(f"reading {workbook}" + (f" (scenario {scenario})" if scenario != "base" else ""))
        source, inp, warnings = load_input(workbook, scenario)
    except InputError as err:
        report_problems(err.problems)
        return EXIT_INPUT
    # The solver stack (Pyomo, HiGHS) is imported only for a workbook worth solving.
    from optimizer.report.json_out import dumps, plan_json
    from optimizer.report import write_report
    from optimizer.solving.solve import FEASIBLE, OPTIMAL
    report_problems(warnings, warnings=True)
    out = _file_in(out, f"{Path(workbook).stem}-{_file_safe(scenario)}.xlsx")

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
            f"(solver {outcome.seconds.get('solve', 0):.2f} s, {outcome.nodes} nodes"
            + (f", then local search {outcome.seconds['local search']:.2f} s)" if "local search" in outcome.seconds else ")")
        )
        if case.sharing_saving_jpy is not None and case.baseline.total_cost_jpy:
            alone = case.baseline.total_cost_jpy
            caveat = "" if case.baseline.status == OPTIMAL else f"; that case stopped at its time limit, {case.baseline.gap or 0:.2%} from proven optimal"
            say(f"cross-brand sharing saves ¥{case.sharing_saving_jpy:,.0f} ({case.sharing_saving_jpy / alone:.1%} of ¥{alone:,.0f} without it{caveat})")
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


def _solve_robust(workbook, out, as_json, time_limit, gap, worst_case, solver_log, emit) -> int:
    """--robust: every future validated first (exit 2 if any is wrong), one design for all of them."""
    from optimizer.pipeline import load_futures, solve_robust_case

    try:
        say(f"reading {workbook} and its futures")
        source, futures, warnings = load_futures(workbook)
    except InputError as err:
        report_problems(err.problems)
        return EXIT_INPUT
    from optimizer.report.json_out import dumps, robust_json
    from optimizer.report.robust import write_robust_report
    from optimizer.solving.solve import FEASIBLE, OPTIMAL

    report_problems(warnings, warnings=True)
    out = _file_in(out, f"{Path(workbook).stem}-robust.xlsx")
    say("futures: " + ", ".join(f"{f.name} ({f.probability:.0%})" for f in futures))
    case = solve_robust_case(source, futures, worst_case=worst_case, time_limit_s=time_limit, mip_rel_gap=gap,
                             log=say, solver_log=say if solver_log else None)
    o = case.outcome
    for w in o.warnings:
        say(f"warning: {w}")
    if o.expected_cost_jpy is not None:
        gap_text = "" if o.gap is None else f", gap {o.gap:.4%}"
        say(f"{o.status}: expected total cost ¥{o.expected_cost_jpy:,.0f}{gap_text}; "
            + "; ".join(f"{r.name} ¥{r.cost_jpy:,.0f}" for r in o.futures))
        if o.evpi_jpy is not None:
            say(f"knowing the future in advance would be worth ¥{o.evpi_jpy:,.0f} (EVPI)")
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
        report_problems(err.problems)
        code = EXIT_INPUT
    if as_json:
        emit(dumps(robust_json(case, report)))
    return code


def _file_safe(name: str) -> str:
    from optimizer.sweeps.batch import file_safe

    return file_safe(name)


EXIT_INTERRUPTED, EXIT_FAULT = 130, 3


def _solve_all(workbook, out, as_json, time_limit, gap, sharing_baseline, solver_log, jobs, emit) -> int:
    """--all-scenarios: validate every case first (exit 2, nothing written, if any is wrong), then
    solve them in parallel, write each report as its case finishes, then the comparison."""
    from optimizer.sweeps.batch import BatchError, Task, check_destinations, default_jobs, prepare_all, report_paths, run_tasks, start_workers

    start_workers()  # first: its imports overlap ours and the validation below
    stem = Path(workbook).stem
    comparison_path = _file_in(out, f"{stem}-comparison.xlsx")
    try:
        say(f"reading {workbook}")
        cases = prepare_all(workbook)
        names = [c.source.scenario for c in cases]
        paths = report_paths(comparison_path.parent, stem, names, taken=(comparison_path,))
        check_destinations([comparison_path, *paths.values()], inputs=(Path(workbook),))
    except InputError as err:
        report_problems(err.problems)
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
    say(f"solving {total} case{'s' if total != 1 else ''} (base + {total - 1} scenario{'s' if total != 2 else ''}) "
        f"with {'1 process' if jobs == 1 else f'{jobs} parallel processes'}")
    done: list[str] = []

    def started(task) -> None:
        say(f"[{task.index + 1}/{total}] {task.scenario}: solving")

    def finished(task, result) -> None:
        from optimizer.files import save_atomically

        save_atomically(result.report, lambda fh: fh.write(result.report_bytes), inputs=(Path(workbook),))
        done.append(str(result.report))
        k = result.kpis
        cost = f"total cost ¥{k['total_cost_jpy']:,.0f}" if k["total_cost_jpy"] is not None else "no plan"
        saving = f", sharing saves ¥{k['sharing_saving_jpy']:,.0f}" if k.get("sharing_saving_jpy") is not None else ""
        say(f"[{task.index + 1}/{total}] {task.scenario}: {k['status']}, {cost}{saving} ({result.seconds:.1f} s; {len(done)} of {total} done) -> {result.report}")
        for w in result.warnings:
            say(f"warning (scenario {task.scenario}): {w}")

    try:
        results = run_tasks(tasks, jobs, started=started, finished=finished)
        from optimizer.report.compare import cases_from, compare
        from optimizer.report.json_out import dumps
        from optimizer.report.comparison import write_comparison
        from optimizer.solving.solve import FEASIBLE, OPTIMAL

        cmp = compare(cases_from([r.embedded for r in results], [str(r.report) for r in results]))
        written = write_comparison(comparison_path, cmp, inputs=(Path(workbook), *paths.values()))
    except InputError as err:
        report_problems(err.problems)
        return EXIT_INPUT
    except BatchError as err:
        say(f"plan: {err}")
        return EXIT_FAULT
    except KeyboardInterrupt:
        say(f"interrupted: {len(done)} of {total} reports written, no comparison" + (f" ({', '.join(done)})" if done else ""))
        return EXIT_INTERRUPTED
    say(f"comparison: {written}")
    if as_json:
        emit(dumps({"scenarios": {r.scenario: r.plan for r in results}, "comparison": str(written)}))
    return EXIT_PLAN if all(r.kpis["status"] in (OPTIMAL, FEASIBLE) for r in results) else EXIT_NO_PLAN


def _import_in_background(*modules: str) -> None:
    import importlib
    import threading

    threading.Thread(target=lambda: [importlib.import_module(m) for m in modules], daemon=True).start()


@main.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports") / "comparison.xlsx", show_default=True, help="Comparison workbook to write.")
def compare(reports: tuple[Path, ...], out: Path) -> None:
    """Compare REPORT files written by `plan solve` (the base case's, if given, is the reference)."""
    from optimizer.report.compare import compare as compare_cases
    from optimizer.report.compare import read_reports
    from optimizer.report.comparison import write_comparison

    try:
        out = _file_in(out, "comparison.xlsx")
        cmp = compare_cases(read_reports(list(reports)))
        written = write_comparison(out, cmp, inputs=tuple(reports))
    except InputError as err:
        report_problems(err.problems)
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
    from optimizer.workbook.scenarios import apply_scenario, scenario_names, sheet_problems
    from optimizer.workbook.validate import validate as check
    from optimizer.workbook.read import read_workbook

    try:
        raw = read_workbook(workbook)
        names = [scenario] if scenario else ["base"] + scenario_names(raw)
        problems: list[Problem] = [] if scenario else sheet_problems(raw)
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
    """Write a blank workbook with every sheet and column, help on each header and drop-down lists.

    Its first sheet, "read me", says how to fill it in, check it (plan validate) and solve it
    (plan solve). The full guide to every sheet and column, with a worked example, is
    docs/workbook.md in the plan project.
    """
    from optimizer.files import save_atomically
    from optimizer.workbook.template import build_template

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
