"""The Provenance sheet: input, versions, settings, solver effort and model size."""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.provenance import provenance
from optimizer.solving.case import Case
from optimizer.report.style import PERCENT_FINE, SECONDS, TITLE_FONT, UNITS, YEN, Col, Fmt, print_setup, put, write_table

COLUMNS = [Col("section"), Col("item", width=30), Col("value", width=70)]


def _fmt(label: str, value: object) -> object:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return value
    if "(¥)" in label:
        return Fmt(value, YEN)
    if "(s)" in label:
        return Fmt(value, SECONDS)
    if label in ("gap", "gap target"):
        return Fmt(value, PERCENT_FINE)
    return Fmt(value, UNITS if float(value).is_integer() else "0.######")


def write_provenance(ws: Worksheet, case: Case, report_path: str | None) -> None:
    put(ws, 1, 1, "Provenance: where these numbers come from").font = TITLE_FONT
    rows = [[section, label, _fmt(label, value)] for section, label, value in provenance(case, report_path)]
    write_table(ws, COLUMNS, rows, first_row=3, freeze=False)
    for r in range(4, 4 + len(rows)):
        ws.cell(row=r, column=3).alignment = Alignment(horizontal="left")
    ws.auto_filter.ref = None
    print_setup(ws)
