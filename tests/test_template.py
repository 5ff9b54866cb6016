"""`plan template PATH`: a blank workbook with every sheet and column of the spec, help on each
header, drop-down lists for yes/no and reference columns, a first sheet that says how to start and
where the format is described; never overwrites without --force."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from builders import tables
from clirun import find_problem, invoke, plan

# Every sheet and column of the workbook format (docs/workbook.md), transcribed from it (not from
# optimizer.workbook.schema), so that the template and the spec cannot drift apart unnoticed.
SPEC = {
    "settings": ["setting", "value"],
    "brands": ["brand"],
    "variants": [
        "variant", "brand", "body_style", "length_mm", "width_mm", "height_mm", "seats", "payload_kg", "glider_mass_kg",
        "base_wh_per_km", "range_target_km", "min_power_kw", "pack_bay_mm", "max_unit_cost_jpy", "top_hat_dev_cost_jpy",
        "top_hat_unit_cost_jpy", "min_units", "max_units", "must_offer", "launch_from", "launch_by",
    ],
    "categories": ["category", "required", "shared"],
    "parts": ["category", "option", "dev_cost_jpy", "unit_cost_jpy", "mass_kg", "power_kw", "wh_per_km", "height_mm", "length_mm", "body_styles", "brands"],
    "packs": ["pack", "usable_kwh", "mass_kg", "height_mm", "length_mm", "dev_cost_jpy", "unit_cost_jpy"],
    "tiers": ["item", "min_units", "unit_cost_jpy"],
    "plants": ["plant", "capacity_units", "assembly_cost_jpy", "line_cost_jpy", "body_styles"],
    "demand": ["scope", "name", "min_units", "max_units", "year"],
    "rules": ["rule", "value"],
    "scenarios": ["scenario", "sheet", "match", "column", "op", "value"],
    "locks": ["variant", "item", "choice"],
    "years": ["year", "demand_factor", "capacity_factor", "pack_cost_factor", "part_cost_factor", "ceiling_factor", "discount_factor"],
    "futures": ["scenario", "probability"],
    # Beyond the spec: plan sweep's uncertain inputs, transcribed from docs/sweeps.md.
    "ranges": ["name", "sheet", "match", "column", "op", "low", "high", "most_likely", "distribution"],
}
SETTINGS = {"lifecycle_years": 6, "wh_per_km_per_kg": 0.05, "time_limit_s": 60, "mip_rel_gap": 0.001, "integer_units": "no", "cross_brand_sharing": "yes"}
RULES = {"max_length_mm": 3400, "max_width_mm": 1480, "max_height_mm": 2000, "max_seats": 4, "max_payload_kg": 350, "max_power_kw": 47}
YES_NO = [("variants", "must_offer"), ("categories", "required"), ("categories", "shared")]
REFERENCES = [("variants", "brand", "brands"), ("parts", "category", "categories")]
READ_ME = "read me"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "new plan.xlsx"
    proc = plan("template", path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    return path


def test_every_sheet_and_column_of_the_spec(template):
    book = openpyxl.load_workbook(template)
    assert set(book.sheetnames) == set(SPEC) | {READ_ME}
    for sheet, columns in SPEC.items():
        header = [c.value for c in book[sheet][1] if c.value is not None]
        assert header == columns, sheet


def test_every_header_has_a_comment(template):
    book = openpyxl.load_workbook(template)
    for sheet in SPEC:
        for cell in book[sheet][1]:
            assert cell.comment is not None and cell.comment.text.strip(), f"{sheet}!{cell.coordinate} has no comment"
    variants = {c.value: c.comment.text for c in book["variants"][1]}
    assert "required" in variants["variant"] and "optional" in variants["payload_kg"]


def _validations(ws) -> dict[str, str]:
    """Column letter -> list formula of the sheet's data validations that cover row 2."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        for rng in dv.sqref.ranges:
            if rng.min_row <= 2 <= rng.max_row:
                for col in range(rng.min_col, rng.max_col + 1):
                    out[openpyxl.utils.get_column_letter(col)] = dv.formula1
    return out


def test_yes_no_and_reference_columns_have_drop_downs(template):
    book = openpyxl.load_workbook(template)

    def letter(sheet, column):
        return openpyxl.utils.get_column_letter(SPEC[sheet].index(column) + 1)

    for sheet, column in YES_NO:
        formula = _validations(book[sheet]).get(letter(sheet, column))
        assert formula is not None, f"{sheet}.{column} has no drop-down"
        assert sorted(formula.strip('"').split(",")) == ["no", "yes"]
    for sheet, column, target in REFERENCES:
        formula = _validations(book[sheet]).get(letter(sheet, column))
        assert formula is not None and formula.startswith(f"{target}!$A$2"), f"{sheet}.{column}: {formula}"
    scopes = _validations(book["demand"])["A"].strip('"').split(",")
    assert scopes == ["total", "brand", "body_style", "variant"]
    assert _validations(book["scenarios"])["E"].strip('"').split(",") == ["set", "multiply", "add"]


def test_settings_and_rules_are_listed_at_their_defaults(template):
    book = openpyxl.load_workbook(template)
    settings = {r[0]: r[1] for r in book["settings"].iter_rows(min_row=2, values_only=True) if r[0]}
    rules = {r[0]: r[1] for r in book["rules"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert settings == SETTINGS and rules == RULES


def test_refuses_to_overwrite_unless_forced(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"a planner's work")
    result = invoke("template", path)
    assert result.exit_code == 2
    find_problem(result.stderr, "already exists", "--force")
    assert path.read_bytes() == b"a planner's work"
    result = invoke("template", path, "--force")
    assert result.exit_code == 0, result.stderr
    assert set(openpyxl.load_workbook(path).sheetnames) == set(SPEC) | {READ_ME}
    assert {p.name for p in tmp_path.iterdir()} == {"plan.xlsx"}


def test_refuses_to_overwrite_as_a_process(template):
    before = template.read_bytes()
    proc = plan("template", template)
    assert proc.returncode == 2
    find_problem(proc.stderr, "already exists")
    assert template.read_bytes() == before


def test_template_filled_with_the_builders_data_validates(template, tmp_path):
    book = openpyxl.load_workbook(template)
    for sheet, rows in tables().items():
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        ws.delete_rows(2, ws.max_row)
        for r, row in enumerate(rows, start=2):
            assert set(row) <= set(header), sheet
            for key, value in row.items():
                ws.cell(row=r, column=header.index(key) + 1, value=value)
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    result = invoke("validate", filled)
    assert result.exit_code == 0, result.stderr
    assert "scenarios checked: base, dear-packs, no-sharing" in result.stderr
    assert READ_ME not in result.stderr  # the help sheet is neither read nor warned about


def test_the_first_sheet_says_how_to_start_and_where_the_format_is_described(template):
    """A pip-installed user has no docs/ folder: the template itself says enough to start."""
    book = openpyxl.load_workbook(template)
    assert book.sheetnames[0] == READ_ME and book.active.title == READ_ME
    text = "\n".join(str(c) for row in book[READ_ME].iter_rows(values_only=True) for c in row if c is not None)
    for needed in ("docs/workbook.md", "plan validate", "plan solve", "--json", "_jpy", "per year"):
        assert needed in text, needed
    listed = {row[0] for row in book[READ_ME].iter_rows(values_only=True) if row[0] in SPEC}
    assert listed == set(SPEC)
    assert (Path(__file__).resolve().parents[1] / "docs" / "workbook.md").is_file()


def test_the_template_command_help_names_the_guide():
    result = invoke("template", "--help")
    assert result.exit_code == 0
    assert "docs/workbook.md" in result.output and "read me" in result.output


def test_the_blank_template_asks_for_data(template):
    """Untouched, the template validates only as far as its missing data."""
    result = invoke("validate", template)
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'brands'", "no brands are listed")
    find_problem(result.stderr, "sheet 'variants'", "no variants are listed")


def test_every_number_column_says_the_range_plan_accepts(tmp_path):
    from optimizer.workbook.limits import column_limit
    from optimizer.workbook.schema import SHEET
    from optimizer.workbook.template import build_template
    from optimizer.workbook.checker import NUMBERS

    wb = build_template()
    for name, spec in SHEET.items():
        for cell in wb[name][1]:
            col = spec.column(cell.value)
            if col is not None and col.kind in NUMBERS:
                assert f"accepted: " in cell.comment.text and column_limit(col.name).show(column_limit(col.name).most) in cell.comment.text, (name, col.name)
