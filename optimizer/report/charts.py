"""Bar charts for the report (openpyxl), all in one look: yen in billions, titles in words."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.worksheet.worksheet import Worksheet

CHART_YEN_BN = '"¥"#,##0.0,,,"bn"'
CHART_YEN_K = '"¥"#,##0,"k"'


def bar_chart(title: str, y_title: str | None, *, stacked: bool = False, horizontal: bool = False, number_format: str | None = None, width: float = 24.0, height: float = 9.0) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    if y_title:
        chart.y_axis.title = y_title
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first row of the table on top
    chart.width, chart.height = width, height
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    chart.gapWidth = 60
    if number_format:
        chart.y_axis.numFmt = number_format
        chart.y_axis.number_format = number_format
    chart.y_axis.majorGridlines = chart.y_axis.majorGridlines  # keep gridlines
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    return chart


def add_table_series(chart: BarChart, ws: Worksheet, *, header_row: int, first_row: int, last_row: int, category_col: int, first_col: int, last_col: int) -> None:
    """Series from columns first_col..last_col (titles in header_row), categories in category_col."""
    data = Reference(ws, min_col=first_col, max_col=last_col, min_row=header_row, max_row=last_row)
    cats = Reference(ws, min_col=category_col, min_row=first_row, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)


def label_values(chart: BarChart, number_format: str) -> None:
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.dataLabels.numFmt = number_format
