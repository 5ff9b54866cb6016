"""Solving many cases of one workbook (the base case and every scenario), in parallel processes.

Cases are independent, so each is solved in a worker process (`--jobs N`). Results are the
same whatever N is: every case is validated, solved and reported by the same code, from the
same input, and results are put back in the workbook's order, never the order they finish in.

Workers never write files: a worker builds its report in memory and the parent writes it
atomically. So a worker that crashes, or is stopped by Ctrl-C, cannot leave a half-written
or temporary file behind, and every file written is complete.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from optimizer.problems import InputError, Problem

if TYPE_CHECKING:  # the solver stack takes seconds to import: only where it is used
    from models.data import PlanInput
    from optimizer.solving.case import Source

BASE = "base"


class BatchError(Exception):
    """A case could not be solved for a reason that is not the workbook's fault (a crashed or
    killed worker process, a bug); the message names the scenario."""


@dataclass(frozen=True)
class Prepared:
    """A case whose input is read, changed by its scenario and validated: ready to solve."""

    source: Source
    plan_input: PlanInput
    warnings: tuple[Problem, ...]


@dataclass(frozen=True)
class Task:
    index: int
    total: int
    source: Source
    plan_input: PlanInput
    report: Path
    time_limit_s: float | None = None
    mip_rel_gap: float | None = None
    sharing_baseline: bool = True
    solver_log: bool = False

    @property
    def scenario(self) -> str:
        return self.source.scenario


@dataclass(frozen=True)
class Result:
    """What a worker sends back: the case as its report embeds it, and the report's bytes."""

    index: int
    scenario: str
    report: Path
    embedded: dict  # {"plan": the spec's per-case JSON object, "kpis": case_kpis}
    report_bytes: bytes
    warnings: tuple[str, ...]
    seconds: float

    @property
    def plan(self) -> dict:
        return self.embedded["plan"]

    @property
    def kpis(self) -> dict:
        return self.embedded["kpis"]


# --- before solving: every case valid (optimizer.files checks the destinations) ------------------


def prepare_all(workbook: Path) -> list[Prepared]:
    """The base case and every scenario, validated. Raises InputError listing every problem of
    every case, so that nothing is solved or written when any case is wrong."""
    from optimizer.solving.case import Source
    from optimizer.workbook.scenarios import apply_scenario, scenario_names, sheet_problems
    from optimizer.workbook.validate import validate
    from optimizer.workbook.read import read_workbook
    from optimizer.workbook.rows import record_rows

    raw = read_workbook(workbook)
    names = scenario_names(raw)
    out: list[Prepared] = []
    problems: list[Problem] = sheet_problems(raw)
    for name in [BASE, *names]:
        try:
            applied = apply_scenario(raw, name)
            validated = validate(applied)
        except InputError as err:
            problems += [p for p in err.problems if p not in problems]
            continue
        source = Source(Path(workbook), raw.sha256, name, record_rows(applied))
        out.append(Prepared(source, validated.plan_input, tuple(validated.warnings)))
    if problems:
        raise InputError(problems)
    return out


def file_safe(name: str) -> str:
    """A file-name part for a scenario: letters, digits, - _ . kept, anything else _."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:80] or "scenario"


def report_paths(folder: Path, stem: str, scenarios: list[str], taken: tuple[Path, ...] = ()) -> dict[str, Path]:
    """A report path per scenario, `<folder>/<stem>-<scenario>.xlsx` as `plan solve --scenario`
    names it by default, made unique when two names map to one file (a/b and a_b, names cut
    at 80 characters, names differing only in case on Windows and macOS) or to a `taken` path."""
    used = {str(p).casefold() for p in taken}
    out: dict[str, Path] = {}
    for name in scenarios:
        base = f"{stem}-{file_safe(name)}"
        path, n = Path(folder) / f"{base}.xlsx", 2
        while str(path).casefold() in used:
            path, n = Path(folder) / f"{base}-{n}.xlsx", n + 1
        used.add(str(path).casefold())
        out[name] = path
    return out


# --- solving ------------------------------------------------------------------------------------


def solve_task(task: Task) -> Result:
    """Solve one case and build its report in memory (in a worker process; tests may call it
    directly: it is the same function either way)."""
    from optimizer.report.json_out import plan_json
    from optimizer.analysis.kpis import case_kpis
    from optimizer.pipeline import solve_case
    from optimizer.report import build_report

    _announce(task.index)
    started = time.perf_counter()
    solver_log = (lambda text: print(f"[{task.scenario}] {text}", file=sys.stderr, flush=True)) if task.solver_log else None
    case = solve_case(
        task.source, task.plan_input, time_limit_s=task.time_limit_s, mip_rel_gap=task.mip_rel_gap,
        sharing_baseline=task.sharing_baseline, solver_log=solver_log,
    )
    wb = build_report(case, report_path=str(task.report), analysis=getattr(case, "analysis", None))  # made by solve_case
    buffer = io.BytesIO()
    wb.save(buffer)
    warnings = list(case.outcome.warnings)
    if case.baseline is not None and case.baseline is not case.outcome:
        warnings += [f"(without sharing) {w}" for w in case.baseline.warnings]
    return Result(
        index=task.index, scenario=task.scenario, report=task.report,
        embedded={"plan": plan_json(case, str(task.report)), "kpis": case_kpis(case)},
        report_bytes=buffer.getvalue(), warnings=tuple(warnings), seconds=time.perf_counter() - started,
    )


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_tasks(
    tasks: list[Task],
    jobs: int,
    *,
    started: Callable[[Task], None] = lambda _t: None,
    finished: Callable[[Task, Result], None] = lambda _t, _r: None,
) -> list[Result]:
    """Solve every task, `jobs` at a time; `finished` is called in this process as each case
    completes (it writes the report). Returns the results in task order.

    Raises BatchError when a worker fails; KeyboardInterrupt stops the workers at once."""
    jobs = max(1, min(jobs, len(tasks)))
    results: dict[int, Result] = {}
    # Worker processes even for --jobs 1: Ctrl-C must stop a solve at once, and a solve in this
    # process would only see it when HiGHS returns (at worst after the time limit).
    ctx = _context()
    queue = ctx.SimpleQueue()  # workers announce the task they start
    by_index = {t.index: t for t in tasks}
    announced: set[int] = set()

    def announce(task: Task) -> None:  # each start reported once, and always before its end
        if task.index not in announced:
            announced.add(task.index)
            started(task)

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(queue,))
    clean = False
    interrupted = _CtrlC()
    try:
        futures: dict[Future, Task] = {pool.submit(solve_task, t): t for t in tasks}
        pending = set(futures)
        while pending:
            interrupted.check()
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            # Ends before the starts of this poll: a worker that finished a case and took the
            # next one is reported in that order.
            for future in sorted(done, key=lambda f: futures[f].index):
                task = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool as exc:
                    raise BatchError(
                        f"scenario {task.scenario!r}: a solver process stopped unexpectedly (killed, or out of memory?); "
                        "reports of cases already done were kept"
                    ) from exc
                except Exception as exc:
                    raise BatchError(_failure(task, exc)) from exc
                results[task.index] = result
                announce(task)
                finished(task, result)
            _drain(queue, by_index, announce)
        clean = True
    finally:
        interrupted.restore()
        if not clean:  # Ctrl-C or a failure: stop the workers now rather than after their solves
            _stop_workers(pool)
        pool.shutdown(wait=clean, cancel_futures=True)
        queue.close()
    return [results[t.index] for t in tasks]


class _CtrlC:
    """Ctrl-C noted, and acted on only between polls (as KeyboardInterrupt from `check`).

    A KeyboardInterrupt raised wherever the main thread happens to be can land inside
    concurrent.futures' `wait` while it holds a future's lock; the pool's manager thread then
    blocks on that lock and the interpreter hangs at exit, joining it. Noting the signal and
    raising at a known point avoids that, and lets a report being written finish whole."""

    def __init__(self) -> None:
        self.seen = False
        self.installed = False
        # Only from the main thread (Python's rule), and not where Ctrl-C is ignored (a
        # background job): that choice is the caller's.
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            self.previous = signal.signal(signal.SIGINT, self._note)
            self.installed = True

    def _note(self, _signum, _frame) -> None:
        self.seen = True

    def check(self) -> None:
        if self.seen:
            raise KeyboardInterrupt

    def restore(self) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self.previous if self.previous is not None else signal.default_int_handler)
            self.installed = False


def start_workers() -> None:
    """Start the server that worker processes are forked from now, so that its imports (the
    solver stack and the report: seconds) overlap this process's reading and validation.
    Optional: run_tasks starts it when needed."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _context():
    """Worker processes that start clean. Not "fork": HiGHS keeps a pool of threads in a
    process that has solved anything, and a child forked from it inherits the pool without its
    threads and waits for them forever. "forkserver" forks workers from a clean server process
    that has imported the solver stack once (so workers start fast); "spawn" elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["optimizer.sweeps.batch", "optimizer.pipeline", "optimizer.report", "optimizer.report.json_out", "optimizer.analysis.kpis"])
        return ctx
    return multiprocessing.get_context("spawn")


def _failure(task: Task, exc: BaseException) -> str:
    where = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return f"scenario {task.scenario!r} could not be solved: {where} (this is a fault in plan, not in the workbook)"


_queue = None  # in a worker: where it announces the task it starts


def _init_worker(queue) -> None:
    """Workers leave Ctrl-C to the parent, which stops them; otherwise every worker would print
    its own traceback."""
    global _queue
    _queue = queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _announce(index: int) -> None:
    if _queue is not None:
        _queue.put(index)


def _drain(queue, by_index: dict[int, Task], started: Callable[[Task], None]) -> None:
    while not queue.empty():
        started(by_index[queue.get()])


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.join(timeout=5)
