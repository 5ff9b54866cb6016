"""Standard output and standard error, kept what the commands promise: standard output carries
only the JSON object (--json), and a full, closed or missing stream is a message, never a
traceback nor a message written into some other file."""

from __future__ import annotations

import contextlib
import os
import sys

import click


def ensure_standard_streams() -> None:
    """A closed standard stream (`2>&-`) becomes the null device. Otherwise the next file opened
    takes its number, and whatever is written to "standard error" (our messages, HiGHS's C
    output) would land in that file: a report, say."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdout is None:
        sys.stdout = open(1, "w", closefd=False)
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)


class JsonOut:
    """Writes the one JSON object to the real standard output; a full device or a closed pipe
    is a message (and exit status 2), not a traceback."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.failed = False

    def __call__(self, text: str) -> None:
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except OSError as exc:
            self.failed = True
            why = exc.strerror or exc
            click.echo(f"plan: the JSON could not be written to standard output ({why})", err=True)


@contextlib.contextmanager
def stdout_reserved():
    """Send everything written to standard output (any C-level output included) to standard
    error, and yield a JsonOut that writes to the real standard output."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    out = JsonOut(os.fdopen(saved, "w", encoding="utf-8", closefd=True))
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield out
    finally:
        sys.stdout.flush()
        os.dup2(out.stream.fileno(), 1)
        try:
            out.stream.close()
        except OSError:  # what a failed write left in the buffer: already reported
            pass
