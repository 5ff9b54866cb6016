"""A hidden sheet in every report holding the plan and its KPIs as JSON, so that reports can be
compared later (`plan compare`) without re-solving, and anything else is recognised as foreign."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

from optimizer.problems import InputError, Problem

SHEET = "_plan_data"
MARKER = "kei-plan report"
FORMAT = 1
_CHUNK = 30000  # characters a cell can hold, with room to spare


def embed(wb: Workbook, data: dict) -> None:
    ws = wb.create_sheet(SHEET)
    ws.sheet_state = "hidden"
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    ws.cell(row=1, column=1, value=MARKER).data_type = "s"
    ws.cell(row=1, column=2, value=FORMAT)
    for n, start in enumerate(range(0, len(text), _CHUNK), start=2):
        cell = ws.cell(row=n, column=1, value=text[start : start + _CHUNK])
        cell.data_type = "s"


def read_embedded(path: Path) -> dict:
    """The data embedded in one of our reports; InputError for any other file."""
    from optimizer.workbook.read import _check_file

    path = Path(path)
    _check_file(path)
    import openpyxl

    def foreign(why: str) -> InputError:
        return InputError([Problem(None, None, None, str(path), f"is not a report written by plan ({why})", "Give reports written by plan solve.")])

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:
        raise foreign(f"{type(exc).__name__}") from None
    try:
        if SHEET not in wb.sheetnames:
            raise foreign(f"it has no {SHEET} sheet")
        rows = list(wb[SHEET].iter_rows(values_only=True))
        if not rows or rows[0][0] != MARKER:
            raise foreign("its data sheet is not ours")
        if rows[0][1] != FORMAT:
            raise foreign(f"it was written in report format {rows[0][1]}, this plan reads format {FORMAT}")
        try:
            return json.loads("".join(r[0] or "" for r in rows[1:]))
        except (json.JSONDecodeError, TypeError):
            raise foreign("its data sheet is damaged") from None
    finally:
        wb.close()
