"""The "What limits the plan" sheet: binding rules in sentences, then the figures behind them."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.limits import LP_BASIS, LimitsAnalysis
from optimizer.report.style import (
    NOTE_FONT,
    SECTION_FONT,
    TITLE_FONT,
    UNIT_FORMATS,
    YEN,
    Col,
    Fmt,
    paragraphs,
    print_setup,
    put,
    write_table,
)

COLUMNS = [
    Col("rule"), Col("about"), Col("change it on sheet"), Col("value"), Col("limit"), Col("margin"),
    Col("move priced", width=22), Col("cost of that move (¥)", YEN), Col("how it was measured", width=30),
]
WIDTH = 9  # columns the sentences span


def write_limits(ws: Worksheet, la: LimitsAnalysis | None) -> None:
    put(ws, 1, 1, "What limits the plan").font = TITLE_FONT
    if la is None:
        put(ws, 3, 1, "There is no plan, so nothing limits it; see the Summary sheet.")
        return
    lp = [x for x in la.limits if x.basis == LP_BASIS]
    other = [x for x in la.limits if x.basis != LP_BASIS]
    notes = [
        f"All yen are {la.over}; a negative cost is a saving.",
        "Continuous limits (plant capacity, units, demand rows, tier thresholds): the value of moving the limit by one unit a year, "
        "from the plan's linear program with every yes/no decision fixed — the variants offered, their parts and packs, the tiers "
        "and the plant lines stay as planned. A larger move, or one that makes another choice cheaper, can be worth more.",
        "Rules on discrete choices (range target, unit cost ceiling, power cap, height, length) have no per-unit value: "
        "they are listed when close, with the cost of a stated change found by re-solving the plan with only the variants "
        "concerned free to re-choose their parts and pack (a full re-plan could do better).",
    ]
    if la.skipped:
        notes.insert(0, f"What limits the plan was {la.skipped}.")
    r = paragraphs(ws, 2, notes, columns=WIDTH, font=NOTE_FONT) + 1
    put(ws, r, 1, "Binding limits and their value").font = SECTION_FONT
    r = paragraphs(ws, r + 1, [f"• {x.sentence}" for x in lp] or ["No continuous limit binds."], columns=WIDTH) + 1
    put(ws, r, 1, "Design rules close to their limit").font = SECTION_FONT
    r = paragraphs(ws, r + 1, [f"• {x.sentence}" for x in other] or ["No design rule is close to its limit."], columns=WIDTH) + 1
    put(ws, r, 1, "The figures").font = SECTION_FONT
    rows = []
    for x in lp + other:
        f = UNIT_FORMATS.get(x.unit)
        rows.append([x.rule, x.subject, x.sheet, Fmt(x.value, f), Fmt(x.limit, f), Fmt(x.margin, f), x.change, x.worth_jpy, x.basis])
    write_table(ws, COLUMNS, rows, first_row=r + 1, freeze=False)
    print_setup(ws)
