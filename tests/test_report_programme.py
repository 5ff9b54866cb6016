"""The Programme sheet and the Summary's sentences about time: every figure agrees with the plan,
and a launch year's stated reason holds in the workbook's own figures. Every table has the years as
its columns."""

from __future__ import annotations

import pytest
from openpyxl.utils import get_column_letter

from builders import programme, write
from example_case import example_analysis, example_case, example_report
from models.evaluate import COST_KINDS
from optimizer.analysis.programme import launches
from optimizer.pipeline import load_input
from optimizer.report.programme import SOLD, OPEN, TIER_FILLS, price_format, tier_reached
from optimizer.solving.solve import make_plan


def rows_after(ws, title: str, skip: int = 0) -> list[tuple]:
    """The table under a section title (the first that starts so), `skip` rows of notes below it:
    its header row and data rows, up to the first blank row."""
    cells = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(cells) if isinstance(row[0], str) and row[0].startswith(title)) + skip
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
    years = [str(y) for y in header[1:-1]]
    assert years == [y.name for y in inp.years] and header[-1] == "over the programme"
    assert [r[0] for r in rows[:-1]] == plan.offered() and rows[-1][0] == "all variants"
    for row in rows[:-1]:
        for year, units in zip(years, row[1:-1]):
            assert units == pytest.approx(plan.variants[row[0]].units_in(year))
        assert row[-1] == pytest.approx(plan.variants[row[0]].units) == pytest.approx(sum(row[1:-1]))
    for j in range(1, len(header)):
        assert rows[-1][j] == pytest.approx(sum(r[j] for r in rows[:-1]))


def test_the_units_chart_stacks_each_variant_over_the_years():
    ws = example_report()["Programme"]
    (chart,) = ws._charts
    assert chart.grouping == "stacked"
    header, *rows = rows_after(ws, "Units by year and variant")
    first = next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[0] == rows[0][0] and row[1] is not None
                 and not isinstance(row[1], str))
    titles = [s.tx.strRef.f.replace("$", "") for s in chart.series]
    values = [s.val.numRef.f.replace("$", "") for s in chart.series]
    last = get_column_letter(len(header) - 1)  # the last year's column
    assert len(chart.series) == len(rows) - 1  # one series a variant, not the total
    for k, (title, ref) in enumerate(zip(titles, values)):
        assert title == f"'Programme'!A{first + k}" and ref == f"'Programme'!B{first + k}:{last}{first + k}"
    cat = chart.series[0].cat
    assert (cat.numRef or cat.strRef).f.replace("$", "") == f"'Programme'!B{first - 1}:{last}{first - 1}"


def test_cost_by_year_adds_up_to_the_total_in_present_value():
    case = example_case()
    ev = case.outcome.evaluation
    header, *rows = rows_after(example_report()["Programme"], "Cost by year and kind (¥ paid that year)")
    table = {r[0]: r for r in rows}
    years = len(case.plan_input.years)
    assert [str(y) for y in header[1:1 + years]] == [y.name for y in case.plan_input.years]
    for kind in COST_KINDS:
        assert list(table[kind][1:1 + years]) == pytest.approx([p.paid[kind] for p in ev.periods], rel=1e-12)
        assert table[kind][-2] == pytest.approx(sum(table[kind][1:1 + years]), rel=1e-12)
        assert table[kind][-1] == pytest.approx(ev.costs[kind], rel=1e-12)
    for j in range(1, years + 2):
        assert table["paid that year"][j] == pytest.approx(sum(table[k][j] for k in COST_KINDS), rel=1e-12)
    factors = table["discount factor"][1:1 + years]
    paid = table["paid that year"][1:1 + years]
    assert sum(f * x for f, x in zip(factors, paid)) == pytest.approx(case.outcome.total_cost_jpy, rel=1e-9)
    assert table["paid that year"][-2] == pytest.approx(ev.undiscounted_cost_jpy, rel=1e-12)
    assert table["present value of the year"][-1] == pytest.approx(case.outcome.total_cost_jpy, rel=1e-12)
    assert [y.discount_factor for y in case.plan_input.years] == pytest.approx(list(factors))


def test_the_timeline_marks_every_year_from_launch_on():
    case = example_case()
    plan = case.outcome.plan
    inp = case.plan_input
    header, *rows = rows_after(example_report()["Programme"], "Launch timeline")
    n = len(inp.years)
    years = [str(y) for y in header[1:1 + n]]
    assert years == [y.name for y in inp.years] and list(header[1 + n:1 + n + 3]) == ["launch", "window", "why then"]
    found = {x.variant: x for x in launches(inp, plan, case.outcome.evaluation)}
    assert [r[0] for r in rows] == [v.name for v in inp.variants]
    for row in rows:
        vp = plan.variants[row[0]]
        marks = row[1:1 + n]
        if not vp.offered:
            assert row[1 + n] == "not offered" and not any(marks)
            continue
        window = [y.name for y in inp.launch_window(inp.variant(row[0]))]
        assert str(row[1 + n]) == vp.launch_year and row[2 + n] == f"{window[0]}–{window[-1]}"
        assert row[3 + n] == found[row[0]].reason
        start = years.index(vp.launch_year)
        assert list(marks) == [SOLD if i >= start else OPEN if y in window else None for i, y in enumerate(years)]


def test_packs_and_parts_have_their_volume_and_price_each_year_and_the_tier_reached():
    case = example_case()
    inp, ev = case.plan_input, case.outcome.evaluation
    ws = example_report()["Programme"]
    header, *rows = rows_after(ws, "Packs and parts by year", skip=1)
    n = len(inp.years)
    assert [str(h) for h in header[1:1 + n]] == [f"{y.name} units" for y in inp.years]
    assert [str(h) for h in header[2 + n:2 + 2 * n]] == [f"{y.name} ¥ a unit" for y in inp.years]
    used = {i for p in ev.periods for i, x in p.volumes.items() if x.units > 0}
    assert {r[0] for r in rows} == used and len(rows) == len(used)
    first = next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[0] == rows[0][0])
    tiers_seen = set()
    for k, row in enumerate(rows):
        item = row[0]
        vols = [ev.periods[j].volumes.get(item) for j in range(n)]
        assert [x.units if x is not None and x.units > 0 else None for x in vols] == pytest.approx(list(row[1:1 + n]))
        assert row[1 + n] == pytest.approx(sum(x.units for x in vols if x is not None))
        for j, x in enumerate(vols):
            price = row[2 + n + j]
            cell = ws.cell(row=first + k, column=3 + n + j)
            if x is None or x.units <= 0:
                assert price is None
                continue
            assert price == pytest.approx(x.unit_price_jpy, rel=1e-12)
            tier = 0 if x.tier_min_units is None else 1 + [t.min_units for t in inp.tiers[item]].index(x.tier_min_units)
            tiers_seen.add(tier)
            assert tier_reached(inp, x) == tier and cell.number_format == price_format(tier)
            assert (cell.fill.fgColor.rgb == TIER_FILLS[tier - 1].fgColor.rgb) if tier else cell.fill.fill_type is None
        assert row[-1] == pytest.approx(sum(x.units * x.unit_price_jpy for x in vols if x is not None), rel=1e-12)
    assert tiers_seen >= {0, 1, 2}, "the example reaches both volume tiers somewhere"
    for kind, cost in (("pack", "production: packs"), ("option", "production: parts")):
        paid = sum(r[-1] for r in rows if ev.volumes[r[0]].kind == kind)
        assert paid == pytest.approx(sum(p.paid[cost] for p in ev.periods), rel=1e-9)
    order = [ev.volumes[r[0]].kind for r in rows]
    assert order == sorted(order, key=lambda k: k != "pack")
    assert price_format(1).endswith('"¹"') and price_format(2).endswith('"²"')


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
