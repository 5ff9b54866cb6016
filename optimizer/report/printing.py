"""Print set-up for every sheet we write: A4, one page wide, the orientation that prints the sheet
on the fewest readable pages, repeated header row and name column, a print area around the content
(charts included), wrapped text given the row height it needs, and page breaks placed so that no
chart or section heading is cut from what follows it.

Excel and LibreOffice do not grow a row for wrapped text written by openpyxl, and they break pages
where a row overflows, not where a reader would. So the geometry is estimated here, in points,
from column widths (a width unit is 7 px of Calibri 11 at 96 dpi) and row heights; the estimates
are checked by rendering with LibreOffice in tests/test_report_print.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from openpyxl.styles import Alignment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

A4_PT = (595.3, 841.9)  # width, height in portrait
SIDE_IN, TOP_IN, BOTTOM_IN, FOOTER_IN = 0.4, 0.5, 0.6, 0.3
PT_PER_WIDTH = 5.25  # one unit of column width: 7 px = 5.25 pt
DEFAULT_WIDTH = 9.14  # a column of the default width is 64 px
LINE_PT = 15.0  # a line of 11-point text
MIN_READABLE_SCALE = 0.7  # below this a fitted page is hard to read: prefer more pages
ONE_PAGE_MIN_SCALE = 0.8  # a sheet a little too long for a page is printed smaller on one, down to this
SAFETY = 0.96  # page height used in the estimate (fonts and rounding differ between programs)
HEADING_KEEP = 3  # rows kept on the page of a section heading


def set_width(ws: Worksheet, col: int | str) -> float | None:
    """The width set on a column, None when it has the default (read without creating the column's
    record: openpyxl gives a new one a width of 13 and writes it)."""
    letter = col if isinstance(col, str) else get_column_letter(col)
    found = ws.column_dimensions.get(letter)
    return float(found.width) if found is not None and found.width else None


def widen(ws: Worksheet, col: int | str, width: float) -> None:
    """Make a column at least `width` wide."""
    letter = col if isinstance(col, str) else get_column_letter(col)
    ws.column_dimensions[letter].width = max(set_width(ws, letter) or 0.0, width)


def _at(ws: Worksheet, row: int, col: int):
    """The cell if it exists (ws.cell would create it, and with it a wider used range)."""
    return ws._cells.get((row, col))


def _row_cells(ws: Worksheet, row: int) -> list:
    return [cell for (r, _), cell in ws._cells.items() if r == row]


def width_units(ws: Worksheet, col: int) -> float:
    return set_width(ws, col) or DEFAULT_WIDTH


def _font_pt(cell) -> float:
    size = cell.font.sz if cell.font is not None and cell.font.sz else 11.0
    return float(size)


# Advance widths of Calibri 11 (Carlito has the same metrics) in units of the width of "0", which
# is what a column-width unit measures, for the characters " " to "~"; then a few others.
_ASCII = (
    0.47,
    0.68,
    0.84,
    1.04,
    1.06,
    1.50,
    1.43,
    0.46,
    0.64,
    0.64,
    1.04,
    1.04,
    0.52,
    0.64,
    0.53,
    0.81,
    1.06,
    1.06,
    1.06,
    1.06,
    1.06,
    1.06,
    1.06,
    1.06,
    1.06,
    1.06,
    0.56,
    0.56,
    1.04,
    1.04,
    1.04,
    0.97,
    1.87,
    1.21,
    1.14,
    1.12,
    1.29,
    1.02,
    0.96,
    1.32,
    1.31,
    0.53,
    0.67,
    1.09,
    0.88,
    1.79,
    1.35,
    1.39,
    1.08,
    1.41,
    1.14,
    0.96,
    1.02,
    1.34,
    1.19,
    1.86,
    1.09,
    1.02,
    0.98,
    0.64,
    0.81,
    0.64,
    1.04,
    1.04,
    0.61,
    1.00,
    1.10,
    0.89,
    1.10,
    1.04,
    0.64,
    0.99,
    1.10,
    0.48,
    0.50,
    0.95,
    0.48,
    1.67,
    1.10,
    1.10,
    1.10,
    1.10,
    0.73,
    0.82,
    0.70,
    1.10,
    0.95,
    1.50,
    0.91,
    0.95,
    0.83,
    0.66,
    0.96,
    0.66,
    1.04,
)
_OTHER = {
    "¥": 1.06,
    "—": 1.9,
    "–": 1.04,
    "→": 1.9,
    "•": 1.04,
    "−": 1.04,
    "Δ": 1.18,
    "’": 0.52,
    "…": 1.45,
    "×": 1.04,
}
# A cell w units wide holds a line of 0.97 w to 1.0 w of these (measured with LibreOffice at
# widths 12 to 197); planned with the least, so that an estimate never clips a line.
LINE_FILL = 0.97


def text_width(text: str) -> float:
    """Width units `text` takes on one line of 11-point Calibri."""
    total = 0.0
    for ch in text:
        code = ord(ch)
        if 32 <= code < 127:
            total += _ASCII[code - 32]
        else:
            total += _OTHER.get(ch, 1.1 if code < 0x2E80 else 2.0)  # CJK and the like: a full em
    return total / 1.06


def wrapped_lines(text: str, width: float, *, bold: bool = False, size: float = 11.0) -> int:
    """Lines `text` takes in a cell `width` units wide, breaking between words as Excel does."""
    factor = (1.03 if bold else 1.0) * size / 11.0
    capacity = max(1.0, (width * LINE_FILL - 0.3) / factor)
    space = text_width(" ")
    lines = 0
    for paragraph in str(text).split("\n"):
        used, lines = 0.0, lines + 1
        for word in paragraph.split(" "):
            need = text_width(word)
            if used and used + space + need > capacity:
                lines, used = lines + 1, need
            else:
                used += need + (space if used else 0.0)
            while used > capacity:  # a word longer than the cell is broken inside
                lines, used = lines + 1, used - capacity
    return lines


def fit_heights(ws: Worksheet) -> None:
    """Give every row holding wrapped text the height its longest cell needs (never lower a height
    set on purpose)."""
    spans: dict[tuple[int, int], float] = {}
    for merged in ws.merged_cells.ranges:
        if merged.min_row == merged.max_row:
            spans[(merged.min_row, merged.min_col)] = sum(
                width_units(ws, c) for c in range(merged.min_col, merged.max_col + 1)
            )
    needed: dict[int, float] = {}
    for cell in ws._cells.values():
        if not isinstance(cell.value, str) or cell.alignment is None or not cell.alignment.wrap_text:
            continue
        width = spans.get((cell.row, cell.column), width_units(ws, cell.column))
        size = _font_pt(cell)
        lines = wrapped_lines(cell.value, width, bold=bool(cell.font and cell.font.b), size=size)
        needed[cell.row] = max(
            needed.get(cell.row, 0.0), lines * LINE_PT * size / 11.0 + (2.0 if lines > 1 else 0.0)
        )
    for r in range(1, ws.max_row + 1):
        # Every row gets its height written, so that every program prints the rows the page
        # breaks were planned with (LibreOffice otherwise makes some taller than Excel).
        current = ws.row_dimensions[r].height or row_height(ws, r)
        ws.row_dimensions[r].height = max(current, needed.get(r, 0.0))


def wrap_overflow(ws: Worksheet, last_col: int) -> None:
    """Text that would be cut — at the print area's right edge, or by a filled cell to its right —
    wraps instead: across the empty cells to its right up to the edge, else within its own cell."""
    merged = {(m.min_row, m.min_col) for m in ws.merged_cells.ranges} | {
        (r, c)
        for m in ws.merged_cells.ranges
        for r in range(m.min_row, m.max_row + 1)
        for c in range(m.min_col, m.max_col + 1)
    }
    for cell in list(ws._cells.values()):  # the cells that exist (iter_rows would create more)
        if cell.column > last_col or not isinstance(cell.value, str) or (cell.row, cell.column) in merged:
            continue
        if cell.alignment is not None and cell.alignment.wrap_text:
            continue
        factor = _font_pt(cell) / 11.0 * (1.03 if cell.font is not None and cell.font.b else 1.0)
        neighbour = _at(ws, cell.row, cell.column + 1)
        stops = cell.column if neighbour is not None and neighbour.value is not None else last_col
        room = sum(width_units(ws, c) for c in range(cell.column, stops + 1))
        if text_width(cell.value) * factor <= room * LINE_FILL - 0.3:
            continue
        free = all(
            _at(ws, cell.row, c) is None or _at(ws, cell.row, c).value is None
            for c in range(cell.column + 1, last_col + 1)
        )
        if free and cell.column < last_col:
            ws.merge_cells(
                start_row=cell.row, start_column=cell.column, end_row=cell.row, end_column=last_col
            )
        old = cell.alignment
        cell.alignment = Alignment(
            horizontal=old.horizontal, indent=old.indent, wrap_text=True, vertical="top"
        )


def row_height(ws: Worksheet, r: int) -> float:
    height = ws.row_dimensions[r].height
    if height:
        return float(height)
    sizes = [_font_pt(c) for c in _row_cells(ws, r) if c.value is not None]
    return max([LINE_PT] + [s * 1.36 for s in sizes])


@dataclass(frozen=True)
class Extent:
    last_row: int
    last_col: int
    charts: tuple[tuple[int, int], ...]  # rows each chart spans


def _anchor(chart) -> tuple[int, int]:
    anchor = chart.anchor
    if isinstance(anchor, str):
        letters = "".join(ch for ch in anchor if ch.isalpha())
        return int(anchor[len(letters) :]), column_index_from_string(letters)
    start = anchor._from  # an anchor object: 0-based row and column
    return start.row + 1, start.col + 1


def _size_cm(chart) -> tuple[float, float]:
    """A chart's width and height: as set, or, for a chart read from a file, as its anchor says."""
    ext = getattr(chart.anchor, "ext", None)
    if ext is not None and ext.cx and ext.cy:
        return ext.cx / 360000, ext.cy / 360000  # EMU: 360,000 a centimetre
    return chart.width, chart.height


def extent(ws: Worksheet) -> Extent:
    """The rows and columns that hold something, charts included."""
    last_row, last_col = ws.max_row, ws.max_column
    charts = []
    for chart in ws._charts:
        row, col = _anchor(chart)
        width_cm, height_cm = _size_cm(chart)
        height_pt, r = height_cm / 2.54 * 72, row
        while height_pt > 0:
            height_pt -= row_height(ws, r)
            r += 1
        width_pt, c = width_cm / 2.54 * 72, col
        while width_pt > 0:
            width_pt -= width_units(ws, c) * PT_PER_WIDTH
            c += 1
        charts.append((row, r - 1))
        last_row, last_col = max(last_row, r - 1), max(last_col, c - 1)
    return Extent(last_row, last_col, tuple(charts))


def _printable(landscape: bool) -> tuple[float, float]:
    w, h = A4_PT[::-1] if landscape else A4_PT
    return w - 2 * SIDE_IN * 72, h - (TOP_IN + BOTTOM_IN) * 72


def _scale(ws: Worksheet, last_col: int, landscape: bool) -> float:
    content = sum(width_units(ws, c) for c in range(1, last_col + 1)) * PT_PER_WIDTH
    width, _ = _printable(landscape)
    return min(1.0, math.floor(100 * width / content) / 100) if content else 1.0


def _blocks(ws: Worksheet, ext: Extent, keep: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Row ranges that must not be cut by a page break, overlapping ones merged."""
    found = list(ext.charts) + list(keep)
    for r in range(1, ws.max_row + 1):
        cell = _at(ws, r, 1)
        if (
            cell is not None
            and isinstance(cell.value, str)
            and cell.font is not None
            and cell.font.b
            and _font_pt(cell) >= 12
        ):
            found.append((r, min(r + HEADING_KEEP, ext.last_row)))
    merged: list[tuple[int, int]] = []
    for first, last in sorted(found):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def paginate(
    ws: Worksheet, ext: Extent, *, landscape: bool, title_rows: tuple[int, int] | None, keep=()
) -> tuple[list[int], list[int]]:
    """(first row of each page, rows to break before), breaking before a block that would be cut
    when it fits on a page of its own. Every page but the first starts with a manual break: the
    pages are then the ones planned here (with room to spare), whatever the printing program's own
    reckoning of the page, which differs by a few per cent between Excel and LibreOffice."""
    scale = _scale(ws, ext.last_col, landscape)
    page = _printable(landscape)[1] * SAFETY / scale
    repeated = (
        sum(row_height(ws, r) for r in range(title_rows[0], title_rows[1] + 1)) if title_rows else 0.0
    )
    starts = {
        first: sum(row_height(ws, r) for r in range(first, last + 1))
        for first, last in _blocks(ws, ext, tuple(keep))
    }
    pages, used, breaks = [1], 0.0, []
    capacity = page
    for r in range(1, ext.last_row + 1):
        h = row_height(ws, r)
        block = starts.get(r)
        if used > 0 and block is not None and used + block > capacity and block <= page - repeated:
            breaks.append(r)
            pages, used, capacity = pages + [r], 0.0, page - repeated
        elif used > 0 and used + h > capacity:
            breaks.append(r)
            pages, used, capacity = pages + [r], 0.0, page - repeated
        used += h
    return pages, breaks


def header_rows(ws: Worksheet) -> list[int]:
    """Rows that head a table (written by style.write_table or write_cards: a filled first cell)."""
    cells = [_at(ws, r, 1) for r in range(1, ws.max_row + 1)]
    return [
        c.row
        for c in cells
        if c is not None and c.value is not None and c.fill is not None and c.fill.fill_type == "solid"
    ]


def _table_end(ws: Worksheet, header: int, last_row: int) -> int:
    """The last row of the table whose header is `header`: the row before the first empty one."""
    for r in range(header + 1, last_row + 1):
        if all(c.value is None for c in _row_cells(ws, r)):
            return r - 1
    return last_row


@dataclass(frozen=True)
class Layout:
    landscape: bool
    scale: float
    pages: tuple[int, ...]  # first row of each page
    breaks: tuple[int, ...]  # rows a manual break goes before
    one_page: bool  # fitted to one page tall as well as wide

    def key(self) -> tuple:
        """Readable first, then fewest pages, then largest print, then portrait; when no layout is
        readable, the largest print (more pages rather than a page nobody can read)."""
        unreadable = self.scale < MIN_READABLE_SCALE
        return (unreadable, -self.scale if unreadable else len(self.pages), -self.scale, self.landscape)


def layouts(
    ws: Worksheet, ext: Extent, titles: tuple[int, int] | None, keep=(), landscape: bool | None = None
) -> list[Layout]:
    """The ways the sheet can print: each orientation fitted to the width, and, when the sheet
    is a little too long for one page, each fitted to one page if that stays readable."""
    out = []
    height = sum(row_height(ws, r) for r in range(1, ext.last_row + 1))
    for option in [landscape] if landscape is not None else [False, True]:
        scale = _scale(ws, ext.last_col, option)
        starts, breaks = paginate(ws, ext, landscape=option, title_rows=titles, keep=keep)
        out.append(Layout(option, scale, tuple(starts), tuple(breaks), False))
        page = _printable(option)[1] * SAFETY
        one_page = math.floor(100 * min(scale, page / height)) / 100
        last = sum(row_height(ws, r) for r in range(starts[-1], ext.last_row + 1)) * scale
        # A few rows left over for a second page: one page, as small as still reads well.
        least = MIN_READABLE_SCALE if len(starts) == 2 and last < 0.25 * page else ONE_PAGE_MIN_SCALE
        if len(starts) > 1 and one_page >= least:
            out.append(Layout(option, one_page, (1,), (), True))
    return out


def _best(ws: Worksheet, ext: Extent, titles, keep, landscape) -> Layout:
    return min(layouts(ws, ext, titles, keep, landscape), key=Layout.key)


def _spanned(ws: Worksheet, ext: Extent, layout: Layout) -> tuple[int, int] | None:
    """The header of the first table a page break of `layout` runs through."""
    for h in header_rows(ws):
        if any(h < s <= _table_end(ws, h, ext.last_row) for s in layout.pages):
            return h, h
    return None


def _with_titles(ws: Worksheet, ext: Extent, keep, landscape) -> tuple[Layout, tuple[int, int] | None]:
    """The best layout when the header of a table that runs onto the next page is repeated there
    (and only then: a table on one page gets none, its header would stand over what follows)."""
    plain = _best(ws, ext, None, keep, landscape)
    titles = _spanned(ws, ext, plain)
    if titles is None:
        return plain, None
    repeated = _best(ws, ext, titles, keep, landscape)
    if _spanned(ws, ext, repeated) is None:  # another orientation keeps the table on one page
        return _best(ws, ext, None, keep, repeated.landscape), None
    return repeated, titles


def print_setup(
    ws: Worksheet, *, title_rows: str | None = None, landscape: bool | None = None, keep=()
) -> None:
    """Set up `ws` to print: A4, one page wide, any number tall (or one page, when a sheet a little
    too long for it still reads well smaller). `landscape` None: the orientation that prints the
    sheet on the fewest readable pages. `title_rows` ("1:1"): rows repeated on every page; by
    default the header of the table a page break runs through, if any. `keep`: row ranges (first, last) to
    keep on one page, besides every chart and section heading."""
    wrap_overflow(ws, extent(ws).last_col)
    fit_heights(ws)
    ext = extent(ws)
    titles = tuple(int(x) for x in title_rows.split(":")) if title_rows else None
    if titles:
        best = _best(ws, ext, titles, keep, landscape)
    else:
        best, titles = _with_titles(ws, ext, keep, landscape)
    ws.page_setup.orientation = "landscape" if best.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if best.one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = SIDE_IN
    ws.page_margins.top, ws.page_margins.bottom, ws.page_margins.footer = TOP_IN, BOTTOM_IN, FOOTER_IN
    ws.oddFooter.left.text = "&F"
    ws.oddFooter.center.text = "&A — page &P of &N"
    ws.print_area = f"A1:{get_column_letter(ext.last_col)}{ext.last_row}"
    if titles:
        ws.print_title_rows = f"{titles[0]}:{titles[1]}"
    if ext.last_col > 1:
        ws.print_title_cols = "A:A"
    for r in best.breaks:
        ws.row_breaks.append(Break(id=r - 1))


def printed_pages(ws: Worksheet) -> list[int]:
    """The first row of each page as `ws` is set up to print (its breaks, and a page wherever the
    rows overflow one), by the same estimate of row heights the set-up used."""
    if ws.page_setup.fitToHeight == 1:
        return [1]
    ext = extent(ws)
    landscape = ws.page_setup.orientation == "landscape"
    page = _printable(landscape)[1] * SAFETY / _scale(ws, ext.last_col, landscape)
    titles = ws.print_title_rows
    repeated = 0.0
    if titles:
        first, last = (int(x) for x in re.findall(r"\$?(\d+)", titles.split(",")[0])[:2])
        repeated = sum(row_height(ws, r) for r in range(first, last + 1))
    manual = {b.id + 1 for b in ws.row_breaks.brk}
    starts, used, capacity = [1], 0.0, page
    for r in range(1, ext.last_row + 1):
        h = row_height(ws, r)
        if used > 0 and (r in manual or used + h > capacity):
            starts, used, capacity = starts + [r], 0.0, page - repeated
        used += h
    return starts


def is_set_up(ws: Worksheet) -> bool:
    return (
        bool(ws.print_area)
        and ws.sheet_properties.pageSetUpPr is not None
        and bool(ws.sheet_properties.pageSetUpPr.fitToPage)
    )


def finish_printing(wb: Workbook) -> None:
    """Print set-up, by default, for every visible sheet its writer did not set up itself."""
    for ws in wb.worksheets:
        if ws.sheet_state == "visible" and not is_set_up(ws):
            print_setup(ws)
