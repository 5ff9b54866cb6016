"""A hidden sheet in every report holding the plan and its KPIs as JSON, so that reports can be
compared later (`plan compare`) without re-solving, and anything else is recognised as foreign."""

from __future__ import annotations

import json
import math
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
    """The data embedded in one of our reports; InputError for any other file, and for a report
    whose hidden data was edited into something else (naming the first place that is wrong)."""
    return _checked(path, _load(path), EMBEDDED_SHAPE)


def read_design_source(path: Path) -> dict:
    """The data of a report of `plan solve` ({"plan", "kpis"}) or of `plan solve --robust`
    ({"robust"}): both hold a design (what `plan sweep --design` keeps)."""
    data = _load(path)
    robust = isinstance(data, dict) and "robust" in data
    return _checked(path, data, ROBUST_SHAPE if robust else EMBEDDED_SHAPE)


def _checked(path: Path, data: object, shape: object) -> dict:
    wrong = shape_problem(data, shape)
    if wrong:
        raise InputError([Problem(
            None, None, None, None, f"{path} is a report whose hidden {SHEET} sheet was edited: {wrong}",
            "Write the report again with plan solve (that sheet is plan's record of the case, not to edit).",
        )])
    return data


def _load(path: Path) -> object:
    from optimizer.workbook.read import _check_file

    path = Path(path)
    _check_file(path)
    import openpyxl

    def foreign(why: str) -> InputError:
        return InputError([Problem(
            None, None, None, str(path), f"is not a report written by plan ({why})",
            "Give reports written by plan solve.",
        )])

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:
        raise foreign(f"{type(exc).__name__}") from None
    try:
        if SHEET not in wb.sheetnames:
            raise foreign(f"it has no {SHEET} sheet")
        rows = [tuple(r) + (None, None) for r in wb[SHEET].iter_rows(values_only=True)]
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


# --- the shape of the embedded data: what plan compare relies on ---------------------------------
# A shape is a type name, or {key: shape} (a record; keys ending in "?" may be missing), or
# ("dict", shape) / ("list", shape) / ("pair", shape).

_VARIANT = {
    "offered": "bool", "units?": "number", "pack?": "text?",
    "options?": ("dict", "text?"), "plants?": ("dict", "number"),
    "launch_year?": "text?", "by_year?": ("dict", {"units": "number", "plants?": ("dict", "number")}),
}
PLAN_SHAPE = {
    "status?": "text", "scenario?": "text", "years?": ("list", "text"),
    "total_cost_jpy?": "number?", "best_bound_jpy?": "number?", "gap?": "number?",
    "sharing_saving_jpy?": "number?", "report?": "text?", "variants?": ("dict", _VARIANT),
    "developed?": {"options?": ("list", "text"), "packs?": ("list", "text")}, "conflicts?": ("list", "text"),
}
_NUMBERS = ("dict", "number")
KPIS_SHAPE = {
    "scenario?": "text?", "workbook?": "text?", "workbook_sha256?": "text?", "status?": "text",
    **{f"{k}?": "number?" for k in (
        "total_cost_jpy", "best_bound_jpy", "gap",
        "sharing_saving_jpy", "cost_without_sharing_jpy", "sharing_saving_share",
    )},
    "cost_by_kind_jpy?": _NUMBERS, "units_total?": "number",
    **{f"units_by_{k}?": _NUMBERS for k in ("brand", "body_style", "variant", "plant")},
    "list_unit_cost_by_variant_jpy?": ("dict", "number?"),
    **{f"{k}?": ("list", "text") for k in ("variants_offered", "packs_developed", "options_developed")},
    "developments?": ("list", {"item": "text", "kind": "text", "brand": "text?", "cost_jpy": "number"}),
    "lines?": ("list", ("pair", "text")),
    "years?": ("list", "text"),
    **{f"{k}?": _NUMBERS for k in ("units_by_year", "cost_paid_by_year_jpy", "cost_present_value_by_year_jpy")},
}
EMBEDDED_SHAPE = {"plan": PLAN_SHAPE, "kpis": KPIS_SHAPE}
# A robust report: the common design at the top (what `plan sweep --design` reads of it).
ROBUST_SHAPE = {"robust": {
    "status?": "text", "expected_cost_jpy?": "number?", "years?": ("list", "text"),
    "variants": ("dict", {
        "offered": "bool", "pack?": "text?", "options?": ("dict", "text?"), "launch_year?": "text?",
    }),
}}


def shape_problem(data: object, shape: object = EMBEDDED_SHAPE, where: str = "the data") -> str:
    """Where `data` departs from `shape` and how ("" when it does not)."""
    if isinstance(shape, str):
        optional, kind = shape.endswith("?"), shape.rstrip("?")
        if data is None and optional:
            return ""
        ok = {
            "text": isinstance(data, str),
            "bool": isinstance(data, bool),
            "number": isinstance(data, (int, float)) and not isinstance(data, bool) and math.isfinite(data),
        }[kind]
        wanted = {"text": "text", "bool": "true or false", "number": "a finite number"}[kind]
        return "" if ok else f"{where} should be {wanted}{' or null' if optional else ''}, not {_shown(data)}"
    if isinstance(shape, dict):
        if not isinstance(data, dict):
            return f"{where} should be an object, not {_shown(data)}"
        for key, inner in shape.items():
            name = key.rstrip("?")
            if name not in data:
                if not key.endswith("?"):
                    return f"{where} lacks {name!r}"
                continue
            wrong = shape_problem(data[name], inner, f"{where}[{name!r}]" if where != "the data" else name)
            if wrong:
                return wrong
        return ""
    kind, inner = shape
    if kind == "dict":
        if not isinstance(data, dict):
            return f"{where} should be an object, not {_shown(data)}"
        return next((w for k, v in data.items() if (w := shape_problem(v, inner, f"{where}[{k!r}]"))), "")
    if not isinstance(data, list) or (kind == "pair" and len(data) != 2):
        return f"{where} should be {'a list' if kind == 'list' else 'a pair'}, not {_shown(data)}"
    return next((w for i, v in enumerate(data) if (w := shape_problem(v, inner, f"{where}[{i}]"))), "")


def _shown(value: object) -> str:
    finite = not isinstance(value, float) or math.isfinite(value)
    text = json.dumps(value, ensure_ascii=False) if finite else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
