"""Input problems: what is wrong, where (sheet, row as Excel shows it, column, value), and a hint."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    sheet: str | None
    row: int | None
    column: str | None
    value: object
    message: str
    hint: str = ""
    letter: str = ""  # Excel column letter, when known

    def __str__(self) -> str:
        where = []
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.letter + ' ' if self.letter else ''}'{self.column}'")
        text = ", ".join(where)
        if self.value is not None:
            text = f"{text} (value {show_value(self.value)})" if text else show_value(self.value)
        text = f"{text}: {self.message}" if text else self.message
        if self.hint:
            text += f" — {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": None if self.value is None else show_value(self.value),
            "message": self.message,
            "hint": self.hint,
        }


def show_value(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    return repr(value)


class InputError(Exception):
    """The workbook or the command is wrong: every problem found, reported together (exit 2)."""

    about = "input"  # what the problems are in, for the heading above them

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the {self.about}")
        self.problems = problems


class OutputError(InputError):
    """A destination cannot be written (a folder that is read-only or missing its parent, a name
    that is not .xlsx, an input in the way...): still the command's fault, exit 2."""

    about = "output"
