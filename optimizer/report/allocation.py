"""The Who pays sheet: the total split between the brands three ways, side by side."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.allocation import WhoPays
from openpyxl.chart import Reference

from optimizer.report.charts import CHART_YEN_BN, bar_chart
from optimizer.report.style import NOTE_FONT, PERCENT, TITLE_FONT, TOTAL_FONT, UNITS, WARNING_FONT, YEN, Col, paragraphs, print_setup, put, write_table

COLUMNS = [
    Col("brand"), Col("units a year", UNITS), Col("by units (¥)", YEN), Col("equity share", PERCENT), Col("by equity (¥)", YEN),
    Col("Shapley (¥)", YEN), Col("alone, without sharing (¥)", YEN), Col("Shapley saving vs alone (¥)", YEN), Col("its variants' cost (¥)", YEN),
]


def write_who_pays(ws: Worksheet, pays: WhoPays, over: str) -> None:
    put(ws, 1, 1, f"Who pays: the total cost {over} split between the brands").font = TITLE_FONT
    saving = "not available" if pays.saving_jpy is None else f"¥{pays.saving_jpy:,.0f}"
    notes = [
        "By units: in proportion to each brand's units a year. By equity: in proportion to the equity_<brand> settings (equal shares when none is set).",
        "Shapley: each brand's stand-alone cost (what it bears in the same case solved with cross_brand_sharing = no — its variants' "
        "parts, packs, top hats and assembly, and its units' share of plant lines) minus half of the saving that sharing brings "
        f"(cost without sharing minus cost with it: {saving}). The shares add up to the total, and each brand pays less than alone.",
        "Its variants' cost: what the brand's variants cost in the joint plan (as on the Cost per car sheet), for reference.",
    ]
    r = paragraphs(ws, 2, notes + [n for n in pays.notes if n != pays.doubt], columns=9, font=NOTE_FONT)
    if pays.doubt:
        r = paragraphs(ws, r, [pays.doubt], columns=9, font=WARNING_FONT)
    rows = [
        [b.brand, b.units, b.by_units_jpy, b.equity, b.by_equity_jpy, b.shapley_jpy, b.alone_jpy,
         None if b.alone_jpy is None or b.shapley_jpy is None else b.alone_jpy - b.shapley_jpy, b.by_use_jpy]
        for b in pays.brands
    ]
    total = ["total", sum(b.units for b in pays.brands), sum(b.by_units_jpy for b in pays.brands), sum(b.equity for b in pays.brands),
             sum(b.by_equity_jpy for b in pays.brands)]
    total += [None if any(b.shapley_jpy is None for b in pays.brands) else sum(b.shapley_jpy for b in pays.brands)]
    total += [None if any(b.alone_jpy is None for b in pays.brands) else sum(b.alone_jpy for b in pays.brands)]
    total += [pays.saving_jpy, sum(b.by_use_jpy for b in pays.brands)]
    first_row = r + 1
    columns = COLUMNS if pays.proven else [
        Col(f"{c.title[:-1]}, not proven)", c.fmt) if c.title.startswith(("Shapley", "alone")) else c for c in COLUMNS
    ]
    end = write_table(ws, columns, rows + [total], first_row=first_row)
    for c in range(1, len(COLUMNS) + 1):
        ws.cell(row=end - 1, column=c).font = TOTAL_FONT
    ws.auto_filter.ref = None
    chart = bar_chart("Each brand's share three ways", None, number_format=CHART_YEN_BN, width=20, height=9)
    for col in (3, 5, 6):
        chart.add_data(Reference(ws, min_col=col, min_row=first_row, max_row=first_row + len(rows)), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row + 1, max_row=first_row + len(rows)))
    ws.add_chart(chart, f"A{end + 2}")
    print_setup(ws)

