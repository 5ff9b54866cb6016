"""What every command says on standard error, and its exit status: problems located in the
workbook's names, warnings, and the checks of the output paths made before any work."""

from __future__ import annotations

import os
from pathlib import Path

import click

from optimizer.problems import InputError, Problem

EXIT_PLAN, EXIT_NO_PLAN, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED, EXIT_FAULT, EXIT_TERMINATED = 130, 3, 143


def say(text: str) -> None:
    click.echo(text, err=True)


def report_problems(problems: list[Problem], warnings: bool = False, about: str = "input") -> None:
    if warnings:
        for p in problems:
            say(f"warning: {p}")
        return
    where = "in the input" if about == "input" else f"with the {about}"
    say(f"plan: {len(problems)} problem{'s' if len(problems) != 1 else ''} {where}:")
    for p in problems:
        say(f"  - {p}")


def report_error(err: InputError) -> None:
    report_problems(err.problems, about=err.about)


def outputs_refused(paths: list[Path], inputs: tuple[Path, ...]) -> bool:
    """Check every destination before any work; report what is wrong (True) or nothing."""
    from optimizer.files import check_outputs

    try:
        check_outputs(paths, inputs)
    except InputError as err:
        report_error(err)
        return True
    return False


def scheduler_address(option: str | None) -> str | None:
    """--scheduler, else $DASK_SCHEDULER_ADDRESS (read without importing Dask)."""
    return option or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def stopped_by(stop: KeyboardInterrupt) -> str:
    return "terminated (SIGTERM)" if type(stop).__name__ == "Terminated" else "interrupted"


def exit_status_of(stop: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM (the shell's 128 + signal number)."""
    return EXIT_TERMINATED if type(stop).__name__ == "Terminated" else EXIT_INTERRUPTED


def import_in_background(*modules: str) -> None:
    import importlib
    import threading

    threading.Thread(target=lambda: [importlib.import_module(m) for m in modules], daemon=True).start()
