"""A blank planner's workbook: every sheet and column of the spec, help on each header, drop-down
lists for yes/no and reference columns, and the settings and kei rules at their defaults."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from models.data import DEMAND_SCOPES
from openpyxl.utils import get_column_letter

from optimizer.report.style import HEADER_FILL, HEADER_FONT, print_setup, put, text_width, widen
from optimizer.workbook.schema import RULES, SCENARIO_OPS, SETTINGS, SHEETS, YESNO

ROWS = 500  # rows given drop-down lists

_REFERENCES = {"brands": "brands!$A$2:$A$%d" % ROWS, "categories": "categories!$A$2:$A$%d" % ROWS}
_CHOICES = {
    ("demand", "scope"): DEMAND_SCOPES,
    ("scenarios", "op"): SCENARIO_OPS,
    ("scenarios", "sheet"): tuple(s.name for s in SHEETS if s.name != "scenarios"),
    ("settings", "setting"): tuple(s.name for s in SETTINGS),
    ("rules", "rule"): tuple(r.name for r in RULES),
}


def build_template() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        for c, col in enumerate(spec.columns, start=1):
            cell = put(ws, 1, c, col.name)
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
            need = "required" if col.required else f"optional (blank = {'none' if col.default is None else _show(col.default)})"
            cell.comment = Comment(f"{col.help}\n{need}", "plan", width=300, height=110)
            ws.column_dimensions[cell.column_letter].width = max(12, len(col.name) + 4)
            letter = cell.column_letter
            choices = _CHOICES.get((spec.name, col.name))
            if col.kind == YESNO:
                choices = ("yes", "no")
            formula = _REFERENCES.get(col.ref) if col.ref and col.kind != "list" else None
            if choices:
                formula = '"' + ",".join(choices) + '"'
            if formula:
                dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
                dv.error = f"Choose a value from the list for {col.name}."
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{ROWS}")
        ws.freeze_panes = "A2"
        if spec.name in ("settings", "rules"):
            items = SETTINGS if spec.name == "settings" else RULES
            for r, item in enumerate(items, start=2):
                put(ws, r, 1, item.name)
                put(ws, r, 2, _show(item.default) if isinstance(item.default, bool) else item.default)
            widen(ws, "A", max(text_width(item.name) for item in items) + 2)  # names shown whole
        print_setup(ws, title_rows="1:1")
        # The planner fills the rows in: the print area spans the rows given drop-down lists (pages
        # left blank are not printed). Whole columns would do too, but openpyxl warns on reading them.
        ws.print_area = f"A1:{get_column_letter(max(1, len(spec.columns)))}{ROWS}"
    return wb


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)
