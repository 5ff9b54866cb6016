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
MM = '#,##0 "mm"'
KG = '#,##0 "kg"'
KW = '#,##0.0 "kW"'
KM = '#,##0.0 "km"'
SEATS = '0 "seats"'
UNIT_FORMATS = {"mm": MM, "kg": KG, "kW": KW, "km": KM, "seats": SEATS, "¥": YEN, "units a year": UNITS}

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color="1F4E78")
LABEL_FONT = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")
SECTION_FONT = Font(bold=True, size=12, color="1F4E78")
RED_FILL = PatternFill("solid", fgColor="F8CBAD")
AMBER_FILL = PatternFill("solid", fgColor="FFE699")
GREEN_FILL = PatternFill("solid", fgColor="E2EFDA")
TOTAL_FONT = Font(bold=True)
TEXT_AFTER_NUMBER = Alignment(indent=1)  # keeps text clear of a right-aligned number to its left


@dataclass(frozen=True)
class Fmt:
    """A table value with its own number format (for columns that mix units)."""

    value: object
    fmt: str | None


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
            cell = put(ws, r, c, value.value, value.fmt) if isinstance(value, Fmt) else put(ws, r, c, value, col.fmt)
            if c > 1 and cell.data_type == "s":
                cell.alignment = TEXT_AFTER_NUMBER
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
    if isinstance(value, Fmt):
        value, fmt = value.value, value.fmt
    if value is None:
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:,.0f}" if fmt in (YEN, UNITS, WHOLE, MM, KG) else f"{value:,.2f}"
        return len(text) + (2 if fmt == YEN else 4 if fmt in (MM, KG, KW, KM) else 6 if fmt == SEATS else 0)
    return len(str(value))


def key_values(ws: Worksheet, rows: list[tuple[str, object, str | None]], *, first_row: int = 1) -> int:
    """Label / value pairs (a summary block); returns the row after it."""
    r = first_row
    for label, value, fmt in rows:
        put(ws, r, 1, label).font = LABEL_FONT
        put(ws, r, 2, value, fmt).alignment = Alignment(horizontal="left", wrap_text=isinstance(value, str))
        r += 1
    return r


def paragraphs(ws: Worksheet, first_row: int, texts: list[str], *, columns: int = 8, font: Font | None = None, height_per_line: float = 15.0, chars_per_line: int = 110) -> int:
    """Sentences, one a row, each merged across `columns` columns and wrapped; returns the next row."""
    r = first_row
    for text in texts:
        cell = put(ws, r, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
        if columns > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=columns)
        ws.row_dimensions[r].height = height_per_line * max(1, math.ceil(len(text) / chars_per_line))
        r += 1
    return r


def print_setup(ws: Worksheet, *, title_rows: str | None = None, landscape: bool = True, fit_width: int = 1) -> None:
    """Landscape, fitted to `fit_width` pages wide (any number tall), repeating `title_rows`."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = fit_width
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "&A — page &P of &N"
    if title_rows:
        ws.print_title_rows = title_rows
    fit_text_rows(ws)


def fit_text_rows(ws: Worksheet) -> None:
    """Heights for wrapped sentences in merged cells, now that column widths are known."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row != merged.max_row:
            continue
        text = ws.cell(row=merged.min_row, column=merged.min_col).value
        if not isinstance(text, str):
            continue
        width = sum((ws.column_dimensions[get_column_letter(c)].width or 8.43) for c in range(merged.min_col, merged.max_col + 1))
        lines = max(1, math.ceil(len(text) * 0.85 / max(width, 1.0)))
        ws.row_dimensions[merged.min_row].height = 15.0 * lines
