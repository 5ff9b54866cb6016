"""optimizer.report.comparison: the layout of the comparison workbook (figures come from
optimizer.report.compare and are tested there)."""

from __future__ import annotations

import re

import openpyxl
import pytest

from optimizer.report.compare import CaseData, compare
from optimizer.report.comparison import FIXED_SHEETS, build_comparison, sheet_names, write_comparison


def case(label: str, total: float, units: float, scenario: str | None = None) -> CaseData:
    plan = {
        "status": "optimal", "scenario": scenario or label, "total_cost_jpy": total,
        "variants": {"A": {"offered": True, "units": units, "pack": "P", "options": {"motor": "m"}, "plants": {"K": units}},
                     "B": {"offered": False, "units": 0.0, "pack": None, "options": {}, "plants": {}}},
    }
    kpis = {
        "scenario": scenario or label, "status": "optimal", "total_cost_jpy": total, "gap": 0.0,
        "sharing_saving_jpy": 10.0, "sharing_saving_share": 0.1, "cost_without_sharing_jpy": total + 10.0,
        "cost_by_kind_jpy": {"development: parts": total / 4, "production: packs": 3 * total / 4},
        "units_total": units, "units_by_brand": {"Honda": units}, "units_by_body_style": {"hatch": units},
        "units_by_variant": {"A": units}, "list_unit_cost_by_variant_jpy": {"A": 1e6},
        "variants_offered": ["A"], "packs_developed": ["P"], "options_developed": ["motor/m"],
        "developments": [{"item": "P", "kind": "pack", "brand": None, "cost_jpy": 5.0}], "lines": [["K", "hatch"]],
    }
    return CaseData(label, scenario or label, f"{label}.xlsx", plan, kpis)


def test_sheet_names_are_valid_and_unique_whatever_the_scenario_names():
    labels = ["a/b", "a_b", "x" * 40, "x" * 45, "KPIs", "kpis", "'q'", "[]", "History", ""]
    names = sheet_names(labels, taken=FIXED_SHEETS)
    assert len({n.casefold() for n in [*names, *FIXED_SHEETS]}) == len(names) + len(FIXED_SHEETS)
    for n in names:
        assert 0 < len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) and n[0] != "'" and n[-1] != "'"
    assert names[:2] == ["a_b", "a_b (2)"] and names[2] == "x" * 31 and names[3] == "x" * 27 + " (2)"
    assert names[4] == "KPIs (2)" and names[8] != "History"


def test_the_workbook_has_its_sheets_deltas_and_three_charts(tmp_path):
    cmp = compare([case("base", 100.0, 1000.0), case("dear", 120.0, 1000.0)])
    path = write_comparison(tmp_path / "c.xlsx", cmp)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Scenarios", "KPIs", "What changed", "Charts", "base", "dear", "_comparison"]
    assert wb["_comparison"].sheet_state == "hidden"
    kpis = {r[0]: r[1:] for r in wb["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in wb["KPIs"][1]] == ["KPI", "base", "dear", "Δ dear", "Δ% dear"]
    assert kpis["total cost (¥, lifecycle)"] == (100, 120, 20, pytest.approx(0.2))
    assert wb["KPIs"]["D3"].number_format.startswith('+"¥"')
    scen = list(wb["Scenarios"].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in scen[:2]] == ["base", "dear"] and scen[1][3] == 20 and scen[1][5] == 10  # sharing saving column
    assert len(build_comparison(cmp)["Charts"]._charts) == 3


def test_a_reference_case_not_called_base_is_marked():
    wb = build_comparison(compare([case("s", 1.0, 1.0), case("t", 2.0, 1.0)]))
    assert wb["KPIs"]["B1"].value == "s (reference)"
    assert wb["Scenarios"]["A1"].value.endswith("deltas against 's'")
    notes = [r[0] for r in wb["Scenarios"].iter_rows(min_row=4, values_only=True) if r[0] and "first report given" in r[0]]
    assert notes, "the Scenarios sheet says why 's' is the reference"
