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
    ],
)
def test_bad_equity_is_reported_in_the_workbooks_terms(tmp_path, rows, fragment):
    with pytest.raises(InputError) as err:
        load(tmp_path, *rows)
    assert any(fragment in str(p) for p in err.value.problems), [str(p) for p in err.value.problems]
