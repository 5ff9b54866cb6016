"""`plan solve --all-scenarios`: every case validated and every destination checked first,
the cases solved on the parallel engine, then the reports and the comparison written together."""

from __future__ import annotations

from pathlib import Path

from optimizer.commands.console import (
    EXIT_FAULT, EXIT_INPUT, EXIT_NO_PLAN, EXIT_PLAN, exit_status_of, import_in_background, outputs_refused,
    report_error, report_problems, say, scheduler_address, stopped_by,
)
from optimizer.problems import InputError, Problem
from optimizer.text import duration, yen


def solve_all(
    workbook, out, as_json, time_limit, gap, sharing_baseline, solver_log, jobs, scheduler, emit
) -> int:
    """--all-scenarios: validate every case and check every destination first (exit 2, nothing
    written, if any is wrong), then solve them in parallel, and write the reports and the
    comparison all together at the end: all of them, or none."""
    prepared = _prepare(workbook, out, jobs, scheduler)
    if isinstance(prepared, int):
        return prepared
    from optimizer.sweeps.batch import BatchError, Task, default_jobs

    scheduler, comparison_path, cases, paths = prepared
    _say_warnings(cases)

    # Needed only once every case is solved, and slow to import (the report package): imported
    # meanwhile, off the critical path.
    import_in_background(
        "optimizer.report.json_out", "optimizer.report.compare", "optimizer.report.comparison"
    )
    jobs = min(jobs or default_jobs(), len(cases))
    total = len(cases)
    tasks = [
        Task(
            i, total, c.source, c.plan_input, paths[c.source.scenario], time_limit, gap, sharing_baseline,
            solver_log,
        )
        for i, c in enumerate(cases)
    ]
    where = (
        f"on the Dask cluster at {scheduler}" if scheduler
        else f"with {'1 process' if jobs == 1 else f'{jobs} parallel processes'}"
    )
    say(f"solving {total} case{'s' if total != 1 else ''} "
        f"(base + {total - 1} scenario{'s' if total != 2 else ''}) {where}")
    progress = _Progress(workbook, total)

    try:
        results, written = _solve_and_write(tasks, jobs, progress, scheduler, comparison_path, workbook)
    except InputError as err:
        report_error(err)
        say("nothing written: the reports and the comparison are written all together or not at all")
        return EXIT_INPUT
    except BatchError as err:
        kept = progress.write_done()
        say(f"plan: {err}" + (f" ({', '.join(map(str, kept))})" if kept else ""))
        return EXIT_FAULT
    except KeyboardInterrupt as stop:
        kept = progress.write_done()
        listed = f" ({', '.join(map(str, kept))})" if kept else ""
        say(f"{stopped_by(stop)}: {len(kept)} of {total} reports written, no comparison{listed}")
        return exit_status_of(stop)
    return _said_written(results, written, as_json, emit)


def _prepare(workbook, out, jobs, scheduler) -> int | tuple:
    """Everything checked before any solving (the engine, every case, every destination), so that
    a wrong one stops the command with nothing written: an exit status, else (scheduler,
    comparison path, cases, report paths)."""
    from optimizer.files import output_path
    from optimizer.sweeps import require_engine
    from optimizer.sweeps.batch import prepare_all, report_paths

    try:
        require_engine("--all-scenarios")
    except InputError as err:
        report_problems(err.problems)
        return EXIT_INPUT
    # --jobs: local, whatever the environment says
    scheduler = scheduler_address(scheduler) if jobs is None else None
    stem = Path(workbook).stem
    comparison_path = output_path(out, f"{stem}-comparison.xlsx")
    refused = outputs_refused([comparison_path], inputs=(Path(workbook),))
    try:
        say(f"reading {workbook}")
        cases = prepare_all(workbook)
    except InputError as err:
        report_error(err)
        return EXIT_INPUT
    names = [c.source.scenario for c in cases]
    paths = report_paths(comparison_path.parent, stem, names, taken=(comparison_path,))
    if refused or outputs_refused(list(paths.values()), inputs=(Path(workbook),)):
        return EXIT_INPUT
    return scheduler, comparison_path, cases, paths


def _say_warnings(cases) -> None:
    """Each case's warnings, a warning shared by several cases said once (at its first case)."""
    shown: list[Problem] = []
    for c in cases:
        fresh = [w for w in c.warnings if w not in shown]
        shown += fresh
        for w in fresh:
            say(f"warning{'' if c.source.scenario == 'base' else f' (scenario {c.source.scenario})'}: {w}")


class _Progress:
    """What the planner sees while the cases are solved, and the cases solved so far (their
    reports in memory), so that a failure or Ctrl-C can still write those."""

    def __init__(self, workbook, total: int) -> None:
        self.workbook, self.total = workbook, total
        self.done: list = []  # results of the cases solved, their reports still in memory

    def started(self, task) -> None:
        """A case handed to a worker."""
        say(f"[{task.index + 1}/{self.total}] {task.scenario}: solving")

    def finished(self, task, result) -> None:
        """A case solved: its cost, what sharing saves, its warnings; its report kept."""
        total = self.total
        self.done.append(result)
        k = result.kpis
        cost = f"total cost {yen(k['total_cost_jpy'])}" if k["total_cost_jpy"] is not None else "no plan"
        saving = (
            f", sharing saves {yen(k['sharing_saving_jpy'])}"
            if k.get("sharing_saving_jpy") is not None else ""
        )
        say(f"[{task.index + 1}/{total}] {task.scenario}: {k['status']}, {cost}{saving} "
            f"({duration(result.seconds)}; {len(self.done)} of {total} done)")
        for w in result.warnings:
            say(f"warning (scenario {task.scenario}): {w}")

    def write_done(self) -> list[Path]:
        """The reports of the cases solved so far, all or none (on Ctrl-C or a failed worker)."""
        from optimizer.files import save_all_atomically

        try:
            files = [(r.report, r.report_bytes) for r in sorted(self.done, key=lambda r: r.index)]
            return save_all_atomically(files, inputs=(Path(self.workbook),))
        except InputError as err:
            report_error(err)
            return []


def _solve_and_write(tasks, jobs, progress: _Progress, scheduler, comparison_path, workbook):
    """Solve every case, then write the reports and the comparison together (all or none):
    (the results, the paths written, the comparison last)."""
    from optimizer.files import save_all_atomically
    from optimizer.sweeps.batch import run_tasks

    results = run_tasks(
        tasks, jobs, started=progress.started, finished=progress.finished, scheduler=scheduler
    )
    # The report stack (also imported in the background meanwhile) is loaded here, under the
    # caller's Ctrl-C handling; dumps and the statuses are used once the files are written.
    from optimizer.files import rendered
    from optimizer.report.compare import cases_from, compare
    from optimizer.report.json_out import dumps
    from optimizer.report.comparison import build_comparison
    from optimizer.solving.solve import FEASIBLE, OPTIMAL

    cmp = compare(cases_from([r.embedded for r in results], [str(r.report) for r in results]))
    files = [(r.report, r.report_bytes) for r in results]
    files.append((comparison_path, rendered(build_comparison(cmp).save, comparison_path)))
    written = save_all_atomically(files, inputs=(Path(workbook),))
    return results, written


def _said_written(results, written, as_json, emit) -> int:
    """Say the files written, print the JSON object when asked, and give the exit status."""
    from optimizer.report.json_out import dumps
    from optimizer.solving.solve import FEASIBLE, OPTIMAL

    for path in written[:-1]:
        say(f"report: {path}")
    say(f"comparison: {written[-1]}")
    if as_json:
        emit(dumps({"scenarios": {r.scenario: r.plan for r in results}, "comparison": str(written[-1])}))
    return EXIT_PLAN if all(r.kpis["status"] in (OPTIMAL, FEASIBLE) for r in results) else EXIT_NO_PLAN
