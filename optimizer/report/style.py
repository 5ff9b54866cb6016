"""The one way report cells are written: text stays text, numbers get formats, tables get a
styled, frozen, filterable header and column widths to content."""

from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

YEN = '"¥"#,##0'
UNITS = "#,##0"
WHOLE = "#,##0"
ONE_DECIMAL = "#,##0.0"
TWO_DECIMALS = "#,##0.00"
PERCENT = "0.0%"
PERCENT_FINE = "0.000%"
SECONDS = "0.00"

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color="1F4E78")
LABEL_FONT = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")


@dataclass(frozen=True)
class Col:
    title: str  # with its unit, e.g. "range (km)"
    fmt: str | None = None
    width: float | None = None  # None: fit to content


def put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None):
    """Write one cell. Strings are stored as text even when they start with '=' (never a formula);
    NaN and infinities, which Excel cannot hold, are written as blank."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    if isinstance(value, bool):
        value = "yes" if value else "no"
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    elif fmt is not None and value is not None:
        cell.number_format = fmt
    return cell


def write_table(ws: Worksheet, columns: list[Col], rows: list[list[object]], *, first_row: int = 1, freeze: bool = True) -> int:
    """A table with a styled header; returns the row after the table."""
    for c, col in enumerate(columns, start=1):
        cell = put(ws, first_row, c, col.title)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, values in enumerate(rows, start=first_row + 1):
        for c, (col, value) in enumerate(zip(columns, values), start=1):
            put(ws, r, c, value, col.fmt)
    last = first_row + len(rows)
    if freeze:
        ws.freeze_panes = ws.cell(row=first_row + 1, column=2 if len(columns) > 1 else 1)
    if rows:
        ws.auto_filter.ref = f"A{first_row}:{get_column_letter(len(columns))}{last}"
    fit_widths(ws, columns, rows)
    return last + 1


def fit_widths(ws: Worksheet, columns: list[Col], rows: list[list[object]]) -> None:
    for c, col in enumerate(columns, start=1):
        if col.width is not None:
            width = col.width
        else:
            longest = max([_shown_len(v, col.fmt) for row in rows for v in row[c - 1 : c]] + [min(len(col.title), 28) * 0.9])
            width = min(max(8.0, longest + 2), 60.0)
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)


def _shown_len(value: object, fmt: str | None) -> float:
    if value is None:
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:,.0f}" if fmt in (YEN, UNITS, WHOLE) else f"{value:,.2f}"
        return len(text) + (2 if fmt == YEN else 0)
    return len(str(value))


def key_values(ws: Worksheet, rows: list[tuple[str, object, str | None]], *, first_row: int = 1) -> int:
    """Label / value pairs (a summary block); returns the row after it."""
    r = first_row
    for label, value, fmt in rows:
        put(ws, r, 1, label).font = LABEL_FONT
        put(ws, r, 2, value, fmt).alignment = Alignment(horizontal="left", wrap_text=isinstance(value, str))
        r += 1
    return r
