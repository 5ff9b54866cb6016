"""`plan sweep` from start to end, for the CLI and the Python API alike.

Read and validate the workbook and its ranges (and the design of --design); make the cases
(tornado ends, or Monte Carlo samples); check every case and every output before anything is
solved; take what the results file already holds (--resume); solve the rest on the engine,
appending each finished case to the results file; summarise; write the sweep workbook. A Pareto
front (--pareto) goes through the same steps in optimizer.sweeps.pareto_run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from optimizer.problems import InputError, Problem
from optimizer.sweeps.cases import (
    BASE_LABEL,
    MONTE_CARLO,
    PARETO,
    TORNADO,
    CaseDef,
    SweepInputs,
    check_cases,
    monte_carlo_case,
    tornado_cases,
)
from optimizer.sweeps.jobs import PLAN, DesignJob, Job, PlanJob
from optimizer.sweeps.ranges import read_ranges
from optimizer.sweeps.results import ResultsFile, Row
from optimizer.sweeps.summary import MonteCarloSummary, SweepTotals, TornadoSummary

if TYPE_CHECKING:
    from models.data import PlanInput
    from optimizer.sweeps.design import Committed
    from optimizer.sweeps.pareto import ParetoSummary

Say = Callable[[str], None]


@dataclass(frozen=True)
class SweepConfig:
    workbook: Path
    out: Path  # the sweep workbook
    results: Path  # the results file (CSV)
    scenario: str = "base"
    samples: int | None = None  # None: tornado
    seed: int = 0
    time_limit_s: float | None = None
    mip_rel_gap: float | None = None
    jobs: int | None = None
    scheduler: str | None = None
    resume: bool = False
    design: Path | None = None  # --design: a report whose design every case keeps
    pareto: str | None = None  # --pareto: "commonality" or "range:VARIANT"

    @property
    def kind(self) -> str:
        if self.pareto is not None:
            return PARETO
        return TORNADO if self.samples is None else MONTE_CARLO

    @property
    def base_label(self) -> str:
        return BASE_LABEL if self.scenario == "base" else f"scenario {self.scenario} as it stands"


@dataclass
class SweepOutcome:
    config: SweepConfig
    inputs: SweepInputs
    summary: TornadoSummary | MonteCarloSummary | ParetoSummary
    totals: SweepTotals
    warnings: list[Problem] = field(default_factory=list)
    report: Path | None = None
    committed: Committed | None = None  # --design

    @property
    def kind(self) -> str:
        return self.config.kind


@dataclass(frozen=True)
class Start:
    """What a sweep starts from, every input checked."""

    inputs: SweepInputs
    base_input: PlanInput  # the workbook as it stands (or its --scenario), validated
    tornado: list[CaseDef] | None  # a tornado's cases
    committed: Committed | None  # --design
    warnings: list[Problem]

    def compute(self) -> str:
        """What each case computes, part of its key: the cheapest plan, or the committed design's."""
        return PLAN if self.committed is None else f"design {self.committed.key}"

    def job(self, key: str, inp: PlanInput, cfg: SweepConfig) -> Job:
        if self.committed is None:
            return PlanJob(key, inp, cfg.time_limit_s, cfg.mip_rel_gap)
        return DesignJob(key, inp, self.committed.design, cfg.time_limit_s, cfg.mip_rel_gap)


class _Progress:
    """What run_sweep tells its caller as it goes (the CLI draws a bar; the API may ignore it)."""

    def start(self, total: int, done: int, workers: str) -> None: ...
    def resize(self, total: int) -> None: ...
    def advance(self, row: Row, count: int = 1) -> None: ...
    def close(self) -> None: ...


def prepare(cfg: SweepConfig, say: Say = lambda _t: None) -> Start:
    """The validated starting point. Raises InputError."""
    from optimizer.workbook.read import read_workbook
    from optimizer.workbook.scenarios import apply_scenario
    from optimizer.workbook.validate import validate

    say(f"reading {cfg.workbook}" + (f" (scenario {cfg.scenario})" if cfg.scenario != "base" else ""))
    raw = apply_scenario(read_workbook(cfg.workbook), cfg.scenario)
    validated = validate(raw)
    ranges = read_ranges(raw)
    if not ranges.uncertainties and cfg.kind != PARETO:
        raise InputError(
            [
                Problem(
                    "ranges",
                    None,
                    None,
                    None,
                    "the workbook has no ranges: a sweep needs at least one uncertain input",
                    "Add a ranges sheet (name, sheet, match, column, op, low, high); see docs/sweeps.md.",
                )
            ]
        )
    warnings = [*validated.warnings, *ranges.warnings]
    committed = None
    if cfg.design is not None:
        from optimizer.sweeps.design import read_committed

        committed, said = read_committed(cfg.design, validated.plan_input, raw.sha256)
        warnings += said
    if "futures" in raw.sheets and (committed is None or committed.kind != "robust"):
        warnings.append(futures_ignored(cfg))
    inputs = SweepInputs(raw, cfg.scenario, ranges, cfg.time_limit_s, cfg.mip_rel_gap)
    cases = tornado_cases(ranges, cfg.base_label) if cfg.kind == TORNADO else None
    return Start(inputs, validated.plan_input, cases, committed, warnings)


def futures_ignored(cfg: SweepConfig) -> Problem:
    """A sweep's case is one plan of the workbook (as plan solve makes it), never a robust plan."""
    each = "point of the front" if cfg.kind == PARETO else "case"
    return Problem(
        "futures",
        None,
        None,
        None,
        f"is not used by plan sweep: each {each} is one plan of the workbook (as plan solve makes it, "
        "without --robust), not one design for every future",
        "To sweep the design a robust plan commits to, give its report: "
        "plan sweep --design ROBUST-REPORT.xlsx.",
    )


def case_defs(cfg: SweepConfig, start: Start) -> Callable[[], Iterator[CaseDef]]:
    """A fresh iterator over the sweep's cases each call (Monte Carlo cases are made on the way)."""
    if start.tornado is not None:
        return lambda: iter(start.tornado)
    return lambda: (
        monte_carlo_case(start.inputs.ranges, cfg.seed, i, cfg.base_label) for i in range(cfg.samples + 1)
    )


def run_sweep(
    cfg: SweepConfig, *, say: Say = lambda _t: None, progress: _Progress | None = None, write: bool = True
) -> SweepOutcome:
    """Run the sweep. Raises InputError (nothing solved or written), JobFailed, KeyboardInterrupt
    or engine.Terminated (finished cases are in the results file either way)."""
    import time

    from optimizer.files import check_outputs

    from optimizer.sweeps import require_engine

    require_engine("plan sweep")
    progress = progress or _Progress()
    start = prepare(cfg, say)
    for w in start.warnings:
        say(f"warning: {w}")
    inputs_ = (Path(cfg.workbook),) + ((Path(cfg.design),) if cfg.design is not None else ())
    check_outputs([cfg.out], inputs_)  # both before anything is solved (a sample's check is slow)
    check_outputs([cfg.results], inputs_, "results file", suffix=".csv")
    if cfg.kind == PARETO:
        from optimizer.sweeps.pareto_run import run_pareto

        return run_pareto(cfg, start, say=say, progress=progress, write=write)
    inputs, tornado, warnings, compute = start.inputs, start.tornado, start.warnings, start.compute()
    cases = case_defs(cfg, start)

    wanted: dict[str, list[int]] = {}
    for case in cases():
        wanted.setdefault(inputs.key(case, compute), []).append(case.index)
    total = sum(len(v) for v in wanted.values())
    summary = (
        TornadoSummary(inputs.ranges, tornado)
        if tornado is not None
        else MonteCarloSummary(inputs.ranges, cfg.samples, cfg.seed)
    )
    results = ResultsFile(cfg.results, resume=cfg.resume)
    done: set[str] = set()
    case_of = cases_by_index(cfg, start)
    for row in results.rows():
        if row.key in wanted and row.key not in done:
            done.add(row.key)
            _feed(summary, case_of, row, wanted[row.key])
    remaining = total - sum(len(wanted[k]) for k in done)
    checked: dict[int, PlanInput] = {}  # case number -> its input validated by the check
    if remaining and done:
        say(f"resuming: {total - remaining} of {total} cases are in {cfg.results} already")
    if remaining:
        say(f"checking {remaining} case{'s' if remaining != 1 else ''} against the workbook's rules")
        if tornado is None:  # each range alone at its ends first: the clearest message when one is too wide
            check_cases(
                inputs, iter(tornado_cases(inputs.ranges)[1:]), shown=2 * len(inputs.ranges.uncertainties)
            )
        check_cases(inputs, (c for c in cases() if inputs.key(c, compute) not in done), keep=checked)

    totals = SweepTotals(cases=total, resumed=total - remaining)
    started = time.perf_counter()
    results.open()
    try:
        if remaining:
            _solve(cfg, start, cases, done, wanted, summary, results, totals, progress, say, checked)
    finally:
        results.close()
        progress.close()
        totals.seconds = time.perf_counter() - started
    return finish(SweepOutcome(cfg, inputs, summary, totals, warnings, committed=start.committed), write)


def finish(outcome: SweepOutcome, write: bool) -> SweepOutcome:
    """The sweep workbook written (unless `write` is false)."""
    if write:
        from optimizer.report.sweep import write_sweep

        outcome.report = write_sweep(outcome.config.out, outcome)
    return outcome


def cases_by_index(cfg: SweepConfig, start: Start) -> Callable[[int], CaseDef]:
    if start.tornado is not None:
        return lambda i: start.tornado[i]
    return lambda i: monte_carlo_case(start.inputs.ranges, cfg.seed, i, cfg.base_label)


def _feed(summary, case_of: Callable[[int], CaseDef], row: Row, indices: list[int]) -> None:
    """A results row as the case(s) of this sweep whose inputs it answers (its index and label
    are this sweep's, whatever sweep wrote it)."""
    for i in indices:
        case = case_of(i)
        summary.add(Row(row.key, i, case.label, row.values, row.record))


def _solve(cfg, start: Start, cases, done, wanted, summary, results, totals, progress, say, checked) -> None:
    from optimizer.sweeps.engine import Workers

    inputs, compute = start.inputs, start.compute()
    case_of = cases_by_index(cfg, start)

    def jobs():
        sent: set[str] = set()
        for case in cases():
            key = inputs.key(case, compute)
            if key in done or key in sent:
                continue
            sent.add(key)
            inp = checked.pop(case.index, None)
            yield start.job(key, inp if inp is not None else inputs.plan_input(case), cfg)

    def finished(job: Job, record: dict) -> None:
        first = case_of(wanted[job.key][0])
        row = Row(job.key, first.index, first.label, inputs.values(first), record)
        results.append(row)
        done.add(job.key)
        totals.solved_now += 1
        _feed(summary, case_of, row, wanted[job.key])
        progress.advance(row, len(wanted[job.key]))

    with Workers(cfg.jobs, cfg.scheduler) as workers:
        totals.workers = workers.description
        say(
            f"solving {totals.cases - totals.resumed} "
            f"case{'s' if totals.cases - totals.resumed != 1 else ''} on {workers.description} (started "
            f"in {workers.started_s:.1f} s)"
        )
        progress.start(totals.cases, totals.resumed, workers.description)
        workers.run(jobs(), finished)
