"""The Kei compliance sheet: each offered variant against each rule, with tight margins lit up."""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.compliance import TIGHT, Check
from optimizer.report.style import AMBER_FILL, NOTE_FONT, RED_FILL, TITLE_FONT, UNIT_FORMATS, Col, Fmt, print_setup, put, write_table

COLUMNS = [
    Col("variant"), Col("rule"), Col("limit set on sheet"), Col("value"), Col("limit"), Col("margin"),
    Col("margin (% of limit)", "0.0%"), Col("tight below"), Col("status", width=14),
]
FIRST = 4


def write_compliance(ws: Worksheet, checks: list[Check]) -> None:
    put(ws, 1, 1, "Kei compliance: every offered variant against every rule").font = TITLE_FONT
    put(ws, 2, 1, "Margin = how far the value may still move before it breaks the rule. At the limit is allowed: amber, as is tight "
        "(within the 'tight below' margin); red only beyond the limit.").font = NOTE_FONT
    rows = []
    for c in checks:
        f = UNIT_FORMATS[c.unit]
        rows.append([
            c.variant, c.rule, c.sheet, Fmt(c.value, f), Fmt(c.limit, f), Fmt(c.margin, f),
            c.margin / c.limit if c.limit else None, Fmt(TIGHT[c.unit], f), c.status,
        ])
    last = write_table(ws, COLUMNS, rows, first_row=FIRST) - 1
    if rows:
        area = f"A{FIRST + 1}:I{last}"
        ws.conditional_formatting.add(area, FormulaRule(formula=[f'$I{FIRST + 1}="broken"'], fill=RED_FILL, stopIfTrue=True))
        ws.conditional_formatting.add(area, FormulaRule(formula=[f'OR($I{FIRST + 1}="at the limit",$I{FIRST + 1}="tight")'], fill=AMBER_FILL))
    print_setup(ws)
