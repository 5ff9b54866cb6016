"""The report tells its story in order, with charts, provenance and a conclusion."""

from __future__ import annotations

import importlib.metadata as md
import platform

from example_case import example_case, example_report
from optimizer.pipeline import solve_case
from optimizer.report import build_report


def test_sheets_tell_the_story_in_order():
    wb = example_report()
    assert wb.sheetnames[:7] == ["Summary", "Programme", "What limits the plan", "Kei compliance", "Cost per car", "Who pays", "Sharing"]
    assert wb.sheetnames[-2:] == ["Provenance", "_plan_data"]


def test_summary_opens_with_a_planners_conclusion():
    ws = example_report()["Summary"]
    texts = [c for row in ws.iter_rows(max_col=1, values_only=True) for c in row if isinstance(c, str)]
    conclusion = next(t for t in texts if t.startswith("The plan offers"))
    offered = example_case().outcome.plan.offered()
    assert f"{len(offered)} of {len(example_case().plan_input.variants)} variants" in conclusion
    assert all(name in conclusion for name in offered)


def test_charts_are_inside_the_workbook():
    wb = example_report()
    assert all(len(wb[name]._charts) >= 1 for name in ("Summary", "Cost per car", "Who pays", "Plants"))


def test_provenance_names_versions_settings_and_model_size():
    ws = example_report()["Provenance"]
    values = {row[1]: row[2] for row in ws.iter_rows(min_row=4, values_only=True) if row[1]}
    assert values["Python"] == platform.python_version()
    assert values["Pyomo"] == md.version("pyomo") and values["HiGHS (highspy)"] == md.version("highspy")
    assert values["SHA-256"] == example_case().source.sha256
    assert values["variables"] == example_case().outcome.size.variables
    assert values["solve (s)"] == example_case().outcome.seconds["solve"]


def test_a_case_without_plan_gets_a_report_with_the_diagnosis(tmp_path):
    case = example_case()
    from dataclasses import replace

    inp = case.plan_input
    demand = tuple(replace(d, min_units=10 * d.min_units) if d.scope == "total" else d for d in inp.demand)
    bad = replace(inp, demand=demand, settings=replace(inp.settings, time_limit_s=20))
    broken = solve_case(case.source, bad, sharing_baseline=False)
    assert broken.outcome.plan is None
    wb = build_report(broken)
    assert wb.sheetnames[0] == "Summary" and "Provenance" in wb.sheetnames
    assert "Diagnosis" in wb.sheetnames
