"""Reading typed cells with every problem recorded, not only the first: the checker that every
sheet's validation shares, the cell conversions (names, yes/no, lists, numbers typed as text) and
the checks of a sheet's columns and unique names."""

from __future__ import annotations

import datetime as _dt
import difflib
import math

from optimizer.problems import Problem
from optimizer.workbook.convert import clean_name, number_from_text
from optimizer.workbook.limits import column_limit
from optimizer.workbook.read import RawRow, RawSheet
from optimizer.workbook.schema import LIST, NAME, NUMBER, POSITIVE, SIGNED, TEXT, WHOLE, YESNO, Column, SheetSpec

_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}
MISSING = object()  # a cell that could not be read (its problem is recorded)
NUMBERS = (NUMBER, SIGNED, POSITIVE, WHOLE)
RATIOS = ("mip_rel_gap",)  # settings that may be typed as a percentage ("0.01 %")


def close_match(name: str, candidates) -> str:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return found[0] if found else ""


def did_you_mean(name: str, candidates) -> str:
    match = close_match(name, candidates)
    return f"Did you mean {match!r}?" if match else ""


class Checker:
    """Collects problems while converting cells; one per sheet being read."""

    def __init__(self, problems: list[Problem], warnings: list[Problem]):
        self.problems = problems
        self.warnings = warnings

    def fail(
        self, sheet: RawSheet | None, row: RawRow | int | None, column: str | None, value: object, message: str, hint: str = "",
        *, title: str | None = None, warn: bool = False, also: tuple[str, ...] = (),
    ) -> None:
        """Record a problem. Given the RawRow (not just its number), the message also names the
        scenario or range that set `column` (or one of `also`, the other cells the check read)."""
        number = row.number if isinstance(row, RawRow) else row
        if isinstance(row, RawRow):
            origins = list(dict.fromkeys(row.changed_by[c] for c in (column, *also) if c in row.changed_by))
            if origins:
                message += f" (set by {', '.join(origins)})"
        letter = sheet.letter(column) if sheet is not None and column else ""
        p = Problem(sheet.title if sheet is not None else title, number, column, value, message, hint, letter)
        (self.warnings if warn else self.problems).append(p)

    def cell(self, sheet: RawSheet, row: RawRow, col: Column):
        """The typed value of one cell, or MISSING after recording a problem."""
        value = row.cells.get(col.name)
        if value is None:
            if col.required:
                self.fail(sheet, row, col.name, None, f"is blank; {col.name} is required", col.help)
                return MISSING
            return col.default
        converted, message = convert(value, col.kind, col.unit)
        if not message and col.kind in NUMBERS:
            message = column_limit(col.name).problem(converted)
        if message:
            self.fail(sheet, row, col.name, value, message, col.help)
            return MISSING
        return converted


def convert(value: object, kind: str, unit: str = "", percent: bool = False) -> tuple[object, str]:
    """Convert a cell to `kind`; returns (value, "") or (None, what is wrong). For a number typed as
    text, `unit` ("¥" for money) and `percent` (a ratio) say which marks it may carry."""
    if kind in (NAME, TEXT):
        if isinstance(value, bool) or isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
            if kind == TEXT:
                return value, ""
            return None, "expected a name (text), not " + ("TRUE/FALSE" if isinstance(value, bool) else "a date")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = clean_name(value) if kind == NAME else value
        return text, ""
    if kind == YESNO:
        if isinstance(value, bool):
            return value, ""
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value), ""
        text = str(value).replace("\u00a0", " ").strip().lower()
        if text in _YES:
            return True, ""
        if text in _NO:
            return False, ""
        return None, "expected yes or no (also accepted: true/false, 1/0)"
    if kind == LIST:
        if isinstance(value, bool) or isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
            return None, "expected a comma-separated list of names"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        items = [clean_name(p) for p in str(value).split(",")]
        items = [p for p in items if p]
        if not items or (len(items) == 1 and items[0].lower() == "all"):
            return None, ""
        if any(p.lower() == "all" for p in items):
            return None, "'all' cannot be combined with names; leave the cell blank or write all for no restriction"
        return frozenset(items), ""
    # numbers
    if isinstance(value, bool):
        return None, "expected a number, not TRUE/FALSE"
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return None, "expected a number, not a date (format the cell as Number)"
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        number, message = number_from_text(str(value), unit, percent)
        if message:
            return None, message
    if not math.isfinite(number):
        return None, "expected a finite number"
    if kind == POSITIVE and number <= 0:
        return None, "must be greater than zero"
    if kind in (NUMBER, WHOLE) and number < 0:
        return None, "cannot be negative"
    if kind == WHOLE and not number.is_integer():
        return None, "must be a whole number"
    return number, ""


def known_rows(sheet: RawSheet, spec: SheetSpec) -> list[RawRow]:
    names = {c.name for c in spec.columns}
    return [r for r in sheet.rows if any(r.cells.get(n) is not None for n in names)]


def check_columns(ck: Checker, sheet: RawSheet, spec: SheetSpec) -> bool:
    """Required columns present; unknown columns that look like typos of absent ones. False: skip rows."""
    ok = True
    present = set(sheet.columns)
    known = {c.name for c in spec.columns}
    unknown = [c for c in present if c not in known]
    for col in spec.columns:
        if col.name in present:
            continue
        typo = close_match(col.name, unknown)
        if col.required:
            ok = False
            hint = f"Column {sheet.letter(typo)} is headed {sheet.header[sheet.columns[typo]]!r}: did you mean {col.name!r}?" if typo else col.help
            ck.fail(sheet, 1, col.name, None, f"required column {col.name!r} is missing", hint)
        elif typo:
            ck.fail(
                sheet, 1, typo, sheet.header[sheet.columns[typo]],
                f"column {typo!r} is not a column of {spec.name}; it looks like the optional column {col.name!r}, which would otherwise be ignored",
                f"Rename it to {col.name!r}, or to something clearly different if it holds notes.",
            )
    return ok


def names_in(sheet: RawSheet | None, spec: SheetSpec, *columns: str) -> set[str] | None:
    """The names (joined with '/') in every data row of a sheet, rows with a bad cell included, so
    that a reference to such a row is not reported as a second, misleading problem. None when the
    sheet is unusable (missing, or a required column is): its references cannot be checked."""
    if sheet is None:
        return None
    out: set[str] = set()
    for row in known_rows(sheet, spec):
        parts = [convert(row.cells[c], NAME)[0] if row.cells.get(c) is not None else None for c in columns]
        if all(isinstance(p, str) and p for p in parts):
            out.add("/".join(parts))
    return out


def unique(ck: Checker, sheet: RawSheet, rows: list[tuple[RawRow, object]], column: str, what: str) -> None:
    seen: dict[object, int] = {}
    for row, key in rows:
        if key in seen:
            shown = "/".join(key) if isinstance(key, tuple) else key
            ck.fail(sheet, row, column, shown, f"{what} {shown!r} appears twice (first in row {seen[key]})", "Names must be unique.")
        else:
            seen[key] = row.number


def typed_rows(ck: Checker, sheet: RawSheet, spec: SheetSpec) -> list[tuple[RawRow, dict[str, object]]]:
    out = []
    for row in known_rows(sheet, spec):
        typed = {c.name: ck.cell(sheet, row, c) for c in spec.columns}
        if all(v is not MISSING for v in typed.values()):
            out.append((row, typed))
    return out
