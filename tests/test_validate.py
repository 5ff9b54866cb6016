"""Every validation rule of the workbook contract, each broken by one small workbook and run through
`plan solve WB --out OUT`: exit status 2, one message naming the sheet, the row as Excel shows it,
the column (with its letter) and the value, and no report written.

A representative share runs the installed `plan` as a real process; the rest use click's CliRunner.
"""

from __future__ import annotations

import copy
import datetime as dt

import openpyxl
import pytest

from builders import tables, write
from clirun import files_in, find_problem, invoke, plan, problem_lines
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook

NBSP = "\u00a0"


# ---- building broken workbooks -------------------------------------------------------------

def cells(sheet: str, index: int, **values) -> dict:
    """BASE with row `index` of `sheet` changed (row index i is Excel row i + 2)."""
    t = tables()
    t[sheet][index].update(values)
    return t


def more(sheet: str, *rows: dict) -> dict:
    """BASE with rows appended to `sheet`."""
    t = tables()
    t[sheet] = t[sheet] + [dict(r) for r in rows]
    return t


def renamed(sheet: str, old: str, new: str) -> dict:
    t = tables()
    t[sheet] = [{(new if k == old else k): v for k, v in r.items()} for r in t[sheet]]
    return t


def dropped(sheet: str, column: str) -> dict:
    t = tables()
    t[sheet] = [{k: v for k, v in r.items() if k != column} for r in t[sheet]]
    return t


def sheet_renamed(old: str, new: str) -> dict:
    t = tables()
    t[new] = t.pop(old)
    return t


def copy_of(sheet: str, index: int, **values) -> dict:
    row = copy.deepcopy(tables()[sheet][index])
    row.update(values)
    return row


# ---- the rules -------------------------------------------------------------------------------
# (id, workbook tables, fragments the problem line must contain, run as a real process?)

CASES = [
    # sheets and columns
    ("missing-sheet-typo", sheet_renamed("variants", "Variant"),
     ["sheet 'variants'", "required sheet 'variants' is missing", "sheet 'Variant'", "did you mean 'variants'?"], True),
    ("missing-sheet", tables(plants=None), ["sheet 'plants'", "required sheet 'plants' is missing"], False),
    ("missing-column-typo", renamed("variants", "glider_mass_kg", "glider_mass"),
     ["sheet 'variants'", "row 1", "column 'glider_mass_kg'", "required column 'glider_mass_kg' is missing",
      "Column I is headed 'glider_mass': did you mean 'glider_mass_kg'?"], True),
    ("missing-column", dropped("plants", "capacity_units"),
     ["sheet 'plants'", "row 1", "column 'capacity_units'", "required column 'capacity_units' is missing"], False),
    ("optional-column-typo", renamed("variants", "payload_kg", "payload_kgs"),
     ["sheet 'variants'", "row 1", "column H 'payload_kgs'", "(value 'payload_kgs')", "optional column 'payload_kg'"], False),
    ("optional-column-typo-parts", renamed("parts", "power_kw", "Power KW"),
     ["sheet 'parts'", "row 1", "column F 'power kw'", "(value 'Power KW')", "optional column 'power_kw'"], False),
    # types
    ("text-in-number", cells("variants", 0, length_mm="long"),
     ["sheet 'variants'", "row 2", "column D 'length_mm'", "(value 'long')", "expected a number"], True),
    ("date-in-number", cells("packs", 1, mass_kg=dt.datetime(2024, 1, 5)),
     ["sheet 'packs'", "row 3", "column C 'mass_kg'", "2024-01-05", "(a date)", "expected a number, not a date"], False),
    ("boolean-in-number", cells("plants", 0, capacity_units=True),
     ["sheet 'plants'", "row 2", "column B 'capacity_units'", "(value TRUE)", "expected a number, not TRUE/FALSE"], False),
    ("boolean-false-in-number", cells("packs", 0, dev_cost_jpy=False),
     ["sheet 'packs'", "row 2", "column F 'dev_cost_jpy'", "(value FALSE)", "not TRUE/FALSE"], False),
    ("nan-text", cells("parts", 0, mass_kg="NaN"),
     ["sheet 'parts'", "row 2", "column E 'mass_kg'", "(value 'NaN')", "expected a finite number"], False),
    ("inf-text", cells("parts", 1, power_kw="-inf"),
     ["sheet 'parts'", "row 3", "column F 'power_kw'", "(value '-inf')", "expected a finite number"], False),
    ("infinity-text", cells("variants", 1, range_target_km="Infinity"),
     ["sheet 'variants'", "row 3", "column K 'range_target_km'", "(value 'Infinity')", "finite"], False),
    ("date-as-name", cells("categories", 2, category=dt.datetime(2025, 3, 1)),
     ["sheet 'categories'", "row 4", "column A 'category'", "2025-03-01", "expected a name"], False),
    # signs and zeros
    ("negative-cost", cells("parts", 0, dev_cost_jpy=-1),
     ["sheet 'parts'", "row 2", "column C 'dev_cost_jpy'", "(value -1)", "cannot be negative"], False),
    ("negative-payload", cells("variants", 2, payload_kg=-5),
     ["sheet 'variants'", "row 4", "column H 'payload_kg'", "(value -5)", "cannot be negative"], False),
    ("negative-capacity", cells("plants", 1, capacity_units=-100),
     ["sheet 'plants'", "row 3", "column B 'capacity_units'", "(value -100)", "cannot be negative"], False),
    ("negative-tier-units", cells("tiers", 0, min_units=-1),
     ["sheet 'tiers'", "row 2", "column B 'min_units'", "(value -1)", "cannot be negative"], False),
    ("zero-base-consumption", cells("variants", 1, base_wh_per_km=0),
     ["sheet 'variants'", "row 3", "column J 'base_wh_per_km'", "(value 0)", "must be greater than zero"], False),
    ("zero-usable-kwh", cells("packs", 0, usable_kwh=0),
     ["sheet 'packs'", "row 2", "column B 'usable_kwh'", "(value 0)", "must be greater than zero"], False),
    ("zero-lifecycle", more("settings", {"setting": "lifecycle_years", "value": 0}),
     ["sheet 'settings'", "row 4", "column B 'value'", "(value 0)", "lifecycle_years: must be greater than zero"], False),
    ("seats-not-whole", cells("variants", 0, seats=2.5),
     ["sheet 'variants'", "row 2", "column G 'seats'", "(value 2.5)", "must be a whole number"], False),
    ("blank-required-cell", cells("packs", 1, length_mm=None),
     ["sheet 'packs'", "row 3", "column E 'length_mm'", "is blank; length_mm is required"], False),
    # unique names
    ("duplicate-brand", more("brands", {"brand": f" Honda{NBSP}"}),
     ["sheet 'brands'", "row 4", "column A 'brand'", "(value 'Honda')", "appears twice (first in row 2)"], False),
    ("duplicate-variant", more("variants", copy_of("variants", 1)),
     ["sheet 'variants'", "row 5", "column A 'variant'", "(value 'M-hatch')", "appears twice (first in row 3)"], False),
    ("duplicate-category", more("categories", {"category": "styling", "required": "yes", "shared": "no"}),
     ["sheet 'categories'", "row 5", "column A 'category'", "(value 'styling')", "appears twice (first in row 3)"], False),
    ("duplicate-pack", more("packs", copy_of("packs", 1)),
     ["sheet 'packs'", "row 4", "column A 'pack'", "(value 'P25')", "appears twice (first in row 3)"], False),
    ("duplicate-plant", more("plants", copy_of("plants", 0, capacity_units=1000)),
     ["sheet 'plants'", "row 4", "column A 'plant'", "(value 'Mizushima')", "appears twice (first in row 2)"], False),
    ("duplicate-option", more("parts", copy_of("parts", 1, dev_cost_jpy=1)),
     ["sheet 'parts'", "row 7", "column B 'option'", "'motor/m47'", "appears twice (first in row 3)"], False),
    ("pack-named-like-option", more("packs", copy_of("packs", 0, pack="motor/m39")),
     ["sheet 'packs'", "row 4", "column A 'pack'", "(value 'motor/m39')", "same name as the part option"], False),
    ("option-keys-collide",
     more("categories", {"category": "a/b"}, {"category": "a"})
     | {"parts": tables()["parts"] + [copy_of("parts", 4, category="a/b", option="c"), copy_of("parts", 4, category="a", option="b/c")]},
     ["sheet 'parts'", "row 8", "column B 'option'", "(value 'b/c')", "category 'a' with option 'b/c' reads 'a/b/c'",
      "as category 'a/b' with option 'c' does (row 7)", "could not tell the two options apart"], False),
    ("brand-named-all", more("brands", {"brand": "All"}),
     ["sheet 'brands'", "row 4", "column A 'brand'", "(value 'All')", "'all' in parts' brands column means every brand"], False),
    ("brand-with-comma", more("brands", {"brand": "Honda, Inc."}),
     ["sheet 'brands'", "row 4", "column A 'brand'", "(value 'Honda, Inc.')", "would read as 2 names"], False),
    ("body-style-all", cells("variants", 2, body_style="ALL"),
     ["sheet 'variants'", "row 4", "column C 'body_style'", "(value 'ALL')", "means every body style"], False),
    ("body-style-with-comma", cells("variants", 2, body_style="van, cargo"),
     ["sheet 'variants'", "row 4", "column C 'body_style'", "(value 'van, cargo')", "would read as 2 names"], True),
    # consumption = base + wh_per_km_per_kg x mass + savers must stay above zero for every allowed choice
    ("saver-takes-consumption-below-zero", cells("parts", 4, wh_per_km=-500),
     ["sheet 'parts'", "row 6", "column H 'wh_per_km'", "(value -500)", "with fastcharge/chademo (-500 Wh/km) and pack P20",
      "variant H-hatch uses -408.8 Wh/km", "M-hatch, H-van also go to zero or below", "consumption must stay above zero",
      "plan refuses"], True),
    # reported with the workbook's other problems, not only once they are fixed
    ("saver-beside-another-problem", cells("parts", 4, wh_per_km=-500) | {"plants": cells("plants", 0, capacity_units="lots")["plants"]},
     ["sheet 'parts'", "row 6", "column H 'wh_per_km'", "consumption must stay above zero"], False),
    # only Mitsubishi may use it: M-hatch alone, lightest allowed parts (m39, mitsu styling) and pack P20
    ("saver-of-one-brand", cells("parts", 4, wh_per_km=-95, brands="Mitsubishi"),
     ["sheet 'parts'", "row 6", "column H 'wh_per_km'", "variant M-hatch uses -3.8 Wh/km: consumption"], False),
    # two savers in two categories that only together reach zero: both named, the larger located
    ("two-savers-together", cells("parts", 4, wh_per_km=-60) | {"categories": tables()["categories"] + [{"category": "hvac", "required": "no"}],
     "parts": cells("parts", 4, wh_per_km=-60)["parts"] + [copy_of("parts", 4, category="hvac", option="heat pump", wh_per_km=-40, mass_kg=0)]},
     ["sheet 'parts'", "row 6", "column H 'wh_per_km'", "with fastcharge/chademo (-60 Wh/km) and hvac/heat pump (-40 Wh/km)"], False),
    # exactly zero is refused too (wh_per_km_per_kg 0.25 keeps the sum exact): H-van, 48 + 0.25 x 1,065 kg - 314.25
    ("saver-takes-consumption-to-zero",
     cells("parts", 4, wh_per_km=-314.25, mass_kg=0, body_styles="van") | {"settings": tables()["settings"] + [{"setting": "wh_per_km_per_kg", "value": 0.25}]},
     ["sheet 'parts'", "row 6", "column H 'wh_per_km'", "variant H-van uses 0.0 Wh/km: consumption must stay above zero"], False),
    # references
    ("unknown-variant-brand", cells("variants", 1, brand="Mitsubishii"),
     ["sheet 'variants'", "row 3", "column B 'brand'", "(value 'Mitsubishii')", "is not a brand of the brands sheet", "Did you mean 'Mitsubishi'?"], True),
    ("unknown-part-category", cells("parts", 4, category="fastcharger"),
     ["sheet 'parts'", "row 6", "column A 'category'", "(value 'fastcharger')", "is not a category", "Did you mean 'fastcharge'?"], False),
    ("unknown-part-brand-in-list", cells("parts", 2, brands="Honda, Toyota"),
     ["sheet 'parts'", "row 4", "column G 'brands'", "(value 'Toyota')", "is not a brand of the brands sheet"], False),
    ("unknown-tier-item", cells("tiers", 1, item="motor/m40"),
     ["sheet 'tiers'", "row 3", "column A 'item'", "(value 'motor/m40')", "neither a pack nor a category/option", "Did you mean"], False),
    ("unknown-tier-pack", cells("tiers", 0, item="P30"),
     ["sheet 'tiers'", "row 2", "column A 'item'", "(value 'P30')", "neither a pack nor"], False),
    ("unknown-demand-scope", cells("demand", 0, scope="region"),
     ["sheet 'demand'", "row 2", "column A 'scope'", "(value 'region')", "is not a scope"], False),
    ("unknown-demand-brand", cells("demand", 1, name="Suzuki"),
     ["sheet 'demand'", "row 3", "column B 'name'", "(value 'Suzuki')", "is not a brand"], False),
    ("unknown-demand-body-style", more("demand", {"scope": "body_style", "name": "wagon", "min_units": 1}),
     ["sheet 'demand'", "row 4", "column B 'name'", "(value 'wagon')", "is not a body_style"], False),
    ("unknown-demand-variant", more("demand", {"scope": "variant", "name": "H-wagon", "max_units": 9}),
     ["sheet 'demand'", "row 4", "column B 'name'", "(value 'H-wagon')", "is not a variant"], False),
    ("demand-name-blank", more("demand", {"scope": "brand", "name": None, "min_units": 1}),
     ["sheet 'demand'", "row 4", "column B 'name'", "is blank"], False),
    # bounds
    ("variant-min-above-max", cells("variants", 0, min_units=60000),
     ["sheet 'variants'", "row 2", "column Q 'min_units'", "(value 60000", "min_units is above max_units (50,000)"], False),
    ("demand-min-above-max", cells("demand", 0, max_units=10),
     ["sheet 'demand'", "row 2", "column C 'min_units'", "(value 30000", "min_units is above max_units (10)"], False),
    ("demand-both-bounds-blank", cells("demand", 1, min_units=None),
     ["sheet 'demand'", "row 3", "column C 'min_units'", "both min_units and max_units are blank"], False),
    # tiers
    ("tier-price-rises", more("tiers", {"item": "P20", "min_units": 60000, "unit_cost_jpy": 310000}),
     ["sheet 'tiers'", "row 4", "column C 'unit_cost_jpy'", "(value 310000", "rises to ¥310,000 at 60,000 units, above ¥300,000 (row 2)"], False),
    ("tier-above-list-price", cells("tiers", 0, unit_cost_jpy=330000),
     ["sheet 'tiers'", "row 2", "column C 'unit_cost_jpy'", "(value 330000", "above ¥320,000 (its list price)"], False),
    ("tier-part-above-list-price", cells("tiers", 1, unit_cost_jpy=150001),
     ["sheet 'tiers'", "row 3", "column C 'unit_cost_jpy'", "motor/m39", "its list price"], False),
    ("tier-duplicate-threshold", more("tiers", {"item": "P20", "min_units": 40000, "unit_cost_jpy": 290000}),
     ["sheet 'tiers'", "row 4", "column B 'min_units'", "(value 40000", "P20 has two tiers from 40,000 units"], False),
    # yes/no and lists
    ("bad-yes-no", cells("variants", 2, must_offer="maybe"),
     ["sheet 'variants'", "row 4", "column S 'must_offer'", "(value 'maybe')", "expected yes or no"], False),
    ("bad-yes-no-number", cells("categories", 1, shared=2),
     ["sheet 'categories'", "row 3", "column C 'shared'", "(value 2)", "expected yes or no"], False),
    ("all-combined-plants", cells("plants", 1, body_styles="van, all"),
     ["sheet 'plants'", "row 3", "column E 'body_styles'", "(value 'van, all')", "'all' cannot be combined with names"], False),
    ("all-combined-parts", cells("parts", 2, brands="ALL, Honda"),
     ["sheet 'parts'", "row 4", "column G 'brands'", "(value 'ALL, Honda')", "'all' cannot be combined"], False),
    # settings and rules
    ("setting-typo", more("settings", {"setting": "lifecycle_yeras", "value": 6}),
     ["sheet 'settings'", "row 4", "column A 'setting'", "(value 'lifecycle_yeras')", "unknown setting", "Did you mean 'lifecycle_years'?"], False),
    ("setting-bad-yes-no", more("settings", {"setting": "integer_units", "value": "maybe"}),
     ["sheet 'settings'", "row 4", "column B 'value'", "(value 'maybe')", "integer_units: expected yes or no"], False),
    ("setting-bad-number", cells("settings", 1, value="soon"),
     ["sheet 'settings'", "row 3", "column B 'value'", "(value 'soon')", "time_limit_s: expected a number"], False),
    ("setting-name-blank", more("settings", {"setting": None, "value": 5}),
     ["sheet 'settings'", "row 4", "column A 'setting'", "is blank; which setting is this value for?"], False),
    ("setting-twice", more("settings", {"setting": "mip_rel_gap", "value": 0.01}),
     ["sheet 'settings'", "row 4", "column A 'setting'", "appears twice (first in row 2)"], False),
    ("rule-bad-value", cells("rules", 0, value="lots"),
     ["sheet 'rules'", "row 2", "column B 'value'", "(value 'lots')", "max_power_kw: expected a number"], False),
    ("rule-negative", more("rules", {"rule": "max_height_mm", "value": -1}),
     ["sheet 'rules'", "row 3", "column B 'value'", "(value -1)", "max_height_mm: cannot be negative"], False),
    ("rule-typo", more("rules", {"rule": "max_lenght_mm", "value": 3400}),
     ["sheet 'rules'", "row 3", "column A 'rule'", "(value 'max_lenght_mm')", "unknown rule", "Did you mean 'max_length_mm'?"], False),
]


def _case_params(subprocess_only: bool):
    return [pytest.param(t, frag, id=name) for name, t, frag, sub in CASES if sub == subprocess_only]


def _assert_refused(tmp_path, code, stderr, fragments, out):
    assert code == 2, stderr
    line = find_problem(stderr, *fragments)
    assert "Traceback" not in stderr, stderr
    assert not out.exists(), f"a report was written despite: {line}"
    assert files_in(tmp_path) == {"wb.xlsx"}, "no report and no temporary file may be left behind"


@pytest.mark.parametrize("tbl, fragments", _case_params(False))
def test_rule_in_process(tmp_path, tbl, fragments):
    wb = write(tbl, tmp_path / "wb.xlsx")
    out = tmp_path / "report.xlsx"
    result = invoke("solve", wb, "--out", out)
    _assert_refused(tmp_path, result.exit_code, result.stderr, fragments, out)


@pytest.mark.parametrize("tbl, fragments", _case_params(True))
def test_rule_as_a_process(tmp_path, tbl, fragments):
    wb = write(tbl, tmp_path / "wb.xlsx")
    out = tmp_path / "report.xlsx"
    proc = plan("solve", wb, "--out", out)
    _assert_refused(tmp_path, proc.returncode, proc.stderr, fragments, out)
    assert proc.stdout.strip() == "" or not proc.stdout.lstrip().startswith("{"), "no plan JSON for a refused workbook"


def test_plan_validate_reports_the_same_rules(tmp_path):
    """`plan validate` applies the same rules (one case per rule family)."""
    for name in ("text-in-number", "duplicate-option", "unknown-part-category", "tier-price-rises", "setting-typo"):
        tbl, fragments = next((t, f) for n, t, f, _ in CASES if n == name)
        wb = write(tbl, tmp_path / f"{name}.xlsx")
        result = invoke("validate", wb)
        assert result.exit_code == 2, (name, result.stderr)
        find_problem(result.stderr, *fragments)


def test_several_problems_are_reported_together(tmp_path):
    t = tables()
    t["variants"][0]["length_mm"] = "long"
    t["parts"][2]["brands"] = "Hondo"
    t["plants"].append(dict(t["plants"][1]))
    t["demand"][1]["scope"] = "region"
    wb = write(t, tmp_path / "wb.xlsx")
    out = tmp_path / "report.xlsx"
    proc = plan("solve", wb, "--out", out)
    assert proc.returncode == 2, proc.stderr
    assert "4 problems in the input" in proc.stderr
    find_problem(proc.stderr, "sheet 'variants'", "row 2", "column D 'length_mm'", "'long'")
    find_problem(proc.stderr, "sheet 'parts'", "row 4", "column G 'brands'", "'Hondo'", "Did you mean 'Honda'?")
    find_problem(proc.stderr, "sheet 'plants'", "row 4", "column A 'plant'", "'Yachiyo'", "appears twice")
    find_problem(proc.stderr, "sheet 'demand'", "row 3", "column A 'scope'", "'region'")
    assert len(problem_lines(proc.stderr)) == 4
    assert files_in(tmp_path) == {"wb.xlsx"}


@pytest.mark.parametrize(
    "tbl, fragments",
    [
        # a row with one bad cell is not also reported as an unresolved reference elsewhere
        pytest.param(cells("parts", 0, mass_kg="NaN"), ["sheet 'parts'", "row 2", "'mass_kg'"], id="part-row-referenced-by-a-tier"),
        pytest.param(cells("packs", 0, usable_kwh=0), ["sheet 'packs'", "row 2", "'usable_kwh'"], id="pack-row-referenced-by-a-tier"),
        pytest.param(cells("categories", 0, required="maybe"), ["sheet 'categories'", "row 2", "'required'"], id="category-row-referenced-by-parts"),
        pytest.param(
            more("demand", {"scope": "variant", "name": "H-van", "max_units": 9000}) | {"variants": cells("variants", 2, seats="two")["variants"]},
            ["sheet 'variants'", "row 4", "'seats'"], id="variant-row-referenced-by-demand",
        ),
    ],
)
def test_one_bad_cell_is_one_problem(tmp_path, tbl, fragments):
    wb = write(tbl, tmp_path / "wb.xlsx")
    result = invoke("validate", wb)
    assert result.exit_code == 2
    find_problem(result.stderr, *fragments)
    assert len(problem_lines(result.stderr)) == 1, result.stderr


# ---- what the rules accept -------------------------------------------------------------------

def _notes_and_blank_rows() -> dict:
    t = tables()
    t["variants"] = t["variants"][:2] + [{}, {"notes": "H-van on hold until the 2027 review"}] + t["variants"][2:]
    t["brands"] = t["brands"] + [{"notes": "Suzuki may join"}]
    t["parts"] = [{}] + t["parts"]
    t["settings"] = t["settings"] + [{"notes": "ask finance about lifecycle"}]
    return t


ACCEPTED = [
    ("negative-part-consumption", cells("parts", 4, wh_per_km=-3.5)),
    # a saver larger than any consumption, that fits only wagons, and no variant is a wagon
    ("large-saver-on-a-body-style-with-none", cells("parts", 4, wh_per_km=-98, body_styles="wagon")),
    ("same-key-in-other-case", more("parts", copy_of("parts", 0, category="motor", option="M39"))),
    ("all-alone", cells("parts", 0, body_styles="all", brands=" ALL ") | {"plants": cells("plants", 1, body_styles="All")["plants"]}),
    ("blank-and-notes-rows", _notes_and_blank_rows()),
    ("excel-booleans-and-1-0", cells("variants", 0, must_offer=True) | {"categories": [
        dict(category="motor", required=1, shared="TRUE"), dict(category="styling", required="Yes", shared=False),
        dict(category="fastcharge", required=0, shared="n")]}),
    ("same-option-name-in-two-categories", more("parts", {"category": "fastcharge", "option": "m39", "dev_cost_jpy": 1, "unit_cost_jpy": 1})),
    ("numbers-as-text", cells("variants", 0, length_mm="3,395", seats=" 4 ")),
    ("total-demand-name-ignored", cells("demand", 0, name="anything")),
    ("demand-scope-any-case", cells("demand", 1, scope="Brand")),
]


@pytest.mark.parametrize("tbl", [pytest.param(t, id=n) for n, t in ACCEPTED])
def test_accepted(tmp_path, tbl):
    result = invoke("validate", write(tbl, tmp_path / "wb.xlsx"))
    assert result.exit_code == 0, result.stderr


def test_blank_and_notes_rows_are_skipped_and_rows_keep_their_excel_numbers(tmp_path):
    t = _notes_and_blank_rows()
    t["variants"][4]["seats"] = "two"  # H-van, Excel row 6 after a blank row and a notes-only row
    result = invoke("validate", write(t, tmp_path / "wb.xlsx"))
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'variants'", "row 6", "column G 'seats'", "(value 'two')")
    assert len(problem_lines(result.stderr)) == 1, result.stderr
    inp = validate(read_workbook(write(_notes_and_blank_rows(), tmp_path / "ok.xlsx"))).plan_input
    assert [v.name for v in inp.variants] == ["H-hatch", "M-hatch", "H-van"]
    assert len(inp.parts) == 5 and inp.brands == ("Honda", "Mitsubishi")


def test_unknown_setting_that_is_no_typo_is_a_warning(tmp_path):
    result = invoke("validate", write(more("settings", {"setting": "colour_scheme", "value": "blue"}), tmp_path / "wb.xlsx"))
    assert result.exit_code == 0, result.stderr
    assert "warning:" in result.stderr and "colour_scheme" in result.stderr and "row 4" in result.stderr


def test_names_are_trimmed(tmp_path):
    t = tables()
    t["brands"] = [{"brand": f"{NBSP}Honda "}, {"brand": f"Mitsubishi{NBSP}{NBSP}"}]
    t["variants"][0].update(variant=f"  H-hatch{NBSP}", brand=f"Honda{NBSP}", body_style=" hatchback")
    t["categories"][0]["category"] = f" motor{NBSP}"
    t["parts"][0].update(option=f"{NBSP}m39 ", brands=f" Honda{NBSP},{NBSP}Mitsubishi ")
    t["packs"][0]["pack"] = " P20"
    t["plants"][1].update(plant="Yachiyo ", body_styles=f"van{NBSP},  hatchback")
    t["tiers"][1]["item"] = " motor/m39 "
    t["demand"][1]["name"] = f"{NBSP}Mitsubishi"
    wb = write(t, tmp_path / "wb.xlsx")
    assert invoke("validate", wb).exit_code == 0
    inp = validate(read_workbook(wb)).plan_input
    assert inp.brands == ("Honda", "Mitsubishi")
    assert (inp.variants[0].name, inp.variants[0].brand, inp.variants[0].body_style) == ("H-hatch", "Honda", "hatchback")
    assert (inp.parts[0].category, inp.parts[0].option, inp.parts[0].brands) == ("motor", "m39", frozenset({"Honda", "Mitsubishi"}))
    assert inp.packs[0].name == "P20" and inp.plants[1].name == "Yachiyo"
    assert inp.plants[1].body_styles == frozenset({"van", "hatchback"})
    assert set(inp.tiers) == {"P20", "motor/m39"}
    assert inp.demand[1].name == "Mitsubishi"


def test_names_are_compared_exactly_otherwise(tmp_path):
    """Trimming is all: a brand differing in case is a different brand."""
    result = invoke("validate", write(cells("variants", 0, brand="honda"), tmp_path / "wb.xlsx"))
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'variants'", "row 2", "column B 'brand'", "(value 'honda')", "Did you mean 'Honda'?")


def test_column_headers_and_sheet_names_are_case_insensitive(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    book = openpyxl.load_workbook(wb)
    for i, ws in enumerate(book.worksheets):
        title = ws.title
        ws.title = f"tmp{i}"  # openpyxl would add a suffix to a title differing only in case
        ws.title = title.upper() if i % 2 else f" {title.title()}"
        for cell in ws[1]:
            cell.value = f" {cell.value.upper()}" if cell.column % 2 else f"{cell.value.title()}{NBSP}"
    book.save(wb)
    result = invoke("validate", wb)
    assert result.exit_code == 0, result.stderr
    inp = validate(read_workbook(wb)).plan_input
    assert inp.variants[0].length_mm == 3395 and inp.variants[0].must_offer
    assert inp.settings.mip_rel_gap == 1e-9 and inp.rules.max_power_kw == 47 and len(inp.parts) == 5


def test_duplicate_sheet_after_normalising_is_an_error(tmp_path):
    t = tables()
    t["Brands "] = [{"brand": "Suzuki"}]
    result = invoke("validate", write(t, tmp_path / "wb.xlsx"))
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'Brands '", "two sheets are both called 'brands'")


def test_known_column_twice_is_an_error(tmp_path):
    t = tables()
    headers = {"packs": ["pack", "usable_kwh", "mass_kg", "height_mm", "length_mm", "dev_cost_jpy", "unit_cost_jpy", "Mass_kg"]}
    result = invoke("validate", write(t, tmp_path / "wb.xlsx", headers))
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'packs'", "row 1", "column 'mass_kg' appears twice (columns C and H)")


# ---- magnitudes ------------------------------------------------------------------------------

from optimizer.workbook.limits import column_limit, setting_limit  # noqa: E402
from optimizer.workbook.schema import NUMBER, POSITIVE, RULES, SETTINGS, SHEETS, SIGNED, WHOLE  # noqa: E402

NUMERIC = (NUMBER, POSITIVE, SIGNED, WHOLE)


def _numeric_cells():
    """(sheet, column or setting, limit) for every number a workbook can hold."""
    for spec in SHEETS:
        if spec.name in ("settings", "rules", "scenarios"):
            continue
        for col in spec.columns:
            if col.kind in NUMERIC:
                yield spec.name, col.name, col.kind, column_limit(col.name)
    for sheet, known in (("settings", SETTINGS), ("rules", RULES)):
        for s in known:
            if s.kind in NUMERIC:
                yield sheet, s.name, s.kind, setting_limit(s.name)
    yield "settings", "equity_Honda", NUMBER, setting_limit("equity_Honda")


# A valid first row for the optional sheets the base workbook lacks.
MINIMAL_ROW = {"years": {"year": "2027"}, "futures": {"scenario": "base", "probability": 1}}


def _with_number(sheet: str, name: str, value: float) -> tuple[dict, int, str]:
    """BASE with one number set; returns the tables, the Excel row and the column of that cell."""
    t = tables()
    t.setdefault(sheet, [dict(MINIMAL_ROW.get(sheet, {}))])
    if sheet in ("settings", "rules"):
        key = "setting" if sheet == "settings" else "rule"
        t[sheet] = [r for r in t.get(sheet, []) if r[key] != name] + [{key: name, "value": value}]
        if name.startswith("equity_"):
            t[sheet].append({key: "equity_Mitsubishi", "value": 1})
            return t, len(t[sheet]), "value"
        return t, len(t[sheet]) + 1, "value"
    t[sheet][0][name] = value
    return t, 2, name


def _magnitude_problems(tmp_path, tbl, row, column):
    from optimizer.problems import InputError

    try:
        validate(read_workbook(write(tbl, tmp_path / "wb.xlsx")))
        return []
    except InputError as err:
        return [p for p in err.problems if (p.row, p.column) == (row, column) and "plan accepts" in p.message]


@pytest.mark.parametrize("sheet, name, kind, limit", [pytest.param(*c, id=f"{c[0]}.{c[1]}") for c in _numeric_cells()])
def test_every_number_is_refused_beyond_its_limit_with_the_range_accepted(tmp_path, sheet, name, kind, limit):
    too_big = [10 * limit.most] + ([-10 * limit.most] if kind == SIGNED else [])
    for value in too_big:
        tbl, row, column = _with_number(sheet, name, value)
        found = _magnitude_problems(tmp_path, tbl, row, column)
        assert found, f"{sheet}.{name} = {value:g} was not refused for its size"
        assert limit.show(limit.most) in found[0].message and limit.what in found[0].message, str(found[0])
    tbl, row, column = _with_number(sheet, name, limit.most)
    assert not _magnitude_problems(tmp_path, tbl, row, column), f"{sheet}.{name} at its limit {limit.most:g} was refused"


def test_a_range_target_is_zero_or_at_least_a_kilometre(tmp_path):
    tbl, row, column = _with_number("variants", "range_target_km", 0.5)
    (p,) = _magnitude_problems(tmp_path, tbl, row, column)
    assert "of 0 (none) or from 1 km up to 100,000 km" in p.message
    tbl, row, column = _with_number("variants", "range_target_km", 0)
    assert not _magnitude_problems(tmp_path, tbl, row, column)


@pytest.mark.parametrize(
    "sheet, name, value, fragment",
    [
        ("packs", "usable_kwh", 1e15, "energy (up to 10,000 kWh)"),
        ("packs", "usable_kwh", 1e308, "energy (up to 10,000 kWh)"),
        ("variants", "top_hat_dev_cost_jpy", 1e30, "one-time money (up to ¥10,000,000,000,000)"),
        ("parts", "unit_cost_jpy", 1e13, "money per unit (up to ¥100,000,000)"),
        ("settings", "equity_Honda", 1e308, "an equity share (up to 1,000,000,000,000)"),
    ],
)
def test_the_extreme_numbers_of_issue_12_are_refused_before_solving(tmp_path, sheet, name, value, fragment):
    tbl, row, column = _with_number(sheet, name, value)
    out = tmp_path / "report.xlsx"
    result = invoke("solve", write(tbl, tmp_path / "wb.xlsx"), "--out", out)
    _assert_refused(tmp_path, result.exit_code, result.stderr, [f"row {row}", f"'{column}'", fragment], out)


# ---- names: compared after Unicode normalisation (NFC) ------------------------------------------

from optimizer.workbook.schema import LIST, NAME  # noqa: E402

KEYWORDS = {("demand", "scope")}  # NAME columns that hold a keyword of the format, not a name


def _name_columns():
    for spec in SHEETS:
        if spec.name in ("settings", "rules", "scenarios"):
            continue
        for col in spec.columns:
            if col.kind in (NAME, LIST) and (spec.name, col.name) not in KEYWORDS:
                yield spec.name, col.name


def _accented(t: dict, form: str, only: tuple[str, str] | None = None) -> dict:
    """Every name of the tables (list items and both halves of category/option too) ends in é,
    spelt in Unicode form `form` in column `only` (every name column when None) and NFC elsewhere."""
    import unicodedata

    def mark(text: str, how: str) -> str:
        accent = unicodedata.normalize(how, "é")
        return ", ".join("/".join(p.strip() + accent for p in item.split("/")) for item in text.split(","))

    out = copy.deepcopy(t)
    for sheet, column in [*_name_columns(), ("locks", "choice"), ("scenarios", "scenario")]:
        for r in out.get(sheet, []):
            if isinstance(r.get(column), str):
                r[column] = mark(r[column], form if only in (None, (sheet, column)) else "NFC")
    return out


def _every_name() -> dict:
    """BASE with a name in every name column: body styles on a part, a years sheet the launch
    windows and a demand row name, a lock on a category's option, a future."""
    t = cells("parts", 0, body_styles="hatchback, van")
    t["years"] = [{"year": "2027"}, {"year": "2028"}]
    t["variants"][1].update(launch_from="2027", launch_by="2028")
    t["demand"][1]["year"] = "2028"
    t["locks"] = [{"variant": "H-hatch", "item": "motor", "choice": "m47"}]
    t["futures"] = [{"scenario": "dear-packs", "probability": 0.5}, {"scenario": "no-sharing", "probability": 0.5}]
    return t


@pytest.mark.parametrize("sheet, column", list(_name_columns()))
def test_every_name_is_compared_after_unicode_normalisation(tmp_path, sheet, column):
    """A name typed on a Mac or pasted from the web (NFD: e + combining accent) is the same name as
    one typed as é (NFC) in another sheet: the column under test holds NFD, every other NFC."""
    t = _every_name()
    assert any(isinstance(r.get(column), str) for r in t.get(sheet, [])), "the workbook has such a name"
    reference = validate(read_workbook(write(_accented(t, "NFC"), tmp_path / "nfc.xlsx"))).plan_input
    mixed = validate(read_workbook(write(_accented(t, "NFD", (sheet, column)), tmp_path / "nfd.xlsx"))).plan_input
    assert mixed == reference
    assert "Hondaé" in reference.brands


# ---- numbers typed as text ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "sheet, index, column, typed, expected",
    [
        ("parts", 0, "dev_cost_jpy", "¥7,000,000,000", 7e9),
        ("parts", 0, "dev_cost_jpy", "￥7,000,000,000", 7e9),  # full-width yen sign, as a Japanese IME types it
        ("parts", 0, "dev_cost_jpy", "7,000,000,000円", 7e9),
        ("parts", 0, "unit_cost_jpy", " ¥ 150,000 ", 150000),
        ("parts", 0, "unit_cost_jpy", "JPY 150000", 150000),
        ("parts", 4, "wh_per_km", "-3.5", -3.5),
        ("parts", 4, "wh_per_km", "\u22123.5", -3.5),  # the minus sign (U+2212) of documents and web pages
        ("parts", 4, "wh_per_km", "－3.5", -3.5),  # full-width hyphen-minus
        ("variants", 0, "length_mm", "３,３９５", 3395),  # full-width digits and comma
        ("variants", 0, "min_units", "2e4", 20000),
        ("settings", 0, "value", "0.01 %", 0.0001),  # mip_rel_gap
        ("settings", 0, "value", "0.01%", 0.0001),
    ],
)
def test_numbers_typed_as_text_are_read_as_meant(tmp_path, sheet, index, column, typed, expected):
    inp = validate(read_workbook(write(cells(sheet, index, **{column: typed}), tmp_path / "wb.xlsx"))).plan_input
    got = {
        "parts": lambda: getattr(inp.parts[index], column),
        "variants": lambda: getattr(inp.variants[index], column),
        "settings": lambda: inp.settings.mip_rel_gap,
    }[sheet]()
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    "sheet, index, column, typed, fragments",
    [
        ("plants", 0, "capacity_units", "5 %", ["a percentage is not accepted here: type the value itself in units/yr"]),
        ("parts", 0, "mass_kg", "¥300", ["a yen amount in a column measured in kg"]),
        ("parts", 0, "dev_cost_jpy", "1,5", ["expected a number (accepted: 1234.5, 1,234.5, 1.2e9, ¥7,000,000,000)"]),
        ("variants", 0, "length_mm", "3.4 m", ["expected a number (accepted: 1234.5, 1,234.5, 1.2e9)"]),
        ("settings", 1, "value", "60 %", ["time_limit_s: a percentage is not accepted here"]),
        ("settings", 0, "value", "0.1 ‰", ["mip_rel_gap: expected a number", "0.01 % (= 0.0001)"]),
    ],
)
def test_numbers_typed_as_text_that_are_not_clear_say_what_is_accepted(tmp_path, sheet, index, column, typed, fragments):
    out = tmp_path / "report.xlsx"
    result = invoke("solve", write(cells(sheet, index, **{column: typed}), tmp_path / "wb.xlsx"), "--out", out)
    _assert_refused(tmp_path, result.exit_code, result.stderr, [f"sheet '{sheet}'", f"row {index + 2}", f"'{column}'", *fragments], out)


def test_a_scenario_multiplies_by_a_percentage(tmp_path):
    t = tables()
    t["scenarios"] = [dict(scenario="up", sheet="packs", match="*", column="unit_cost_jpy", op="multiply", value="120 %"),
                      dict(scenario="up", sheet="parts", match="option=m39", column="unit_cost_jpy", op="add", value="¥10,000")]
    from optimizer.workbook.scenarios import apply_scenario

    inp = validate(apply_scenario(read_workbook(write(t, tmp_path / "wb.xlsx")), "up")).plan_input
    assert inp.packs[0].unit_cost_jpy == pytest.approx(320000 * 1.2) and inp.parts[0].unit_cost_jpy == pytest.approx(160000)


def test_the_documented_ranges_are_the_ones_checked():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "input-checks.md").read_text(encoding="utf-8")
    for _sheet, name, _kind, limit in _numeric_cells():
        shown = f"{limit.most:,.0f}"
        assert shown in doc, f"docs/input-checks.md does not state {name}'s limit {shown}"
