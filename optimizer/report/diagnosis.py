"""The Diagnosis sheet: when there is no plan, which rules to change and to what.

A planner reads it as a to-do list: each row names the sheet, the row and the column to edit,
what the cell holds now and what to type instead. The rows are a minimal set — all of them
together give a plan, any one left as it is gives none — so the sheet says so, and lists
below it the reasons found without a solver and the variants that can never be offered.
"""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.pipeline import RobustCase
from optimizer.solving.case import Case
from optimizer.solving.diagnose import Diagnosis, Move
from optimizer.report.style import NOTE_FONT, SECTION_FONT, TITLE_FONT, YEN, Col, paragraphs, print_setup, put, widen, write_table

COLUMNS = [
    Col("rule"), Col("sheet"), Col("row", "0"), Col("column"), Col("now"), Col("change to"), Col("change"), Col("unit"),
    Col("what to do", width=60),
]
WIDTH = len(COLUMNS)  # columns the sentences span


def write_diagnosis(ws: Worksheet, case: Case | RobustCase) -> None:
    """Fill `ws` (titled Diagnosis) from the case's outcome; any outcome without a plan will do,
    a robust one's too (its rules each in a future: a column says which)."""
    ws.title = "Diagnosis"
    outcome = case.outcome
    diagnosis: Diagnosis | None = outcome.diagnosis
    robust = isinstance(case, RobustCase)
    width = WIDTH + robust  # the future's column first
    put(ws, 1, 1, "Why no single design serves every future" if robust else "Why there is no plan").font = TITLE_FONT
    if diagnosis is None:
        paragraphs(ws, 3, list(outcome.conflicts), columns=width)
        _widths(ws, width)
        print_setup(ws)
        return
    moves = diagnosis.moves
    paragraphs(ws, 2, [_lead(diagnosis)], columns=width, font=NOTE_FONT)
    r = 4
    if moves:
        put(ws, r, 1, "What to change").font = SECTION_FONT
        first = r + 1
        lead = [Col("future")] if robust else []
        rows = [[m.future, *_row(m, case)[:-1], _without_future(m)] if robust else _row(m, case) for m in moves]
        r = write_table(ws, lead + COLUMNS, rows, first_row=first, freeze=False)
        ws.auto_filter.ref = None
        shift = len(lead)
        for i, m in enumerate(moves, start=first + 1):
            for c, value in ((5, m.current), (6, m.needed), (7, _change(m))):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.cell(row=i, column=c + shift).number_format = (
                        YEN if m.unit == "¥" else ("#,##0" if float(value).is_integer() else "#,##0.0"))
            for c in (2, 9):
                ws.cell(row=i, column=c + shift).alignment = Alignment(wrap_text=True, vertical="top", indent=1)
        r += 1
    for title, findings in (("Found before solving", diagnosis.findings), ("Also found", diagnosis.notes)):
        if not findings:
            continue
        put(ws, r, 1, title).font = SECTION_FONT
        r = paragraphs(ws, r + 1, [f.text for f in findings], columns=width) + 1
    searched = f"Searched with {diagnosis.solves} solve{'s' if diagnosis.solves != 1 else ''} of the model in which these rules may break."
    paragraphs(ws, r, [searched], columns=width, font=NOTE_FONT)
    _widths(ws, width)
    print_setup(ws)


def _widths(ws: Worksheet, width: int) -> None:
    """Room for the sentences even when no table set the widths (they wrap within the columns)."""
    for c in range(1, width + 1):
        widen(ws, c, 60 if c == width else 10)


def _without_future(m: Move) -> str:
    """What to do, without the 'In future X: ' the future's column already says."""
    prefix = f"In future {m.future}: "
    return m.text[len(prefix)].upper() + m.text[len(prefix) + 1:] if m.text.startswith(prefix) else m.text


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
        # with several futures, only the change of this rule's future set the cell it names
        by = [how for column, how in changed if column == m.column and (not m.future or f"{m.future!r}" in how)]
        if by:
            sheet = f"{m.sheet} (set by {by[0]})"
    if row is None:
        row = "add a row" if m.sheet == "rules" else "—"
    return [m.rule, sheet, row, m.column, m.current, m.needed, _change(m), m.unit, m.text]


def _change(m: Move) -> object:
    if isinstance(m.current, (int, float)) and isinstance(m.needed, (int, float)) and not isinstance(m.current, bool):
        return m.needed - m.current
    return None
