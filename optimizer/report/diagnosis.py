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
from openpyxl.styles import Alignment

from optimizer.report.style import NOTE_FONT, SECTION_FONT, TITLE_FONT, YEN, Col, paragraphs, print_setup, put, widen, write_table

COLUMNS = [
    Col("rule"), Col("sheet"), Col("row", "0"), Col("column"), Col("now"), Col("change to"), Col("change"), Col("unit"),
    Col("what to do", width=60),
]
WIDTH = len(COLUMNS)  # columns the sentences span


def write_diagnosis(ws: Worksheet, case: Case) -> None:
    """Fill `ws` (titled Diagnosis) from the case's outcome; any outcome without a plan will do."""
    ws.title = "Diagnosis"
    outcome = case.outcome
    diagnosis: Diagnosis | None = outcome.diagnosis
    put(ws, 1, 1, "Why there is no plan").font = TITLE_FONT
    if diagnosis is None:
        paragraphs(ws, 3, list(outcome.conflicts), columns=WIDTH)
        _widths(ws)
        print_setup(ws)
        return
    moves = diagnosis.moves
    paragraphs(ws, 2, [_lead(diagnosis)], columns=WIDTH, font=NOTE_FONT)
    r = 4
    if moves:
        put(ws, r, 1, "What to change").font = SECTION_FONT
        first = r + 1
        r = write_table(ws, COLUMNS, [_row(m, case) for m in moves], first_row=first, freeze=False)
        ws.auto_filter.ref = None
        for i, m in enumerate(moves, start=first + 1):
            for c, value in ((5, m.current), (6, m.needed), (7, _change(m))):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.cell(row=i, column=c).number_format = YEN if m.unit == "¥" else ("#,##0" if float(value).is_integer() else "#,##0.0")
            for c in (2, 9):
                ws.cell(row=i, column=c).alignment = Alignment(wrap_text=True, vertical="top", indent=1 if c > 1 else 0)
        r += 1
    for title, findings in (("Found before solving", diagnosis.findings), ("Also found", diagnosis.notes)):
        if not findings:
            continue
        put(ws, r, 1, title).font = SECTION_FONT
        r = paragraphs(ws, r + 1, [f.text for f in findings], columns=WIDTH) + 1
    searched = f"Searched with {diagnosis.solves} solve{'s' if diagnosis.solves != 1 else ''} of the model in which these rules may break."
    paragraphs(ws, r, [searched], columns=WIDTH, font=NOTE_FONT)
    _widths(ws)
    print_setup(ws)


def _widths(ws: Worksheet) -> None:
    """Room for the sentences even when no table set the widths (they wrap within the nine columns)."""
    for c in range(1, WIDTH + 1):
        widen(ws, c, 60 if c == WIDTH else 10)


def _lead(d: Diagnosis) -> str:
    if d.moves:
        return d.summary()
    if d.findings:
        return "The reasons below need fixing in the workbook itself (names, restrictions, bays, plants); no limit alone can fix them."
    return d.conflicts()[0]


def _row(m: Move, case: Case) -> list[object]:
    """The move as a row: the Excel row of the record (a rule the rules sheet leaves out takes its
    default and has no row: add one), and the scenario that set the cell, if any."""
    row, sheet = m.row, m.sheet
    found = case.source.row_of(m.sheet, m.record) if row is None else None
    if found is not None:
        row, changed = found
        if m.column in changed:
            sheet = f"{m.sheet} (set by scenario {changed[m.column]})"
    if row is None:
        row = "add a row" if m.sheet == "rules" else "—"
    return [m.rule, sheet, row, m.column, m.current, m.needed, _change(m), m.unit, m.text]


def _change(m: Move) -> object:
    if isinstance(m.current, (int, float)) and isinstance(m.needed, (int, float)) and not isinstance(m.current, bool):
        return m.needed - m.current
    return None
