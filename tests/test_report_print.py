"""Every sheet of every workbook `plan` writes — reports (one case, robust), the comparison, the
template — prints well:
set up (A4, one page wide, orientation, print area, repeated header and name column, footer), on
about a dozen pages for the example's report and for the comparison of its scenarios, never wider
than a page, with every word of every cell on paper (no clipped header, no sentence cut at the
page's edge) and no chart cut by a page break (issue 12, item 18).

The rendering tests print with LibreOffice (benchmarks.pages); they are skipped, saying why, only
where it is not installed (.ci/run installs it)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from benchmarks.pages import render, tools_missing
from builders import programme, write
from clirun import plan
from example_case import EXAMPLE, example_case, unproven_case
from optimizer.pipeline import solve_case
from optimizer.report import write_report
from optimizer.report.printing import extent, finish_printing, header_rows, is_set_up, printed_pages
from optimizer.workbook.template import build_template

KINDS = ("report", "unproven", "no plan", "comparison", "robust", "template")
# The example's report and comparison "fit in about a dozen pages that read well"; no sheet takes
# more than two (the Programme sheet of a six-year programme included).
MOST_PAGES = {"report": 13, "unproven": 13, "comparison": 14}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """One workbook of each kind `plan` writes, as it writes them."""
    folder = tmp_path_factory.mktemp("print")
    out = {
        "report": write_report(folder / "report.xlsx", example_case()),
        "unproven": write_report(folder / "unproven.xlsx", unproven_case()),
    }
    case = example_case()
    inp = case.plan_input
    demand = tuple(replace(d, min_units=10 * d.min_units) if d.scope == "total" else d for d in inp.demand)
    bad = replace(inp, demand=demand, settings=replace(inp.settings, time_limit_s=20))
    out["no plan"] = write_report(
        folder / "noplan.xlsx", solve_case(case.source, bad, sharing_baseline=False)
    )
    proc = plan(
        "solve",
        EXAMPLE,
        "--all-scenarios",
        "--jobs",
        2,
        "--out",
        folder / "all" / "comparison.xlsx",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out["comparison"] = folder / "all" / "comparison.xlsx"
    proc = plan(
        "solve",
        write(programme(), folder / "programme.xlsx"),
        "--robust",
        "--out",
        folder / "robust.xlsx",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out["robust"] = folder / "robust.xlsx"
    build_template().save(folder / "template.xlsx")
    out["template"] = folder / "template.xlsx"
    return out


@pytest.fixture(scope="module")
def printed(written, tmp_path_factory):
    why = tools_missing() or _font_missing()
    if why:
        pytest.skip(f"cannot render with LibreOffice here: {why}")
    prints = render([written[k] for k in KINDS], tmp_path_factory.mktemp("pdf"))
    return {kind: [p for p in prints if p.workbook == str(written[kind])] for kind in KINDS}


def _font_missing() -> str | None:
    """Page counts are measured in Calibri's metrics: LibreOffice needs Carlito, its metric twin."""
    fonts = (
        subprocess.run(["fc-list"], capture_output=True, text=True).stdout
        if tools_missing() is None
        else ""
    )
    return None if "Carlito" in fonts else "the Carlito font (fonts-crosextra-carlito) is not installed"


# ---- the set-up, read back from the files ----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_sheet_has_print_set_up(written, kind):
    wb = openpyxl.load_workbook(written[kind])
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible
    for ws in visible:
        ps = ws.page_setup
        assert ps.orientation in ("portrait", "landscape") and int(ps.paperSize) == int(
            ws.PAPERSIZE_A4
        ), ws.title
        assert (
            ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth == 1 and ps.fitToHeight in (0, 1)
        ), ws.title
        assert ws.print_area, ws.title
        first, last = ws.print_area.split("!")[-1].replace("$", "").split(":")
        area = openpyxl.worksheet.cell_range.CellRange(f"{first}:{last}")
        assert area.max_row >= ws.max_row and area.max_col >= ws.max_column, (
            ws.title,
            ws.print_area,
            ws.dimensions,
        )
        if ws.max_column > 1:
            assert ws.print_title_cols == "$A:$A", ws.title
        assert "&A" in ws.oddFooter.center.text and "&P" in ws.oddFooter.center.text, ws.title
    if kind == "template":
        assert all(
            ws.print_title_rows == "$1:$1" for ws in visible if ws.title != "read me"
        ), "a form's header repeats on every page it fills"


def test_a_sheet_its_writer_did_not_set_up_gets_the_default():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "a sheet a future writer forgot to set up"
    hidden = wb.create_sheet("data")
    hidden.sheet_state = "hidden"
    assert not is_set_up(ws)
    finish_printing(wb)
    assert is_set_up(ws) and not is_set_up(hidden)


@pytest.mark.parametrize("kind", ["report", "comparison"])
def test_no_chart_is_cut_by_a_page_break(written, kind):
    """No page of the sheet as set up starts inside a chart's rows (by the set-up's row heights;
    the rendering tests check that those are what LibreOffice prints)."""
    wb = openpyxl.load_workbook(written[kind])  # charts are read back with their anchors
    charted = [ws for ws in wb.worksheets if ws._charts]
    assert charted
    for ws in charted:
        starts = printed_pages(ws)
        for first, last in extent(ws).charts:
            assert not [s for s in starts if first < s <= last], (ws.title, first, last, starts)


# ---- rendered with LibreOffice ---------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MOST_PAGES))
def test_the_example_prints_in_about_a_dozen_pages(printed, kind):
    pages = {p.sheet: p.pages for p in printed[kind]}
    assert ("Year by year" if kind == "comparison" else "Programme") in pages, "the example is a programme"
    assert sum(pages.values()) <= MOST_PAGES[kind], pages
    assert max(pages.values()) <= 2, pages
    if kind != "comparison":
        assert pages["Summary"] == 1, "the management summary is one page"


def _alnum(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


@pytest.mark.parametrize("kind", KINDS)
def test_every_word_of_every_sheet_is_printed(written, printed, kind):
    """A row too short for its wrapped text, a header clipped, a sentence run past the print area:
    the words that do not fit are not on paper. Every text cell must be there in full."""
    wb = openpyxl.load_workbook(written[kind])
    for p in printed[kind]:
        ws = wb[p.sheet]
        paper = _alnum(p.text_raw())
        missing = [
            c.coordinate
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and _alnum(c.value) not in paper
        ]
        assert not missing, (p.sheet, [ws[m].value for m in missing[:3]], p.pdf)


@pytest.mark.parametrize("kind", KINDS)
def test_no_sheet_prints_wider_than_a_page(written, printed, kind):
    """The first and the last header of every table are printed on the same page."""
    wb = openpyxl.load_workbook(written[kind])
    for p in printed[kind]:
        ws = wb[p.sheet]
        for r in header_rows(ws):
            heads = [c.value for c in ws[r] if isinstance(c.value, str)]
            if len(heads) < 3:
                continue
            second, last = _alnum(heads[1]), _alnum(heads[-1])
            assert any(second in page and last in page for page in map(_alnum, p.page_texts())), (
                p.sheet,
                heads,
            )
