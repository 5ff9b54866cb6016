"""Scenarios: named what-if rows applied to the workbook before validation."""

from __future__ import annotations

import pytest

from builders import tables, write
from clirun import files_in, find_problem, invoke, plan, problem_lines, summary
from optimizer.workbook.scenarios import apply_scenario, scenario_names
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook


def rows(*specs: tuple) -> list[dict]:
    return [dict(scenario=s[0], sheet=s[1], match=s[2], column=s[3], op=s[4], value=s[5]) for s in specs]


BASE_SCENARIOS = tables()["scenarios"]  # two rows: Excel rows 2 and 3, so added rows start at row 4

MIX = rows(
    ("mix", "packs", "*", "unit_cost_jpy", "multiply", 1.5),
    ("mix", "variants", "variant=H-van", "max_units", "add", 1000),
    ("mix", "parts", "category=motor", "mass_kg", "set", 70),
    ("mix", "plants", None, "assembly_cost_jpy", "add", 10000),
    ("mix", "variants", "seats=2", "min_units", "set", 6000),
    ("mix", "variants", "*", "max_unit_cost_jpy", "multiply", 0.9),
    ("mix", "tiers", "item=P20", "unit_cost_jpy", "multiply", 0.5),
    ("mix", "demand", "scope=brand", "min_units", "add", 1000),
    ("mix", "categories", "category=styling", "shared", "set", "yes"),
    ("mix", "settings", "lifecycle_years", "value", "set", 8),
    ("mix", "settings", "setting=wh_per_km_per_kg", "value", "multiply", 2),
    ("mix", "settings", "mip_rel_gap", "value", "add", 0.01),
    ("mix", "rules", "max_power_kw", "value", "add", 3),
    ("mix", "rules", "rule=max_height_mm", "value", "set", 2100),
    ("other", "parts", "option=m39", "dev_cost_jpy", "set", 1),
)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One workbook for the whole module: the base scenarios plus `mix` and `other`."""
    wb = write(tables(scenarios=BASE_SCENARIOS + MIX), tmp_path_factory.mktemp("scen") / "wb.xlsx")
    return wb, read_workbook(wb)


def test_scenario_names_in_order(mixed):
    _, raw = mixed
    assert scenario_names(raw) == ["dear-packs", "no-sharing", "mix", "other"]


def test_set_multiply_add_on_every_kind_of_sheet(mixed):
    _, raw = mixed
    base = validate(raw).plan_input
    mix = validate(apply_scenario(raw, "mix")).plan_input
    packs = {p.name: p for p in mix.packs}
    assert packs["P20"].unit_cost_jpy == pytest.approx(320000 * 1.5) and packs["P25"].unit_cost_jpy == pytest.approx(390000 * 1.5)
    variants = {v.name: v for v in mix.variants}
    assert variants["H-van"].max_units == 11000 and variants["H-hatch"].max_units == 50000
    assert variants["H-van"].min_units == 6000 and variants["H-hatch"].min_units == 20000  # match on a number
    assert variants["H-hatch"].max_unit_cost_jpy == pytest.approx(1.44e6)
    assert variants["M-hatch"].max_unit_cost_jpy is None, "multiply leaves a blank 'none' cell blank"
    assert [p.mass_kg for p in mix.parts] == [70, 70, 20, 20, 10]
    assert [k.assembly_cost_jpy for k in mix.plants] == [100000, 110000]  # blank match: every row
    assert mix.tiers["P20"][0].unit_cost_jpy == 150000 and mix.tiers["motor/m39"] == base.tiers["motor/m39"]
    assert [d.min_units for d in mix.demand] == [30000, 6000]
    assert [c.shared for c in mix.categories] == [True, True, True]
    assert mix.settings.lifecycle_years == 8  # a setting the workbook does not list
    assert mix.settings.wh_per_km_per_kg == pytest.approx(0.1)  # multiply applies to the default
    assert mix.settings.mip_rel_gap == pytest.approx(0.01 + 1e-9)  # add applies to the workbook's value
    assert mix.settings.time_limit_s == base.settings.time_limit_s
    assert mix.rules.max_power_kw == 50 and mix.rules.max_height_mm == 2100 and mix.rules.max_length_mm == 3400


def test_a_scenario_changes_a_copy(mixed):
    _, raw = mixed
    before = validate(raw).plan_input
    validate(apply_scenario(raw, "mix"))
    other = validate(apply_scenario(raw, "other")).plan_input
    assert validate(raw).plan_input == before
    assert apply_scenario(raw, "base") is raw
    assert other.parts[0].dev_cost_jpy == 1 and other.packs == before.packs, "rows of another scenario do not apply"


def test_settings_and_rules_sheets_may_be_absent(tmp_path):
    t = tables(settings=None, rules=None, scenarios=rows(
        ("s", "settings", "integer_units", "value", "set", "yes"),
        ("s", "rules", "max_seats", "value", "multiply", 0.5),
    ))
    inp = validate(apply_scenario(read_workbook(write(t, tmp_path / "wb.xlsx")), "s")).plan_input
    assert inp.settings.integer_units is True and inp.rules.max_seats == 2


def test_solve_with_a_scenario(mixed, tmp_path):
    wb, _ = mixed
    base = invoke("solve", wb, "--out", tmp_path / "base.xlsx")
    dear = invoke("solve", wb, "--scenario", "dear-packs", "--out", tmp_path / "dear.xlsx")
    assert base.exit_code == 0 and dear.exit_code == 0, dear.stderr
    assert "scenario dear-packs" in dear.stderr
    b, d = summary(tmp_path / "base.xlsx"), summary(tmp_path / "dear.xlsx")
    assert (b["scenario"], d["scenario"]) == ("base", "dear-packs")
    assert d["total cost (¥, lifecycle)"] > b["total cost (¥, lifecycle)"]


# ---- errors in the scenarios sheet: named by its row ---------------------------------------

ERRORS = [
    ("unknown-sheet", ("s", "variant", "*", "min_units", "set", 1),
     ["column B 'sheet'", "(value 'variant')", "is not a sheet a scenario can change", "Did you mean 'variants'?"]),
    ("scenarios-sheet", ("s", "scenarios", "*", "value", "set", 1), ["column B 'sheet'", "(value 'scenarios')"]),
    ("unknown-column", ("s", "variants", "*", "min_unit", "set", 1),
     ["column D 'column'", "(value 'min_unit')", "is not a column of variants", "Did you mean 'min_units'?"]),
    ("settings-column-not-value", ("s", "settings", "lifecycle_years", "lifecycle_years", "set", 1), ["column D 'column'", "the column to change is value"]),
    ("bad-op", ("s", "variants", "*", "min_units", "times", 2), ["column E 'op'", "(value 'times')", "is not an operation", "set, multiply or add"]),
    ("match-unknown-column", ("s", "variants", "bodystyle=van", "min_units", "set", 1),
     ["column C 'match'", "(value 'bodystyle=van')", "'bodystyle' is not a column of variants", "Did you mean 'body_style'?"]),
    ("match-nothing", ("s", "variants", "body_style=wagon", "min_units", "set", 1), ["column C 'match'", "(value 'body_style=wagon')", "matches no row of variants"]),
    ("match-not-column-value", ("s", "variants", "hatchback", "min_units", "set", 1), ["column C 'match'", "(value 'hatchback')", "expected column=value"]),
    ("match-unknown-setting", ("s", "settings", "lifecycle", "value", "set", 1), ["column C 'match'", "(value 'lifecycle')", "is not a setting name", "Did you mean 'lifecycle_years'?"]),
    ("match-unknown-rule", ("s", "rules", "rule=max_speed", "value", "set", 1), ["column C 'match'", "(value 'rule=max_speed')", "is not a rule name"]),
    ("set-text-in-number", ("s", "packs", "*", "usable_kwh", "set", "lots"), ["column F 'value'", "(value 'lots')", "expected a number"]),
    ("set-zero-where-positive", ("s", "packs", "pack=P20", "usable_kwh", "set", 0), ["column F 'value'", "(value 0)", "must be greater than zero"]),
    ("multiply-by-text", ("s", "plants", "*", "capacity_units", "multiply", "double"), ["column F 'value'", "(value 'double')", "expected a number"]),
    ("add-to-a-name", ("s", "variants", "*", "brand", "add", 1), ["column E 'op'", "(value 'add')", "needs a numeric column"]),
    ("bad-yes-no", ("s", "settings", "integer_units", "value", "set", "perhaps"), ["column F 'value'", "(value 'perhaps')", "expected yes or no"]),
    ("bad-list", ("s", "plants", "plant=Yachiyo", "body_styles", "set", "all, van"), ["column F 'value'", "'all' cannot be combined"]),
    ("not-whole", ("s", "variants", "variant=H-van", "seats", "set", 2.5), ["column F 'value'", "(value 2.5)", "whole number"]),
]


@pytest.mark.parametrize("row, fragments", [pytest.param(r, f, id=n) for n, r, f in ERRORS])
def test_scenario_row_errors(tmp_path, row, fragments):
    wb = write(tables(scenarios=BASE_SCENARIOS + rows(row)), tmp_path / "wb.xlsx")
    out = tmp_path / "report.xlsx"
    result = invoke("solve", wb, "--scenario", "s", "--out", out)
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, "sheet 'scenarios'", "row 4", "scenario 's'", *fragments)
    assert files_in(tmp_path) == {"wb.xlsx"}
    # `plan validate` checks every scenario, so it finds the same row without --scenario
    checked = invoke("validate", wb)
    assert checked.exit_code == 2
    find_problem(checked.stderr, "sheet 'scenarios'", "row 4", *fragments)


def test_several_bad_rows_of_one_scenario_are_reported_together(tmp_path):
    t = tables(scenarios=BASE_SCENARIOS + rows(
        ("s", "variants", "*", "min_unit", "set", 1),
        ("t", "variants", "*", "min_units", "set", 1),
        ("s", "packs", "*", "mass_kg", "times", 2),
    ))
    result = invoke("solve", write(t, tmp_path / "wb.xlsx"), "--scenario", "s", "--out", tmp_path / "r.xlsx")
    assert result.exit_code == 2
    find_problem(result.stderr, "row 4", "'min_unit'")
    find_problem(result.stderr, "row 6", "'times'")
    assert len(problem_lines(result.stderr)) == 2


# ---- problems a scenario's value causes: the message says which scenario set it ---------------

CAUSED = [
    ("negative-after-add", ("s", "parts", "category=motor", "dev_cost_jpy", "add", -1e10),
     ["sheet 'parts'", "row 2", "column C 'dev_cost_jpy'", "cannot be negative", "set by scenario 's' (scenarios row 4)"]),
    ("min-above-max-after-multiply", ("s", "variants", "variant=H-van", "min_units", "multiply", 10),
     ["sheet 'variants'", "row 4", "column Q 'min_units'", "min_units is above max_units", "set by scenario 's' (scenarios row 4)"]),
    ("max-below-min", ("s", "variants", "variant=H-van", "max_units", "set", 10),
     ["sheet 'variants'", "row 4", "min_units is above max_units (10)", "set by scenario 's' (scenarios row 4)"]),
    ("unknown-brand-set", ("s", "variants", "variant=M-hatch", "brand", "set", "Suzuki"),
     ["sheet 'variants'", "row 3", "column B 'brand'", "(value 'Suzuki')", "is not a brand", "set by scenario 's' (scenarios row 4)"]),
    ("duplicate-name-set", ("s", "packs", "pack=P25", "pack", "set", "P20"),
     ["sheet 'packs'", "row 3", "column A 'pack'", "appears twice", "set by scenario 's' (scenarios row 4)"]),
    ("tier-above-list-price", ("s", "tiers", "item=P20", "unit_cost_jpy", "multiply", 2),
     ["sheet 'tiers'", "row 2", "column C 'unit_cost_jpy'", "its list price", "set by scenario 's' (scenarios row 4)"]),
    ("required-cell-blanked", ("s", "packs", "pack=P25", "length_mm", "set", None),
     ["sheet 'packs'", "row 3", "column E 'length_mm'", "is blank", "set by scenario 's' (scenarios row 4)"]),
    ("workbook-setting", ("s", "settings", "time_limit_s", "value", "add", -100),
     ["sheet 'settings'", "row 3", "column B 'value'", "time_limit_s: must be greater than zero", "set by scenario 's' (scenarios row 4)"]),
    ("default-setting", ("s", "settings", "lifecycle_years", "value", "multiply", -1),
     ["sheet 'settings'", "column B 'value'", "(value -6.0)", "lifecycle_years: must be greater than zero", "set by scenario 's' (scenarios row 4)"]),
    ("rule", ("s", "rules", "max_power_kw", "value", "add", -100),
     ["sheet 'rules'", "row 2", "column B 'value'", "max_power_kw: cannot be negative", "set by scenario 's' (scenarios row 4)"]),
]


@pytest.mark.parametrize("row, fragments", [pytest.param(r, f, id=n) for n, r, f in CAUSED])
def test_problem_caused_by_a_scenario_names_it(tmp_path, row, fragments):
    wb = write(tables(scenarios=BASE_SCENARIOS + rows(row)), tmp_path / "wb.xlsx")
    result = invoke("solve", wb, "--scenario", "s", "--out", tmp_path / "report.xlsx")
    assert result.exit_code == 2, result.stderr
    line = find_problem(result.stderr, *fragments)
    assert "row 0" not in line and "row None" not in line
    assert files_in(tmp_path) == {"wb.xlsx"}
    assert invoke("validate", wb, "--scenario", "base").exit_code == 0, "the base case itself is valid"


def test_unknown_scenario_is_refused_with_a_hint(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    proc = plan("solve", wb, "--scenario", "dear-pack", "--out", tmp_path / "report.xlsx", "--json")
    assert proc.returncode == 2, proc.stderr
    find_problem(proc.stderr, "(value 'dear-pack')", "no scenario of that name", "Did you mean 'dear-packs'?")
    assert proc.stdout.strip() == ""
    assert files_in(tmp_path) == {"wb.xlsx"}
    result = invoke("validate", wb, "--scenario", "cheap")
    assert result.exit_code == 2
    find_problem(result.stderr, "(value 'cheap')", "no scenario of that name", "dear-packs, no-sharing")


def test_unknown_scenario_without_scenarios_sheet(tmp_path):
    result = invoke("solve", write(tables(scenarios=None), tmp_path / "wb.xlsx"), "--scenario", "x", "--out", tmp_path / "r.xlsx")
    assert result.exit_code == 2
    find_problem(result.stderr, "(value 'x')", "no scenario of that name")


# A row a run does not apply: a row of no scenario (blank name, or base), or a row of another scenario
# that cannot be applied. Every command treats them alike: a run of one case (plan solve, with or
# without --scenario, and plan validate --scenario) warns naming the row and goes on; plan validate
# (every scenario) refuses them, as plan solve --all-scenarios does.
UNUSED_ROWS = [
    ("blank-name", (None, "packs", "*", "unit_cost_jpy", "multiply", 1.1), ["column A 'scenario'", "belongs to no scenario"]),
    ("named-base", ("base", "packs", "*", "unit_cost_jpy", "multiply", 1.1), ["column A 'scenario'", "base is the workbook as it stands"]),
    ("named-Base", ("Base", "packs", "*", "unit_cost_jpy", "multiply", 1.1), ["column A 'scenario'", "base is the workbook as it stands"]),
    ("broken-row-of-another-scenario", ("x", "factories", "*", "capacity_units", "set", 1),
     ["column B 'sheet'", "(value 'factories')", "scenario 'x': is not a sheet a scenario can change"]),
]


@pytest.mark.parametrize("row, fragments", [pytest.param(r, f, id=n) for n, r, f in UNUSED_ROWS])
def test_a_row_a_run_does_not_apply_warns_in_that_run_and_fails_validation(tmp_path, row, fragments):
    wb = write(tables(scenarios=BASE_SCENARIOS + rows(row)), tmp_path / "wb.xlsx")  # the row is Excel row 4
    where = ["sheet 'scenarios'", "row 4", *fragments]
    checked = invoke("validate", wb)
    assert checked.exit_code == 2
    find_problem(checked.stderr, *where)
    for args in (["solve", wb, "--no-sharing-baseline"], ["solve", wb, "--scenario", "dear-packs", "--no-sharing-baseline"],
                 ["validate", wb, "--scenario", "dear-packs"]):
        out = tmp_path / "r.xlsx"
        result = invoke(*args, *(["--out", out] if args[0] == "solve" else []))
        assert result.exit_code == 0, result.stderr
        warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ") and all(f in line for f in where)]
        assert len(warnings) == 1, result.stderr
        out.unlink(missing_ok=True)
    batch = invoke("solve", wb, "--all-scenarios", "--out", tmp_path / "all", "--jobs", "1")
    assert batch.exit_code == 2
    find_problem(batch.stderr, *where)


def test_base_in_any_case_is_the_base_case(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    result = invoke("solve", wb, "--scenario", " Base", "--out", tmp_path, "--no-sharing-baseline")
    assert result.exit_code == 0, result.stderr
    assert files_in(tmp_path) == {"wb.xlsx", "wb-base.xlsx"}
    assert summary(tmp_path / "wb-base.xlsx")["scenario"] == "base"


def test_scenario_names_are_compared_after_unicode_normalisation(tmp_path):
    """A name typed on a Mac (NFD: e + combining accent) is the name typed elsewhere (NFC: é)."""
    import unicodedata

    nfd, nfc = unicodedata.normalize("NFD", "prix élevé"), unicodedata.normalize("NFC", "prix élevé")
    assert nfd != nfc
    wb = write(tables(scenarios=rows((nfd, "packs", "*", "unit_cost_jpy", "multiply", 1.2))), tmp_path / "wb.xlsx")
    raw = read_workbook(wb)
    assert scenario_names(raw) == [nfc]
    dear = validate(apply_scenario(raw, nfc)).plan_input
    assert dear.packs[0].unit_cost_jpy == pytest.approx(320000 * 1.2)


def _header_typo_cases():
    """Every required column of every table sheet, with a scenario that changes it in some rows."""
    from optimizer.workbook.schema import NAME, SHEET

    for sheet in ("brands", "variants", "categories", "parts", "packs", "tiers", "plants", "demand"):
        first = tables()[sheet][0]
        for col in SHEET[sheet].columns:
            if col.required:
                op, value = ("set", first[col.name]) if col.kind == NAME else ("multiply", 1.1)
                yield pytest.param(sheet, col.name, op, value, id=f"{sheet}.{col.name}")


@pytest.mark.parametrize("sheet, column, op, value", list(_header_typo_cases()))
def test_one_header_typo_is_one_problem_whatever_the_scenarios_change(tmp_path, sheet, column, op, value):
    """A scenario changing a column the sheet lacks gave, before, one 'is blank' problem per row, in a
    column letter past the sheet's last (7 more problems for one typo in the example workbook)."""
    t = tables()
    t[sheet] = [{(f"{k}x" if k == column else k): v for k, v in r.items()} for r in t[sheet]]
    t["scenarios"] = BASE_SCENARIOS + rows(("s", sheet, "*", column, op, value), ("s", sheet, None, column, op, value))
    result = invoke("validate", write(t, tmp_path / "wb.xlsx"))
    assert result.exit_code == 2
    (line,) = problem_lines(result.stderr)
    assert f"sheet '{sheet}', row 1, column '{column}': required column '{column}' is missing" in line, line


def test_one_header_typo_in_the_example_is_one_problem(tmp_path):
    import openpyxl

    from example_case import EXAMPLE

    book = openpyxl.load_workbook(EXAMPLE)
    header = next(c for c in book["variants"][1] if c.value == "range_target_km")
    header.value = "range_target"  # the longer-range scenario adds 30 km to every range target
    book.save(tmp_path / "wb.xlsx")
    result = invoke("validate", tmp_path / "wb.xlsx")
    assert result.exit_code == 2
    (line,) = problem_lines(result.stderr)
    assert "required column 'range_target_km' is missing" in line and "did you mean 'range_target_km'?" in line


def test_a_robust_run_warns_about_the_scenario_rows_its_futures_do_not_apply(tmp_path):
    t = tables(scenarios=BASE_SCENARIOS + rows(("x", "factories", "*", "capacity_units", "set", 1)))
    t["futures"] = [{"scenario": "base", "probability": 0.5}, {"scenario": "dear-packs", "probability": 0.5}]
    result = invoke("solve", write(t, tmp_path / "wb.xlsx"), "--robust", "--out", tmp_path / "r.xlsx", "--time-limit", 20)
    assert result.exit_code == 0, result.stderr
    assert any(line.startswith("warning: ") and "row 4" in line and "scenario 'x'" in line for line in result.stderr.splitlines()), result.stderr
