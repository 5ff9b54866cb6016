"""`plan sweep --pareto`: a front's points solved on the sweep engine, like any sweep's cases.

First the cheapest plan (the unconstrained point, as the workbook stands); from it the grid of
bounds (optimizer.sweeps.pareto); then the points, sent to the workers in order from the
workbook's bound outward, several at once. A point is not sent when a finished point already
answers it (its proven-optimal plan meets that bound too) or lies beyond a point without a plan.
Each finished point is appended to the results file, keyed by its inputs and its bound, so
--resume redoes nothing.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from typing import Iterator

from models.data import PlanInput
from optimizer.sweeps.cases import CaseDef
from optimizer.sweeps.jobs import PLAN, CappedJob, Job, PlanJob
from optimizer.sweeps.pareto import (
    COMMONALITY,
    HAS_PLAN,
    RANGE,
    Axis,
    ParetoSummary,
    commonality_grid,
    parse_axis,
    range_grid,
)
from optimizer.sweeps.results import ResultsFile, Row
from optimizer.sweeps.run import Say, Start, SweepConfig, SweepOutcome, finish
from optimizer.sweeps.summary import SweepTotals


def run_pareto(cfg: SweepConfig, start: Start, *, say: Say, progress, write: bool) -> SweepOutcome:
    inputs, base_input = start.inputs, start.base_input
    axis = parse_axis(cfg.pareto, base_input)
    target = base_input.variant(axis.variant).range_target_km if axis.kind == RANGE else None
    summary = ParetoSummary(axis, target)
    blank = (None,) * len(inputs.ranges.uncertainties)
    base_case = CaseDef(0, f"{cfg.base_label}: the cheapest plan", "base", blank)
    results = ResultsFile(cfg.results, resume=cfg.resume)
    known = {}
    for row in results.rows():
        known.setdefault(row.key, row)
    totals = SweepTotals()
    started = time.perf_counter()
    results.open()
    run = _Run(cfg, start, axis, summary, results, known, totals, progress, say)
    try:
        with contextlib.ExitStack() as stack:
            run.stack = stack
            run.base(base_case)
            if summary.base is not None and summary.base.record.get("status") in HAS_PLAN:
                grid = commonality_grid(summary.base.record) if axis.kind == COMMONALITY else range_grid(
                    base_input, axis.variant
                )
                summary.grid = grid
                run.points([
                    CaseDef(i, axis.label(e), "point", blank, epsilon=e) for i, e in enumerate(grid.points, 1)
                ])
    finally:
        results.close()
        progress.close()
        totals.seconds = time.perf_counter() - started
    points = summary.points()
    totals.cases = len(points)
    ahead = totals.solved_now + totals.resumed - len({p.case for p in points})
    if ahead > 0:
        totals.notes.append(
            f"{ahead} point{'s' if ahead != 1 else ''} beyond the end of the front (or answered by another) "
            "solved ahead by workers that had nothing else to do: in the results file, not on the front"
        )
    if totals.resumed and totals.solved_now:
        say(f"resumed: {totals.resumed} points were in {cfg.results} already")
    return finish(SweepOutcome(cfg, inputs, summary, totals, start.warnings, committed=None), write)


class _Run:
    """The state of one front's solve: what is known, what is sent, what can be skipped."""

    def __init__(
        self, cfg, start: Start, axis: Axis, summary: ParetoSummary, results: ResultsFile, known: dict,
        totals: SweepTotals, progress, say: Say,
    ):
        self.cfg, self.start, self.axis, self.summary = cfg, start, axis, summary
        self.results, self.known, self.totals, self.progress, self.say = results, known, totals, progress, say
        self.stack: contextlib.ExitStack | None = None
        self.workers = None
        self.solved: list[tuple[float, dict]] = []  # (bound, record) of every point finished so far
        self.case_of: dict[str, CaseDef] = {}
        self.planned = 1  # points the front may need: the base and the grid's
        self.skipped = 0  # points of the grid that need no solve

    def base(self, case: CaseDef) -> None:
        key = self.start.inputs.key(case, PLAN)
        self.case_of[key] = case
        if key in self.known:
            self._take(case, self.known[key])
            return
        self.say("solving the cheapest plan first: the front starts from it")
        self._engine().run([PlanJob(key, self.start.base_input, self.cfg.time_limit_s, self.cfg.mip_rel_gap)],
                           self._finished)

    def points(self, cases: list[CaseDef]) -> None:
        self.summary.cases = {c.index: c for c in cases}
        self.solved = [(self.summary.base_epsilon(), self.summary.base.record)]
        self.planned = 1 + len(cases)
        if self.workers is not None:
            self.progress.resize(self.planned)
        jobs = self._jobs(cases)
        first = next(jobs, None)
        if first is not None:
            # one point per worker at a time: each is chosen knowing every finished point (fewer solves)
            self._engine().run(_chain(first, jobs), self._finished, per_worker=1)

    def _jobs(self, cases: list[CaseDef]) -> Iterator[Job]:
        """The points to solve, in grid order, each decided when the engine asks for the next
        (by then more points may have finished)."""
        for case in cases:
            if self._needless(case.epsilon):
                self.skipped += 1
                if self.workers is not None:
                    self.progress.resize(self.planned - self.skipped)
                continue
            key = self.start.inputs.key(case, self.axis.compute(case.epsilon))
            self.case_of[key] = case
            if key in self.known:
                self._take(case, self.known[key])
                continue
            yield self._job(key, case.epsilon)

    def _needless(self, epsilon: float) -> bool:
        for at, record in self.solved:
            if record.get("status") not in HAS_PLAN and self.axis.tighter(epsilon, at):
                return True  # tighter than a bound without a plan
            if self.axis.answers(at, record, epsilon):
                return True
        return False

    def _job(self, key: str, epsilon: float) -> Job:
        cfg, inp = self.cfg, self.start.base_input
        if self.axis.kind == COMMONALITY:
            return CappedJob(key, inp, int(epsilon), cfg.time_limit_s, cfg.mip_rel_gap)
        changed = with_range_target(inp, self.axis.variant, epsilon)
        return PlanJob(key, changed, cfg.time_limit_s, cfg.mip_rel_gap)

    def _take(self, case: CaseDef, row: Row) -> None:
        """A point from the results file (--resume)."""
        self.totals.resumed += 1
        row = self._add(case, row)
        if self.workers is not None:
            self.progress.advance(row)

    def _finished(self, job: Job, record: dict) -> None:
        case = self.case_of[job.key]
        row = self._add(case, Row(job.key, case.index, case.label, {}, record))
        self.results.append(row)
        self.totals.solved_now += 1
        self.progress.advance(row)

    def _add(self, case: CaseDef, row: Row) -> Row:
        own = Row(row.key, case.index, case.label, row.values, row.record)
        self.summary.add(own)
        if case.epsilon is not None:
            self.solved.append((case.epsilon, row.record))
        return own

    def _engine(self):
        """The workers, started when the first point needs solving (a resumed front may need none)."""
        if self.workers is None:
            from optimizer.sweeps.engine import Workers

            self.workers = self.stack.enter_context(Workers(self.cfg.jobs, self.cfg.scheduler))
            self.totals.workers = self.workers.description
            self.say(f"solving on {self.workers.description} (started in {self.workers.started_s:.1f} s)")
            self.progress.start(self.planned - self.skipped, self.totals.resumed, self.workers.description)
        return self.workers


def with_range_target(inp: PlanInput, variant: str, km: float) -> PlanInput:
    """The input with one variant's range target changed (every other cell as validated)."""
    variants = tuple(replace(v, range_target_km=km) if v.name == variant else v for v in inp.variants)
    return replace(inp, variants=variants)


def _chain(first: Job, rest: Iterator[Job]) -> Iterator[Job]:
    yield first
    yield from rest
