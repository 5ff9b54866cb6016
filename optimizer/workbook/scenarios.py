"""Named what-if cases: the `scenarios` sheet's rows applied to the raw workbook before validation.

Applying to raw cells (not to validated objects) means a scenario may change any sheet and
column the spec defines, and every validation rule still applies to the result; a value a
scenario set is named as such in messages.
"""

from __future__ import annotations

import copy

from optimizer.problems import InputError, Problem
from optimizer.workbook.schema import CHANGE_SHEETS, LIST, NAME, RULES, SCENARIO_OPS, SETTINGS, SHEET, TEXT, YESNO
from optimizer.workbook.convert import clean_name
from optimizer.workbook.checker import RATIOS, convert, did_you_mean
from optimizer.workbook.read import RawRow, RawSheet, RawWorkbook, normalise

BASE = "base"
_KEY_VALUE = {"settings": ("setting", SETTINGS), "rules": ("rule", RULES)}


def is_base(name: str) -> bool:
    """`base` in any case means the workbook as it stands."""
    return clean_name(name).lower() == BASE


def scenario_names(raw: RawWorkbook) -> list[str]:
    """Scenario names in the order they first appear (rows named base belong to none)."""
    sheet = raw.sheets.get("scenarios")
    names: list[str] = []
    for row in sheet.rows if sheet else []:
        name = _text(row.cells.get("scenario"))
        if name and not is_base(name) and name not in names:
            names.append(name)
    return names


def sheet_problems(raw: RawWorkbook) -> list[Problem]:
    """Rows no scenario can own: a blank scenario name (the row would be ignored silently), or the
    name base, which means the workbook as it stands."""
    sheet = raw.sheets.get("scenarios")
    out: list[Problem] = []
    for row in sheet.rows if sheet else []:
        name = _text(row.cells.get("scenario"))
        letter = sheet.letter("scenario")
        if not name:
            out.append(Problem(sheet.title, row.number, "scenario", None, "is blank, so this row belongs to no scenario", "Give the scenario's name.", letter))
        elif is_base(name):
            out.append(Problem(sheet.title, row.number, "scenario", name, "base is the workbook as it stands and cannot be a scenario's name", "Rename the scenario.", letter))
    return out


def other_rows_problems(raw: RawWorkbook, running: str | tuple[str, ...]) -> list[Problem]:
    """What is wrong with the scenarios sheet's rows that a run of scenario `running` (or the base
    case, or the futures of a robust run) does not apply: rows of no scenario, and rows of other scenarios that cannot be applied.
    A command that solves one case warns about them; `plan validate` and --all-scenarios refuse them."""
    if "scenarios" not in raw.sheets:
        return []
    out = sheet_problems(raw)
    skip = {clean_name(r) for r in ((running,) if isinstance(running, str) else running)}
    for name in scenario_names(raw):
        if name in skip:
            continue
        try:
            apply_scenario(raw, name)
        except InputError as err:
            out += [p for p in err.problems if p not in out]
    return out


def apply_scenario(raw: RawWorkbook, name: str) -> RawWorkbook:
    """A copy of the workbook with the scenario's rows applied; the base case is returned as is.
    Only the scenario's own rows are checked (see other_rows_problems for the rest)."""
    if is_base(name):
        return raw
    name = clean_name(name)
    names = scenario_names(raw)
    if name not in names:
        hint = did_you_mean(name, names) or (f"Scenarios in this workbook: {', '.join(names)}." if names else "This workbook has no scenarios sheet rows.")
        raise InputError([Problem("scenarios", None, "scenario", name, "no scenario of that name", hint)])
    problems: list[Problem] = []
    scen = raw.sheets["scenarios"]
    rows = [row for row in scen.rows if _text(row.cells.get("scenario")) == name]
    out = changed_copy(raw, [normalise(row.cells.get("sheet")) for row in rows])
    for row in rows:
        apply_row(out, scen, row, problems, who=f"scenario {name!r}", origin=f"scenario {name!r} (scenarios row {row.number})")
    if problems:
        raise InputError(problems)
    return out


def changed_copy(raw: RawWorkbook, sheets: list[str]) -> RawWorkbook:
    """A copy of the workbook in which the named sheets (normalised names) may be changed: those are
    copied, every other sheet is shared with `raw` (a sweep makes thousands of cases, each changing
    a few sheets)."""
    out = RawWorkbook(raw.path, raw.sha256, dict(raw.sheets))
    for name in dict.fromkeys(sheets):
        if name in out.sheets:
            out.sheets[name] = copy.deepcopy(raw.sheets[name])
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_name(value)


_FROM_ROW = object()


def apply_row(
    raw: RawWorkbook, changes: RawSheet, row: RawRow, problems: list[Problem], *, who: str, origin: str,
    operand: object = _FROM_ROW, operand_column: str = "value", default_op: str | None = None,
) -> None:
    """Apply one change row (of the scenarios or ranges sheet: sheet, match, column, op) to `raw` in
    place; the operand is the row's value cell unless given. Problems name the changes sheet's row
    and column, prefixed by `who`; cells changed remember `origin` for later messages. Only sheets
    of `changed_copy` may be changed."""

    def fail(column: str, value: object, message: str, hint: str = "") -> None:
        problems.append(Problem(changes.title, row.number, column, value, f"{who}: {message}", hint, changes.letter(column)))

    sheet_name = normalise(row.cells.get("sheet"))
    spec = SHEET.get(sheet_name)
    if spec is None or sheet_name in CHANGE_SHEETS:
        fail("sheet", row.cells.get("sheet"), f"is not a sheet {_changer(changes)} can change", did_you_mean(sheet_name, [s for s in SHEET if s not in CHANGE_SHEETS]))
        return
    op = normalise(row.cells.get("op")) or (default_op or "")
    if op not in SCENARIO_OPS:
        fail("op", row.cells.get("op"), "is not an operation", "Use set, multiply or add.")
        return
    column = normalise(row.cells.get("column"))
    if operand is _FROM_ROW:
        operand = row.cells.get(operand_column)
    match = _text(row.cells.get("match"))

    def fail_operand(column_: str, value: object, message: str, hint: str = "") -> None:
        fail(operand_column if column_ == "value" else column_, value, message, hint)

    if sheet_name in _KEY_VALUE:
        key_col, known = _KEY_VALUE[sheet_name]
        if column not in ("value", ""):
            fail("column", row.cells.get("column"), f"for {sheet_name} the column to change is value")
            return
        key = match.split("=", 1)[1].strip().lower() if match.lower().startswith(key_col + "=") else match.lower()
        setting = next((s for s in known if s.name == key), None)
        if setting is None:
            fail("match", row.cells.get("match"), f"is not a {key_col} name", did_you_mean(key, [s.name for s in known]) or f"Known: {', '.join(s.name for s in known)}.")
            return
        sheet = raw.sheets.get(sheet_name)
        if sheet is None:
            sheet = raw.sheets[sheet_name] = RawSheet(title=sheet_name, columns={key_col: 1, "value": 2}, header={1: key_col, 2: "value"}, rows=[])
        target = next((r for r in sheet.rows if normalise(r.cells.get(key_col)) == key), None)
        if target is None:
            target = RawRow(number=None, cells={key_col: key, "value": None})  # not a row of the workbook
            sheet.rows.append(target)
        current = target.cells.get("value")
        if current is None:
            current = setting.default
        new = _operate(op, current, operand, setting.kind, fail_operand, percent=key in RATIOS)
        if new is not _FAILED:
            target.cells["value"] = new
            _remember(target, "value", origin)
        return

    col = spec.column(column)
    if col is None:
        fail("column", row.cells.get("column"), f"is not a column of {sheet_name}", did_you_mean(column, [c.name for c in spec.columns]))
        return
    sheet = raw.sheets.get(sheet_name)
    if sheet is not None and any(c.required and c.name not in sheet.columns for c in spec.columns):
        return  # validation skips a sheet that lacks a required column and reports that, once
    rows = _matching_rows(sheet, spec, match, fail) if sheet is not None else []
    if rows is None:
        return
    if not rows:
        fail("match", row.cells.get("match") or "*", f"matches no row of {sheet_name}")
        return
    if column not in sheet.columns:
        sheet.columns[column] = 0  # a column the scenario adds: it has no letter in the workbook
        sheet.header[0] = column
    for target in rows:
        current = target.cells.get(column)
        if current is None:
            if op != "set" and not isinstance(col.default, float):
                continue  # multiply/add leave a blank "none" cell (e.g. no cost ceiling) as it is
            current = col.default
        new = _operate(op, current, operand, col.kind, fail_operand, unit=col.unit)
        if new is _FAILED:
            return
        target.cells[column] = new
        _remember(target, column, origin)


def _changer(changes: RawSheet) -> str:
    return "a range" if normalise(changes.title) == "ranges" else "a scenario"


def _remember(target: RawRow, column: str, origin: str) -> None:
    """Which change set the cell; a cell a scenario set and a range then changed names both."""
    before = target.changed_by.get(column)
    target.changed_by[column] = origin if before is None or before == origin else f"{before}, then {origin}"


_FAILED = object()


def _operate(op: str, current: object, operand: object, kind: str, fail, unit: str = "", percent: bool = False) -> object:
    """The cell's new value. `unit` and `percent` say how its numbers may be typed (see convert);
    a multiply operand is a ratio, so "120 %" multiplies by 1.2."""
    if op == "set":
        if operand is None:
            return None
        _, message = convert(operand, kind, unit, percent)
        if message:
            fail("value", operand, message)
            return _FAILED
        return operand
    if kind in (NAME, TEXT, YESNO, LIST):
        fail("op", op, f"{op} needs a numeric column")
        return _FAILED
    factor, message = convert(operand, "signed", "" if op == "multiply" else unit, percent or op == "multiply")
    if message:
        fail("value", operand, message)
        return _FAILED
    base, message = convert(current, "signed", unit, percent)
    if message:
        fail("value", operand, f"the cell it changes holds {current!r}, which is not a number")
        return _FAILED
    return base * factor if op == "multiply" else base + factor


def _matching_rows(sheet: RawSheet, spec, match: str, fail) -> list[RawRow] | None:
    names = {c.name for c in spec.columns}
    data_rows = [r for r in sheet.rows if any(r.cells.get(n) is not None for n in names)]
    if match in ("", "*"):
        return data_rows
    if "=" not in match:
        fail("match", match, "expected column=value, or blank or * for all rows", "For example category=motor.")
        return None
    column, wanted = (p.strip() for p in match.split("=", 1))
    column = normalise(column)
    if column not in names and column not in sheet.columns:
        fail("match", match, f"{column!r} is not a column of {spec.name}", did_you_mean(column, names))
        return None
    wanted_number, not_number = convert(wanted, "signed")
    out = []
    for r in data_rows:
        cell = r.cells.get(column)
        if cell is None:
            continue
        if not not_number:
            number, message = convert(cell, "signed")
            if not message and number == wanted_number:
                out.append(r)
                continue
        if _text(cell) == wanted:
            out.append(r)
    return out
