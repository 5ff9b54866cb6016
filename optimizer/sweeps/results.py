"""The results file of a sweep: one CSV line per finished case, appended as it finishes.

Each line is keyed by a hash of the case's inputs (optimizer.sweeps.cases.SweepInputs.key), so
`--resume` reuses every line whose inputs are unchanged and solves only the rest: after a crash,
Ctrl-C or SIGKILL nothing finished is redone. A line is written whole with one `write` call on
a file opened for appending; a run killed in that instant leaves at most a torn last line, which
the next run drops. CSV and the standard library are enough here: the file is read line by line,
never whole, and pandas (optimizer.api) reads it for analysts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from optimizer.problems import InputError, Problem

COLUMNS = (
    "key",
    "case",
    "label",
    "status",
    "total_cost_jpy",
    "best_bound_jpy",
    "gap",
    "seconds",
    "values",
    "record",
)
_KEY = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Row:
    key: str
    case: int
    label: str
    values: dict[str, list[float]]  # uncertainty -> value of each of its rows
    record: dict  # optimizer.sweeps.jobs.plan_record

    @property
    def total_cost_jpy(self) -> float | None:
        return self.record.get("total_cost_jpy")


def to_line(row: Row) -> str:
    """One CSV line (no newline inside: labels are made single-line)."""
    r = row.record
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        [
            row.key,
            row.case,
            " ".join(row.label.split()),
            r.get("status"),
            _num(r.get("total_cost_jpy")),
            _num(r.get("best_bound_jpy")),
            _num(r.get("gap")),
            _num(r.get("seconds")),
            json.dumps(row.values, ensure_ascii=False, allow_nan=False),
            json.dumps(r, ensure_ascii=False, allow_nan=False),
        ]
    )
    return buffer.getvalue()


def _num(x: float | None) -> str:
    return "" if x is None else repr(float(x))


class ResultsFile:
    """Appends finished cases to `path`. `resume=False` starts the file afresh."""

    def __init__(self, path: Path, *, resume: bool):
        self.path = Path(path)
        self.resume = resume
        self._fd: int | None = None

    def rows(self) -> Iterator[Row]:
        """The rows already in the file (resume only), read one at a time. A torn last line is
        dropped from the file; any other damaged line is an error naming it."""
        if not self.resume or not self.path.exists():
            return
        good_end = 0
        with open(self.path, "rb") as fh:
            header = fh.readline()
            if not header:
                return
            if header.decode("utf-8", "replace").rstrip("\r\n").split(",") != list(COLUMNS):
                raise InputError(
                    [
                        Problem(
                            None,
                            None,
                            "--results",
                            str(self.path),
                            "is not a results file of plan sweep (its first line is not the expected header)",
                            "Name another file with --results, or leave out --resume to start it afresh.",
                        )
                    ]
                )
            good_end = fh.tell()
            number = 1
            for raw in fh:
                number += 1
                torn = not raw.endswith(b"\n")
                try:
                    row = parse_line(raw.decode("utf-8"))
                except (ValueError, UnicodeDecodeError) as exc:
                    if torn or not fh.peek(1):
                        break  # the last line, cut short by a run that was killed while writing it
                    raise InputError(
                        [
                            Problem(
                                None,
                                number,
                                "--results",
                                str(self.path),
                                f"line {number} is damaged ({exc})",
                                "Remove that line, or leave out --resume to start afresh.",
                            )
                        ]
                    ) from None
                if torn:
                    break
                good_end = fh.tell()
                yield row
        if good_end < self.path.stat().st_size:
            os.truncate(self.path, good_end)

    def open(self) -> None:
        """Ready to append: with resume, after the rows read; else a new file with the header only."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.resume or not self.path.exists() or self.path.stat().st_size == 0:
            tmp = self.path.with_name(f".~plan-{self.path.name}")
            tmp.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)

    def append(self, row: Row) -> None:
        data = to_line(row).encode("utf-8")
        written = os.write(self._fd, data)
        if written != len(data):  # a full disk: say so rather than leave a torn line unnoticed
            raise OSError(f"only {written} of {len(data)} bytes written to {self.path}")

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def parse_line(text: str) -> Row:
    fields = next(csv.reader([text]))
    if len(fields) != len(COLUMNS):
        raise ValueError(f"{len(fields)} fields, not {len(COLUMNS)}")
    cells = dict(zip(COLUMNS, fields))
    if not _KEY.match(cells["key"]):
        raise ValueError("its key is not a 64-digit hash")
    record = json.loads(cells["record"])
    values = json.loads(cells["values"])
    if not isinstance(record, dict) or "status" not in record or not isinstance(values, dict):
        raise ValueError("its record is not a case's")
    return Row(cells["key"], int(cells["case"]), cells["label"], values, record)


def read_rows(path: Path) -> Iterator[Row]:
    """Every complete row of a results file (for analysis; nothing is changed)."""
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\r\n").split(",")
        if header != list(COLUMNS):
            raise InputError([Problem(None, None, None, str(path), "is not a results file of plan sweep")])
        for line in fh:
            if line.endswith("\n"):
                yield parse_line(line)
