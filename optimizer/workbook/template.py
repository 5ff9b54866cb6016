"""A blank planner's workbook: a first sheet that says how to fill it in and where the format is
described, every sheet and column of the format with help on each header, drop-down lists for
yes/no and reference columns, and the settings and kei rules at their defaults."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from models.data import DEMAND_SCOPES
from optimizer.report.style import HEADER_FILL, HEADER_FONT, LABEL_FONT, TITLE_FONT, print_setup, put, text_width, widen
from optimizer.workbook.limits import column_limit
from optimizer.workbook.schema import CHANGE_SHEETS, DISTRIBUTIONS, RULES, SCENARIO_OPS, SETTINGS, SHEETS, YESNO
from optimizer.workbook.checker import NUMBERS

ROWS = 500  # rows given drop-down lists
READ_ME = "read me"  # the first sheet; plan ignores sheets it does not know

# A pip-installed `plan` comes without the project's docs/ folder, so the template itself says
# enough to start; the full guide is named for those who have the project.
GUIDE = "docs/workbook.md"
_HOW_TO = (
    "How to fill in this workbook",
    "",
    "1. Fill in one row per record on each sheet; row 1 holds the column names (keep them).",
    "   Hover over a column's name to see what it holds, its unit and whether it may be left blank.",
    "   Sheets marked optional below may be left empty or deleted; a blank optional cell takes its default.",
    "   Columns of your own (notes, sources) are ignored by plan, and so is this sheet.",
    "2. Money is in yen (_jpy), lengths in mm, masses in kg, power in kW, energy in kWh,",
    "   consumption in Wh/km; units are cars (or parts, or packs) per year.",
    "3. Check it:   plan validate THIS.xlsx   (every problem, with its sheet, row, column and value)",
    "4. Solve it:   plan solve THIS.xlsx      (the cheapest plan; report in reports/THIS-base.xlsx)",
    "               plan solve THIS.xlsx --json   also prints the plan as JSON",
    "",
    f"The full guide to every sheet and column, how the total cost is counted and a worked example: {GUIDE}",
    "in the plan project (beside its README). plan --help lists the commands.",
    "",
)

_REFERENCES = {"brands": "brands!$A$2:$A$%d" % ROWS, "categories": "categories!$A$2:$A$%d" % ROWS}
_CHOICES = {
    ("demand", "scope"): DEMAND_SCOPES,
    ("scenarios", "op"): SCENARIO_OPS,
    ("scenarios", "sheet"): tuple(s.name for s in SHEETS if s.name not in CHANGE_SHEETS),
    ("ranges", "op"): SCENARIO_OPS,
    ("ranges", "sheet"): tuple(s.name for s in SHEETS if s.name not in CHANGE_SHEETS),
    ("ranges", "distribution"): DISTRIBUTIONS,
    ("settings", "setting"): tuple(s.name for s in SETTINGS),
    ("rules", "rule"): tuple(r.name for r in RULES),
}


def build_template() -> Workbook:
    wb = Workbook()
    _read_me(wb.active)
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        for c, col in enumerate(spec.columns, start=1):
            cell = put(ws, 1, c, col.name)
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
            need = "required" if col.required else f"optional (blank = {'none' if col.default is None else _show(col.default)})"
            accepted = f"\naccepted: {column_limit(col.name).accepted(col.kind)}" if col.kind in NUMBERS else ""
            cell.comment = Comment(f"{col.help}\n{need}{accepted}", "plan", width=300, height=110)
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


def _read_me(ws) -> None:
    """The first sheet: how to fill in the workbook, then one line per sheet of the format."""
    ws.title = READ_ME
    for r, line in enumerate(_HOW_TO, start=1):
        put(ws, r, 1, line)
    ws["A1"].font = TITLE_FONT
    row = len(_HOW_TO) + 1
    for c, title in enumerate(("sheet", "needed", "what it holds"), start=1):
        cell = put(ws, row, c, title)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for spec in SHEETS:
        row += 1
        put(ws, row, 1, spec.name).font = LABEL_FONT
        put(ws, row, 2, "required" if spec.required else "optional")
        put(ws, row, 3, spec.help).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 90
    ws.sheet_view.showGridLines = False
    print_setup(ws)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)
