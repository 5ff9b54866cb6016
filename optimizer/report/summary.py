"""The Summary sheet: the planner's conclusion first, then the key figures."""

from __future__ import annotations

import datetime as _dt

from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.analyse import CaseAnalysis
from optimizer.solving.case import Case
from optimizer.text import horizon
from optimizer.report.charts import CHART_YEN_BN, bar_chart
from optimizer.report.style import (
    NOTE_FONT,
    PERCENT,
    PERCENT_FINE,
    SECONDS,
    SECTION_FONT,
    TITLE_FONT,
    UNITS,
    YEN,
    key_values,
    paragraphs,
    print_setup,
    put,
)

SHEET_GUIDE = [
    ("Programme", "with a years sheet: launch timeline, units and cost year by year, volumes and tiers by year"),
    ("What limits the plan", "the rules that bind and what moving each is worth"),
    ("Kei compliance", "every offered variant against every kei rule, its range target and power"),
    ("Cost per car", "each variant's unit cost by part, pack, assembly and development"),
    ("Who pays", "the total split between the brands: by units, by equity, Shapley"),
    ("Sharing", "options and packs developed, who uses them, what sharing saves"),
    ("Variants, Plants, Developed, Costs", "the plan in detail"),
    ("Provenance", "input file, versions, solver settings, model size and timings"),
]


def write_summary(ws: Worksheet, case: Case, analysis: CaseAnalysis, cost_sheet: Worksheet | None) -> None:
    inp, o, source = case.plan_input, case.outcome, case.source
    ws.title = "Summary"
    put(ws, 1, 1, "Kei EV platform plan" + (f" — scenario {source.scenario}" if source.scenario != "base" else "")).font = TITLE_FONT
    put(ws, 2, 1, f"{source.workbook.name}").font = NOTE_FONT
    put(ws, 4, 1, "Conclusion").font = SECTION_FONT
    r = paragraphs(ws, 5, analysis.conclusion, columns=2, chars_per_line=120) + 1
    put(ws, r, 1, "Key figures").font = SECTION_FONT
    rows: list[tuple[str, object, str | None]] = [("status", o.status, None), ("scenario", source.scenario, None)]
    if o.plan is not None and o.evaluation is not None:
        offered = o.plan.offered()
        rows += [
            ("variants offered", f"{len(offered)} of {len(inp.variants)}: {', '.join(offered)}", None),
            ("units a year", sum(o.plan.variants[v].units for v in offered), UNITS),
        ]
    alone = case.baseline.total_cost_jpy if case.baseline is not None else None
    rows += [
        ("total cost (¥, lifecycle)", o.total_cost_jpy, YEN),
        ("best bound (¥)", o.best_bound_jpy, YEN),
        ("gap to proven optimum", o.gap, PERCENT_FINE),
        ("saving from cross-brand sharing (¥)", case.sharing_saving_jpy, YEN),
        ("saving from cross-brand sharing (% of cost without it)", case.sharing_saving_jpy / alone if case.sharing_saving_jpy is not None and alone else None, PERCENT),
        ("solve time (s)", o.seconds.get("solve"), SECONDS),
        ("time limit (s)", o.time_limit_s, SECONDS),
        ("gap target", o.mip_rel_gap, PERCENT_FINE),
        ("solver status", o.highs_status, None),
        ("input workbook", str(source.workbook), None),
        ("input SHA-256", source.sha256, None),
        ("written", _dt.datetime.now().replace(microsecond=0).isoformat(sep=" "), None),
    ]
    r = key_values(ws, rows, first_row=r + 1)
    if o.conflicts:
        r += 1
        put(ws, r, 1, "Why there is no plan").font = SECTION_FONT
        r = paragraphs(ws, r + 1, list(o.conflicts), columns=2, chars_per_line=120)
    if o.warnings:
        r = paragraphs(ws, r + 1, list(o.warnings), columns=2, font=NOTE_FONT, chars_per_line=120)
    if o.plan is not None:
        r += 1
        put(ws, r, 1, "In this report").font = SECTION_FONT
        r = key_values(ws, [(name, what, None) for name, what in SHEET_GUIDE], first_row=r + 1)
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["B"].width = 95
    if cost_sheet is not None:
        from openpyxl.chart import Reference

        chart = bar_chart(f"Total cost by kind {horizon(inp)}", None, horizontal=True, number_format=CHART_YEN_BN, width=22, height=8)
        n = len([c for c in cost_sheet.iter_rows(min_row=2, max_col=1, values_only=True) if c[0] not in (None, "total")])
        chart.add_data(Reference(cost_sheet, min_col=2, min_row=1, max_row=1 + n), titles_from_data=True)
        chart.set_categories(Reference(cost_sheet, min_col=1, min_row=2, max_row=1 + n))
        chart.legend = None
        ws.add_chart(chart, f"A{r + 2}")
    print_setup(ws, landscape=False)
