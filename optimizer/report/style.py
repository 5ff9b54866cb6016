"""The one way report cells are written: text stays text, numbers get formats, tables get a
styled, frozen, filterable header and column widths to content."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.report.printing import finish_printing, print_setup, text_width, widen  # noqa: F401  (the one print set-up)

YEN = '"¥"#,##0'
UNITS = "#,##0"
WHOLE = "#,##0"
ONE_DECIMAL = "#,##0.0"
TWO_DECIMALS = "#,##0.00"
PERCENT = "0.0%"
PERCENT_FINE = "0.000%"
YEN_BN = '"¥"#,##0.00,,," bn"'
SECONDS = "0.00"
MM = '#,##0 "mm"'
KG = '#,##0 "kg"'
KW = '#,##0.0 "kW"'
KM = '#,##0.0 "km"'
SEATS = '0 "seats"'
UNIT_FORMATS = {"mm": MM, "kg": KG, "kW": KW, "km": KM, "seats": SEATS, "¥": YEN, "units a year": UNITS}

# Every font names its face: a font without one prints in whatever the program falls back to.
FACE = "Calibri"
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(name=FACE, bold=True, color="FFFFFF")
TITLE_FONT = Font(name=FACE, bold=True, size=14, color="1F4E78")
LABEL_FONT = Font(name=FACE, bold=True)
NOTE_FONT = Font(name=FACE, italic=True, color="595959")
SECTION_FONT = Font(name=FACE, bold=True, size=12, color="1F4E78")
RED_FILL = PatternFill("solid", fgColor="F8CBAD")
AMBER_FILL = PatternFill("solid", fgColor="FFE699")
GREEN_FILL = PatternFill("solid", fgColor="E2EFDA")
TOTAL_FONT = Font(name=FACE, bold=True)
WARNING_FONT = Font(name=FACE, bold=True, color="9C5700")
TEXT_AFTER_NUMBER = Alignment(indent=1, vertical="top")  # keeps text clear of a right-aligned number to its left
TOP = Alignment(vertical="top")  # a row grown for wrapped text reads from its top
WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_AFTER_NUMBER = Alignment(wrap_text=True, vertical="top", indent=1)


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
            cell.alignment = TEXT_AFTER_NUMBER if c > 1 and cell.data_type == "s" else TOP
    last = first_row + len(rows)
    if freeze:
        ws.freeze_panes = ws.cell(row=first_row + 1, column=2 if len(columns) > 1 else 1)
    if rows:
        ws.auto_filter.ref = f"A{first_row}:{get_column_letter(len(columns))}{last}"
    fit_widths(ws, columns, rows)
    return last + 1


@dataclass(frozen=True)
class Line:
    """One row of a card table: a label and one value per item, in one number format."""

    label: str
    values: list[object]
    fmt: str | None = None


def write_cards(ws: Worksheet, corner: str, names: list[str], lines: list[Line], *, first_row: int = 1, max_width: float = 18.0) -> int:
    """One column per item (a variant, say), one row per attribute, so that a table of many
    attributes reads as a card per item and prints one page wide; returns the row after it.
    Text wraps in its column; the header row and the label column are frozen."""
    for c, title in enumerate([corner, *names], start=1):
        cell = put(ws, first_row, c, title)
        cell.fill, cell.font, cell.alignment = HEADER_FILL, HEADER_FONT, Alignment(wrap_text=True, vertical="center")
    for r, line in enumerate(lines, start=first_row + 1):
        put(ws, r, 1, line.label).alignment = WRAP
        for c, value in enumerate(line.values, start=2):
            cell = put(ws, r, c, value.value, value.fmt) if isinstance(value, Fmt) else put(ws, r, c, value, line.fmt)
            cell.alignment = WRAP_AFTER_NUMBER if cell.data_type == "s" else TOP
    label = max([text_width(x.label) for x in lines] + [text_width(corner)], default=10.0) + 2
    ws.column_dimensions["A"].width = min(max(12.0, label), 34.0)
    for c in range(len(names)):
        shown = [_shown_len(line.values[c], line.fmt) for line in lines if c < len(line.values)]
        longest = max(shown + [text_width(names[c]) / 2, header_word_width(names[c])], default=8.0)
        ws.column_dimensions[get_column_letter(c + 2)].width = min(max(10.0, longest + 2), max_width)
    ws.freeze_panes = ws.cell(row=first_row + 1, column=2)
    return first_row + len(lines) + 1


def fit_widths(ws: Worksheet, columns: list[Col], rows: list[list[object]]) -> None:
    for c, col in enumerate(columns, start=1):
        if col.width is not None:
            width = col.width
        else:
            longest = max([_shown_len(v, col.fmt) for row in rows for v in row[c - 1 : c]], default=0)
            width = min(max(8.0, longest + 2, header_word_width(col.title), text_width(col.title) * 1.04 / 2 + 1.5), 60.0)
        widen(ws, c, width)


def header_word_width(title: str) -> float:
    """The width a bold header needs so that it wraps between words, never inside one (a header
    wraps onto two lines or more rather than widen its column beyond its figures)."""
    return max((text_width(w) for w in title.split()), default=0.0) * 1.04 + 1.5


def _shown_len(value: object, fmt: str | None) -> float:
    if isinstance(value, Fmt):
        value, fmt = value.value, value.fmt
    if value is None:
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return shown_length(float(value), fmt)
    return len(str(value))


_QUOTED = re.compile(r'"([^"]*)"')


def shown_length(value: float, fmt: str | None) -> int:
    """About how many characters Excel shows for `value` in number format `fmt` (sections,
    literals, %, signs, thousands separators, decimals, trailing-comma scaling), to size columns by."""
    if not math.isfinite(value):
        return 0
    sections = (fmt or "General").split(";")
    section, sign = sections[0], "-" if value < 0 else ""
    if value < 0 and len(sections) > 1:
        section, sign = sections[1], ""
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    literal = "".join(_QUOTED.findall(section))
    code = _QUOTED.sub("", section)
    if code in ("General", ""):
        return len(sign + literal + (f"{abs(value):,.2f}" if code else ""))
    x = abs(value) * (100 if "%" in code else 1)
    scale = re.search(r"[0#](,+)[^0#]*$", code)
    if scale:
        x /= 1000 ** len(scale.group(1))
    decimals = len(re.search(r"\.(0*)", code).group(1)) if "." in code else 0
    number = f"{x:,.{decimals}f}" if re.search(r"[0#],[0#]", code) else f"{x:.{decimals}f}"
    return len(sign + literal + number) + sum(1 for ch in code if ch in "%+-")


def key_values(ws: Worksheet, rows: list[tuple[str, object, str | None]], *, first_row: int = 1) -> int:
    """Label / value pairs (a summary block); returns the row after it."""
    r = first_row
    for label, value, fmt in rows:
        cell = put(ws, r, 1, label)
        cell.font, cell.alignment = LABEL_FONT, WRAP  # a long label wraps rather than run under its value
        put(ws, r, 2, value, fmt).alignment = Alignment(horizontal="left", vertical="top", wrap_text=isinstance(value, str))
        r += 1
    return r


def paragraphs(ws: Worksheet, first_row: int, texts: list[str], *, columns: int = 8, font: Font | None = None) -> int:
    """Sentences, one a row, each merged across `columns` columns and wrapped (print_setup gives
    each row the height its text needs once the column widths are known); returns the next row."""
    r = first_row
    for text in texts:
        cell = put(ws, r, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
        if columns > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=columns)
        r += 1
    return r
