"""`equity_<brand>` settings: parsed, checked and normalised (docs/settings.md)."""

from __future__ import annotations

import pytest

import builders
from optimizer.problems import InputError
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook


def load(tmp_path, *extra: dict):
    settings = builders.tables()["settings"] + list(extra)
    path = builders.write(builders.tables(settings=settings), tmp_path / "wb.xlsx")
    return validate(read_workbook(path)).plan_input


def test_no_equity_means_equal_shares(tmp_path):
    assert load(tmp_path).settings.equity == ()


def test_equity_is_normalised_and_matches_brands_case_insensitively(tmp_path):
    inp = load(tmp_path, {"setting": "equity_Honda", "value": 60}, {"setting": "EQUITY_mitsubishi", "value": 40})
    assert inp.settings.equity == (("Honda", 0.6), ("Mitsubishi", 0.4))


@pytest.mark.parametrize(
    "rows, fragment",
    [
        ([{"setting": "equity_Honda", "value": 60}], "not for Mitsubishi"),
        ([{"setting": "equity_Honda", "value": -1}, {"setting": "equity_Mitsubishi", "value": 1}], "cannot be negative"),
        ([{"setting": "equity_Suzuki", "value": 1}], "names no brand"),
        ([{"setting": "equity_Honda", "value": 0}, {"setting": "equity_Mitsubishi", "value": 0}], "is zero"),
        # 1e308 + 1e308 overflowed to inf: every share became 0 and the Who pays split divided by zero
        ([{"setting": "equity_Honda", "value": 1e308}, {"setting": "equity_Mitsubishi", "value": 1e308}],
         "equity_Honda: is above what plan accepts for an equity share (up to 1,000,000,000,000)"),
        ([{"setting": "equity_Honda", "value": "lots"}, {"setting": "equity_Mitsubishi", "value": 1}], "expected a number"),
    ],
)
def test_bad_equity_is_reported_in_the_workbooks_terms(tmp_path, rows, fragment):
    with pytest.raises(InputError) as err:
        load(tmp_path, *rows)
    assert any(fragment in str(p) for p in err.value.problems), [str(p) for p in err.value.problems]


def test_equity_may_be_typed_as_percentages(tmp_path):
    inp = load(tmp_path, {"setting": "equity_Honda", "value": "66 %"}, {"setting": "equity_Mitsubishi", "value": "34%"})
    assert dict(inp.settings.equity) == pytest.approx({"Honda": 0.66, "Mitsubishi": 0.34})
