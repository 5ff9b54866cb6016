"""Read the planner's workbook into raw tables: cell values by column name, with Excel row numbers.

Nothing here knows what a value means; `optimizer.workbook.validate` types and checks it. Reading
keeps the information a good message needs (the sheet's own title, the row as Excel shows
it, the column letter) and refuses, with a message, what it cannot read faithfully.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.problems import InputError, Problem
from optimizer.workbook.cells import clean_name
from optimizer.workbook.schema import SHEET

# A workbook that unpacks to more than this is refused before openpyxl parses it (zip bombs).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


@dataclass
class RawRow:
    number: int | None  # the row as Excel shows it (None: a row a scenario added)
    cells: dict[str, object]  # normalised column name -> value (None for blank)
    changed_by: dict[str, str] = field(default_factory=dict)  # column -> scenario that changed it


@dataclass
class RawSheet:
    title: str  # as spelt in the workbook
    columns: dict[str, int]  # normalised column name -> 1-based column index
    header: dict[int, str]  # column index -> header as typed
    rows: list[RawRow]

    def letter(self, column: str) -> str:
        from openpyxl.utils import get_column_letter

        idx = self.columns.get(column)
        return get_column_letter(idx) if idx else ""


@dataclass
class RawWorkbook:
    path: Path
    sha256: str
    sheets: dict[str, RawSheet]  # normalised sheet name -> sheet


def normalise(name: object) -> str:
    return clean_name(name).lower() if name is not None else ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_workbook(path: str | Path) -> RawWorkbook:
    """Read every sheet; the file is opened read-only and never written."""
    path = Path(path)
    require_safe_xml()
    _check_file(path)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types on damaged files
        if _xml_attack(exc):
            raise InputError([Problem(
                None, None, None, None,
                f"{path.name} declares XML entities, which Excel never writes; refusing it as a possible XML attack",
                "Save it again from Excel as .xlsx, and check where the file came from.",
            )]) from None
        raise InputError([Problem(None, None, None, None, f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}: {exc})", "Save it again from Excel as .xlsx.")]) from None
    cached = None
    if any(cell.data_type == "f" for ws in wb.worksheets for cell in ws._cells.values()):
        cached = openpyxl.load_workbook(path, data_only=True)

    problems: list[Problem] = []
    sheets: dict[str, RawSheet] = {}
    for ws in wb.worksheets:
        key = normalise(ws.title)
        if key in sheets:
            problems.append(Problem(ws.title, None, None, None, f"two sheets are both called {key!r} (names are compared ignoring case and blanks)"))
            continue
        sheets[key] = _read_sheet(ws, cached[ws.title] if cached else None, problems)
    if problems:
        raise InputError(problems)
    return RawWorkbook(path=path, sha256=file_sha256(path), sheets=sheets)


def require_safe_xml() -> None:
    """Refuse to read any workbook unless openpyxl parses with defusedxml, which it does only
    when the package is installed and OPENPYXL_DEFUSEDXML is not switched off. Without it a
    few kilobytes of entity declarations can expand to gigabytes (billion laughs)."""
    import openpyxl

    if openpyxl.DEFUSEDXML is not True:
        raise InputError([Problem(
            None, None, None, None,
            "plan reads workbooks only with defusedxml's protection against XML attacks, and it is not active "
            "(the defusedxml package is missing, or OPENPYXL_DEFUSEDXML is set to something other than True)",
            "Install defusedxml (pip install defusedxml) and unset OPENPYXL_DEFUSEDXML.",
        )])


def _xml_attack(exc: BaseException | None) -> bool:
    """Whether defusedxml refused the file (openpyxl wraps its exception in a ValueError)."""
    from defusedxml import DefusedXmlException

    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _check_file(path: Path) -> None:
    def fail(text: str, hint: str = "") -> None:
        raise InputError([Problem(None, None, None, None, text, hint)])

    if not path.exists():
        fail(f"{path} does not exist")
    if path.is_dir():
        fail(f"{path} is a folder, not a workbook")
    if path.name.startswith("~$"):
        fail(f"{path.name} is Excel's lock file for an open workbook, not a workbook", f"Use {path.name[2:]} instead.")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        fail(
            f"{path.name} is an old .xls workbook or an encrypted (password-protected) one",
            "Remove the password, or save it from Excel as .xlsx (Excel Workbook).",
        )
    if not head.startswith(b"PK"):
        fail(f"{path.name} is not an .xlsx workbook", "Save it from Excel as .xlsx (Excel Workbook).")
    try:
        with zipfile.ZipFile(path) as zf:
            size = sum(info.file_size for info in zf.infolist())
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        fail(f"{path.name} is damaged (not a complete .xlsx file)", "Save it again from Excel.")
    if size > MAX_UNCOMPRESSED_BYTES:
        fail(f"{path.name} unpacks to {size / 1e6:,.0f} MB, more than the {MAX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB a planning workbook needs; refusing to read it")
    if "xl/workbook.xml" not in names:
        fail(f"{path.name} is a zip file but not an Excel workbook", "Save it from Excel as .xlsx (Excel Workbook).")


def _read_sheet(ws, cached_ws, problems: list[Problem]) -> RawSheet:
    spec = SHEET.get(normalise(ws.title))
    known = {c.name for c in spec.columns} if spec else set()
    header: dict[int, str] = {}
    columns: dict[str, int] = {}
    max_col = ws.max_column or 0
    for idx in range(1, max_col + 1):
        value = ws.cell(row=1, column=idx).value
        if value is None or not str(value).strip():
            continue
        name = normalise(value)
        header[idx] = str(value)
        if name in columns and name in known:
            problems.append(Problem(ws.title, 1, name, value, f"column {name!r} appears twice (columns {_letter(columns[name])} and {_letter(idx)})", letter=_letter(idx)))
            continue
        columns.setdefault(name, idx)

    if spec is not None:
        for rng in ws.merged_cells.ranges:
            data = [c for c in range(rng.min_col, rng.max_col + 1) if c in header and normalise(header[c]) in known]
            if data:
                problems.append(
                    Problem(
                        ws.title, rng.min_row, normalise(header[data[0]]), str(rng), f"cells {rng} are merged",
                        "Unmerge them and type the value in every cell.", _letter(data[0]),
                    )
                )

    rows: list[RawRow] = []
    for r_idx, row in _data_rows(ws):
        cells: dict[str, object] = {}
        for cell in row:
            name = normalise(header.get(cell.column)) if cell.column in header else None
            if name is None or columns.get(name) != cell.column:
                continue
            value, data_type = cell.value, cell.data_type
            if cell.data_type == "f":
                saved = cached_ws.cell(row=r_idx, column=cell.column) if cached_ws is not None else None
                value, data_type = (saved.value, saved.data_type) if saved is not None else (None, "n")
                if value is None and name in known:
                    problems.append(
                        Problem(
                            ws.title, r_idx, name, cell.value,
                            f"cell {cell.coordinate} holds a formula with no saved result",
                            "Open and save the workbook in Excel so the result is stored, or type the value.",
                            _letter(cell.column),
                        )
                    )
                    continue
            if data_type == "e" and name in known:  # #N/A, #DIV/0!, ... typed or a formula's result
                problems.append(
                    Problem(
                        ws.title, r_idx, name, value, f"cell {cell.coordinate} holds the Excel error {value}",
                        "Fix the formula, or type the value.", _letter(cell.column),
                    )
                )
                continue
            if isinstance(value, str) and not value.replace("\u00a0", " ").strip():
                value = None
            cells[name] = value
        if any(v is not None for v in cells.values()):
            rows.append(RawRow(number=r_idx, cells=cells))
    return RawSheet(title=ws.title, columns=columns, header=header, rows=rows)


def _data_rows(ws):
    """(row number, its cells) for each row from 2 on that holds a cell, in order. Only cells that
    exist are visited: openpyxl's iter_rows creates every cell of the used range, so one stray value
    in row 1,048,576 would cost minutes and gigabytes."""
    by_row: dict[int, list] = {}
    for (r_idx, _c), cell in ws._cells.items():  # openpyxl keeps a worksheet's cells in this dict
        if r_idx >= 2:
            by_row.setdefault(r_idx, []).append(cell)
    for r_idx in sorted(by_row):
        yield r_idx, sorted(by_row[r_idx], key=lambda cell: cell.column)


def _letter(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx)
