"""The Summary sheet: one printed page a manager can read alone — the conclusion, the key figures
(each that rests on an unproven solve says so, with the range the bounds allow), the cars offered,
the total cost and its split. Solver internals are on the Provenance sheet."""

from __future__ import annotations

from openpyxl.chart import Reference
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from models.evaluate import COST_KINDS
from optimizer.analysis.analyse import CaseAnalysis
from optimizer.analysis.certainty import (
    between,
    cost_bracket,
    percent,
    saving_bracket,
    share_bracket,
    why_unproven,
)
from optimizer.report.charts import CHART_YEN_BN, bar_chart
from optimizer.report.style import (
    LABEL_FONT,
    NOTE_FONT,
    PERCENT,
    SECTION_FONT,
    TITLE_FONT,
    TOTAL_FONT,
    UNITS,
    WARNING_FONT,
    YEN,
    YEN_BN,
    Col,
    paragraphs,
    print_setup,
    put,
    write_table,
)
from optimizer.solving.case import Case
from optimizer.text import horizon, units_per

COLUMNS = 9  # A (names) and eight columns of figures
SHEET_GUIDE = (
    "In this report: the programme year by year (Programme, with a years sheet), "
    "why the plan is what it is (What limits the plan, Kei compliance), what it costs "
    "and who pays (Cost per car, Who pays, Sharing), the plan in detail (Variants, Plants, Developed), "
    "and where the numbers come from — input, versions, solver status and settings (Provenance)."
)


def write_summary(ws: Worksheet, case: Case, analysis: CaseAnalysis) -> None:
    o, source = case.outcome, case.source
    ws.title = "Summary"
    put(
        ws,
        1,
        1,
        "Kei EV platform plan" + (f" — scenario {source.scenario}" if source.scenario != "base" else ""),
    ).font = TITLE_FONT
    put(ws, 2, 1, source.workbook.name).font = NOTE_FONT
    put(ws, 4, 1, "Conclusion").font = SECTION_FONT
    r = paragraphs(ws, 5, analysis.conclusion, columns=COLUMNS) + 1
    r = _key_figures(ws, r, case)
    if o.conflicts:
        put(ws, r, 1, "Why there is no plan").font = SECTION_FONT
        r = (
            paragraphs(
                ws,
                r + 1,
                list(o.conflicts) + ["The Diagnosis sheet lists what to change, cell by cell."],
                columns=COLUMNS,
            )
            + 1
        )
    if o.warnings:
        r = paragraphs(ws, r, list(o.warnings), columns=COLUMNS, font=NOTE_FONT) + 1
    if o.plan is not None and o.evaluation is not None:
        r = _cars(ws, r, case)
        r = _split(ws, r, case, analysis)
        paragraphs(ws, r, [SHEET_GUIDE], columns=COLUMNS, font=NOTE_FONT)
    # One portrait page: the widths are set, not fitted (headers wrap, figures fit in 11.5).
    ws.column_dimensions["A"].width = 31
    for c in "BCDEFGHI":
        ws.column_dimensions[c].width = 11.25
    ws.auto_filter.ref = None
    print_setup(ws)


def _key_figures(ws: Worksheet, r: int, case: Case) -> int:
    """Label, value (B:C) and what it rests on (D:I), one figure a row."""
    o, inp = case.outcome, case.plan_input
    put(ws, r, 1, "Key figures").font = SECTION_FONT
    cost = cost_bracket(o)
    status_note = ""
    if cost is not None:
        status_note = (
            (f"proven: at most {percent(o.gap)} above the cheapest plan possible " if o.gap
             else "proven the cheapest ") + f"(gap target {percent(o.mip_rel_gap)})"
            if cost.proven
            else f"not proven the cheapest (time limit): the cheapest plan costs {between(cost)}"
        )
    rows: list[tuple[str, object, str | None, str]] = [
        ("status", o.status, None, status_note),
        ("scenario", case.source.scenario, None, ""),
    ]
    doubtful = {"status"} if cost is not None and not cost.proven else set()
    if o.plan is not None and o.evaluation is not None:
        offered = o.plan.offered()
        rows.append(
            (
                units_per(inp),
                sum(o.plan.variants[v].units for v in offered),
                UNITS,
                f"{len(offered)} of {len(inp.variants)} variants offered",
            )
        )
    if o.total_cost_jpy is None:  # no plan: nothing costs anything, nothing is saved
        rows.append(("total cost (¥, lifecycle)", "no plan", None, "see Why there is no plan, below"))
    else:
        rows.append(("total cost (¥, lifecycle)", o.total_cost_jpy, YEN, horizon(inp)))
        saving_rows, unsure = _saving(case)
        rows += saving_rows
        doubtful |= unsure
    return write_figures(ws, r, rows, doubtful) + 1


def write_figures(ws: Worksheet, r: int, rows: list[tuple[str, object, str | None, str]], doubtful: set[str],
                  columns: int = COLUMNS) -> int:
    """Key figures below row r, one a row: label (A), value (B:C) and what it rests on (D onwards),
    in the warning colour for a figure in `doubtful`; returns the row after them."""
    for label, value, fmt, note in rows:
        r += 1
        put(ws, r, 1, label).font = LABEL_FONT
        ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        cell = put(ws, r, 2, value, fmt)
        cell.alignment = Alignment(horizontal="left", vertical="top")
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
        if note:
            shown = put(ws, r, 4, note)
            shown.alignment = Alignment(wrap_text=True, vertical="top")
            shown.font = WARNING_FONT if label in doubtful else NOTE_FONT
            ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=columns)
    return r + 1


def _saving(case: Case) -> tuple[list[tuple[str, object, str | None, str]], set[str]]:
    """The saving from sharing in ¥ and in %, each with what it rests on; and which are unproven."""
    saving, share = saving_bracket(case), share_bracket(case)
    yen_label, share_label = (
        "saving from cross-brand sharing (¥)",
        "saving from cross-brand sharing (% of cost without it)",
    )
    if case.baseline is None:
        return [(yen_label, None, YEN, "not solved (--no-sharing-baseline)")], set()
    if saving is None or share is None:
        return [], set()
    doubt = "" if saving.certain else f"{why_unproven(case).split(':')[0]}: the saving is {between(saving)}"
    alone = (
        "the workbook shares nothing (cross_brand_sharing = no)" if case.baseline is case.outcome else ""
    )
    rows = [
        (yen_label, saving.value, YEN, doubt or alone),
        (
            share_label,
            share.value,
            PERCENT,
            "" if share.certain else f"not proven: {between(share, percent)} of the cost without sharing",
        ),
    ]
    return rows, set() if saving.certain else {yen_label, share_label}


def _cars(ws: Worksheet, r: int, case: Case) -> int:
    """The offered cars: units, pack, range against its target, list unit cost against its ceiling."""
    inp, o = case.plan_input, case.outcome
    put(ws, r, 1, "The cars offered").font = SECTION_FONT
    cols = [
        Col("variant"),
        Col("brand"),
        Col(units_per(inp), UNITS),
        Col("pack"),
        Col("range (km)", "#,##0.0"),
        Col("range target (km)", UNITS),
        Col("list unit cost (¥)", YEN),
        Col("unit cost ceiling (¥)", YEN),
        Col("margin to ceiling (¥)", YEN),
    ]
    rows = []
    for v in inp.variants:
        vp = o.plan.variants[v.name]
        if not vp.offered:
            continue
        f = o.evaluation.figures[v.name]
        ceiling = v.max_unit_cost_jpy
        rows.append(
            [
                v.name,
                v.brand,
                vp.units,
                vp.pack,
                f.range_km,
                v.range_target_km,
                f.list_unit_cost_jpy,
                ceiling if ceiling is not None else "none",
                ceiling - f.list_unit_cost_jpy if ceiling is not None else None,
            ]
        )
    return write_table(ws, cols, rows, first_row=r + 1, freeze=False) + 1


def _split(ws: Worksheet, r: int, case: Case, analysis: CaseAnalysis) -> int:
    """The total by cost kind (with a chart beside it) and between the brands."""
    o = case.outcome
    put(ws, r, 1, f"The total cost {horizon(case.plan_input)} and its split").font = SECTION_FONT
    total = o.evaluation.total_cost_jpy
    kinds = [
        [k, o.evaluation.costs[k], o.evaluation.costs[k] / total if total else None] for k in COST_KINDS
    ]
    head = r + 1
    end = write_table(
        ws,
        [Col("cost kind"), Col("cost (¥)", YEN_BN), Col("share", PERCENT)],
        kinds + [["total", total, 1.0 if total else None]],
        first_row=head,
        freeze=False,
    )
    for c in range(1, 4):
        ws.cell(row=end - 1, column=c).font = TOTAL_FONT
    ws.auto_filter.ref = None
    chart = bar_chart(
        "Total cost by kind", None, horizontal=True, number_format=CHART_YEN_BN, width=12.0, height=5.2
    )
    chart.add_data(Reference(ws, min_col=2, min_row=head, max_row=head + len(kinds)), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=head + len(kinds)))
    chart.legend = None
    ws.add_chart(chart, f"D{head}")
    r = max(end, head + 12) + 1
    pays = analysis.pays
    if pays is None or not pays.brands:
        return r
    shapley = "Shapley (¥)" if pays.proven else "Shapley (¥, not proven)"
    cols = [
        Col("brand"),
        Col(units_per(case.plan_input), UNITS),
        Col("by units (¥)", YEN_BN),
        Col("by equity (¥)", YEN_BN),
        Col(shapley, YEN_BN),
        Col("alone (no sharing) (¥)", YEN_BN),
        Col("saving vs alone (¥)", YEN_BN),
    ]
    rows = [
        [
            b.brand,
            b.units,
            b.by_units_jpy,
            b.by_equity_jpy,
            b.shapley_jpy,
            b.alone_jpy,
            None if b.alone_jpy is None or b.shapley_jpy is None else b.alone_jpy - b.shapley_jpy,
        ]
        for b in pays.brands
    ]
    put(ws, r, 1, "Who pays (the Who pays sheet explains the three splits)").font = SECTION_FONT
    end = write_table(ws, cols, rows, first_row=r + 1, freeze=False)
    ws.auto_filter.ref = None
    return end + 1
