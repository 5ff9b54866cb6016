"""The comparison's Year by year sheet (cases with a years sheet): a row a case in every table, the
years as columns — each variant's launch year (a launch that differs from the base case marked),
then units, yen paid and present value by year, each with its difference from the base case
beside it."""

from __future__ import annotations

from openpyxl.styles import Alignment

from optimizer.report.compare_years import NO_PLAN, NOT_OFFERED, YearRow, YearsComparison
from optimizer.report.style import (
    AMBER_FILL, NOTE_FONT, SECTION_FONT, TITLE_FONT, TOTAL_FONT, UNITS, YEN_BN, Col, paragraphs, print_setup, put,
    widen, write_table,
)

SHEET = "Year by year"
DELTA_UNITS = '+#,##0;-#,##0;"–"'  # no difference reads as a dash
DELTA_BN = '+"¥"#,##0.00,,," bn";-"¥"#,##0.00,,," bn";"–"'
FIGURE_WIDTH = 10.5  # "¥104.85 bn", "+¥1.23 bn"


def write_years(ws, yc: YearsComparison, base: str) -> None:
    n = len(yc.years)
    width = 2 * n + 3
    put(ws, 1, 1, f"The programmes year by year, against {base}").font = TITLE_FONT
    r = paragraphs(ws, 2, [
        f"A row a scenario. Beside each table, the scenario minus {base} (above zero: more units or more yen); "
        "a launch year that differs from the base case is shaded. Present value is what a year counts in the total "
        "cost: the yen paid that year times its discount factor."
    ] + list(yc.notes), columns=width, font=NOTE_FONT) + 1
    r = _launches(ws, yc, r)
    r = _figures(ws, yc, yc.units, "Units by year (all variants)", UNITS, DELTA_UNITS, r + 1)
    r = _figures(ws, yc, yc.paid, "Cost paid by year (¥)", YEN_BN, DELTA_BN, r + 1)
    _figures(ws, yc, yc.present_value, "Cost by year in present value (¥; over the programme: the total cost)",
             YEN_BN, DELTA_BN, r + 1)
    widen(ws, "A", 18)
    for c in range(2, width + 1):
        widen(ws, c, FIGURE_WIDTH)
    ws.freeze_panes = None
    print_setup(ws, landscape=True)


def _launches(ws, yc: YearsComparison, r: int) -> int:
    put(ws, r, 1, "Launch year by variant").font = SECTION_FONT
    cols = [Col("scenario")] + [Col(v) for v in yc.variants]
    rows = [[row.case] + list(launch) for row, launch in zip(yc.units, yc.launches)]
    end = write_table(ws, cols, rows, first_row=r + 1, freeze=False)
    ws.auto_filter.ref = None
    base = yc.base
    for i, launch in enumerate(yc.launches):
        for j, year in enumerate(launch):
            cell = ws.cell(row=r + 2 + i, column=2 + j)
            cell.alignment = Alignment(horizontal="center", vertical="top")
            if i != base and year != yc.launches[base][j] and year != NO_PLAN:
                cell.fill = AMBER_FILL
            if year in (NOT_OFFERED, NO_PLAN):
                cell.font = NOTE_FONT
    return end


def _figures(ws, yc: YearsComparison, rows: tuple[YearRow, ...], title: str, fmt: str, delta_fmt: str, r: int) -> int:
    """Values by year and over the programme, then the differences from the base case."""
    put(ws, r, 1, title).font = SECTION_FONT
    cols = ([Col("scenario")] + [Col(y, fmt) for y in yc.years] + [Col("over the programme", fmt)]
            + [Col(f"Δ {y}", delta_fmt) for y in yc.years] + [Col("Δ over the programme", delta_fmt)])
    table = [[x.case, *x.values, x.total, *x.deltas, x.total_delta] for x in rows]
    end = write_table(ws, cols, table, first_row=r + 1, freeze=False)
    ws.auto_filter.ref = None
    for row in range(r + 2, end):
        for c in (len(yc.years) + 2, len(cols)):
            ws.cell(row=row, column=c).font = TOTAL_FONT
    return end
