"""Write inputs/worked-example.xlsx from the tables of docs/workbook.md's worked example.

The guide's tables are the only copy of the example's data: this script reads them, so the
workbook cannot say something the guide does not (tests/test_worked_example.py solves it and
checks the cost and the plan the guide states).

Run:  python inputs/build_worked_example.py     (writes inputs/worked-example.xlsx)
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "workbook.md"
OUT = Path(__file__).with_name("worked-example.xlsx")

SECTION = "## A worked example"
_SHEET = re.compile(r"^#### Sheet `(\w+)`(.*)$")
_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")

def section(text: str, heading: str = SECTION) -> list[str]:
    """The lines of one `## ` section of the guide, its heading excluded."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def table_after(lines: list[str], index: int) -> list[list[str]]:
    """The first markdown table after line `index`: header and rows as lists of cell texts."""
    i = index + 1
    while i < len(lines) and not lines[i].startswith("|"):
        i += 1
    rows = []
    while i < len(lines) and lines[i].startswith("|"):
        cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
        if not all(re.fullmatch(r":?-+:?", c) for c in cells):
            rows.append(cells)
        i += 1
    return rows


def value(text: str) -> str | int | float | None:
    """A cell as the workbook holds it: blank, a number (thousands separators allowed) or text."""
    text = text.strip().strip("`")
    if not text:
        return None
    if _NUMBER.match(text):
        number = float(text.replace(",", ""))
        return int(number) if number.is_integer() else number
    return text


def example_tables(guide: str | None = None) -> dict[str, list[dict[str, str | int | float | None]]]:
    """Sheet name -> its rows as {column: value}, from the `#### Sheet` tables of the example.
    A table whose heading says "turned" holds one column per row of the sheet."""
    lines = section(guide if guide is not None else GUIDE.read_text(encoding="utf-8"))
    sheets: dict[str, list[dict]] = {}
    for i, line in enumerate(lines):
        m = _SHEET.match(line)
        if not m:
            continue
        grid = table_after(lines, i)
        if "turned" in m.group(2):
            grid = [list(col) for col in zip(*grid)]
        header, *rows = grid
        sheets[m.group(1)] = [{h: value(c) for h, c in zip(header, row)} for row in rows]
    return sheets


def write(tables: dict[str, list[dict]], path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        columns = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(columns)
        for r in rows:
            ws.append([r.get(c) for c in columns])
        ws.freeze_panes = "A2"
        for c, col in enumerate(columns, start=1):
            ws.column_dimensions[ws.cell(1, c).column_letter].width = max(12, len(col) + 4)
    wb.save(path)
    return path


if __name__ == "__main__":
    print(write(example_tables(), OUT))
