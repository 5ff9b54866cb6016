"""The Programme sheet (workbooks with a years sheet): when each variant launches and why, units by
variant and year with a stacked column chart, what each year costs by kind (paid and in present
value), and each pack's and part's volume, tier and price year by year."""

from __future__ import annotations

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from models.data import PlanInput
from models.evaluate import COST_KINDS, Evaluation
from models.plan import Plan
from optimizer.analysis.programme import launches
from optimizer.report.charts import add_table_series, bar_chart
from optimizer.report.style import (
    NOTE_FONT, SECTION_FONT, TITLE_FONT, TOTAL_FONT, UNITS, YEN, Col, paragraphs, print_setup, put, write_table,
)

SELLING = PatternFill("solid", fgColor="9BC2E6")
FACTOR = "0.000"
YEAR_WIDTH = 21  # a year's column holds the timeline's mark and, further down, a year's yen in bold


def write_programme(ws: Worksheet, inp: PlanInput, plan: Plan, ev: Evaluation) -> None:
    years = [y.name for y in inp.years]
    put(ws, 1, 1, f"The programme {years[0]}–{years[-1]}: launches, units and cost year by year").font = TITLE_FONT
    r = paragraphs(ws, 2, [
        "Each variant sells from its launch year on; a one-time cost is paid in the first year it serves; every yen "
        "counts in the total at its year's discount factor (present value)."
    ], columns=len(years) + 3, font=NOTE_FONT) + 1
    r = _timeline(ws, inp, plan, ev, years, r)
    r = _units(ws, inp, plan, years, r + 1)
    r = _costs(ws, inp, ev, years, r + 1)
    _items(ws, ev, r + 1)
    print_setup(ws, title_rows="1:1")


def _timeline(ws: Worksheet, inp: PlanInput, plan: Plan, ev: Evaluation, years: list[str], r: int) -> int:
    put(ws, r, 1, "Launch timeline").font = SECTION_FONT
    found = {x.variant: x for x in launches(inp, plan, ev)}
    cols = [Col("variant"), Col("launch"), Col("window")] + [Col(y, width=YEAR_WIDTH) for y in years] + [Col("why then", width=60)]
    rows = []
    for v in inp.variants:
        x = found.get(v.name)
        if x is None:
            rows.append([v.name, "not offered", None] + [None] * len(years) + [None])
            continue
        start = years.index(x.year)
        rows.append([v.name, x.year, f"{x.window[0]}–{x.window[1]}"] + ["●" if i >= start else None for i in range(len(years))]
                    + [x.reason])
    end = write_table(ws, cols, rows, first_row=r + 1, freeze=False)
    for i, row in enumerate(rows, start=r + 2):
        for j, mark in enumerate(row[3:3 + len(years)], start=4):
            if mark:
                ws.cell(row=i, column=j).fill = SELLING
    return end


def _units(ws: Worksheet, inp: PlanInput, plan: Plan, years: list[str], r: int) -> int:
    put(ws, r, 1, "Units by year and variant").font = SECTION_FONT
    offered = [v.name for v in inp.variants if plan.variants[v.name].offered]
    header = r + 1
    rows = [[y] + [plan.variants[n].units_in(y) for n in offered] + [sum(plan.variants[n].units_in(y) for n in offered)] for y in years]
    rows.append(["total"] + [plan.variants[n].units for n in offered] + [sum(plan.variants[n].units for n in offered)])
    end = write_table(ws, [Col("year")] + [Col(n, UNITS) for n in offered] + [Col("all variants", UNITS)], rows,
                      first_row=header, freeze=False)
    for c in range(1, len(offered) + 3):
        ws.cell(row=end - 1, column=c).font = TOTAL_FONT
    if offered:
        chart = bar_chart("Units by year and variant", "units", stacked=True, number_format="#,##0", width=22, height=9)
        add_table_series(chart, ws, header_row=header, first_row=header + 1, last_row=header + len(years),
                         category_col=1, first_col=2, last_col=1 + len(offered))
        ws.add_chart(chart, f"A{end + 1}")
        end += 20  # room for the chart
    return end


def _costs(ws: Worksheet, inp: PlanInput, ev: Evaluation, years: list[str], r: int) -> int:
    put(ws, r, 1, "Cost by year and kind (¥ paid that year)").font = SECTION_FONT
    cols = [Col("cost kind", width=26)] + [Col(y, YEN, width=YEAR_WIDTH) for y in years] + [
        Col("paid over the programme", YEN, width=YEAR_WIDTH), Col("present value", YEN, width=YEAR_WIDTH)]
    rows = [[k] + [p.paid[k] for p in ev.periods] + [sum(p.paid[k] for p in ev.periods), ev.costs[k]] for k in COST_KINDS]
    rows.append(["paid that year"] + [sum(p.paid.values()) for p in ev.periods] + [ev.undiscounted_cost_jpy, ev.total_cost_jpy])
    rows.append(["discount factor"] + [p.one_time_weight for p in ev.periods] + [None, None])
    rows.append(["present value of the year"] + [sum(p.weighted.values()) for p in ev.periods] + [None, ev.total_cost_jpy])
    end = write_table(ws, cols, rows, first_row=r + 1, freeze=False)
    for c in range(2, len(years) + 2):
        ws.cell(row=end - 2, column=c).number_format = FACTOR
    for row in (end - 3, end - 1):
        for c in range(1, len(cols) + 1):
            ws.cell(row=row, column=c).font = TOTAL_FONT
    return end


def _items(ws: Worksheet, ev: Evaluation, r: int) -> int:
    put(ws, r, 1, "Packs and parts by year: volume, tier and price").font = SECTION_FONT
    cols = [Col("item"), Col("kind"), Col("year"), Col("volume (units)", UNITS), Col("tier reached from (units)", UNITS),
            Col("unit price (¥)", YEN), Col("production that year (¥)", YEN)]
    rows = []
    items = sorted({i for p in ev.periods for i in p.volumes}, key=lambda i: (ev.periods[0].volumes.get(i) is None, i))
    for item in items:
        for p in ev.periods:
            x = p.volumes.get(item)
            if x is not None and x.units > 0:
                rows.append([item, x.kind, p.year, x.units, x.tier_min_units, x.unit_price_jpy, x.units * x.unit_price_jpy])
    return write_table(ws, cols, rows, first_row=r + 1, freeze=False)
