"""The ranges sheet: rows checked with located messages, applied exactly as scenario rows are,
every case validated, and the distributions and seeded samples a sweep draws from."""

from __future__ import annotations

import statistics

import pytest

from builders import tables, write
from clirun import find_problem, invoke, plan
from optimizer.problems import InputError
from optimizer.sweeps.cases import (
    SweepInputs,
    check_cases,
    check_ranges,
    monte_carlo_case,
    monte_carlo_cases,
    tornado_cases,
)
from optimizer.sweeps.ranges import RangeRow, apply_quantiles, read_ranges
from optimizer.workbook.read import RawRow, read_workbook
from optimizer.workbook.scenarios import apply_scenario
from optimizer.workbook.validate import validate
from sweeps_support import RANGES, ranges_workbook
from test_scenarios import MIX


def raw_with(tmp_path, ranges, **sheets):
    return read_workbook(ranges_workbook(tmp_path / "wb.xlsx", ranges, **sheets))


def problems_of(tmp_path, ranges) -> list[str]:
    with pytest.raises(InputError) as err:
        check_ranges(raw_with(tmp_path, ranges))
    return [str(p) for p in err.value.problems]


# ---- applied exactly as scenarios are ----------------------------------------------------------


NUMERIC_MIX = [r for r in MIX if isinstance(r["value"], (int, float))]


@pytest.mark.parametrize("row", NUMERIC_MIX, ids=lambda r: f"{r['sheet']}-{r['column']}-{r['op']}")
def test_a_range_at_a_value_is_the_scenario_row_with_that_value(tmp_path, row):
    """Every sheet a scenario can change, with set, multiply and add: the case's input is exactly
    the one `plan solve --scenario` builds from the same row (one code path for both)."""
    scenario = dict(row, scenario="s")
    rng = dict(
        name="r",
        sheet=row["sheet"],
        match=row["match"],
        column=row["column"],
        op=row["op"],
        low=row["value"],
        high=row["value"] * 2 + 1,
    )
    raw = raw_with(tmp_path, [rng], scenarios=[scenario])
    ranges = read_ranges(raw)
    at_low = validate(apply_quantiles(raw, ranges, (0.0,))).plan_input
    assert at_low == validate(apply_scenario(raw, "s")).plan_input


def test_rows_of_one_name_move_together_to_the_same_quantile(tmp_path):
    raw = raw_with(tmp_path, RANGES)
    ranges = read_ranges(raw)
    assert ranges.names() == ["pack prices", "Mizushima capacity", "years", "hatch demand"]
    packs = ranges.uncertainties[0]
    assert len(packs.rows) == 2
    for q in (0.0, 0.3, 0.77, 1.0):
        inp = validate(apply_quantiles(raw, ranges, (q, None, None, None))).plan_input
        factor = packs.rows[0].value_at(q)
        assert packs.values_at(q) == (factor, factor)
        assert inp.pack("P20").unit_cost_jpy == pytest.approx(320000 * factor)
        assert inp.pack("P25").unit_cost_jpy == pytest.approx(390000 * factor)
        assert inp.tiers["P20"][0].unit_cost_jpy == pytest.approx(300000 * factor)


def test_applying_a_case_leaves_the_workbook_as_read(tmp_path):
    raw = raw_with(tmp_path, RANGES)
    before = validate(raw).plan_input
    ranges = read_ranges(raw)
    for q in (0.0, 1.0):
        apply_quantiles(raw, ranges, (q,) * len(ranges.uncertainties))
    assert validate(raw).plan_input == before


# ---- located messages ---------------------------------------------------------------------------


BAD = [
    (dict(name=None), ["row 2", "column A 'name'", "is blank"]),
    (
        dict(sheet="pakcs"),
        [
            "row 2",
            "column B 'sheet'",
            "(value 'pakcs')",
            "is not a sheet a range can change",
            "Did you mean 'packs'?",
        ],
    ),
    (dict(sheet="scenarios"), ["row 2", "column B 'sheet'", "is not a sheet a range can change"]),
    (dict(sheet="ranges"), ["row 2", "column B 'sheet'", "is not a sheet a range can change"]),
    (dict(match="pack=P99"), ["row 2", "column C 'match'", "matches no row of packs"]),
    (
        dict(column="unit_cost"),
        ["row 2", "column D 'column'", "is not a column of packs", "Did you mean 'unit_cost_jpy'?"],
    ),
    (dict(column="pack", op="set"), ["row 2", "column D 'column'", "holds names or text, not numbers"]),
    (
        dict(sheet="settings", match="integer_units", column="value", op="set"),
        ["row 2", "holds yes/no, not numbers"],
    ),
    (dict(op="divide"), ["row 2", "column E 'op'", "(value 'divide')", "is not an operation"]),
    (dict(low="cheap"), ["row 2", "column F 'low'", "(value 'cheap')", "expected a number"]),
    (dict(high=None), ["row 2", "column G 'high'", "is blank; high is required"]),
    (dict(low=1.3, high=0.8), ["row 2", "column F 'low'", "low is above high (0.8)"]),
    (dict(most_likely=2.0), ["row 2", "column H 'most_likely'", "is outside low..high (0.8 to 1.3)"]),
    (
        dict(distribution="gauss"),
        ["row 2", "column I 'distribution'", "(value 'gauss')", "is not a distribution"],
    ),
]


@pytest.mark.parametrize("change,fragments", BAD, ids=[str(c) for c, _ in BAD])
def test_a_bad_row_is_named_by_sheet_row_column_and_value(tmp_path, change, fragments):
    row = dict(
        dict(
            name="r",
            sheet="packs",
            match="*",
            column="unit_cost_jpy",
            op="multiply",
            low=0.8,
            high=1.3,
            most_likely=1.0,
            distribution=None,
        ),
        **change,
    )
    shown = problems_of(tmp_path, [row])
    assert any(all(f in s for f in ["sheet 'ranges'", *fragments]) for s in shown), shown


def test_a_value_the_cells_cannot_hold_names_the_cell_and_the_range(tmp_path):
    row = dict(
        name="r", sheet="packs", match="pack=P20", column="unit_cost_jpy", op="add", low=-500000, high=0
    )
    shown = problems_of(tmp_path, [row])
    assert any(
        "sheet 'packs', row 2, column G 'unit_cost_jpy'" in s
        and "r at its low: cannot be negative" in s
        and "set by range 'r' (ranges row 2) at -500000" in s
        for s in shown
    ), shown


def test_the_same_cells_twice_in_one_range_is_refused(tmp_path):
    row = dict(name="r", sheet="packs", match="*", column="unit_cost_jpy", op="multiply", low=0.8, high=1.3)
    shown = problems_of(tmp_path, [row, dict(row)])
    assert any("row 3" in s and "changes these cells twice (also row 2)" in s for s in shown), shown


def test_an_end_that_breaks_a_rule_of_the_workbook_names_the_cell_and_the_range(tmp_path):
    """Each range alone at its low and its high must give a valid workbook: here the pack's list
    price falls below its own volume tier at the low end (the tier row was left out)."""
    shown = problems_of(
        tmp_path,
        [
            dict(
                name="pack prices",
                sheet="packs",
                match="*",
                column="unit_cost_jpy",
                op="multiply",
                low=0.8,
                high=1.3,
            )
        ],
    )
    assert any(
        "sheet 'tiers'" in s
        and "row 2" in s
        and "pack prices at its low" in s
        and "Tier prices must fall" in s
        for s in shown
    ), shown
    too_many = problems_of(
        tmp_path,
        [
            dict(
                name="hatch min",
                sheet="variants",
                match="variant=H-hatch",
                column="min_units",
                op="set",
                low=10000,
                high=60000,
            )
        ],
    )
    assert any(
        "sheet 'variants'" in s
        and "row 2" in s
        and "hatch min at its high" in s
        and "min_units is above max_units" in s
        and "set by range 'hatch min' (ranges row 2) at 60000" in s
        for s in too_many
    ), too_many


def test_a_sample_that_breaks_a_rule_is_found_before_anything_is_solved(tmp_path):
    """Ranges valid alone can break a rule together: min_units and max_units of one variant."""
    ranges = [
        dict(
            name="hatch min",
            sheet="variants",
            match="variant=H-hatch",
            column="min_units",
            op="set",
            low=20000,
            high=45000,
        ),
        dict(
            name="hatch max",
            sheet="variants",
            match="variant=H-hatch",
            column="max_units",
            op="set",
            low=30000,
            high=50000,
        ),
    ]
    raw = raw_with(tmp_path, ranges)
    inputs = SweepInputs(raw, "base", check_ranges(raw), None, None)  # each alone at its ends is fine
    with pytest.raises(InputError) as err:
        check_cases(inputs, monte_carlo_cases(inputs.ranges, seed=1, samples=40))
    shown = [str(p) for p in err.value.problems]
    assert any(
        "sample " in s and "min_units is above max_units" in s and "set by range 'hatch min'" in s
        for s in shown
    ), shown
    assert "cases break the workbook's rules (the first 3 are listed)" in shown[-1]


def test_plan_validate_checks_the_ranges_and_says_so(tmp_path):
    wb = ranges_workbook(tmp_path / "wb.xlsx")
    result = invoke("validate", wb)
    assert result.exit_code == 0, result.stderr
    assert (
        "ranges checked at their low and high: pack prices, Mizushima capacity, years, hatch demand"
        in result.stderr
    )
    bad = write(
        tables(
            ranges=[
                dict(
                    name="r",
                    sheet="packs",
                    match="*",
                    column="unit_cost_jpy",
                    op="multiply",
                    low=0.8,
                    high=1.3,
                )
            ]
        ),
        tmp_path / "bad.xlsx",
    )
    result = invoke("validate", bad)
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'tiers'", "r at its low", "Tier prices must fall")


def test_plan_solve_ignores_the_ranges_sheet(tmp_path):
    """A sweep's ranges do not change the workbook as it stands: the plan is the same with them."""
    with_ranges = plan(
        "solve",
        ranges_workbook(tmp_path / "a.xlsx"),
        "--json",
        "--no-sharing-baseline",
        "--out",
        tmp_path / "a-r.xlsx",
    )
    without = plan(
        "solve",
        write(tables(), tmp_path / "b.xlsx"),
        "--json",
        "--no-sharing-baseline",
        "--out",
        tmp_path / "b-r.xlsx",
    )
    assert with_ranges.returncode == without.returncode == 0
    import json

    a, b = json.loads(with_ranges.stdout), json.loads(without.stdout)
    assert {**a, "report": None} == {**b, "report": None}


# ---- distributions and samples -----------------------------------------------------------------


def range_row(distribution: str, low=10.0, high=20.0, most_likely=None, whole=False) -> RangeRow:
    return RangeRow(RawRow(2, {}), low, high, most_likely, distribution, whole)


@pytest.mark.parametrize(
    "distribution,most_likely,mean",
    [("uniform", None, 15.0), ("triangular", 12.0, 14.0), ("normal", None, 15.0)],
)
def test_distributions_stay_within_low_and_high_with_the_right_mean(distribution, most_likely, mean):
    row = range_row(distribution, most_likely=most_likely)
    assert row.value_at(0.0) == 10.0 and row.value_at(1.0) == 20.0  # the tornado's ends
    values = [row.value_at((i + 0.5) / 4000) for i in range(4000)]  # the quantile function on a fine grid
    assert min(values) >= 10.0 and max(values) <= 20.0
    assert statistics.fmean(values) == pytest.approx(mean, abs=0.02)
    assert values == sorted(values)  # one draw moves every row of a range the same way
    if (
        distribution == "normal"
    ):  # most_likely (or halfway) -/+ 3 standard deviations of (high - low) / 6, clipped
        skewed = range_row("normal", most_likely=12.0)
        assert skewed.value_at(0.5) == pytest.approx(12.0) and skewed.value_at(0.8413447) == pytest.approx(
            12.0 + 10 / 6, abs=1e-4
        )
        assert skewed.value_at(0.05) == 10.0  # 12 - 1.645 sd is below low: clipped


def test_a_whole_number_column_gets_whole_numbers():
    row = range_row("uniform", low=2, high=4, whole=True)
    assert {row.value_at(q / 10) for q in range(11)} <= {2.0, 3.0, 4.0}


def test_a_seeded_sample_depends_on_the_seed_and_its_number_only(tmp_path):
    ranges = read_ranges(raw_with(tmp_path, RANGES))
    ten = list(monte_carlo_cases(ranges, seed=7, samples=10))
    assert [c.index for c in ten] == list(range(11)) and ten[0].kind == "base"
    assert ten == list(monte_carlo_cases(ranges, seed=7, samples=10))
    assert (
        ten[1:] == list(monte_carlo_cases(ranges, seed=7, samples=40))[1:11]
    )  # more samples keep the first
    assert monte_carlo_case(ranges, 7, 5) == ten[5]  # made alone, in any order
    assert ten[1:] != list(monte_carlo_cases(ranges, seed=8, samples=10))[1:]
    assert all(0.0 <= q < 1.0 for c in ten[1:] for q in c.quantiles)


def test_tornado_cases_are_the_workbook_then_each_range_at_its_low_and_high(tmp_path):
    ranges = read_ranges(raw_with(tmp_path, RANGES))
    cases = tornado_cases(ranges)
    assert [(c.label, c.quantiles) for c in cases[:3]] == [
        ("workbook as it stands", (None, None, None, None)),
        ("pack prices at its low", (0.0, None, None, None)),
        ("pack prices at its high", (1.0, None, None, None)),
    ]
    assert len(cases) == 1 + 2 * 4


def test_keys_name_the_inputs(tmp_path):
    raw = raw_with(tmp_path, RANGES)
    ranges = read_ranges(raw)
    inputs = SweepInputs(raw, "base", ranges, None, None)
    cases = tornado_cases(ranges)
    keys = [inputs.key(c, "plan") for c in cases]
    assert len(set(keys)) == len(keys)
    assert keys == [
        SweepInputs(read_workbook(raw.path), "base", ranges, None, None).key(c, "plan") for c in cases
    ]  # stable
    assert inputs.key(cases[1], "plan") != SweepInputs(raw, "base", ranges, 5.0, None).key(
        cases[1], "plan"
    )  # the time limit counts


def test_a_monte_carlo_summary_does_not_depend_on_the_order_cases_finish_in(tmp_path):
    """Costs arrive as workers finish; the mean once differed in its last bit between --jobs 1 and 2."""
    import random

    from optimizer.sweeps.results import Row
    from optimizer.sweeps.summary import MonteCarloSummary

    ranges = read_ranges(raw_with(tmp_path, RANGES))
    costs = [2.0e11 + random.Random(i).random() * 3.3e10 / 3 for i in range(1, 200)]
    rows = [Row(f"{i:064x}", i, f"sample {i}", {}, {"status": "optimal", "total_cost_jpy": c, "offered": {"A": 1.0},
                "packs": {"A": "P"}, "shared": [], "developed": []}) for i, c in enumerate(costs, start=1)]
    summaries = []
    for order in (rows, rows[::-1], sorted(rows, key=lambda r: r.key[::-1])):
        s = MonteCarloSummary(ranges, len(rows), 0)
        for row in order:
            s.add(row)
        summaries.append((s.stats(), s.percentiles(), s.histogram().counts, s.shares(s.offered)))
    assert summaries[0] == summaries[1] == summaries[2]


def test_a_range_end_beyond_what_plan_accepts_is_refused_at_the_cell_it_makes(tmp_path):
    row = dict(name="r", sheet="packs", match="pack=P20", column="usable_kwh", op="multiply", low=1.0, high=1e15)
    shown = problems_of(tmp_path, [row])
    assert any("sheet 'packs', row 2" in s and "r at its high" in s and "plan accepts" in s for s in shown), shown
