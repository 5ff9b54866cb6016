"""The Summary is a one-page management summary — the cars offered with units, pack, range against
its target and list unit cost against its ceiling, the total and its split — and the solver's
internals are on Provenance; the comparison's charts draw differences from the base case; the
compliance sheet paints only a broken rule red (issue 12, items 19 and 20)."""

from __future__ import annotations

import pytest

from example_case import example_case, example_report
from optimizer.analysis.compliance import Check
from optimizer.report.compare import CaseData, compare
from optimizer.report.comparison import build_comparison
from optimizer.report.printing import header_rows, wrapped_lines, width_units
from optimizer.text import units_per

INTERNALS = (
    "SHA-256",
    "best bound",
    "HiGHS",
    "solver status",
    "gap target",
    "time limit",
    "input workbook",
)


def cells(ws) -> list:
    return [c for row in ws.iter_rows() for c in row if c.value is not None]


def table(ws, first: str) -> list[dict]:
    """The table whose header starts with `first`, as dicts (until its first blank row)."""
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == first)
    out = []
    for r in rows[at + 1 :]:
        if r[0] is None:
            break
        out.append(dict(zip(rows[at], r)))
    return out


def test_the_summary_shows_each_offered_car_against_its_range_target_and_cost_ceiling():
    case, ws = example_case(), example_report()["Summary"]
    cars = {r["variant"]: r for r in table(ws, "variant")}
    offered = case.outcome.plan.offered()
    assert list(cars) == offered
    for v in case.plan_input.variants:
        if v.name not in cars:
            continue
        row, vp, f = (
            cars[v.name],
            case.outcome.plan.variants[v.name],
            case.outcome.evaluation.figures[v.name],
        )
        assert (row[units_per(case.plan_input)], row["pack"]) == (vp.units, vp.pack)
        assert (row["range (km)"], row["range target (km)"]) == (
            pytest.approx(f.range_km),
            v.range_target_km,
        )
        assert row["list unit cost (¥)"] == pytest.approx(f.list_unit_cost_jpy)
        assert row["unit cost ceiling (¥)"] == (
            v.max_unit_cost_jpy if v.max_unit_cost_jpy is not None else "none"
        )


def test_the_summary_gives_the_total_and_its_split():
    case, ws = example_case(), example_report()["Summary"]
    kinds = table(ws, "cost kind")
    total = case.outcome.evaluation.total_cost_jpy
    assert kinds[-1]["cost kind"] == "total" and kinds[-1]["cost (¥)"] == pytest.approx(total)
    assert sum(r["cost (¥)"] for r in kinds[:-1]) == pytest.approx(total)
    brands = table(ws, "brand")
    assert {r["brand"] for r in brands} == set(case.plan_input.brands)
    assert sum(r["by units (¥)"] for r in brands) == pytest.approx(total)
    assert len(ws._charts) == 1


def test_solver_internals_are_on_provenance_not_on_the_summary():
    wb = example_report()
    summary = [c.value for c in cells(wb["Summary"]) if isinstance(c.value, str)]
    assert not [
        t for t in summary for word in INTERNALS if t.startswith(word)
    ], "internals stay off the one-page summary"
    assert sum(1 for t in summary if t == "status") == 1, "the status is given once"
    provenance = {(r[0], r[1]) for r in wb["Provenance"].iter_rows(min_row=4, values_only=True)}
    for item in ("SHA-256", "best bound (¥)", "HiGHS status", "gap target", "time limit (s)"):
        assert any(label == item for _, label in provenance), item
    assert (
        "solver, without sharing",
        "status",
    ) in provenance, "the solve the saving rests on is recorded too"


def test_the_comparison_charts_draw_differences_from_the_base_case():
    def case(label: str, total: float) -> CaseData:
        kpis = {
            "scenario": label,
            "status": "optimal",
            "total_cost_jpy": total,
            "best_bound_jpy": total,
            "cost_by_kind_jpy": {"production: parts": total},
            "units_by_variant": {"A": 10.0},
        }
        plan = {
            "variants": {"A": {"offered": True, "units": 10.0, "pack": "P", "options": {}, "plants": {}}}
        }
        return CaseData(label, label, None, plan, kpis)

    wb = build_comparison(compare([case("base", 700e9), case("dear", 702e9), case("cheap", 699e9)]))
    ws = wb["Charts"]
    assert len(ws._charts) == 3
    total = ws._charts[0]
    ref = total.series[0].val.numRef.f  # the cells the bars are drawn from
    first, last = ref.split("!")[1].replace("$", "").split(":")
    values = [ws[f"{first[0]}{r}"].value for r in range(int(first[1:]), int(last[1:]) + 1)]
    assert values == [
        pytest.approx(2e9),
        pytest.approx(-1e9),
    ], "scenario minus base, not the totals from ¥0"
    assert all(
        c.y_axis.scaling.min is None for c in ws._charts
    ), "the axis follows the differences (they may be negative)"


def test_at_the_limit_is_compliant_and_only_a_broken_rule_is_red():
    assert Check("v", "max seats", "rules", "seats", 4, 4, False).status == "at the limit"
    assert Check("v", "max seats", "rules", "seats", 5, 4, False).status == "broken"
    ws = example_report()["Kei compliance"]
    from optimizer.report.style import AMBER_FILL, RED_FILL

    rules = {r.dxf.fill.fgColor.rgb: r.formula[0] for cf in ws.conditional_formatting for r in cf.rules}
    assert "broken" in rules[RED_FILL.fgColor.rgb] and "at the limit" not in rules[RED_FILL.fgColor.rgb]
    assert "at the limit" in rules[AMBER_FILL.fgColor.rgb]


@pytest.mark.parametrize(
    "sheet",
    [
        "Summary",
        "What limits the plan",
        "Kei compliance",
        "Cost per car",
        "Who pays",
        "Sharing",
        "Variants",
        "Plants",
        "Developed",
        "Provenance",
    ],
)
def test_no_header_is_clipped(sheet):
    """Every table header either fits its column or wraps between words into a row tall enough."""
    ws = example_report()[sheet]
    for r in header_rows(ws):
        for cell in ws[r]:
            if not isinstance(cell.value, str):
                continue
            assert cell.alignment.wrap_text, (sheet, cell.coordinate)
            width = width_units(ws, cell.column)
            assert wrapped_lines(cell.value, width, bold=True) * 15 <= ws.row_dimensions[r].height, (
                sheet,
                cell.value,
            )
            assert all(wrapped_lines(word, width, bold=True) == 1 for word in cell.value.split()), (
                sheet,
                cell.value,
                width,
            )
