"""The comparison's Charts sheet: how each scenario differs from the base case — total cost, cost by
kind, units a year by variant — each chart above the table it draws.

Differences, not levels: scenarios of a kei programme move the total by 0.2–4 %, which bars
drawn from ¥0 hide. A difference that rests on an unproven solve has its range in the table.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList

from optimizer.report.compare import Comparison, cost_bracket
from optimizer.analysis.certainty import difference
from optimizer.report.style import (
    NOTE_FONT,
    SECTION_FONT,
    TITLE_FONT,
    YEN_BN,
    Col,
    paragraphs,
    print_setup,
    put,
    widen,
    write_table,
)

DELTA_BN = '+"¥"#,##0.00,,," bn";-"¥"#,##0.00,,," bn";"¥"0'
AXIS_BN = '+"¥"#,##0.0,,," bn";-"¥"#,##0.0,,," bn";"¥"0'
DELTA_UNITS = "+#,##0;-#,##0;0"
DELTA_PERCENT = "+0.00%;-0.00%;0.00%"
CHART_ROWS = 15  # rows a chart takes (7.5 cm)


def write_charts(ws, cmp: Comparison) -> None:
    base = cmp.base_case.label
    others = [i for i in range(len(cmp.cases)) if i != cmp.base]
    put(ws, 1, 1, f"How each scenario differs from {base}").font = TITLE_FONT
    paragraphs(
        ws,
        2,
        [
            f"Each bar is a scenario minus {base}: above zero it costs (or builds) more, below zero less."
        ],
        columns=9,
        font=NOTE_FONT,
    )
    keep = []
    r = 4
    for block in (_total, _by_kind, _units):
        first = r
        r, chart_row = block(ws, cmp, others, r)
        keep.append((first, chart_row))
    widen(ws, "A", 18)
    print_setup(ws, keep=keep)


def _chart(title: str, axis_format: str, *, horizontal: bool = False) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.y_axis.number_format = axis_format
    chart.y_axis.numFmt = axis_format
    chart.y_axis.majorGridlines = chart.y_axis.majorGridlines
    chart.x_axis.delete = False  # openpyxl hides axes by default for some Excel versions
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"  # category names below the bars even where they go negative
    chart.height, chart.width = 7.5, 17.0
    chart.legend.position = "b"
    return chart


def _block(
    ws, r: int, heading: str, chart: BarChart, cols: list[Col], rows: list[list[object]], series: int
) -> tuple[int, int]:
    """A heading, the chart, and below it the table it draws (categories in column A, `series`
    columns of figures after it); returns (the row after the block, the chart's row)."""
    put(ws, r, 1, heading).font = SECTION_FONT
    chart_row, head = r + 1, r + 1 + CHART_ROWS
    end = write_table(ws, cols, rows, first_row=head, freeze=False)
    ws.auto_filter.ref = None
    if rows and series:
        chart.add_data(
            Reference(ws, min_col=2, max_col=1 + series, min_row=head, max_row=head + len(rows)),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=head + len(rows)))
    ws.add_chart(chart, f"A{chart_row}")
    return end + 1, chart_row


def _total(ws, cmp: Comparison, others: list[int], r: int) -> tuple[int, int]:
    """Δ total cost: the chart draws column C (Δ), the table also gives the total and Δ %."""
    total = cmp.kpi("total_cost_jpy")
    rows = []
    for i in others:
        delta = difference(cost_bracket(cmp.cases[i]), cost_bracket(cmp.base_case))
        unsure = delta is not None and not delta.certain
        rows.append(
            [
                cmp.cases[i].label,
                total.deltas[i],
                total.values[i],
                total.shares[i],
                delta.low if unsure else None,
                delta.high if unsure else None,
            ]
        )
    cols = [
        Col("scenario"),
        Col("Δ (¥)", DELTA_BN),
        Col("total cost (¥)", YEN_BN),
        Col("Δ (%)", DELTA_PERCENT),
        Col("Δ not proven: at least (¥)", DELTA_BN),
        Col("Δ not proven: at most (¥)", DELTA_BN),
    ]
    if not any(row[4] is not None or row[5] is not None for row in rows):  # every difference proven
        cols, rows = cols[:4], [row[:4] for row in rows]
    chart = _chart("Total cost over the lifecycle: scenario minus base", AXIS_BN)
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    chart.dataLabels.numFmt = DELTA_BN
    chart.legend = None
    return _block(ws, r, f"Total cost: difference from {cmp.base_case.label}", chart, cols, rows, 1)


def _by_kind(ws, cmp: Comparison, others: list[int], r: int) -> tuple[int, int]:
    kinds = list(cmp.cost_kinds)
    rows = [
        [cmp.cases[i].label, *(cmp.kpi(f"cost_by_kind_jpy/{k}").deltas[i] for k in kinds)] for i in others
    ]
    chart = _chart("Cost by kind: scenario minus base (stacked)", AXIS_BN)
    chart.grouping, chart.overlap = "stacked", 100
    cols = [Col("scenario"), *(Col(f"{k} (¥)", DELTA_BN) for k in kinds)]
    return _block(
        ws, r, f"Cost by kind: difference from {cmp.base_case.label}", chart, cols, rows, len(kinds)
    )


def _units(ws, cmp: Comparison, others: list[int], r: int) -> tuple[int, int]:
    variants = list(cmp.variants)
    rows = [[v, *(cmp.kpi(f"units_by_variant/{v}").deltas[i] for i in others)] for v in variants]
    chart = _chart("Units a year by variant: scenario minus base", DELTA_UNITS)
    cols = [Col("variant"), *(Col(cmp.cases[i].label, DELTA_UNITS) for i in others)]
    return _block(
        ws,
        r,
        f"Units a year by variant: difference from {cmp.base_case.label}",
        chart,
        cols,
        rows,
        len(others),
    )
