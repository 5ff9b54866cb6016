"""Read the planner's workbook into raw tables: cell values by column name, with Excel row numbers.

Nothing here knows what a value means; `optimizer.workbook.validate` types and checks it. Reading
keeps the information a good message needs (the sheet's own title, the row as Excel shows
it, the column letter) and refuses, with a message, what it cannot read faithfully.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.problems import InputError, Problem
from optimizer.workbook.cells import ParsedSheet, parse_sheet
from optimizer.workbook.convert import clean_name
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
    warnings: list[Problem] = field(default_factory=list)  # what reading noticed: hidden rows, ...


def normalise(name: object) -> str:
    return clean_name(name).lower() if name is not None else ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_workbook(path: str | Path) -> RawWorkbook:
    """Read every sheet; the file is opened read-only and never written.

    Memory is bounded by the cells that hold something (optimizer.workbook.cells streams each
    sheet's XML and drops the formatted blanks Excel stores wherever a block was formatted)."""
    path = Path(path)
    require_safe_xml()
    _check_file(path)
    import openpyxl

    problems: list[Problem] = []
    warnings: list[Problem] = []
    sheets: dict[str, RawSheet] = {}
    try:
        wb = openpyxl.load_workbook(path, read_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise _unreadable(path, exc) from None
    try:
        _refuse_our_outputs(path, wb)
        for ws in wb.worksheets:
            key = normalise(ws.title)
            if key in sheets:
                problems.append(Problem(ws.title, None, None, None, f"two sheets are both called {key!r} (names are compared ignoring case and blanks)"))
                continue
            try:
                parsed = parse_sheet(ws)
            except Exception as exc:  # damaged or hostile XML in this sheet
                raise _unreadable(path, exc) from None
            sheets[key] = _read_sheet(ws.title, parsed, problems)
            if key in SHEET:
                warnings += _hidden(ws.title, ws.sheet_state, parsed, sheets[key])
    finally:
        wb.close()
    if problems:
        raise InputError(problems)
    return RawWorkbook(path=path, sha256=file_sha256(path), sheets=sheets, warnings=warnings)


def _unreadable(path: Path, exc: Exception) -> InputError:
    if _xml_attack(exc):
        return InputError([Problem(
            None, None, None, None,
            f"{path.name} declares XML entities, which Excel never writes; refusing it as a possible XML attack",
            "Save it again from Excel as .xlsx, and check where the file came from.",
        )])
    return InputError([Problem(
        None, None, None, None, f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}: {exc})",
        "Save it again from Excel as .xlsx.",
    )])


def _refuse_our_outputs(path: Path, wb) -> None:
    """A report or comparison written by plan, given in place of the planning workbook: its
    sheets (Variants, Plants, ...) would otherwise be read as planning sheets of those names."""
    hidden = {ws.title for ws in wb.worksheets if ws.sheet_state != "visible"}
    if not hidden:
        return
    from optimizer.report.compare import COMPARISON_MARKER_SHEET
    from optimizer.report.embedded import SHEET as REPORT_DATA_SHEET

    what = None
    if REPORT_DATA_SHEET in hidden:
        what = "a plan report (written by plan solve)"
    elif COMPARISON_MARKER_SHEET in hidden:
        what = "a comparison workbook (written by plan compare or --all-scenarios)"
    if what:
        raise InputError([Problem(
            None, None, None, None, f"{path.name} is {what}, not a planning workbook",
            "Give the planning workbook it was made from (a report's Provenance sheet names it).",
        )])


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
    if not stat.S_ISREG(path.stat().st_mode):  # opening a named pipe would wait for a writer forever
        fail(f"{path} is not a regular file (a named pipe, a device or a socket), so it cannot be a workbook",
             "Give the path of the .xlsx file itself.")
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


def _read_sheet(title: str, parsed: ParsedSheet, problems: list[Problem]) -> RawSheet:
    spec = SHEET.get(normalise(title))
    known = {c.name for c in spec.columns} if spec else set()
    header: dict[int, str] = {}
    columns: dict[str, int] = {}
    for cell in parsed.rows.get(1, []):
        value = cell.formula if cell.unsaved else cell.value  # a formula's saved text, if it has one
        if value is None or not str(value).strip():
            continue
        name = normalise(value)
        header[cell.column] = str(value)
        if name in columns and name in known:
            problems.append(Problem(title, 1, name, value, f"column {name!r} appears twice (columns {_letter(columns[name])} and {_letter(cell.column)})", letter=_letter(cell.column)))
            continue
        columns.setdefault(name, cell.column)

    if spec is not None:
        for rng in parsed.merged:
            data = [c for c in range(rng.min_col, rng.max_col + 1) if c in header and normalise(header[c]) in known]
            if data:
                problems.append(
                    Problem(
                        title, rng.min_row, normalise(header[data[0]]), str(rng), f"cells {rng} are merged",
                        "Unmerge them and type the value in every cell.", _letter(data[0]),
                    )
                )

    rows: list[RawRow] = []
    for r_idx in sorted(n for n in parsed.rows if n >= 2):
        cells: dict[str, object] = {}
        for cell in parsed.rows[r_idx]:
            name = normalise(header.get(cell.column)) if cell.column in header else None
            if name is None or columns.get(name) != cell.column:
                continue
            value = cell.value
            if cell.unsaved and name in known:
                problems.append(
                    Problem(
                        title, r_idx, name, cell.formula,
                        f"cell {cell.coordinate} holds a formula with no saved result",
                        "Open and save the workbook in Excel so the result is stored, or type the value.",
                        _letter(cell.column),
                    )
                )
                continue
            if cell.data_type == "e" and name in known:  # #N/A, #DIV/0!, ... typed or a formula's result
                problems.append(
                    Problem(
                        title, r_idx, name, value, f"cell {cell.coordinate} holds the Excel error {value}",
                        "Fix the formula, or type the value.", _letter(cell.column),
                    )
                )
                continue
            if isinstance(value, str) and not value.replace("\u00a0", " ").strip():
                value = None
            cells[name] = value
        if any(v is not None for v in cells.values()):
            rows.append(RawRow(number=r_idx, cells=cells))
    return RawSheet(title=title, columns=columns, header=header, rows=rows)


def _hidden(title: str, state: str, parsed: ParsedSheet, sheet: RawSheet) -> list[Problem]:
    """Warnings for what Excel hides but plan reads: the sheet itself, rows and columns of data."""
    hint = "plan reads it like anything shown; unhide it in Excel to check what it holds."
    out = []
    if state != "visible":
        out.append(Problem(title, None, None, None, "the sheet is hidden in Excel", hint))
    rows = sorted({r.number for r in sheet.rows if r.number in parsed.hidden_rows} | ({1} & parsed.hidden_rows))
    if rows:
        out.append(Problem(title, None, None, None, f"row{'s' if len(rows) > 1 else ''} {_spans(rows)} {'are' if len(rows) > 1 else 'is'} hidden in Excel", hint))
    spec = SHEET[normalise(title)]
    letters = [_letter(i) for name, i in sorted(sheet.columns.items(), key=lambda kv: kv[1])
               if parsed.column_hidden(i) and name in {c.name for c in spec.columns}]
    if letters:
        out.append(Problem(title, None, None, None, f"column{'s' if len(letters) > 1 else ''} {', '.join(letters)} {'are' if len(letters) > 1 else 'is'} hidden in Excel", hint))
    return out


def _spans(numbers: list[int]) -> str:
    """'2, 5–7, 9' for [2, 5, 6, 7, 9]."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _letter(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx)
