"""Files that are not what they claim: each is refused with a clear message and exit 2, quickly,
without a traceback and without writing anything. (The plainer ones — text, .xls, truncated or
non-workbook zips, Excel's ~$ lock files, folders, empty files — are in test_workbook.py.)"""

from __future__ import annotations

import os
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from builders import tables, write
from clirun import PLAN, files_in, find_problem, invoke
from optimizer.problems import InputError
from optimizer.workbook.read import MAX_UNCOMPRESSED_BYTES, read_workbook


def _encrypted(folder: Path) -> Path:
    """What Excel writes for a password-protected workbook: an OLE compound file holding the
    encrypted package, not a zip."""
    path = folder / "wb.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    path.write_bytes(header + b"\0" * 480 + "EncryptionInfo EncryptedPackage".encode("utf-16-le") + b"\0" * 2048)
    return path


def _empty_workbook(folder: Path) -> Path:
    """A real .xlsx with one blank sheet, as Excel's File > New saves it."""
    path = folder / "wb.xlsx"
    openpyxl.Workbook().save(path)
    return path


def _headers_only(folder: Path) -> Path:
    """Every sheet and column, no rows: the blank template saved as it is."""
    tbl = tables()
    headers = {sheet: list(dict.fromkeys(k for r in rows for k in r)) for sheet, rows in tbl.items()}
    return write({sheet: [] for sheet in tbl}, folder / "wb.xlsx", headers=headers)


def _utf16_csv(folder: Path) -> Path:
    path = folder / "wb.xlsx"
    path.write_bytes("variant\tbrand\nH-hatch\tHonda\n".encode("utf-16"))
    return path


def _pdf(folder: Path) -> Path:
    path = folder / "wb.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    return path


BAD = [
    ("encrypted", _encrypted, ["wb.xlsx is an old .xls workbook or an encrypted (password-protected) one", "Remove the password"]),
    ("utf16-text", _utf16_csv, ["wb.xlsx is not an .xlsx workbook"]),
    ("pdf", _pdf, ["wb.xlsx is not an .xlsx workbook"]),
    ("empty-workbook", _empty_workbook, ["sheet 'variants'", "required sheet 'variants' is missing"]),
    ("headers-only", _headers_only, ["sheet 'variants'", "no variants are listed"]),
]


@pytest.mark.parametrize("make, fragments", [pytest.param(m, f, id=n) for n, m, f in BAD])
def test_refused_with_a_clear_message(tmp_path, make, fragments):
    path = make(tmp_path)
    before = files_in(tmp_path)
    result = invoke("solve", path, "--out", tmp_path / "report.xlsx", "--json")
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, *fragments)
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert files_in(tmp_path) == before


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A 1 MB file that unpacks to more than the limit: zeros compress 200:1."""
    path = tmp_path_factory.mktemp("bomb") / "wb.xlsx"
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(MAX_UNCOMPRESSED_BYTES // len(chunk) + 1):
                fh.write(chunk)
    return path


def test_decompression_bomb_is_refused_before_unpacking(bomb):
    assert bomb.stat().st_size < 5_000_000
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        read_workbook(bomb)
    assert time.perf_counter() - started < 1.0
    assert "unpacks to" in str(err.value.problems[0]) and "refusing to read it" in str(err.value.problems[0])
    result = invoke("solve", bomb, "--out", bomb.parent / "report.xlsx")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert files_in(bomb.parent) == {"wb.xlsx"}


def _billion_laughs(folder: Path, part: str) -> Path:
    """A good workbook with entity declarations (nine levels: 10^9 'lol's if expanded) in one part."""
    good = write(tables(), folder / "good.xlsx")
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)]
    doctype = "<!DOCTYPE lolz [" + "".join(levels) + "]>"
    path = folder / "wb.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                text = data.decode()
                head = text.index("?>") + 2 if text.startswith("<?xml") else 0
                body = text[head:]
                root_end = body.index(">") + 1
                data = (text[:head] + doctype + body[:root_end] + "&lol9;" + body[root_end:]).encode()
            zout.writestr(item, data)
    good.unlink()
    return path


@pytest.mark.parametrize("part", ["xl/worksheets/sheet3.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml", "docProps/core.xml"])
def test_xml_entity_attack_is_refused_at_once(tmp_path, part):
    path = _billion_laughs(tmp_path, part)
    started = time.perf_counter()
    result = invoke("solve", path, "--out", tmp_path / "report.xlsx")
    assert time.perf_counter() - started < 10.0, "entities must not be expanded"
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, "wb.xlsx declares XML entities", "refusing it as a possible XML attack")
    assert "Traceback" not in result.stderr and files_in(tmp_path) == {"wb.xlsx"}


def test_defusedxml_is_checked_at_start_up(tmp_path):
    """With openpyxl's protection switched off, plan reads no workbook at all, not even a good one."""
    wb = write(tables(), tmp_path / "wb.xlsx")
    env = dict(os.environ, OPENPYXL_DEFUSEDXML="False")
    proc = subprocess.run([str(PLAN), "solve", wb, "--out", tmp_path / "report.xlsx"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    find_problem(proc.stderr, "defusedxml's protection against XML attacks", "not active", "Install defusedxml")
    assert "Traceback" not in proc.stderr and files_in(tmp_path) == {"wb.xlsx"}


def test_a_stray_value_in_the_last_cell_of_a_sheet_is_read_quickly(tmp_path):
    """Excel's last cell, XFD1048576: only cells that exist are visited."""
    path = write(tables(), tmp_path / "wb.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["plants"]["XFD1048576"] = "note far away"
    wb["variants"]["A1048576"] = "H-extra"
    wb.save(path)
    started = time.perf_counter()
    with pytest.raises(InputError) as err:  # the stray variant row lacks every other column
        from optimizer.workbook.validate import validate

        validate(read_workbook(path))
    assert time.perf_counter() - started < 2.0
    assert any(p.sheet == "variants" and p.row == 1048576 for p in err.value.problems)


# ---- not a regular file, or not a planning workbook ------------------------------------------------

def _fifo(folder: Path) -> Path:
    path = folder / "wb.xlsx"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("make", [_fifo, lambda folder: Path("/dev/null")], ids=["named-pipe", "device"])
@pytest.mark.parametrize("args", [["solve"], ["validate"], ["compare"]], ids=lambda a: a[0])
def test_a_file_that_is_not_a_regular_file_is_refused_at_once(tmp_path, make, args):
    """Opening a named pipe waits for a writer forever: it must never be opened."""
    path = make(tmp_path)
    before = files_in(tmp_path)
    proc = subprocess.run([str(PLAN), *args, str(path), *(["--out", str(tmp_path / "r.xlsx")] if args[0] != "validate" else [])],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    find_problem(proc.stderr, str(path), "is not a regular file")
    assert "Traceback" not in proc.stderr and files_in(tmp_path) == before


@pytest.fixture(scope="module")
def outputs_of_plan(tmp_path_factory) -> dict[str, Path]:
    """A report and a comparison written by plan."""
    folder = tmp_path_factory.mktemp("ours")
    wb = write(tables(scenarios=tables()["scenarios"][:1]), folder / "wb.xlsx")
    result = invoke("solve", wb, "--all-scenarios", "--no-sharing-baseline", "--jobs", 1, "--out", folder / "cmp.xlsx")
    assert result.exit_code == 0, result.stderr
    return {"report": folder / "wb-base.xlsx", "comparison": folder / "cmp.xlsx"}


@pytest.mark.parametrize("what, said", [("report", "is a plan report (written by plan solve), not a planning workbook"),
                                        ("comparison", "is a comparison workbook (written by plan compare or --all-scenarios), not a planning workbook")])
@pytest.mark.parametrize("args", [["solve", "--no-sharing-baseline"], ["validate"]], ids=lambda a: a[0])
def test_a_report_given_as_the_workbook_is_named_for_what_it_is(outputs_of_plan, tmp_path, what, said, args):
    result = invoke(args[0], outputs_of_plan[what], *args[1:], *(["--out", tmp_path / "r.xlsx"] if args[0] == "solve" else []))
    assert result.exit_code == 2, result.stderr
    line = find_problem(result.stderr, said, "Give the planning workbook it was made from")
    assert len(result.stderr.splitlines()) <= 3, "one problem, not one per sheet the report happens to share a name with"
    assert line and files_in(tmp_path) == set()
