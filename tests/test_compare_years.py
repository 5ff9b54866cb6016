"""Programmes compared year by year (issue 13, item 4): each case's launch year per variant, units,
yen paid and present value by year against the base case, from what the reports embed — checked
against the cases' own evaluations, and on hand-made cases for what the example does not show (a
launch moved, a case without a plan, a case over other years, cases without years)."""

from __future__ import annotations

import copy
import functools

import openpyxl
import pytest

from example_case import EXAMPLE, example_case
from optimizer.analysis.kpis import case_kpis
from optimizer.pipeline import load_input, solve_case
from optimizer.report import write_report
from optimizer.report.compare import CaseData, changed_decisions, compare, read_reports
from optimizer.report.compare_years import NO_PLAN, NOT_OFFERED, compare_years
from optimizer.report.comparison import build_comparison, write_comparison
from optimizer.report.comparison_years import SHEET
from optimizer.report.style import AMBER_FILL


@functools.lru_cache(maxsize=None)
def no_sharing_case():
    """The example's no-sharing scenario: it launches a variant the base case does not offer."""
    source, inp, _ = load_input(EXAMPLE, "no-sharing")
    return solve_case(source, inp, sharing_baseline=False)


def test_the_kpis_hold_the_programme_year_by_year():
    case = example_case()
    k, plan, ev = case_kpis(case), case.outcome.plan, case.outcome.evaluation
    years = [y.name for y in case.plan_input.years]
    assert k["years"] == years
    assert k["units_by_year"] == {y: pytest.approx(sum(plan.variants[v].units_in(y) for v in plan.offered())) for y in years}
    assert sum(k["units_by_year"].values()) == pytest.approx(k["units_total"])
    assert k["cost_paid_by_year_jpy"] == {p.year: pytest.approx(sum(p.paid.values())) for p in ev.periods}
    assert sum(k["cost_paid_by_year_jpy"].values()) == pytest.approx(ev.undiscounted_cost_jpy, rel=1e-12)
    factors = {y.name: y.discount_factor for y in case.plan_input.years}
    assert sum(k["cost_present_value_by_year_jpy"].values()) == pytest.approx(k["total_cost_jpy"], rel=1e-12)
    for y in years:  # the example's production and one-time costs are discounted alike
        assert k["cost_present_value_by_year_jpy"][y] == pytest.approx(factors[y] * k["cost_paid_by_year_jpy"][y], rel=1e-12)


def test_the_year_by_year_sheet_of_the_example_and_a_scenario_from_their_reports(tmp_path):
    cases = {"base": example_case(), "no-sharing": no_sharing_case()}
    paths = [write_report(tmp_path / f"{name}.xlsx", c) for name, c in cases.items()]
    cmp = compare(read_reports(paths))
    write_comparison(tmp_path / "comparison.xlsx", cmp)
    wb = openpyxl.load_workbook(tmp_path / "comparison.xlsx")
    assert wb.sheetnames[:2] == ["Scenarios", SHEET]
    tables = _tables(wb[SHEET])
    years = [y.name for y in example_case().plan_input.years]

    launch = tables["Launch year by variant"]
    variants = list(launch[0][1:])
    for row in launch[1:]:
        plan = cases[row[0]].outcome.plan
        for v, shown in zip(variants, row[1:]):
            assert shown == (plan.variants[v].launch_year if plan.variants[v].offered else NOT_OFFERED)
    assert set(variants) == {v for c in cases.values() for v in c.outcome.plan.offered()}
    assert launch[1][1:] != launch[2][1:], "no-sharing offers a variant the base case does not"

    for title, figure in (("Units by year", _units), ("Cost paid by year", _paid), ("Cost by year in present value", _pv)):
        header, *rows = tables[title]
        assert [str(h) for h in header[1:1 + len(years)]] == years
        assert [str(h) for h in header[2 + len(years):2 + 2 * len(years)]] == [f"Δ {y}" for y in years]
        by_case = {r[0]: r for r in rows}
        base = [figure(cases["base"], y) for y in years]
        for name, c in cases.items():
            r = by_case[name]
            mine = [figure(c, y) for y in years]
            assert list(r[1:1 + len(years)]) == pytest.approx(mine, rel=1e-12)
            assert r[1 + len(years)] == pytest.approx(sum(mine), rel=1e-12)
            deltas = r[2 + len(years):]
            if name == "base":
                assert not any(d is not None for d in deltas)
            else:
                assert list(deltas[:-1]) == pytest.approx([m - b for m, b in zip(mine, base)], rel=1e-9, abs=1e-6)
                assert deltas[-1] == pytest.approx(sum(mine) - sum(base), rel=1e-9, abs=1e-6)
    pv = {r[0]: r for r in tables["Cost by year in present value"][1:]}
    for name, c in cases.items():
        assert pv[name][1 + len(years)] == pytest.approx(c.outcome.total_cost_jpy, rel=1e-12)


def _units(case, year):
    plan = case.outcome.plan
    return sum(plan.variants[v].units_in(year) for v in plan.offered())


def _paid(case, year):
    return sum(case.outcome.evaluation.period(year).paid.values())


def _pv(case, year):
    return sum(case.outcome.evaluation.period(year).weighted.values())


def _tables(ws) -> dict[str, list[tuple]]:
    """Every table of the sheet under its section title (the title's words before any '(')."""
    cells = list(ws.iter_rows(values_only=True))
    out, i = {}, 0
    while i < len(cells):
        title = cells[i][0]
        if isinstance(title, str) and i + 1 < len(cells) and cells[i + 1][0] == "scenario":
            rows, j = [], i + 1
            while j < len(cells) and cells[j][0] is not None:
                rows.append(tuple(x for x in cells[j]))
                j += 1
            width = max(k for k, x in enumerate(rows[0]) if x is not None) + 1
            out[title.split(" (")[0]] = [r[:width] for r in rows]
            i = j
        i += 1
    return out


# ---- hand-made cases ----------------------------------------------------------------------------


YEARS = ["2027", "2028", "2029"]


def programme(label: str, launch: str, units: list[float], paid: list[float], factor: float = 0.9,
              years: list[str] = YEARS) -> CaseData:
    pv = [x * factor ** i for i, x in enumerate(paid)]
    plan = {"status": "optimal", "scenario": label, "total_cost_jpy": sum(pv), "years": years,
            "variants": {"A": {"offered": True, "units": sum(units), "pack": "P", "options": {}, "plants": {"K": sum(units)},
                               "launch_year": launch,
                               "by_year": {y: {"units": u, "plants": {"K": u}} for y, u in zip(years, units)}},
                         "B": {"offered": False, "units": 0.0, "pack": None, "options": {}, "plants": {}}}}
    kpis = {"scenario": label, "status": "optimal", "total_cost_jpy": sum(pv), "gap": 0.0, "units_total": sum(units),
            "units_by_variant": {"A": sum(units)}, "variants_offered": ["A"], "years": years,
            "units_by_year": dict(zip(years, units)), "cost_paid_by_year_jpy": dict(zip(years, paid)),
            "cost_present_value_by_year_jpy": dict(zip(years, pv))}
    return CaseData(label, label, f"{label}.xlsx", plan, kpis)


def test_a_launch_moved_is_a_changed_decision_and_shaded():
    base = programme("base", "2027", [100, 200, 300], [10e9, 5e9, 5e9])
    late = programme("late", "2028", [0, 250, 300], [1e9, 12e9, 5e9])
    cmp = compare([base, late])
    yc = compare_years(cmp)
    assert yc.launches == (("2027",), ("2028",))
    assert yc.units[1].deltas == (-100, 50, 0) and yc.units[1].total_delta == -50
    assert yc.paid[1].deltas == pytest.approx((-9e9, 7e9, 0)) and yc.paid[1].total == pytest.approx(18e9)
    assert yc.present_value[1].total == pytest.approx(late.kpis["total_cost_jpy"])
    assert yc.present_value[1].total_delta == pytest.approx(late.kpis["total_cost_jpy"] - base.kpis["total_cost_jpy"])
    assert ("launch year", "A", "2027", "2028") in [(c.decision, c.item, c.base, c.this) for c in changed_decisions(base, late)]
    ws = build_comparison(cmp)[SHEET]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "2028" and c.row > 3 and c.column == 2)
    assert cell.fill.fgColor.rgb == AMBER_FILL.fgColor.rgb
    base_cell = ws.cell(row=cell.row - 1, column=2)
    assert base_cell.value == "2027" and base_cell.fill.fill_type is None
    plan_sheet = build_comparison(cmp)["late"]
    labels = [r[0] for r in plan_sheet.iter_rows(values_only=True)]
    assert "launch year" in labels and "units over 2027–2029" in labels


def test_a_case_without_a_plan_and_a_case_over_other_years():
    base = programme("base", "2027", [100, 200, 300], [10e9, 5e9, 5e9])
    none = copy.deepcopy(programme("none", "2027", [0, 0, 0], [0, 0, 0]))
    none.kpis["total_cost_jpy"] = None
    none.kpis["status"] = "infeasible"
    short = programme("short", "2027", [100, 200], [10e9, 5e9], years=["2027", "2028"])
    yc = compare_years(compare([base, none, short]))
    assert yc.years == tuple(YEARS)
    assert yc.launches[1] == (NO_PLAN,)
    assert yc.units[1].values == (None, None, None) and yc.units[1].total is None and yc.units[1].total_delta is None
    assert yc.units[2].values == (100, 200, None) and yc.units[2].deltas == (0, 0, None)
    assert yc.units[2].total is None, "a programme over other years has no comparable total"
    assert any("short covers 2027–2028" in n for n in yc.notes)


def test_cases_without_years_have_no_year_by_year_sheet():
    from test_report_comparison import case

    cmp = compare([case("base", 100.0, 1000.0), case("dear", 120.0, 1000.0)])
    assert compare_years(cmp) is None
    assert SHEET not in build_comparison(cmp).sheetnames
