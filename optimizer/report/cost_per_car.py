"""The Cost per car sheet: each variant's unit cost by what it buys, with a stacked bar chart."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from models.data import PlanInput
from optimizer.analysis.cost_per_car import ONE_TIME, CarCost
from optimizer.report.charts import CHART_YEN_K, add_table_series, bar_chart
from typing import Callable

from optimizer.text import horizon, units_per
from optimizer.report.style import NOTE_FONT, SECTION_FONT, TITLE_FONT, TOTAL_FONT, UNITS, YEN, Col, Fmt, paragraphs, print_setup, put, write_table

ONE_TIME_TITLES = {
    "development: parts": "parts development",
    "development: packs": "pack development",
    "development: top hats": "top hat development",
    "plant lines": "plant lines",
}
FIRST = 4  # header row of the table


def write_cost_per_car(ws: Worksheet, inp: PlanInput, cars: dict[str, CarCost], total_jpy: float) -> None:
    over, per = horizon(inp), units_per(inp)
    put(ws, 1, 1, "Cost per car: each offered variant's unit cost (¥ per car)").font = TITLE_FONT
    weigh = ("each year's units weighed by its discount factor, each year's prices" if inp.years
             else f"units a year × {inp.settings.lifecycle_years:g} years")
    paragraphs(ws, 2, [
        f"Parts and packs at the tier price the plan reaches; one-time costs spread over the lifecycle's units ({weigh}; "
        "a shared development or plant line split by units between the variants using it). "
        "Per car × lifecycle units, summed over the variants, gives the total cost."
    ], columns=len(cars) + 2, font=NOTE_FONT)
    cats = [c.name for c in inp.categories]
    names = list(cars)
    cols = [Col("cost per car (¥)", width=24), *[Col(n, YEN) for n in names], Col(f"all variants {over}", YEN)]
    lines: list[tuple[str, Callable[[CarCost], float]]] = [("top hat", lambda c: c.top_hat)]
    lines += [(cat, (lambda c, cat=cat: c.parts.get(cat, 0.0))) for cat in cats]
    lines += [("pack", lambda c: c.pack), ("assembly", lambda c: c.assembly)]
    lines += [(ONE_TIME_TITLES[k], (lambda c, k=k: c.one_time_per_car(k))) for k in ONE_TIME]
    rows = [[label, *[get(cars[n]) for n in names], sum(get(cars[n]) * cars[n].lifecycle_units for n in names)] for label, get in lines]
    rows.append(["cost per car", *[cars[n].total for n in names], total_jpy])
    rows.append([per, *[Fmt(cars[n].units, UNITS) for n in names], Fmt(sum(c.units for c in cars.values()), UNITS)])
    rows.append([f"cost {over}", *[cars[n].allocated_jpy for n in names], total_jpy])
    end = write_table(ws, cols, rows, first_row=FIRST)
    for r in (end - 3, end - 1):
        for c in range(1, len(cols) + 1):
            ws.cell(row=r, column=c).font = TOTAL_FONT
    ws.auto_filter.ref = None

    # The chart's data: the same costs in five groups, so the bars stay readable.
    r = end + 1
    put(ws, r, 1, "Cost per car in five groups (data of the chart)").font = SECTION_FONT
    groups = [Col("variant"), Col("top hat", YEN), Col("parts", YEN), Col("pack", YEN), Col("assembly", YEN), Col("development and lines", YEN)]
    grouped = [[c.variant, c.top_hat, sum(c.parts.values()), c.pack, c.assembly, c.development] for c in cars.values()]
    header = r + 1
    after = write_table(ws, groups, grouped, first_row=header, freeze=False)
    if grouped:
        chart = bar_chart("Cost per car by variant", None, stacked=True, number_format=CHART_YEN_K, width=22, height=8)
        add_table_series(chart, ws, header_row=header, first_row=header + 1, last_row=after - 1, category_col=1, first_col=2, last_col=6)
        ws.add_chart(chart, f"A{after + 1}")
    print_setup(ws)
