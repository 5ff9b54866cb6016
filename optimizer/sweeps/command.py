"""`plan sweep`: what the command says and the exit status it returns (the options are in cli.py).

Exit status: 0 the sweep is complete; 1 complete, but the workbook as it stands has no plan (so
the tornado has no differences to show); 2 the workbook, its ranges or the command is wrong
(nothing solved or written); 3 a case failed in a way that is plan's fault (finished cases are
kept in the results file); 130 Ctrl-C and 143 SIGTERM (finished cases kept; --resume goes on).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from optimizer.problems import InputError
from optimizer.sweeps.run import SweepConfig, SweepOutcome, run_sweep

EXIT_DONE, EXIT_BASE_HAS_NO_PLAN, EXIT_INPUT, EXIT_FAULT = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


def sweep_command(cfg: SweepConfig, *, as_json: bool, emit: Callable[[str], None]) -> int:
    from optimizer.commands.console import report_error, say
    from optimizer.sweeps.progress import Progress

    progress = Progress(say)
    try:
        outcome = run_sweep(cfg, say=say, progress=progress)
    except InputError as err:
        report_error(err)
        return EXIT_INPUT
    except KeyboardInterrupt as stop:
        terminated = type(stop).__name__ == "Terminated"
        if not progress.total:  # before solving began: nothing was written
            say(f"{'terminated (SIGTERM)' if terminated else 'interrupted'}: nothing solved or written")
            return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
        kept = max(0, progress.done - progress.first)
        say(
            f"{'terminated (SIGTERM)' if terminated else 'interrupted'}: {kept:,} "
            f"case{'s' if kept != 1 else ''} finished in this run, "
            f"{progress.done:,} of {progress.total:,} in all, kept in {cfg.results}; no sweep workbook "
            "written. "
            "Run the same command with --resume to go on."
        )
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    except Exception as exc:
        from optimizer.sweeps.engine import JobFailed

        if not isinstance(exc, JobFailed):
            raise
        reason = (
            "its worker stopped unexpectedly more often than Dask retries (killed, or out of memory?)"
            if exc.lost
            else f"{exc} (a fault in plan, not in the workbook)"
        )
        say(
            f"plan: a case could not be solved: {reason}. Finished cases are kept in {cfg.results}; "
            "--resume goes on from them."
        )
        return EXIT_FAULT
    for line in conclusion(outcome):
        say(line)
    say(f"sweep workbook: {outcome.report}")
    say(f"results: {cfg.results}")
    if as_json:
        from optimizer.report.json_out import dumps
        from optimizer.report.sweep_json import sweep_json

        emit(dumps(sweep_json(outcome)))
    base = outcome.summary.base
    has_plan = base is not None and base.record.get("status") in ("optimal", "feasible")
    return EXIT_DONE if has_plan else EXIT_BASE_HAS_NO_PLAN


def conclusion(outcome: SweepOutcome) -> list[str]:
    """The few lines a planner reads on the terminal."""
    s, totals = outcome.summary, outcome.totals
    lines = [
        f"{totals.cases:,} cases: {totals.solved_now:,} solved now, {totals.resumed:,} from "
        f"{outcome.config.results}"
    ]
    if outcome.kind == "tornado":
        for bar in s.bars()[:5]:
            swing = (
                "no plan at one end" if bar.swing_jpy is None else f"swing ¥{bar.swing_jpy / 1e9:,.2f} bn"
            )
            ends = ", ".join(
                f"{e}: {_cost(end.total_cost_jpy)}" for e, end in (("low", bar.low), ("high", bar.high))
            )
            lines.append(f"  {bar.uncertainty.name}: {swing} ({ends})")
    else:
        pct = s.percentiles()
        if pct["p50"] is not None:
            lines.append(
                f"total cost P10 {_cost(pct['p10'])}, P50 {_cost(pct['p50'])}, P90 {_cost(pct['p90'])} "
                f"over {s.with_plan:,} of {s.solved:,} samples with a plan"
            )
        else:
            lines.append(f"no sample has a plan ({s.solved:,} solved)")
    return lines


def _cost(x: float | None) -> str:
    return "no plan" if x is None else f"¥{x / 1e9:,.2f} bn"


def default_names(workbook: Path, scenario: str, samples: int | None) -> str:
    """reports/<workbook>[-<scenario>]-tornado.xlsx or -monte-carlo.xlsx."""
    from optimizer.sweeps.batch import file_safe

    stem = Path(workbook).stem + ("" if scenario == "base" else f"-{file_safe(scenario)}")
    return f"{stem}-{'tornado' if samples is None else 'monte-carlo'}.xlsx"
