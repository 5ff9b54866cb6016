"""Reading the workbook: what is read faithfully (text stays text, saved formula results) and what
is refused with a clear message (formulas without results, merged cells, files that are no .xlsx)."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from builders import tables, write
from clirun import files_in, find_problem, invoke, plan, problem_lines
from optimizer.workbook import read as workbook_module
from optimizer.problems import InputError
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def edit(path: Path, change) -> Path:
    """Open a workbook with openpyxl, let `change(book)` edit it, save it in place."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def as_text(ws, ref: str, text: str) -> None:
    """Store `text` as a text cell even when it starts with '=' (what Excel does for '=... typed as text)."""
    ws[ref].value = text
    ws[ref].data_type = "s"


class ExcelError(str):
    """A formula result that is an Excel error (#N/A, #DIV/0!, ...)."""


def with_cached_values(path: Path, values: dict[tuple[str, str], object]) -> Path:
    """Give formula cells the saved results Excel would store (openpyxl never writes one, so the
    sheet XML is patched). `values` maps (sheet title, cell reference) to the result."""
    book = openpyxl.load_workbook(path)
    sheet_files = {ws.title: f"xl/worksheets/sheet{i}.xml" for i, ws in enumerate(book.worksheets, start=1)}
    patched = path.with_name("patched-" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename).decode()
            for (title, ref), value in values.items():
                if item.filename == sheet_files[title]:
                    kind = ' t="e"' if isinstance(value, ExcelError) else ' t="str"' if isinstance(value, str) else ""
                    data, n = re.subn(
                        rf'<c r="{ref}"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)?',
                        lambda m: f'<c r="{ref}"{m.group(1)}{kind}><f>{m.group(2)}</f><v>{value}</v>',
                        data,
                    )
                    assert n == 1, f"no formula at {title}!{ref}"
            zout.writestr(item, data.encode())
    patched.replace(path)
    return path


@pytest.fixture(scope="module")
def text_like_formulas(tmp_path_factory):
    """One solved workbook whose names and notes start with '=', solved once for the module."""
    folder = tmp_path_factory.mktemp("eq")
    t = tables()
    t["variants"][0]["notes"] = "x"
    t["plants"][1]["plant"] = "placeholder"
    wb = write(t, folder / "wb.xlsx")

    def change(book):
        as_text(book["variants"], "A2", "=SUM(A1)")  # H-hatch, must_offer: always offered
        as_text(book["variants"], "T2", "=HYPERLINK(\"http://example.com\")")  # a notes cell
        as_text(book["plants"], "A3", "=Yachiyo")

    edit(wb, change)
    out = folder / "report.xlsx"
    result = invoke("solve", wb, "--out", out)
    assert result.exit_code == 0, result.stderr
    return wb, out


def test_text_starting_with_equals_is_read_as_text(text_like_formulas):
    wb, _ = text_like_formulas
    raw = read_workbook(wb)
    row = raw.sheets["variants"].rows[0]
    assert row.cells["variant"] == "=SUM(A1)" and row.cells["notes"] == '=HYPERLINK("http://example.com")'
    inp = validate(raw).plan_input
    assert inp.variants[0].name == "=SUM(A1)" and inp.plants[1].name == "=Yachiyo"


def test_text_starting_with_equals_stays_text_in_the_report(text_like_formulas):
    _, out = text_like_formulas
    book = openpyxl.load_workbook(out)
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in ("=SUM(A1)", "=Yachiyo"):
                    found.setdefault(cell.value, []).append((ws.title, cell.coordinate, cell.data_type))
    assert ("Variants", "B1", "s") in found["=SUM(A1)"], found  # one column per variant
    assert any(title == "Plants" for title, _, _ in found["=Yachiyo"]), found
    assert all(dt == "s" for cells in found.values() for _, _, dt in cells), found
    # and nothing in the report is a formula
    assert not [c.coordinate for ws in book.worksheets for r in ws.iter_rows() for c in r if c.data_type == "f"]


def test_formula_with_saved_result_is_read(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")

    def change(book):
        book["variants"]["D2"] = "=3000+300"  # length_mm of H-hatch
        book["packs"]["B3"] = "=20+5"  # usable_kwh of P25
        book["brands"]["A3"] = '="Mitsu"&"bishi"'

    edit(wb, change)
    with_cached_values(wb, {("variants", "D2"): 3300, ("packs", "B3"): 25.5, ("brands", "A3"): "Mitsubishi"})
    stored = openpyxl.load_workbook(wb)
    assert stored["variants"]["D2"].data_type == "f" and stored["brands"]["A3"].value.startswith("=")
    raw = read_workbook(wb)
    assert raw.sheets["variants"].rows[0].cells["length_mm"] == 3300
    inp = validate(raw).plan_input
    assert inp.variants[0].length_mm == 3300
    assert inp.packs[1].usable_kwh == 25.5
    assert inp.brands == ("Honda", "Mitsubishi")
    assert invoke("validate", wb).exit_code == 0


def test_formula_without_saved_result_is_an_error_naming_the_cell(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    before = edit(wb, lambda book: book["variants"].__setitem__("F3", "=1500+45")).read_bytes()
    out = tmp_path / "report.xlsx"
    result = invoke("solve", wb, "--out", out)
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, "sheet 'variants'", "row 3", "column F 'height_mm'", "'=1500+45'", "F3", "formula with no saved result")
    assert not out.exists() and files_in(tmp_path) == {"wb.xlsx"}
    assert wb.read_bytes() == before


def test_excel_errors_are_refused_naming_the_cell(tmp_path):
    t = tables()
    t["variants"][0]["notes"] = "x"
    wb = write(t, tmp_path / "wb.xlsx")

    def change(book):
        ws = book["variants"]
        ws["C4"] = "=VLOOKUP(A4,X:Y,2,FALSE)"  # body_style of H-van, a formula that failed
        ws["D3"] = "#DIV/0!"  # length_mm of M-hatch, an error typed or pasted as a value
        ws["T3"] = "#REF!"  # a notes column: ignored

    edit(wb, change)
    with_cached_values(wb, {("variants", "C4"): ExcelError("#N/A")})
    assert openpyxl.load_workbook(wb, data_only=True)["variants"]["C4"].data_type == "e"
    result = invoke("solve", wb, "--out", tmp_path / "report.xlsx")
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, "sheet 'variants'", "row 4", "column C 'body_style'", "C4", "Excel error #N/A")
    find_problem(result.stderr, "sheet 'variants'", "row 3", "column D 'length_mm'", "D3", "Excel error #DIV/0!")
    assert len(problem_lines(result.stderr)) == 2, result.stderr
    assert files_in(tmp_path) == {"wb.xlsx"}


def test_formula_without_saved_result_in_a_notes_column_is_ignored(tmp_path):
    t = tables()
    t["packs"][0]["notes"] = "see supplier quote"
    wb = write(t, tmp_path / "wb.xlsx")
    edit(wb, lambda book: book["packs"].__setitem__("H3", "=B3*2"))
    assert invoke("validate", wb).exit_code == 0


def test_merged_cells_over_data_columns_are_an_error(tmp_path):
    wb = edit(write(tables(), tmp_path / "wb.xlsx"), lambda book: book["variants"].merge_cells("C2:C3"))
    out = tmp_path / "report.xlsx"
    result = invoke("solve", wb, "--out", out)
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, "sheet 'variants'", "row 2", "column C 'body_style'", "C2:C3", "merged", "Unmerge")
    assert not out.exists()


def test_merged_cells_over_notes_columns_are_fine(tmp_path):
    t = tables()
    t["variants"][0]["notes"] = "long note"
    wb = edit(write(t, tmp_path / "wb.xlsx"), lambda book: book["variants"].merge_cells("T2:V4"))
    assert invoke("validate", wb).exit_code == 0


# ---- files that are not a workbook --------------------------------------------------------------

def _not_xlsx(folder: Path) -> Path:
    path = folder / "wb.xlsx"
    path.write_text("variant,brand\nH-hatch,Honda\n")
    return path


def _xls(folder: Path) -> Path:
    path = folder / "wb.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    return path


def _truncated(folder: Path) -> Path:
    good = write(tables(), folder / "full.xlsx")
    path = folder / "wb.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    good.unlink()
    return path


def _zip_not_workbook(folder: Path) -> Path:
    path = folder / "wb.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    return path


def _damaged_sheet(folder: Path) -> Path:
    good = write(tables(), folder / "full.xlsx")
    path = folder / "wb.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet3.xml" else data)
    good.unlink()
    return path


def _lock_file(folder: Path) -> Path:
    write(tables(), folder / "wb.xlsx")
    path = folder / "~$wb.xlsx"
    path.write_bytes(b"\x07someone" + b"\0" * 150)
    return path


def _folder(folder: Path) -> Path:
    path = folder / "wb.xlsx"
    path.mkdir()
    return path


def _empty(folder: Path) -> Path:
    path = folder / "wb.xlsx"
    path.write_bytes(b"")
    return path


BAD_FILES = [
    ("not-xlsx", _not_xlsx, ["wb.xlsx is not an .xlsx workbook", "Save it from Excel as .xlsx"]),
    ("xls", _xls, ["wb.xls is an old .xls workbook", "save it from Excel as .xlsx"]),
    ("corrupt-zip", _truncated, ["wb.xlsx is damaged"]),
    ("zip-not-workbook", _zip_not_workbook, ["wb.xlsx is a zip file but not an Excel workbook"]),
    ("damaged-sheet", _damaged_sheet, ["wb.xlsx could not be read as an Excel workbook"]),
    ("lock-file", _lock_file, ["~$wb.xlsx is Excel's lock file", "Use wb.xlsx instead"]),
    ("folder", _folder, ["is a folder, not a workbook"]),
    ("empty", _empty, ["wb.xlsx is not an .xlsx workbook"]),
]


@pytest.mark.parametrize("make, fragments", [pytest.param(m, f, id=n) for n, m, f in BAD_FILES])
def test_unreadable_files_are_refused(tmp_path, make, fragments):
    path = make(tmp_path)
    before = files_in(tmp_path)
    out = tmp_path / "report.xlsx"
    result = invoke("solve", path, "--out", out)
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, *fragments)
    assert "Traceback" not in result.stderr
    assert not out.exists() and files_in(tmp_path) == before


@pytest.mark.parametrize("make, fragments", [pytest.param(m, f, id=n) for n, m, f in BAD_FILES if n == "lock-file"])
def test_unreadable_files_are_refused_by_the_real_command(tmp_path, make, fragments):
    path = make(tmp_path)
    before = files_in(tmp_path)
    proc = plan("solve", path, "--out", tmp_path / "report.xlsx")
    assert proc.returncode == 2, proc.stderr
    find_problem(proc.stderr, *fragments)
    assert "Traceback" not in proc.stderr and files_in(tmp_path) == before


def test_missing_file(tmp_path):
    proc = plan("solve", tmp_path / "nowhere.xlsx", "--out", tmp_path / "report.xlsx")
    assert proc.returncode == 2, proc.stderr
    find_problem(proc.stderr, "nowhere.xlsx does not exist")
    assert files_in(tmp_path) == set()
    result = invoke("validate", tmp_path / "nowhere.xlsx")
    assert result.exit_code == 2
    find_problem(result.stderr, "nowhere.xlsx does not exist")


def test_workbook_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    wb = write(tables(), tmp_path / "wb.xlsx")
    monkeypatch.setattr(workbook_module, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(InputError) as err:
        read_workbook(wb)
    assert "refusing to read it" in str(err.value.problems[0])


def test_the_input_workbook_is_never_changed(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    before, mtime = sha256(wb), wb.stat().st_mtime_ns
    assert invoke("solve", wb, "--out", tmp_path / "report.xlsx").exit_code == 0
    assert invoke("validate", wb).exit_code == 0
    assert sha256(wb) == before and wb.stat().st_mtime_ns == mtime
    assert summary_sha(tmp_path / "report.xlsx") == before, "the report records the input's SHA-256"


def summary_sha(report: Path) -> str:
    ws = openpyxl.load_workbook(report)["Provenance"]
    return next(row[2] for row in ws.iter_rows(values_only=True) if row[1] == "SHA-256")


def test_report_may_not_overwrite_the_input(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    before = sha256(wb)
    result = invoke("solve", wb, "--out", wb)
    assert result.exit_code == 2
    find_problem(result.stderr, f"the output {wb} would overwrite {wb}, which this command reads")
    assert sha256(wb) == before and files_in(tmp_path) == {"wb.xlsx"}


# ---- formula cells: an empty saved result is blank; a header may be a formula ---------------------

def test_a_formula_whose_saved_result_is_empty_text_is_a_blank_cell(tmp_path):
    """`=IF(c,"",x)` saved by Excel: `<c t="str"><f>…</f><v></v></c>`. Saving again cannot change
    it, so it is the blank it shows, not a formula with no saved result."""
    wb = write(tables(), tmp_path / "wb.xlsx")
    edit(wb, lambda book: book["variants"].__setitem__("H2", '=IF(TRUE,"",350)'))  # payload_kg of H-hatch: optional
    with_cached_values(wb, {("variants", "H2"): ""})
    raw = read_workbook(wb)
    assert raw.sheets["variants"].rows[0].cells["payload_kg"] is None
    blank = validate(read_workbook(write(tables(), tmp_path / "blank.xlsx"))).plan_input.variants[0]
    assert validate(raw).plan_input.variants[0] == blank  # as if nothing were typed
    assert invoke("validate", wb).exit_code == 0


def test_a_header_made_by_a_formula_is_recognised_by_its_saved_text(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    edit(wb, lambda book: book["packs"].__setitem__("B1", '="usable_"&"kwh"'))
    with_cached_values(wb, {("packs", "B1"): "usable_kwh"})
    raw = read_workbook(wb)
    assert raw.sheets["packs"].columns["usable_kwh"] == 2
    assert [p.usable_kwh for p in validate(raw).plan_input.packs] == [20, 25]


def test_a_shared_formula_without_saved_results_is_named_in_every_cell(tmp_path):
    """Excel writes a formula filled down as one shared formula; each cell is named with its own."""
    wb = write(tables(), tmp_path / "wb.xlsx")
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(wb) as zin, zipfile.ZipFile(patched, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename).decode()
            if item.filename == "xl/worksheets/sheet6.xml":  # packs
                data = re.sub(r'<c r="B2"[^>]*>.*?</c>', '<c r="B2"><f t="shared" ref="B2:B3" si="0">F2*2</f></c>', data)
                data = re.sub(r'<c r="B3"[^>]*>.*?</c>', '<c r="B3"><f t="shared" si="0"/></c>', data)
            zout.writestr(item, data)
    result = invoke("validate", patched)
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'packs'", "row 2", "'=F2*2'", "B2", "no saved result")
    find_problem(result.stderr, "sheet 'packs'", "row 3", "'=F3*2'", "B3", "no saved result")


# ---- what Excel hides, plan reads: said in a warning ------------------------------------------------

def test_hidden_sheets_rows_and_columns_that_are_read_are_named_in_a_warning(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")

    def change(book):
        book["packs"].sheet_state = "hidden"
        for r in (3, 4):
            book["variants"].row_dimensions[r].hidden = True
        book["variants"].column_dimensions["N"].hidden = True  # max_unit_cost_jpy
        book["plants"].row_dimensions[9].hidden = True  # a blank row: nothing read, nothing said

    edit(wb, change)
    result = invoke("validate", wb)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "warning: sheet 'packs': the sheet is hidden in Excel" in result.stderr
    assert any("sheet 'variants'" in w and "rows 3–4 are hidden in Excel" in w for w in warnings), warnings
    assert any("sheet 'variants'" in w and "column N is hidden in Excel" in w for w in warnings), warnings
    assert not any("plants" in w for w in warnings), warnings
    assert all("plan reads it like anything shown" in w for w in warnings)


# ---- memory grows with the cells that hold data, not the cells formatted ------------------------------

def test_formatted_blank_cells_cost_no_memory_and_change_nothing(tmp_path):
    """200,000 formatted blank cells below the example's variants (what formatting a block in
    Excel stores): read in bounded memory, and read exactly as without them. (Time and peak
    memory at 5 million cells: benchmarks/blank_cells.py.)"""
    import tracemalloc

    from benchmarks.blank_cells import with_blank_cells
    from optimizer.cli import example_workbook

    padded = with_blank_cells(example_workbook(), tmp_path / "padded.xlsx", 200_000)
    tracemalloc.start()
    try:
        raw = read_workbook(padded)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6, f"peak {peak / 1e6:.0f} MB: blank cells are being kept"
    plain = read_workbook(example_workbook())
    assert {k: (s.columns, s.rows) for k, s in raw.sheets.items()} == {k: (s.columns, s.rows) for k, s in plain.sheets.items()}


def _without_positions(row_xml: bytes) -> bytes:
    """A sheet row with its cells' `r` attributes removed, and the columns it skipped written as
    blank `<c/>` cells so that every cell keeps its column when counted from the row's start."""
    from openpyxl.utils import column_index_from_string

    out, column = [], 0
    for cell in re.findall(rb'<c r="[A-Z]+\d+".*?(?:/>|</c>)', row_xml):
        index = column_index_from_string(re.match(rb'<c r="([A-Z]+)', cell).group(1).decode())
        out += [b"<c/>"] * (index - column - 1)
        out.append(re.sub(rb' r="[A-Z]+\d+"', b"", cell, count=1))
        column = index
    return re.sub(rb"(<row [^>]*>).*(</row>)", lambda m: m.group(1) + b"".join(out) + m.group(2), row_xml, flags=re.S)


def test_cells_that_do_not_name_their_position_are_read_in_their_columns(tmp_path):
    """The `r` attribute of a cell is optional in the file format: cells then count from the row's start."""
    wb = write(tables(), tmp_path / "wb.xlsx")
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(wb) as zin, zipfile.ZipFile(bare, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<row [^>]*>.*?</row>", lambda m: _without_positions(m.group(0)), data, flags=re.S)
            zout.writestr(item, data)
    assert b'<c r="' not in zipfile.ZipFile(bare).read("xl/worksheets/sheet10.xml")
    a, b = read_workbook(wb), read_workbook(bare)
    assert {k: (s.columns, s.rows) for k, s in a.sheets.items()} == {k: (s.columns, s.rows) for k, s in b.sheets.items()}
