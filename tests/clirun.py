"""Running `plan` the two ways the tests need: as the installed console script (a real process,
so exit codes, stdout and stderr are real) and in-process with click's CliRunner (fast)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner, Result

from optimizer.cli import main

PLAN = Path(sys.executable).parent / "plan"


def ctrl_c_as_in_a_terminal() -> None:
    """preexec_fn for a child that a test sends Ctrl-C: a shell without job control starts
    background jobs (and so pytest, and its children) with SIGINT ignored, and a Python started
    that way never raises KeyboardInterrupt. A terminal gives the default action."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def plan(*args: object, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`plan ARGS` as a subprocess."""
    return subprocess.run([str(PLAN), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def invoke(*args: object) -> Result:
    """`plan ARGS` in-process; exceptions other than SystemExit propagate."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def problem_lines(stderr: str) -> list[str]:
    """The problems `plan` listed on standard error (lines '  - ...')."""
    return [line[4:] for line in stderr.splitlines() if line.startswith("  - ")]


def find_problem(stderr: str, *fragments: str) -> str:
    """The one problem line that contains every fragment; fails showing stderr otherwise."""
    found = [line for line in problem_lines(stderr) if all(f in line for f in fragments)]
    assert found, f"no problem line contains all of {fragments!r}; stderr was:\n{stderr}"
    return found[0]


def summary(report: Path) -> dict[str, object]:
    """The report's Summary sheet as label -> value."""
    ws = openpyxl.load_workbook(report)["Summary"]
    return {row[0]: row[1] for row in ws.iter_rows(min_row=3, max_col=2, values_only=True) if row[0] is not None}


def provenance(report: Path) -> dict[tuple[str, str], object]:
    """The report's Provenance sheet as (section, item) -> value."""
    ws = openpyxl.load_workbook(report)["Provenance"]
    return {(row[0], row[1]): row[2] for row in ws.iter_rows(min_row=4, max_col=3, values_only=True) if row[1] is not None}


def files_in(folder: Path) -> set[str]:
    return {p.name for p in Path(folder).iterdir()}
