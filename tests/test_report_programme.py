"""The Programme sheet and the Summary's sentences about time: every figure agrees with the plan,
and a launch year's stated reason holds in the workbook's own figures."""

from __future__ import annotations

import pytest

from builders import programme, write
from example_case import example_analysis, example_case, example_report
from optimizer.analysis.programme import launches
from optimizer.pipeline import load_input
from optimizer.solving.solve import make_plan


def rows_after(ws, title: str) -> list[tuple]:
    """The table under a section title: its header row and data rows, up to the first blank row."""
    cells = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(cells) if row[0] == title)
    header = cells[start + 1]
    width = max(i for i, x in enumerate(header) if x is not None) + 1  # other tables share the sheet's columns
    out = []
    for row in cells[start + 1:]:
        if row[0] is None:
            break
        out.append(row[:width])
    return out


def test_the_example_is_a_programme_with_a_programme_sheet():
    assert example_case().plan_input.years
    assert "Programme" in example_report().sheetnames


def test_units_by_year_and_variant_are_the_plans():
    case = example_case()
    plan, inp = case.outcome.plan, case.plan_input
    header, *rows = rows_after(example_report()["Programme"], "Units by year and variant")
    names = list(header[1:-1])
    assert names == [v for v in plan.offered()]
    for row in rows[:-1]:
        year = str(row[0])
        for name, units in zip(names, row[1:-1]):
            assert units == pytest.approx(plan.variants[name].units_in(year))
        assert row[-1] == pytest.approx(sum(row[1:-1]))
    assert [str(r[0]) for r in rows[:-1]] == [y.name for y in inp.years]


def test_cost_by_year_adds_up_to_the_total_in_present_value():
    case = example_case()
    ev = case.outcome.evaluation
    header, *rows = rows_after(example_report()["Programme"], "Cost by year and kind (¥ paid that year)")
    table = {r[0]: r for r in rows}
    years = len(case.plan_input.years)
    factors = table["discount factor"][1:1 + years]
    paid = table["paid that year"][1:1 + years]
    assert sum(f * x for f, x in zip(factors, paid)) == pytest.approx(case.outcome.total_cost_jpy, rel=1e-9)
    assert table["paid that year"][-2] == pytest.approx(ev.undiscounted_cost_jpy, rel=1e-12)
    assert table["present value of the year"][-1] == pytest.approx(case.outcome.total_cost_jpy, rel=1e-12)
    assert [y.discount_factor for y in case.plan_input.years] == pytest.approx(list(factors))


def test_the_timeline_marks_every_year_from_launch_on():
    case = example_case()
    plan = case.outcome.plan
    header, *rows = rows_after(example_report()["Programme"], "Launch timeline")
    years = [str(y) for y in header[3:-1]]
    for row in rows:
        vp = plan.variants[row[0]]
        if not vp.offered:
            assert row[1] == "not offered"
            continue
        assert str(row[1]) == vp.launch_year
        assert [m == "●" for m in row[3:-1]] == [years.index(y) >= years.index(vp.launch_year) for y in years]
    chart = example_report()["Programme"]._charts[0]
    assert chart.grouping == "stacked"


def test_the_summary_says_when_each_variant_launches():
    conclusion = " ".join(example_analysis().conclusion)
    for x in launches(example_case().plan_input, example_case().outcome.plan, example_case().outcome.evaluation):
        assert f"{x.variant} launches in {x.year}" in conclusion


def test_a_launch_held_back_by_the_ceiling_says_so(tmp_path):
    """Packs get cheaper each year; the van's ceiling admits its build only from 2028: it launches
    then, and the reason names the ceiling with the 2027 figures."""
    t = programme(locks=None, futures=None)
    t["years"] = [dict(year=2027, pack_cost_factor=1.0), dict(year=2028, pack_cost_factor=0.8), dict(year=2029, pack_cost_factor=0.8)]
    t["variants"][2].update(must_offer="yes", max_unit_cost_jpy=8.2e5)
    t["demand"] = [dict(scope="total", min_units=30000)]
    _, inp, _ = load_input(write(t, tmp_path / "wb.xlsx"), "base")
    o = make_plan(inp)
    van = next(x for x in launches(inp, o.plan, o.evaluation) if x.variant == "H-van")
    assert van.year == "2028" and "unit cost ceiling" in van.reason and "in 2027" in van.reason
