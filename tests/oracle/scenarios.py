"""A workbook's scenarios and futures, read from the workbook format (docs/workbook.md) alone.

`apply_scenario(case, name)` is the workbook under scenario `name` (`base`: as it stands): each
row of the scenarios sheet with that name changes one column of the rows it matches (`set`,
`multiply` or `add`); for `settings` and `rules` the match names the setting or rule.
`future_cases(case)` is the futures sheet: [(scenario, probability, case under it)].
"""
from __future__ import annotations

import copy

try:
    from .random_workbooks import DEFAULT_RULES, DEFAULT_SETTINGS, Case
except ImportError:  # pragma: no cover
    from random_workbooks import DEFAULT_RULES, DEFAULT_SETTINGS, Case  # type: ignore

TABLES = ("variants", "categories", "parts", "packs", "tiers", "plants", "demand", "years", "locks")


def _operate(op: str, current, value):
    op = op.strip().lower()
    if op == "set":
        return value
    if current is None:
        raise ValueError(f"oracle: '{op}' on a blank cell")
    if op == "multiply":
        return current * value
    if op == "add":
        return current + value
    raise ValueError(f"oracle: unknown op {op!r}")


def matches(row: dict, match) -> bool:
    if match is None or str(match).strip() in ("", "*"):
        return True
    column, value = str(match).split("=", 1)
    cell = row.get(column.strip())
    return cell is not None and str(cell).strip() == value.strip()


def apply_scenario(case: Case, name: str) -> Case:
    """The case under scenario `name`; a copy, the original is left as it was."""
    out = copy.deepcopy(case)
    out.futures = None
    if name == "base":
        return out
    rows = [r for r in case.scenarios or [] if r["scenario"] == name]
    if not rows:
        raise ValueError(f"oracle: no scenario {name!r}")
    for r in rows:
        sheet, column = r["sheet"], r["column"]
        if sheet in ("settings", "rules"):
            key = str(r["match"]).strip()
            store = out.settings if sheet == "settings" else out.rules
            if store is None:
                out.rules = store = {}
            default = (DEFAULT_SETTINGS if sheet == "settings" else DEFAULT_RULES)[key]
            store[key] = _operate(r["op"], store.get(key, default), r["value"])
            continue
        if sheet not in TABLES:
            raise ValueError(f"oracle: scenario on sheet {sheet!r}")
        for row in getattr(out, sheet) or []:
            if matches(row, r.get("match")):
                row[column] = _operate(r["op"], row.get(column), r["value"])
    return out


def future_cases(case: Case) -> list[tuple[str, float, Case]]:
    """(scenario, probability, the case under that scenario) for every row of the futures sheet."""
    return [(f["scenario"], float(f["probability"]), apply_scenario(case, f["scenario"]))
            for f in case.futures or []]
