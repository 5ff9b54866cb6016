"""Read the planner's workbook into raw tables: cell values by column name, with Excel row numbers.

Nothing here knows what a value means; `optimizer.validate` types and checks it. Reading
keeps the information a good message needs (the sheet's own title, the row as Excel shows
it, the column letter) and refuses, with a message, what it cannot read faithfully.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.problems import InputError, Problem
from optimizer.schema import SHEET

# A workbook that unpacks to more than this is refused before openpyxl parses it (zip bombs).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


@dataclass
class RawRow:
    number: int  # the row as Excel shows it
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
    return str(name).replace("\u00a0", " ").strip().lower() if name is not None else ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_workbook(path: str | Path) -> RawWorkbook:
    """Read every sheet; the file is opened read-only and never written."""
    path = Path(path)
    _check_file(path)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise InputError([Problem(None, None, None, None, f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}: {exc})", "Save it again from Excel as .xlsx.")]) from None
    cached = None
    if any(cell.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for cell in row):
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
            problems.append(Problem(ws.title, 1, None, value, f"column {name!r} appears twice (columns {_letter(columns[name])} and {_letter(idx)})"))
            continue
        columns.setdefault(name, idx)

    if spec is not None:
        for rng in ws.merged_cells.ranges:
            if any(c in header and normalise(header[c]) in known for c in range(rng.min_col, rng.max_col + 1)):
                problems.append(
                    Problem(ws.title, rng.min_row, None, str(rng), f"cells {rng} are merged", "Unmerge them and type the value in every cell.")
                )

    rows: list[RawRow] = []
    for r_idx, row in enumerate(ws.iter_rows(min_row=2, max_col=max_col), start=2):
        cells: dict[str, object] = {}
        for cell in row:
            name = normalise(header.get(cell.column)) if cell.column in header else None
            if name is None or columns.get(name) != cell.column:
                continue
            value = cell.value
            if cell.data_type == "f":
                value = cached_ws.cell(row=r_idx, column=cell.column).value if cached_ws is not None else None
                if value is None and name in known:
                    problems.append(
                        Problem(
                            ws.title, r_idx, name, cell.value,
                            "holds a formula with no saved result",
                            "Open and save the workbook in Excel so the result is stored, or type the value.",
                        )
                    )
                    continue
            if isinstance(value, str) and not value.replace("\u00a0", " ").strip():
                value = None
            cells[name] = value
        if any(v is not None for v in cells.values()):
            rows.append(RawRow(number=r_idx, cells=cells))
    return RawSheet(title=ws.title, columns=columns, header=header, rows=rows)


def _letter(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx)
