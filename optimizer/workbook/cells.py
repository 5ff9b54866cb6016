"""The cells of one sheet that hold something, streamed from the sheet's XML.

Excel stores every cell a planner formatted, blank or not, and openpyxl's normal mode makes an
object of each: 5 million formatted blanks cost 2 GB and 40 s. Here openpyxl's own sheet parser
(the one its read-only mode uses, with defusedxml's protection) reads the XML as a stream; blank
cells are cut from the stream before parsing and dropped, so memory grows with the cells that
hold data, and a formula's text and its saved result come from the same single pass.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange

# A cell element with no content (`<c r="B7" s="3"/>`): a formatted blank. Only cells that name
# their position (`r`, which Excel, LibreOffice and openpyxl always write first) are cut, so the
# columns of cells that do not name theirs are still counted right.
_BLANK_CELL = re.compile(rb'<c\s+r="[A-Z]{1,3}[0-9]{1,7}"[^<>/]*/>')
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class SheetCell:
    row: int
    column: int
    value: object  # the value typed, or a formula's saved result (None: none saved, or blank text)
    data_type: str  # openpyxl's: n number, s text, b boolean, d date, e Excel error, str formula text
    formula: str | None = None  # "=A1*2" for a formula cell

    @property
    def coordinate(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"

    @property
    def unsaved(self) -> bool:
        """A formula whose result was never saved (a workbook no spreadsheet program has saved).
        A saved empty text (`=IF(c,"",x)`) is stored as a text result without characters."""
        return self.formula is not None and self.value is None and self.data_type != "str"


@dataclass
class ParsedSheet:
    rows: dict[int, list[SheetCell]]  # row number -> its cells that hold something, by column
    merged: list[CellRange] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)  # hidden rows among those in `rows`
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)  # (first, last) column index

    def column_hidden(self, column: int) -> bool:
        return any(first <= column <= last for first, last in self.hidden_columns)


def parse_sheet(ws) -> ParsedSheet:
    """The cells of a worksheet of a workbook opened with `openpyxl.load_workbook(read_only=True)`.
    Raises what the XML parser raises on a damaged or hostile sheet."""
    wb = ws.parent
    with ws._get_source() as source:  # the sheet's XML in the zip, as openpyxl's read-only mode opens it
        parser = _Parser(
            io.BufferedReader(_WithoutBlankCells(source), _CHUNK), ws._shared_strings, data_only=True,
            epoch=wb.epoch, date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats,
        )
        rows = {number: cells for number, cells in parser.parse() if cells}
    merged = [CellRange(m.ref) for m in (parser.merged_cells.mergeCell if parser.merged_cells else [])]
    hidden_columns = [
        (int(attrs["min"]), int(attrs.get("max", attrs["min"])))
        for attrs in parser.column_dimensions.values() if _true(attrs.get("hidden"))
    ]
    return ParsedSheet(rows, merged, parser.hidden_rows, hidden_columns)


def _true(flag: str | None) -> bool:
    return flag in ("1", "true")


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, keeping only cells that hold something, each with its formula
    (data_only=True gives the saved result; the formula is read from the same element)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_rows: set[int] = set()

    def parse_row(self, row):
        number = row.get("r")
        if number is None:
            self.row_counter += 1
        else:
            value = float(number)
            if not value.is_integer():
                raise ValueError(f"{number} is not a valid row number")
            self.row_counter = int(value)
        self.col_counter = 0
        cells = [cell for cell in map(self._cell, row) if cell is not None]
        if cells and _true(row.get("hidden")):
            self.hidden_rows.add(self.row_counter)
        return self.row_counter, cells

    def _cell(self, element) -> SheetCell | None:
        if not len(element):  # no value, formula or inline text: a formatted blank
            coordinate = element.get("r")
            self.col_counter = coordinate_to_tuple(coordinate)[1] if coordinate else self.col_counter + 1
            return None
        parsed = self.parse_cell(element)
        formula = None
        if (tag := element.find(FORMULA_TAG)) is not None:
            text = self.parse_formula(element)  # shared formulas translated to this cell
            formula = text if isinstance(text, str) else "=" + (tag.text or "")
        return SheetCell(parsed["row"], parsed["column"], parsed["value"], parsed["data_type"], formula)


class _WithoutBlankCells(io.RawIOBase):
    """The sheet's XML with its blank cell elements cut out (a C-speed regex on 1 MB chunks; the
    XML parser, 1.6 µs an element, then sees only the cells that matter). A chunk is cut at its
    last '>' so no element is split. From the first CDATA section on, where '<c .../>' could be
    text, the XML is passed on untouched."""

    def __init__(self, source) -> None:
        self.source = source
        self.pending = memoryview(b"")  # filtered bytes not yet handed over
        self.tail = b""  # the unfinished element at the end of the last chunk
        self.done = False
        self.filtering = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending and not self.done:
            chunk = self.source.read(_CHUNK)
            data = self.tail + chunk
            if not chunk:
                self.done, self.tail, ready = True, b"", data
            else:
                cut = data.rfind(b">") + 1
                ready, self.tail = data[:cut], data[cut:]
            self.filtering = self.filtering and b"<![CDATA[" not in ready
            self.pending = memoryview(_BLANK_CELL.sub(b"", ready) if self.filtering else ready)
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n
