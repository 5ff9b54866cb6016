"""The Diagnosis sheet: when there is no plan, which rules to change and to what.

A planner reads it as a to-do list: each row names the sheet, the row and the column to edit,
what the cell holds now and what to type instead. The rows are a minimal set — all of them
together give a plan, any one left as it is gives none — so the sheet says so, and lists
below it the reasons found without a solver and the variants that can never be offered.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from optimizer.solving.diagnose import Diagnosis, Move
from optimizer.solving.case import Case
from optimizer.report.style import NOTE_FONT, TITLE_FONT, YEN, Col, put, write_table

COLUMNS = [
    Col("rule"), Col("sheet"), Col("row"), Col("column"), Col("now"), Col("change to"), Col("change"), Col("unit"),
    Col("what to do", width=90),
]


def write_diagnosis(ws: Worksheet, case: Case) -> None:
    """Fill `ws` (titled Diagnosis) from the case's outcome; any outcome without a plan will do."""
    ws.title = "Diagnosis"
    outcome = case.outcome
    diagnosis: Diagnosis | None = outcome.diagnosis
    put(ws, 1, 1, "Why there is no plan").font = TITLE_FONT
    if diagnosis is None:
        r = 3
        for text in outcome.conflicts:
            put(ws, r, 1, text)
            r += 1
        return
    moves = diagnosis.moves
    put(ws, 2, 1, _lead(diagnosis)).font = NOTE_FONT
    r = 4
    if moves:
        put(ws, r, 1, "What to change").font = TITLE_FONT
        first = r + 1
        r = write_table(ws, COLUMNS, [_row(m) for m in moves], first_row=first, freeze=False)
        for i, m in enumerate(moves, start=first + 1):
            for c, value in ((5, m.current), (6, m.needed), (7, _change(m))):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.cell(row=i, column=c).number_format = YEN if m.unit == "¥" else ("#,##0" if float(value).is_integer() else "#,##0.0")
        r += 1
    for title, findings in (("Found before solving", diagnosis.findings), ("Also found", diagnosis.notes)):
        if not findings:
            continue
        put(ws, r, 1, title).font = TITLE_FONT
        for f in findings:
            r += 1
            put(ws, r, 1, f.text)
        r += 2
    put(ws, r, 1, f"Searched with {diagnosis.solves} solve{'s' if diagnosis.solves != 1 else ''} of the model in which these rules may break.").font = NOTE_FONT


def _lead(d: Diagnosis) -> str:
    if d.moves:
        return d.summary()
    if d.findings:
        return "The reasons below need fixing in the workbook itself (names, restrictions, bays, plants); no limit alone can fix them."
    return d.conflicts()[0]


def _row(m: Move) -> list[object]:
    where = f"row {m.row}" if m.row is not None else m.record
    return [m.rule, m.sheet, where, m.column, m.current, m.needed, _change(m), m.unit, m.text]


def _change(m: Move) -> object:
    if isinstance(m.current, (int, float)) and isinstance(m.needed, (int, float)) and not isinstance(m.current, bool):
        return m.needed - m.current
    return None
