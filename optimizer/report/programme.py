"""The Programme sheet (workbooks with a years sheet): when each variant launches and why, units by
variant and year with a stacked column chart, what each year costs by kind (paid and in present
value), and each pack's and part's volume and price year by year with the volume tier it reaches.

Every table has the years as its columns B onwards, so the tables share the sheet's columns
instead of fighting over them: a year's column is as wide as a year's figure, and the sheet prints
landscape about two pages long for a six-year programme.
"""

from __future__ import annotations

from openpyxl.chart import Reference
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.data import PlanInput
from models.evaluate import COST_KINDS, Evaluation, ItemVolume
from models.plan import Plan
from optimizer.analysis.programme import launches
from optimizer.report.charts import bar_chart
from optimizer.report.style import (
    NOTE_FONT, SECTION_FONT, TITLE_FONT, TOTAL_FONT, UNITS, YEN, YEN_BN, Col, paragraphs, print_setup, put, widen,
    write_table,
)
from optimizer.report.printing import DEFAULT_WIDTH, PT_PER_WIDTH, set_width

SELLING = PatternFill("solid", fgColor="9BC2E6")
WINDOW = PatternFill("solid", fgColor="DDEBF7")
TIER_FILLS = (PatternFill("solid", fgColor="E2EFDA"), PatternFill("solid", fgColor="A9D08E"))
SOLD, OPEN = "●", "○"  # a year the variant sells in; a year of its window before it launches
FACTOR = "0.000"
UNITS_OR_DASH = '#,##0;-#,##0;"–"'  # a year without units or cost reads as a dash, not as 0
BN_OR_DASH = '"¥"#,##0.00,,," bn";-"¥"#,##0.00,,," bn";"–"'
SUPERSCRIPT = "¹²³⁴⁵⁶⁷⁸⁹"
NAME_WIDTH = 30
YEAR_WIDTH = 10.5  # a year's ¥ bn ("¥33.33 bn") or units
CHART_ROWS = 21  # the units chart stands beside the units and cost tables, this many rows tall
MIN_SIDE = 58.0  # width units right of the cost table: the launch reasons and the chart (a short programme widens)


def write_programme(ws: Worksheet, inp: PlanInput, plan: Plan, ev: Evaluation) -> None:
    years = [y.name for y in inp.years]
    width = 2 * len(years) + 3  # the widest table: item, volumes, total, prices, paid
    put(ws, 1, 1, f"The programme {years[0]}–{years[-1]}: launches, units and cost year by year").font = TITLE_FONT
    r = paragraphs(ws, 2, [
        "Each variant sells from its launch year on; a one-time cost is paid in the first year it serves; every yen "
        "counts in the total at its year's discount factor (present value)."
    ], columns=width, font=NOTE_FONT) + 1
    r = _timeline(ws, inp, plan, ev, years, r, width)
    chart_at = r + 1
    r = _units(ws, inp, plan, years, r + 1)
    r = _costs(ws, ev, years, r + 1)
    r = max(r, chart_at + CHART_ROWS + 1)
    _items(ws, inp, ev, years, r)
    _chart(ws, inp, plan, years, chart_at)
    ws.column_dimensions["A"].width = NAME_WIDTH
    for c in range(2, 2 + len(years)):
        ws.column_dimensions[get_column_letter(c)].width = YEAR_WIDTH
    ws.freeze_panes = None
    ws.auto_filter.ref = None
    print_setup(ws, title_rows="1:1", landscape=True)


def _timeline(ws: Worksheet, inp: PlanInput, plan: Plan, ev: Evaluation, years: list[str], r: int, width: int) -> int:
    put(ws, r, 1, f"Launch timeline ({SOLD} on sale, {OPEN} launch window not used)").font = SECTION_FONT
    found = {x.variant: x for x in launches(inp, plan, ev)}
    cols = [Col("variant")] + [Col(y) for y in years] + [Col("launch"), Col("window", width=11), Col("why then", width=10)]
    rows, fills = [], []
    for v in inp.variants:
        x = found.get(v.name)
        if x is None:
            rows.append([v.name] + [None] * len(years) + ["not offered", None, None])
            fills.append([None] * len(years))
            continue
        start, window = years.index(x.year), (years.index(x.window[0]), years.index(x.window[1]))
        marks = [SOLD if i >= start else OPEN if window[0] <= i <= window[1] else None for i in range(len(years))]
        rows.append([v.name] + marks + [x.year, f"{x.window[0]}–{x.window[1]}", x.reason])
        fills.append([SELLING if m == SOLD else WINDOW if m == OPEN else None for m in marks])
    header = r + 1
    end = write_table(ws, cols, rows, first_row=header, freeze=False)
    why = len(years) + 4
    for i, row_fills in enumerate(fills, start=header + 1):
        for j, fill in enumerate(row_fills, start=2):
            cell = ws.cell(row=i, column=j)
            cell.alignment = Alignment(horizontal="center", vertical="top")
            if fill is not None:
                cell.fill = fill
    for i in range(header, end):  # the reason reads across the columns the item table's prices take
        ws.merge_cells(start_row=i, start_column=why, end_row=i, end_column=width)
        ws.cell(row=i, column=why).alignment = Alignment(wrap_text=True, vertical="top", indent=1)
    return end


def _span(ws: Worksheet, first: int, last: int) -> float:
    return sum(set_width(ws, c) or DEFAULT_WIDTH for c in range(first, last + 1))


def _units(ws: Worksheet, inp: PlanInput, plan: Plan, years: list[str], r: int) -> int:
    put(ws, r, 1, "Units by year and variant").font = SECTION_FONT
    offered = [v.name for v in inp.variants if plan.variants[v.name].offered]
    rows = [[n] + [plan.variants[n].units_in(y) for y in years] + [plan.variants[n].units] for n in offered]
    rows.append(["all variants"] + [sum(plan.variants[n].units_in(y) for n in offered) for y in years]
                + [sum(plan.variants[n].units for n in offered)])
    cols = [Col("variant")] + [Col(y, UNITS_OR_DASH) for y in years] + [Col("over the programme", UNITS)]
    end = write_table(ws, cols, rows, first_row=r + 1, freeze=False)
    _bold(ws, end - 1, len(cols))
    return end


def _chart(ws: Worksheet, inp: PlanInput, plan: Plan, years: list[str], at: int) -> None:
    """The stacked units chart, beside the units and cost tables: one series a variant (a row of
    the units table), one bar a year."""
    offered = [v.name for v in inp.variants if plan.variants[v.name].offered]
    if not offered:
        return
    header = at + 1
    first = len(years) + 4
    side_cm = _span(ws, first, 2 * len(years) + 3) * PT_PER_WIDTH / 72 * 2.54
    chart = bar_chart("Units by year and variant", "units", stacked=True, number_format="#,##0", width=side_cm - 0.3,
                      height=CHART_ROWS * 15 / 72 * 2.54)
    data = Reference(ws, min_col=1, max_col=1 + len(years), min_row=header + 1, max_row=header + len(offered))
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=1 + len(years), min_row=header, max_row=header))
    ws.add_chart(chart, f"{get_column_letter(first)}{at}")


def _costs(ws: Worksheet, ev: Evaluation, years: list[str], r: int) -> int:
    put(ws, r, 1, "Cost by year and kind (¥ paid that year)").font = SECTION_FONT
    cols = [Col("cost kind")] + [Col(y, BN_OR_DASH) for y in years] + [
        Col("paid over the programme", BN_OR_DASH, width=12), Col("present value", BN_OR_DASH, width=11)]
    rows = [[k] + [p.paid[k] for p in ev.periods] + [sum(p.paid[k] for p in ev.periods), ev.costs[k]] for k in COST_KINDS]
    rows.append(["paid that year"] + [sum(p.paid.values()) for p in ev.periods] + [ev.undiscounted_cost_jpy, ev.total_cost_jpy])
    rows.append(["discount factor"] + [p.one_time_weight for p in ev.periods] + [None, None])
    rows.append(["present value of the year"] + [sum(p.weighted.values()) for p in ev.periods] + [None, ev.total_cost_jpy])
    end = write_table(ws, cols, rows, first_row=r + 1, freeze=False)
    for c in range(2, len(years) + 2):
        ws.cell(row=end - 2, column=c).number_format = FACTOR
    for row in (end - 3, end - 1):
        _bold(ws, row, len(cols))
    return end


def _items(ws: Worksheet, inp: PlanInput, ev: Evaluation, years: list[str], r: int) -> int:
    """One row an item: its volume each year, over the programme, its unit price each year (marked
    and shaded by the volume tier it reaches), and what it was paid over the programme."""
    put(ws, r, 1, "Packs and parts by year: volume and unit price").font = SECTION_FONT
    r = paragraphs(ws, r + 1, [
        "A price marked ¹ or ² (shaded lighter or darker) is that of the item's first or second volume tier, "
        "reached by that year's volume (the tiers sheet); unmarked: the list price at the year's cost factor."
    ], columns=2 * len(years) + 3, font=NOTE_FONT)
    cols = ([Col("pack or part (category/option)")] + [Col(f"{y} units", UNITS) for y in years]
            + [Col("units over the programme", UNITS, width=12)]
            + [Col(f"{y} ¥ a unit", YEN) for y in years] + [Col("paid over the programme", YEN_BN, width=11)])
    items = [i for i in dict.fromkeys(i for p in ev.periods for i in p.volumes)
             if any(p.volumes[i].units > 0 for p in ev.periods if i in p.volumes)]
    items.sort(key=lambda i: (_kind(ev, i) != "pack", i))
    rows, tiers = [], []
    for item in items:
        vols = [ev.period(y).volumes.get(item) for y in years]
        used = [x if x is not None and x.units > 0 else None for x in vols]
        rows.append([item] + [x.units if x else None for x in used] + [sum(x.units for x in used if x)]
                    + [x.unit_price_jpy if x else None for x in used]
                    + [sum(x.units * x.unit_price_jpy for x in used if x)])
        tiers.append([tier_reached(inp, x) if x else 0 for x in used])
    end = write_table(ws, cols, rows, first_row=r, freeze=False)
    first_price = len(years) + 3
    for i, row_tiers in enumerate(tiers, start=r + 1):
        for j, tier in enumerate(row_tiers):
            cell = ws.cell(row=i, column=first_price + j)
            cell.number_format = price_format(tier)
            if tier:
                cell.fill = TIER_FILLS[min(tier, len(TIER_FILLS)) - 1]
    for j in range(len(years)):
        widen(ws, first_price + j, 10)
    last = first_price + len(years)  # the paid column
    widen(ws, last, 11 + max(0.0, MIN_SIDE - _span(ws, len(years) + 4, last)))  # room for the reasons and the chart
    return end


def tier_reached(inp: PlanInput, x: ItemVolume) -> int:
    """0 for the list price, n for the item's n-th volume tier (ascending thresholds)."""
    if x.tier_min_units is None:
        return 0
    thresholds = [t.min_units for t in inp.tiers.get(x.item, ())]
    return 1 + min(range(len(thresholds)), key=lambda k: abs(thresholds[k] - x.tier_min_units)) if thresholds else 0


def price_format(tier: int) -> str:
    """Whole yen, with the tier reached as a superscript mark (the cell keeps the exact price)."""
    mark = "" if not tier else SUPERSCRIPT[tier - 1] if tier <= len(SUPERSCRIPT) else "⁺"
    return f'"¥"#,##0"{mark}"' if mark else '"¥"#,##0" "'


def _kind(ev: Evaluation, item: str) -> str:
    return next(p.volumes[item].kind for p in ev.periods if item in p.volumes)


def _bold(ws: Worksheet, row: int, columns: int) -> None:
    for c in range(1, columns + 1):
        ws.cell(row=row, column=c).font = TOTAL_FONT
