"""Figures that rest on an unproven solve say so where they are shown, with the range the solvers'
bounds allow — on the Summary, in the conclusion, on Who pays and Sharing, in the comparison and in
the JSON — and proven figures are stated plainly (issue 12, item 17)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from example_case import example_case, example_report, unproven_case
from optimizer.analysis.certainty import (
    Bracket,
    cost_bracket,
    difference,
    percent,
    saving_bracket,
    share_bracket,
)
from optimizer.analysis.kpis import case_kpis
from optimizer.report import build_report
from optimizer.report.compare import CaseData, compare
from optimizer.report.comparison import build_comparison
from optimizer.report.json_out import plan_json


def solve(status: str, cost: float, bound: float | None):
    return SimpleNamespace(
        status=status,
        total_cost_jpy=cost,
        best_bound_jpy=bound,
        gap=None if bound is None else (cost - bound) / cost,
    )


def texts(ws) -> list[str]:
    return [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]


def labelled(ws) -> dict[str, tuple]:
    """Column A label -> the rest of its row."""
    return {row[0]: row[1:] for row in ws.iter_rows(values_only=True) if isinstance(row[0], str)}


# ---- the arithmetic --------------------------------------------------------------------------


def test_the_saving_lies_between_the_bounds_of_both_solves():
    # With sharing: plan 700, bound 690; without: plan 730, bound 600 (stopped far from proof).
    case = SimpleNamespace(
        outcome=solve("feasible", 700.0, 690.0), baseline=solve("feasible", 730.0, 600.0)
    )
    saving = saving_bracket(case)
    assert (saving.value, saving.low, saving.high) == (30.0, 600.0 - 700.0, 730.0 - 690.0)
    assert not saving.proven and not saving.certain
    share = share_bracket(case)
    assert share.low == pytest.approx(1 - 700 / 600) and share.high == pytest.approx(1 - 690 / 730)


def test_a_difference_of_two_costs_takes_both_ranges():
    base, this = cost_bracket(solve("optimal", 100.0, 99.99)), cost_bracket(solve("feasible", 120.0, 110.0))
    d = difference(this, base)
    assert (d.value, d.low, d.high) == (20.0, 110.0 - 100.0, pytest.approx(120.0 - 99.99))
    assert not d.certain
    assert difference(
        base, base
    ).certain, "two proven solves: a difference within the gap target is certain"


def test_no_bound_leaves_that_side_open():
    b = Bracket(5.0, None, 9.0, False)
    assert not b.certain and cost_bracket(solve("feasible", 9.0, None)).low is None


def test_percentages_keep_two_significant_digits():
    assert [percent(x) for x in (0.0000199, 0.0001, 0.0144, 0.8073, -0.0392, 0.0)] == [
        "0.002%",
        "0.010%",
        "1.4%",
        "81%",
        "−3.9%",
        "0%",
    ]


# ---- the report ------------------------------------------------------------------------------


def test_an_unproven_saving_is_shown_with_its_range_on_the_summary():
    case = unproven_case()
    saving = saving_bracket(case)
    wb = build_report(case, analysis=case.analysis)
    rows = labelled(wb["Summary"])
    low, high = f"¥{saving.low / 1e9:,.2f} bn".replace("¥-", "−¥"), f"¥{saving.high / 1e9:,.2f} bn"
    note = rows["saving from cross-brand sharing (¥)"][2]  # column D, next to the figure
    assert note.startswith("not proven") and low in note and high in note
    status_note = rows["status"][2]
    assert (
        status_note.startswith("not proven the cheapest")
        and f"¥{case.outcome.best_bound_jpy / 1e9:,.2f} bn" in status_note
    )
    conclusion = " ".join(case.analysis.conclusion)
    assert "Not proven the cheapest" in conclusion and f"saves between {low} and {high}" in conclusion
    assert (
        "Sharing parts and packs across brands saves ¥" not in conclusion
    ), "no unproven saving stated as a fact"
    assert "Shapley (¥, not proven)" in texts(wb["Who pays"]) and "Shapley (¥, not proven)" in texts(
        wb["Summary"]
    )
    assert any(t.startswith("Not proven:") for t in texts(wb["Who pays"]))
    assert "saving from sharing (¥, not proven)" in texts(wb["Sharing"])


def test_a_proven_saving_is_stated_plainly():
    wb = example_report()
    assert not [t for ws in wb.worksheets for t in texts(ws) if "not proven" in t.lower()]
    conclusion = [t for t in texts(wb["Summary"]) if t.startswith("Sharing parts and packs")]
    assert conclusion and "between" not in conclusion[0]


def test_the_json_gives_the_saving_its_range_and_the_solve_it_rests_on():
    for case, proven in ((example_case(), True), (unproven_case(), False)):
        obj = plan_json(case, None)
        for key in (
            "status",
            "scenario",
            "total_cost_jpy",
            "best_bound_jpy",
            "gap",
            "variants",
            "developed",
            "report",
        ):
            assert key in obj, "the contract's fields stay"
        low, high = obj["sharing_saving_range_jpy"]
        assert obj["sharing_saving_proven"] is proven
        assert low <= obj["sharing_saving_jpy"] <= high
        assert low == pytest.approx(case.baseline.best_bound_jpy - case.outcome.total_cost_jpy)
        assert high == pytest.approx(case.baseline.total_cost_jpy - case.outcome.best_bound_jpy)
        assert obj["without_sharing"]["status"] == case.baseline.status


# ---- the comparison --------------------------------------------------------------------------


def test_the_comparison_says_which_differences_are_not_proven():
    proven, unproven = example_case(), unproven_case()
    cases = [
        CaseData("base", "base", "base.xlsx", plan_json(proven, "base.xlsx"), case_kpis(proven)),
        CaseData(
            "rushed",
            "rushed",
            "rushed.xlsx",
            plan_json(unproven, "rushed.xlsx"),
            {**case_kpis(unproven), "scenario": "rushed"},
        ),
    ]
    wb = build_comparison(compare(cases))
    rows = {r[0]: r for r in wb["Scenarios"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert not rows["base"][9], "the proven base case has nothing unproven"
    doubt = rows["rushed"][9]
    assert (
        "cost not proven the cheapest" in doubt
        and "Δ vs base between" in doubt
        and "sharing saves between" in doubt
    )
    kpis = labelled(wb["KPIs"])
    assert (
        "saving from sharing: the least the bounds allow (¥)" in kpis
        and "no plan costs less than (¥, the solver's bound)" in kpis
    )
    assert "Δ not proven: at least (¥)" in texts(wb["Charts"])
