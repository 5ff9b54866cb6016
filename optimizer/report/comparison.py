"""The comparison workbook: cases side by side (optimizer.report.compare has the figures; this only
lays them out).

Sheets: Scenarios (one row a case: cost, delta, what sharing is worth, what is not proven), Year by
year (programmes only: launch years, units and cost by year against the base case), KPIs
(one column a case, then deltas against the base case in yen/units and in %), What changed (every
decision that differs from the base case), Charts (differences from the base case), and one sheet
per case with its plan, one column per variant. Sheet names made from scenario names are cleaned
of what Excel forbids and kept unique. Yen are shown in billions with two decimals (list unit costs
in whole yen); the cells hold the exact figures.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill

from optimizer.files import save_atomically
from optimizer.report.compare import COMPARISON_MARKER_SHEET as MARKER_SHEET
from optimizer.report.compare import COUNT, SHARE, UNITS, YEN, CaseData, Comparison, doubts, units_label
from optimizer.report.comparison_charts import write_charts
from optimizer.report.compare_years import compare_years
from optimizer.report.comparison_years import SHEET as YEARS_SHEET, write_years
from optimizer.report.style import (
    AMBER_FILL,
    NOTE_FONT,
    PERCENT,
    PERCENT_FINE,
    TITLE_FONT,
    UNITS as UNITS_FMT,
    WARNING_FONT,
    WHOLE,
    YEN as YEN_FMT,
    YEN_BN,
    Col,
    Line,
    finish_printing,
    fit_widths,
    paragraphs,
    print_setup,
    put,
    write_cards,
    write_table,
)

DELTA_YEN = '+"¥"#,##0;-"¥"#,##0;"¥"0'
DELTA_YEN_BN = '+"¥"#,##0.00,,," bn";-"¥"#,##0.00,,," bn";"¥"0'
DELTA_UNITS = "+#,##0;-#,##0;0"
DELTA_PERCENT = "+0.00%;-0.00%;0.00%"
CHANGED_FILL: PatternFill = AMBER_FILL  # a plan cell that differs from the base case

FIXED_SHEETS = ("Scenarios", YEARS_SHEET, "KPIs", "What changed", "Charts")
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
    years = compare_years(cmp)
    if years is not None:
        write_years(wb.create_sheet(YEARS_SHEET), years, cmp.base_case.label)
    _kpis(wb.create_sheet("KPIs"), cmp)
    _changes(wb.create_sheet("What changed"), cmp)
    write_charts(wb.create_sheet("Charts"), cmp)
    for case, title in zip(cmp.cases, sheet_names([c.label for c in cmp.cases], taken=FIXED_SHEETS + (MARKER_SHEET,))):
        _plan(wb.create_sheet(title), case, cmp)
    finish_printing(wb)
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
    yen = YEN_FMT if key.startswith("list_unit_cost") else YEN_BN
    return {YEN: yen, UNITS: UNITS_FMT, COUNT: WHOLE, SHARE: PERCENT_FINE if key == "gap" else PERCENT}.get(unit)


def _delta_format(unit: str, key: str = "") -> str | None:
    yen = DELTA_YEN if key.startswith("list_unit_cost") else DELTA_YEN_BN
    return {YEN: yen, UNITS: DELTA_UNITS, COUNT: DELTA_UNITS, SHARE: DELTA_PERCENT}.get(unit)


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
        Col("scenario"), Col("status"), Col("total cost (¥)", YEN_BN), Col("Δ vs base (¥)", DELTA_YEN_BN), Col("Δ vs base (%)", DELTA_PERCENT),
        Col("sharing saves (¥)", YEN_BN), Col("sharing saves (% of cost without it)", PERCENT),
        Col("variants offered", WHOLE), Col("decisions changed", WHOLE), Col("not proven (the range the bounds allow)", width=34),
        Col("report", width=24),
    ]
    rows = []
    for i, c in enumerate(cmp.cases):
        rows.append([
            _title(cmp, i), c.kpis.get("status"), total.values[i],
            None if i == cmp.base else total.deltas[i], None if i == cmp.base else total.shares[i],
            saving.values[i], share.values[i], cmp.kpi("variants_offered_count").values[i],
            None if i == cmp.base else changed[c.label], "; ".join(doubts(cmp, i)), Path(c.report).name if c.report else None,
        ])
    first = 3
    r = write_table(ws, cols, rows, first_row=first)
    for i in range(len(rows)):
        for c in (10, 11):
            ws.cell(row=first + 1 + i, column=c).alignment = Alignment(wrap_text=True, vertical="top", indent=1)
        if rows[i][9]:
            ws.cell(row=first + 1 + i, column=10).font = WARNING_FONT
        if cmp.cases[i].report:
            ws.cell(row=first + 1 + i, column=11).hyperlink = cmp.cases[i].report
    paragraphs(ws, r + 1, list(cmp.notes), columns=len(cols), font=NOTE_FONT)
    print_setup(ws)


def _kpis(ws, cmp: Comparison) -> None:
    """The KPI table from A1 (one column a case, then Δ and Δ% per case against the base case)."""
    others = [i for i in range(len(cmp.cases)) if i != cmp.base]
    labels = [c.label for c in cmp.cases]
    # Fixed widths: ¥ bn figures need ~11 characters; a list of names wraps instead of widening.
    cols = (
        [Col("KPI", width=32)]
        + [Col(_title(cmp, i), width=11.5) for i in range(len(labels))]
        + [Col(f"Δ {labels[i]}", width=11.5) for i in others]
        + [Col(f"Δ% {labels[i]}", width=9.5) for i in others]
    )
    rows = []
    write_table(ws, cols, [])
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    for r, k in enumerate(cmp.kpis, start=2):
        vfmt, dfmt = _value_format(k.unit, k.key), _delta_format(k.unit, k.key)
        row = [k.label, *k.values, *(k.deltas[i] for i in others), *(k.shares[i] for i in others)]
        rows.append(row)
        c = 1
        put(ws, r, c, k.label).alignment = wrap
        for v in k.values:
            c += 1
            put(ws, r, c, v, vfmt).alignment = wrap if isinstance(v, str) else top
        for i in others:
            c += 1
            put(ws, r, c, k.deltas[i], dfmt).alignment = wrap if isinstance(k.deltas[i], str) else top
        for i in others:
            c += 1
            put(ws, r, c, k.shares[i], DELTA_PERCENT).alignment = top
    fit_widths(ws, cols, rows)
    print_setup(ws)


def _changes(ws, cmp: Comparison) -> None:
    base = cmp.base_case.label
    cols = [
        Col("scenario"), Col("decision"), Col("variant or item"), Col(f"in {base}", width=36), Col("in this scenario", width=36),
        Col("development cost change (¥)", DELTA_YEN),
    ]
    rows = [[ch.case, ch.decision, ch.item, ch.base, ch.this, ch.cost_delta_jpy] for ch in cmp.changes]
    write_table(ws, cols, rows)
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top", indent=1)
    print_setup(ws)


def _plan(ws, case: CaseData, cmp: Comparison) -> None:
    """One case's decisions, one column per variant; what differs from the base case is marked."""
    put(ws, 1, 1, f"Plan of {case.label}").font = TITLE_FONT
    variants = case.plan.get("variants", {})
    base = cmp.base_case.plan.get("variants", {}) if case is not cmp.base_case else None
    marked = "; cells that differ from the base case are marked" if base is not None else ""
    put(ws, 2, 1, f"{case.kpis.get('status')}; report {case.report or '—'}{marked}").font = NOTE_FONT
    names = list(variants)
    cats = list(dict.fromkeys(c for v in variants.values() for c in v.get("options", {})))
    per = units_label([case])

    def plants(v: dict) -> str:
        return "; ".join(f"{k} {u:,.0f}" for k, u in v.get("plants", {}).items())

    getters = [
        ("offered", None, lambda v: "yes" if v.get("offered") else "no"),
        *([("launch year", None, lambda v: v.get("launch_year"))] if case.plan.get("years") else []),
        (per, UNITS_FMT, lambda v: v.get("units", 0.0)),
        ("pack", None, lambda v: v.get("pack")),
        *[(c, None, lambda v, c=c: v.get("options", {}).get(c)) for c in cats],
        (f"plants ({per})", None, plants),
    ]
    lines = [Line(label, [get(variants[n]) for n in names], fmt) for label, fmt, get in getters]
    first = 4
    r = write_cards(ws, "variant", names, lines, first_row=first)
    if base is not None:
        for row, (_, _, get) in enumerate(getters, start=first + 1):
            for col, n in enumerate(names, start=2):
                theirs = get(base[n]) if n in base else None
                if _differs(get(variants[n]), theirs):
                    ws.cell(row=row, column=col).fill = CHANGED_FILL
    paragraphs(ws, r + 1, list(case.plan.get("conflicts") or []), columns=len(names) + 1)
    print_setup(ws)


def _differs(this: object, base: object) -> bool:
    if isinstance(this, float) and isinstance(base, float):
        return abs(this - base) > 1e-3
    return this != base
