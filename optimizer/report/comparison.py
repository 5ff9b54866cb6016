"""The comparison workbook: cases side by side (optimizer.report.compare has the figures; this only
lays them out).

Sheets: Scenarios (one row a case: cost, delta, what sharing is worth), KPIs (one column a
case, then deltas against the base case in yen/units and in %), What changed (every decision
that differs from the base case), Charts, and one sheet per case with its plan. Sheet names
made from scenario names are cleaned of what Excel forbids and kept unique.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment

from optimizer.report.compare import COMPARISON_MARKER_SHEET as MARKER_SHEET
from optimizer.report.compare import COUNT, SHARE, UNITS, YEN, CaseData, Comparison
from optimizer.files import save_atomically
from optimizer.report.style import (
    NOTE_FONT,
    PERCENT,
    PERCENT_FINE,
    TITLE_FONT,
    UNITS as UNITS_FMT,
    WHOLE,
    YEN as YEN_FMT,
    Col,
    fit_widths,
    put,
    write_table,
)

DELTA_YEN = '+"¥"#,##0;-"¥"#,##0;"¥"0'
DELTA_UNITS = "+#,##0;-#,##0;0"
DELTA_PERCENT = "+0.00%;-0.00%;0.00%"
CHART_YEN = '"¥"#,##0,,,"bn"'

FIXED_SHEETS = ("Scenarios", "KPIs", "What changed", "Charts")
MARKER = "kei-plan comparison"
# Excel refuses these in sheet names, and names longer than 31 characters; "History" is reserved.
_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
MAX_SHEET_NAME = 31
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


def write_comparison(path: Path, cmp: Comparison, *, inputs: tuple[Path, ...] = ()) -> Path:
    """Build the comparison and move it into place atomically (never over one of `inputs`)."""
    wb = build_comparison(cmp)
    return save_atomically(path, wb.save, inputs=inputs)


def build_comparison(cmp: Comparison) -> Workbook:
    wb = Workbook()
    _scenarios(wb.active, cmp)
    _kpis(wb.create_sheet("KPIs"), cmp)
    _changes(wb.create_sheet("What changed"), cmp)
    _charts(wb.create_sheet("Charts"), cmp)
    for case, title in zip(cmp.cases, sheet_names([c.label for c in cmp.cases], taken=FIXED_SHEETS + (MARKER_SHEET,))):
        _plan(wb.create_sheet(title), case, cmp)
    marker = wb.create_sheet(MARKER_SHEET)
    marker.sheet_state = "hidden"
    put(marker, 1, 1, MARKER)
    return wb


def sheet_names(labels: list[str], taken: tuple[str, ...] = ()) -> list[str]:
    """A valid, unique (ignoring case, as Excel does) sheet name for each label."""
    used = {t.casefold() for t in taken} | {"history"}
    out: list[str] = []
    for label in labels:
        name = _FORBIDDEN.sub("_", label).strip().strip("'").strip() or "scenario"
        candidate, n = name[:MAX_SHEET_NAME], 2
        while candidate.casefold() in used:
            suffix = f" ({n})"
            candidate, n = name[: MAX_SHEET_NAME - len(suffix)].rstrip().rstrip("'") + suffix, n + 1
        used.add(candidate.casefold())
        out.append(candidate)
    return out


def _title(cmp: Comparison, i: int) -> str:
    """A case's column title; the reference case is marked when it is not called base."""
    label = cmp.cases[i].label
    return f"{label} (reference)" if i == cmp.base and cmp.cases[i].scenario != "base" else label


def _value_format(unit: str, key: str) -> str | None:
    return {YEN: YEN_FMT, UNITS: UNITS_FMT, COUNT: WHOLE, SHARE: PERCENT_FINE if key == "gap" else PERCENT}.get(unit)


def _delta_format(unit: str) -> str | None:
    return {YEN: DELTA_YEN, UNITS: DELTA_UNITS, COUNT: DELTA_UNITS, SHARE: DELTA_PERCENT}.get(unit)


def _scenarios(ws, cmp: Comparison) -> None:
    ws.title = "Scenarios"
    base = cmp.base_case
    put(ws, 1, 1, f"Scenario comparison — deltas against {base.label!r}").font = TITLE_FONT
    total, saving, share = cmp.kpi("total_cost_jpy"), cmp.kpi("sharing_saving_jpy"), cmp.kpi("sharing_saving_share")
    changed = {c.label: 0 for c in cmp.cases}
    for ch in cmp.changes:
        if ch.decision != "none":
            changed[ch.case] += 1
    cols = [
        Col("scenario"), Col("status"), Col("total cost (¥)", YEN_FMT), Col("Δ vs base (¥)", DELTA_YEN), Col("Δ vs base (%)", DELTA_PERCENT),
        Col("sharing saves (¥)", YEN_FMT), Col("sharing saves (% of cost without it)", PERCENT),
        Col("variants offered", WHOLE), Col("decisions changed", WHOLE), Col("report"),
    ]
    rows = []
    for i, c in enumerate(cmp.cases):
        rows.append([
            _title(cmp, i), c.kpis.get("status"), total.values[i],
            None if i == cmp.base else total.deltas[i], None if i == cmp.base else total.shares[i],
            saving.values[i], share.values[i], cmp.kpi("variants_offered_count").values[i],
            None if i == cmp.base else changed[c.label], c.report,
        ])
    r = write_table(ws, cols, rows, first_row=3)
    for note in cmp.notes:
        r += 1
        put(ws, r, 1, note).font = NOTE_FONT


def _kpis(ws, cmp: Comparison) -> None:
    others = [i for i in range(len(cmp.cases)) if i != cmp.base]
    labels = [c.label for c in cmp.cases]
    # Fixed widths: yen figures need ~18 characters; a list of names wraps instead of widening.
    cols = (
        [Col("KPI", width=50)]
        + [Col(_title(cmp, i), width=19) for i in range(len(labels))]
        + [Col(f"Δ {labels[i]}", width=18) for i in others]
        + [Col(f"Δ% {labels[i]}", width=12) for i in others]
    )
    rows = []
    write_table(ws, cols, [])
    for r, k in enumerate(cmp.kpis, start=2):
        vfmt, dfmt = _value_format(k.unit, k.key), _delta_format(k.unit)
        row = [k.label, *k.values, *(k.deltas[i] for i in others), *(k.shares[i] for i in others)]
        rows.append(row)
        lines = max([len(v) // 17 + 1 for v in row[1:] if isinstance(v, str)] + [1])
        if lines > 1:  # wrapped names: Excel does not grow a row written by openpyxl
            ws.row_dimensions[r].height = 15 * min(lines, 8)
        c = 1
        put(ws, r, c, k.label)
        for v in k.values:
            c += 1
            put(ws, r, c, v, vfmt).alignment = _WRAP if isinstance(v, str) else _TOP
        for i in others:
            c += 1
            put(ws, r, c, k.deltas[i], dfmt).alignment = _WRAP if isinstance(k.deltas[i], str) else _TOP
        for i in others:
            c += 1
            put(ws, r, c, k.shares[i], DELTA_PERCENT)
    fit_widths(ws, cols, rows)


def _changes(ws, cmp: Comparison) -> None:
    base = cmp.base_case.label
    cols = [
        Col("scenario"), Col("decision"), Col("variant or item"), Col(f"in {base}", width=40), Col("in this scenario", width=40),
        Col("development cost change (¥)", DELTA_YEN),
    ]
    rows = [[ch.case, ch.decision, ch.item, ch.base, ch.this, ch.cost_delta_jpy] for ch in cmp.changes]
    write_table(ws, cols, rows)
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _charts(ws, cmp: Comparison) -> None:
    """Three small tables (the charts' data) and a chart beside each."""
    labels = [c.label for c in cmp.cases]
    n = len(labels)

    # Total cost by scenario.
    put(ws, 1, 1, "Total cost by scenario").font = TITLE_FONT
    first = 2
    end = write_table(ws, [Col("scenario"), Col("total cost (¥)", YEN_FMT)], [[lab, v] for lab, v in zip(labels, cmp.kpi("total_cost_jpy").values)], first_row=first, freeze=False)
    chart = _bar("Total cost by scenario (lifecycle)", "¥")
    chart.add_data(Reference(ws, min_col=2, min_row=first, max_row=first + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=first + n))
    chart.legend = None
    ws.add_chart(chart, f"F{first}")

    # Cost by kind, stacked.
    first = max(end + 2, first + 18)
    put(ws, first - 1, 1, "Cost by kind").font = TITLE_FONT
    kinds = list(cmp.cost_kinds)
    rows = [[lab, *(cmp.kpi(f"cost_by_kind_jpy/{k}").values[i] for k in kinds)] for i, lab in enumerate(labels)]
    end = write_table(ws, [Col("scenario"), *(Col(f"{k} (¥)", YEN_FMT) for k in kinds)], rows, first_row=first, freeze=False)
    chart = _bar("Cost by kind (lifecycle)", "¥")
    chart.grouping, chart.overlap = "stacked", 100
    if kinds:
        chart.add_data(Reference(ws, min_col=2, max_col=1 + len(kinds), min_row=first, max_row=first + n), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=first + n))
    ws.add_chart(chart, f"{_col_letter(len(kinds) + 3)}{first}")

    # Units by variant: one series per scenario.
    first = max(end + 2, first + 18)
    put(ws, first - 1, 1, "Units a year by variant").font = TITLE_FONT
    variants = list(cmp.variants)
    rows = [[v, *(cmp.kpi(f"units_by_variant/{v}").values[i] for i in range(n))] for v in variants]
    write_table(ws, [Col("variant"), *(Col(lab, UNITS_FMT) for lab in labels)], rows, first_row=first, freeze=False)
    chart = _bar("Units a year by variant", "units a year", fmt="#,##0")
    if variants:
        chart.add_data(Reference(ws, min_col=2, max_col=1 + n, min_row=first, max_row=first + len(variants)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=first + len(variants)))
    ws.add_chart(chart, f"{_col_letter(n + 3)}{first}")


def _bar(title: str, axis: str, fmt: str = CHART_YEN) -> BarChart:
    chart = BarChart()
    chart.type, chart.title = "col", title
    chart.y_axis.title = axis
    chart.y_axis.number_format = fmt
    chart.y_axis.scaling.min = 0  # bars from zero: a 4 % difference must not look like 400 %
    chart.x_axis.delete = False  # openpyxl hides axes by default for some Excel versions
    chart.y_axis.delete = False
    chart.height, chart.width = 8.5, 17
    return chart


def _col_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _plan(ws, case: CaseData, cmp: Comparison) -> None:
    """One case's decisions per variant, as its report's Variants sheet shows them."""
    put(ws, 1, 1, f"Plan of {case.label}").font = TITLE_FONT
    put(ws, 2, 1, f"{case.kpis.get('status')}; report {case.report or '—'}").font = NOTE_FONT
    variants = case.plan.get("variants", {})
    cats = list(dict.fromkeys(c for v in variants.values() for c in v.get("options", {})))
    cols = [Col("variant"), Col("offered"), Col("units a year", UNITS_FMT), Col("pack"), *(Col(c) for c in cats), Col("plants (units a year)")]
    rows = [
        [name, v.get("offered", False), v.get("units", 0.0), v.get("pack"), *(v.get("options", {}).get(c) for c in cats),
         "; ".join(f"{k} {u:,.0f}" for k, u in v.get("plants", {}).items())]
        for name, v in variants.items()
    ]
    r = write_table(ws, cols, rows, first_row=4)
    for text in case.plan.get("conflicts") or []:
        r += 1
        put(ws, r, 1, text)
