"""The `ranges` sheet: the inputs a planner is unsure of, each with a low, a high and a distribution.

A row names cells the way a scenario row does (sheet, match, column, op) and is applied by the same
code (optimizer.workbook.scenarios.apply_row), so a range may change any numeric cell a scenario
may, and every validation rule still holds for the changed workbook. Rows with the same name are
one uncertainty: they move together, each to the same quantile of its own range (battery prices
×0.8-1.2 on the packs sheet and on their tiers, say), so that one draw moves them all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from optimizer.problems import InputError, Problem
from optimizer.workbook.read import RawRow, RawSheet, RawWorkbook, normalise
from optimizer.workbook.scenarios import apply_row, changed_copy
from optimizer.workbook.schema import (
    DISTRIBUTIONS,
    NAME,
    POSITIVE,
    SETTINGS,
    RULES,
    SHEET,
    SIGNED,
    WHOLE,
    NUMBER,
)
from optimizer.workbook.checker import convert, did_you_mean

SHEET_NAME = "ranges"
NUMERIC = (NUMBER, SIGNED, POSITIVE, WHOLE)
# A normal distribution's standard deviation is this share of high - low: low and high are the
# mean -/+ 3 standard deviations when most_likely is halfway (0.27 % of draws are clipped).
NORMAL_SD_SHARE = 1 / 6
_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class RangeRow:
    """One row of the ranges sheet, checked."""

    raw: RawRow  # its cells (sheet, match, column, op), as apply_row reads them
    low: float
    high: float
    most_likely: float | None
    distribution: str
    whole: bool  # `set` on a whole-number column (seats): values are rounded

    @property
    def number(self) -> int | None:
        return self.raw.number

    @property
    def mode(self) -> float:
        return self.most_likely if self.most_likely is not None else (self.low + self.high) / 2

    def value_at(self, q: float) -> float:
        """The value at quantile q of the row's distribution (0: low, 1: high)."""
        lo, hi = self.low, self.high
        if q <= 0 or hi <= lo:
            value = lo
        elif q >= 1:
            value = hi
        elif self.distribution == "uniform":
            value = lo + q * (hi - lo)
        elif self.distribution == "triangular":
            c = self.mode
            below = (c - lo) / (hi - lo)
            value = (
                lo + math.sqrt(q * (hi - lo) * (c - lo))
                if q < below
                else hi - math.sqrt((1 - q) * (hi - lo) * (hi - c))
            )
        else:  # normal, clipped to [low, high]
            value = min(hi, max(lo, self.mode + NORMAL_SD_SHARE * (hi - lo) * _STANDARD_NORMAL.inv_cdf(q)))
        return float(round(value)) if self.whole else value

    def describe(self) -> str:
        """e.g. "packs, all rows: unit_cost_jpy multiply 0.8 to 1.2 (triangular, most likely 1)"."""
        cells = self.raw.cells
        match = str(cells.get("match") or "").strip() or "all rows"
        op = normalise(cells.get("op")) or "set"
        shape = self.distribution + (
            f", most likely {self.mode:g}" if self.distribution != "uniform" else ""
        )
        sheet, column = normalise(cells.get("sheet")), normalise(cells.get("column"))
        return f"{sheet}, {match}: {column} {op} {self.low:g} to {self.high:g} ({shape})"


@dataclass(frozen=True)
class Uncertainty:
    """Rows of one name: a single draw (one quantile) moves every one of them."""

    name: str
    rows: tuple[RangeRow, ...]

    def values_at(self, q: float) -> tuple[float, ...]:
        return tuple(r.value_at(q) for r in self.rows)

    def describe(self, shown: int = 2) -> str:
        """One line: the first rows' descriptions and how many more rows move with them."""
        text = "; ".join(r.describe() for r in self.rows[:shown])
        more = len(self.rows) - shown
        return text + (
            f"; and {more} more row{'s' if more != 1 else ''} (Ranges sheet)" if more > 0 else ""
        )


@dataclass(frozen=True)
class Ranges:
    sheet: RawSheet | None
    uncertainties: tuple[Uncertainty, ...]
    warnings: tuple[Problem, ...] = ()

    def names(self) -> list[str]:
        return [u.name for u in self.uncertainties]


def read_ranges(raw: RawWorkbook) -> Ranges:
    """The ranges sheet, every row checked (types, low <= most_likely <= high, the distribution,
    and the row applied at its low and at its high). Raises InputError listing every problem."""
    sheet = raw.sheets.get(SHEET_NAME)
    if sheet is None:
        return Ranges(None, ())
    problems: list[Problem] = []
    warnings: list[Problem] = []
    spec = SHEET[SHEET_NAME]
    missing = [c.name for c in spec.columns if c.required and c.name not in sheet.columns]
    if missing:
        raise InputError(
            [
                Problem(sheet.title, 1, m, None, f"required column {m!r} is missing", spec.column(m).help)
                for m in missing
            ]
        )
    by_name: dict[str, list[RangeRow]] = {}
    targets: dict[tuple[str, tuple[str, str, str]], int | None] = {}
    names = {c.name for c in spec.columns}
    for row in sheet.rows:
        if not any(row.cells.get(n) is not None for n in names):
            continue
        checked = _check_row(raw, sheet, row, problems, warnings)
        if checked is None:
            continue
        name, rr = checked
        target = (name, tuple(normalise(row.cells.get(c)) for c in ("sheet", "match", "column")))
        if target in targets:
            problems.append(
                _problem(
                    sheet,
                    row,
                    "column",
                    row.cells.get("column"),
                    f"range {name!r} changes these cells twice (also row {targets[target]})",
                    "Give each cell one row per range.",
                )
            )
            continue
        targets[target] = row.number
        by_name.setdefault(name, []).append(rr)
    if problems:
        raise InputError(problems)
    return Ranges(sheet, tuple(Uncertainty(n, tuple(rows)) for n, rows in by_name.items()), tuple(warnings))


def apply_quantiles(raw: RawWorkbook, ranges: Ranges, quantiles: tuple[float | None, ...]) -> RawWorkbook:
    """The workbook with each uncertainty at its quantile (None: as in the workbook). Raises
    InputError when a change cannot be made; the result still has to pass validation."""
    chosen = [(u, q) for u, q in zip(ranges.uncertainties, quantiles) if q is not None]
    out = changed_copy(raw, [normalise(r.raw.cells.get("sheet")) for u, _ in chosen for r in u.rows])
    problems: list[Problem] = []
    for u, q in chosen:
        for r in u.rows:
            value = r.value_at(q)
            apply_row(
                out,
                ranges.sheet,
                r.raw,
                problems,
                who=f"range {u.name!r}",
                operand=value,
                default_op="set",
                origin=f"range {u.name!r} (ranges row {r.number}) at {value:.6g}",
                operand_column="high" if q >= 1 else "low",
            )
    if problems:
        raise InputError(problems)
    return out


def _problem(
    sheet: RawSheet, row: RawRow, column: str, value: object, message: str, hint: str = ""
) -> Problem:
    return Problem(sheet.title, row.number, column, value, message, hint, sheet.letter(column))


def _number(sheet, row, column, problems, required: bool) -> float | None:
    value = row.cells.get(column)
    if value is None:
        if required:
            problems.append(
                _problem(
                    sheet,
                    row,
                    column,
                    None,
                    f"is blank; {column} is required",
                    SHEET[SHEET_NAME].column(column).help,
                )
            )
        return None
    number, message = convert(value, SIGNED)
    if message:
        problems.append(_problem(sheet, row, column, value, message, SHEET[SHEET_NAME].column(column).help))
        return None
    return number


def _check_row(
    raw: RawWorkbook, sheet: RawSheet, row: RawRow, problems: list[Problem], warnings: list[Problem]
) -> tuple[str, RangeRow] | None:
    before = len(problems)
    name_cell = row.cells.get("name")
    name, message = convert(name_cell, NAME) if name_cell is not None else ("", "")
    if message or not name:
        problems.append(
            _problem(
                sheet,
                row,
                "name",
                name_cell,
                message or "is blank; name is required",
                "Name the uncertainty, e.g. battery prices.",
            )
        )
    low = _number(sheet, row, "low", problems, True)
    high = _number(sheet, row, "high", problems, True)
    most_likely = _number(sheet, row, "most_likely", problems, False)
    distribution = normalise(row.cells.get("distribution")) or (
        "triangular" if most_likely is not None else "uniform"
    )
    if distribution not in DISTRIBUTIONS:
        hint = (
            did_you_mean(distribution, DISTRIBUTIONS)
            or f"Use {', '.join(DISTRIBUTIONS[:-1])} or {DISTRIBUTIONS[-1]}."
        )
        problems.append(
            _problem(
                sheet, row, "distribution", row.cells.get("distribution"), "is not a distribution", hint
            )
        )
    if low is not None and high is not None:
        if low > high:
            problems.append(
                _problem(
                    sheet, row, "low", low, f"low is above high ({high:g})", "low must not exceed high."
                )
            )
        elif most_likely is not None and not low <= most_likely <= high:
            problems.append(
                _problem(
                    sheet, row, "most_likely", most_likely, f"is outside low..high ({low:g} to {high:g})"
                )
            )
        elif low == high:
            warnings.append(
                _problem(
                    sheet,
                    row,
                    "high",
                    high,
                    "low equals high: this input is fixed and a sweep cannot show what it matters",
                )
            )
    if distribution == "uniform" and most_likely is not None:
        warnings.append(
            _problem(
                sheet,
                row,
                "most_likely",
                most_likely,
                "a uniform distribution does not use most_likely",
                "Write triangular or normal in distribution, or clear most_likely.",
            )
        )
    kind = _column_kind(sheet, row, problems)
    if len(problems) > before or kind is None:
        return None
    rr = RangeRow(
        row,
        low,
        high,
        most_likely,
        distribution,
        whole=kind == WHOLE and (normalise(row.cells.get("op")) or "set") == "set",
    )
    # The row applied at each end, alone: an unknown sheet, column or match, an operation the column
    # cannot take, a value its cells cannot hold (a negative price) are this row's problems.
    for q in (0.0, 1.0):
        trial = changed_copy(raw, [normalise(row.cells.get("sheet"))])
        value = rr.value_at(q)
        apply_row(
            trial,
            sheet,
            row,
            problems,
            who=f"range {name!r}",
            origin="",
            operand=value,
            operand_column="high" if q else "low",
            default_op="set",
        )
        if len(problems) > before:
            return None
    return name, rr


def _column_kind(sheet: RawSheet, row: RawRow, problems: list[Problem]) -> str | None:
    """The kind of value the row's cells hold, or None after a problem: a range needs numbers. An
    unknown sheet or column is left to apply_row, which says so with a did-you-mean."""
    sheet_name, column = normalise(row.cells.get("sheet")), normalise(row.cells.get("column"))
    spec = SHEET.get(sheet_name)
    if spec is None:
        return ""
    if sheet_name in ("settings", "rules"):
        match = str(row.cells.get("match") or "").strip().lower()
        key = match.split("=", 1)[1].strip() if "=" in match else match
        setting = next(
            (s for s in (SETTINGS if sheet_name == "settings" else RULES) if s.name == key), None
        )
        kind = setting.kind if setting is not None else ""
    else:
        col = spec.column(column)
        kind = col.kind if col is not None else ""
    if kind and kind not in NUMERIC:
        problems.append(
            _problem(
                sheet,
                row,
                "column",
                row.cells.get("column"),
                f"holds {'yes/no' if kind == 'yes/no' else 'names or text'}, not numbers; a range needs a "
                "numeric column",
                "Use a scenario for a change that is not a number.",
            )
        )
        return None
    return kind
