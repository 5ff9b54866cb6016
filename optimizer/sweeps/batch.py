"""Solving many cases of one workbook (the base case and every scenario) on the sweep engine.

Cases are independent, so each is solved by a worker (optimizer.sweeps.engine: a local cluster of
`--jobs N` processes, or a Dask cluster). Results are the same whatever N is: every case is
validated, solved and reported by the same code, from the same input, and results are put back
in the workbook's order, never the order they finish in.

Workers never write files: a worker builds its report in memory and the parent writes it
atomically. So a worker that crashes, or is stopped by Ctrl-C, cannot leave a half-written
or temporary file behind, and every file written is complete.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import time
import traceback
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

    @property
    def key(self) -> str:
        """Names the case's inputs (the engine's job protocol)."""
        payload = [str(self.source.workbook), self.source.sha256, self.scenario, self.time_limit_s, self.mip_rel_gap, self.sharing_baseline]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()

    def run(self) -> Result:
        return solve_task(self)


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


def run_tasks(
    tasks: list[Task],
    jobs: int | None,
    *,
    started: Callable[[Task], None] = lambda _t: None,
    finished: Callable[[Task, Result], None] = lambda _t, _r: None,
    scheduler: str | None = None,
) -> list[Result]:
    """Solve every task on `jobs` local worker processes (or the cluster at `scheduler`);
    `finished` is called in this process as each case completes (it writes the report). Returns
    the results in task order.

    Raises BatchError when a worker fails; KeyboardInterrupt (or engine.Terminated) stops the
    workers at once."""
    from optimizer.sweeps.engine import JobFailed, Workers

    results: dict[int, Result] = {}

    def done(task: Task, result: Result) -> None:
        results[task.index] = result
        finished(task, result)

    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    try:
        with Workers(jobs, scheduler) as workers:
            workers.run(tasks, done, started=started)
    except JobFailed as exc:
        task = exc.job
        if exc.lost:
            raise BatchError(
                f"scenario {task.scenario!r}: a solver process stopped unexpectedly (killed, or out of memory?); "
                "reports of cases already done were kept"
            ) from exc
        raise BatchError(_failure(task, exc.cause)) from exc
    return [results[t.index] for t in tasks]


def default_jobs() -> int:
    from optimizer.sweeps.engine import default_jobs as cores

    return cores()


def _failure(task: Task, exc: BaseException) -> str:
    where = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return f"scenario {task.scenario!r} could not be solved: {where} (this is a fault in plan, not in the workbook)"
