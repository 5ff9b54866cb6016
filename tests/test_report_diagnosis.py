"""The Diagnosis sheet sends the planner to the cell: its row column is the Excel row of the record
to change (never the record's name), a rule the rules sheet leaves out says to add a row, a cell a
scenario sets says so; its sentences wrap instead of running off the page (issue 12, items 18, 20)."""

from __future__ import annotations

import copy

import openpyxl
import pytest

from builders import tables, write
from optimizer.pipeline import load_input, solve_case
from optimizer.report import build_report
from optimizer.report.diagnosis import COLUMNS

KEYS = {"variants": "variant", "plants": "plant", "rules": "rule", "demand": None}


def excel_rows(path) -> dict[tuple[str, str], int]:
    """(sheet, record) -> Excel row, read straight from the workbook."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for sheet, key in KEYS.items():
        if key is None or sheet not in wb.sheetnames:
            continue
        rows = list(wb[sheet].iter_rows(values_only=True))
        col = rows[0].index(key)
        out |= {(sheet, str(r[col])): n for n, r in enumerate(rows[1:], start=2) if r[col] is not None}
    return out


def broken(change: dict) -> dict:
    t = tables()
    for (sheet, name), values in change.items():
        next(r for r in t[sheet] if name in r.values()).update(values)
    return t


def diagnosis_rows(tbl: dict, path, scenario: str = "base") -> list[dict]:
    source, inp, _ = load_input(write(tbl, path), scenario)
    case = solve_case(source, inp, sharing_baseline=False)
    assert case.outcome.plan is None, "the workbook was meant to have no plan"
    ws = build_report(case)["Diagnosis"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "rule")
    moves = []
    for r in rows[header + 1 :]:
        if r[0] is None:
            break
        moves.append(dict(zip([c.title for c in COLUMNS], r)))
    assert moves
    return moves


CASES = {
    "range target": {("variants", "H-van"): dict(range_target_km=400, must_offer="yes")},
    "too little plant capacity": {
        ("plants", "Mizushima"): dict(capacity_units=1000),
        ("plants", "Yachiyo"): dict(capacity_units=1000),
    },
    "power cap on the rules sheet": {("variants", "H-hatch"): dict(min_power_kw=45)},
}


@pytest.mark.parametrize("name", CASES)
def test_the_row_column_is_the_excel_row_of_the_record(name, tmp_path):
    tbl = broken(CASES[name])
    if name.startswith("power cap"):
        tbl["rules"] = [{"rule": "max_power_kw", "value": 40}]
        tbl["parts"].append(
            dict(
                category="motor",
                option="m45",
                dev_cost_jpy=3e9,
                unit_cost_jpy=160000,
                mass_kg=58,
                power_kw=45,
            )
        )
    path = tmp_path / "wb.xlsx"
    moves = diagnosis_rows(tbl, path)
    rows = excel_rows(path)
    for m in moves:
        assert isinstance(m["row"], int), m
        if m["sheet"] == "demand":  # demand rows have no names: "demand row N" is the row
            assert f"demand row {m['row']}" in m["what to do"], m
            continue
        record = next(key for (sheet, key) in rows if sheet == m["sheet"] and key in m["what to do"])
        assert m["row"] == rows[(m["sheet"], record)], m


def test_a_rule_the_rules_sheet_leaves_out_says_to_add_a_row(tmp_path):
    tbl = tables()
    for v in tbl["variants"]:
        v["width_mm"] = 1500  # over the 1,480 mm of max_width_mm, which the rules sheet leaves out
    moves = diagnosis_rows(tbl, tmp_path / "wb.xlsx")
    on_rules = [m for m in moves if m["sheet"] == "rules"]
    assert on_rules and all(m["row"] == "add a row" for m in on_rules), moves


def test_a_cell_a_scenario_sets_says_which_scenario(tmp_path):
    tbl = copy.deepcopy(tables())
    tbl["variants"][2]["must_offer"] = "yes"
    tbl["scenarios"].append(
        dict(
            scenario="far",
            sheet="variants",
            match="variant=H-van",
            column="range_target_km",
            op="set",
            value=400,
        )
    )
    path = tmp_path / "wb.xlsx"
    moves = diagnosis_rows(tbl, path, "far")
    move = next(m for m in moves if m["column"] == "range_target_km")
    assert move["row"] == excel_rows(path)[("variants", "H-van")] == 4
    assert "scenario 'far' (scenarios row 4)" in move["sheet"]


def test_sentences_wrap_within_the_printed_width(tmp_path):
    tbl = broken(CASES["range target"])
    source, inp, _ = load_input(write(tbl, tmp_path / "wb.xlsx"), "base")
    ws = build_report(solve_case(source, inp, sharing_baseline=False))["Diagnosis"]
    last = ws.print_area.split(":")[-1].replace("$", "")
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 40:
                assert cell.alignment.wrap_text, (cell.coordinate, cell.value)
    assert last.startswith("I"), "the print area is the table's nine columns; sentences wrap inside it"
