"""Who pays: the three splits add up, and Shapley leaves each brand better off than alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from example_case import example_case
from optimizer.analysis.allocation import equity_shares, who_pays


def test_shapley_adds_up_and_each_brand_pays_no_more_than_alone():
    case = example_case()
    pays = who_pays(case)
    total = case.outcome.total_cost_jpy
    assert len(pays.brands) == 2 and case.sharing_saving_jpy > 0
    assert sum(b.shapley_jpy for b in pays.brands) == pytest.approx(total, rel=1e-9)
    assert sum(b.alone_jpy for b in pays.brands) == pytest.approx(case.baseline.total_cost_jpy, rel=1e-9)
    for b in pays.brands:
        assert b.shapley_jpy <= b.alone_jpy
        assert b.alone_jpy - b.shapley_jpy == pytest.approx(case.sharing_saving_jpy / 2)


def test_units_and_equity_splits_add_up():
    case = example_case()
    pays = who_pays(case)
    total = case.outcome.total_cost_jpy
    assert sum(b.by_units_jpy for b in pays.brands) == pytest.approx(total)
    assert sum(b.by_equity_jpy for b in pays.brands) == pytest.approx(total)
    assert sum(b.by_use_jpy for b in pays.brands) == pytest.approx(total)
    assert all(b.equity == pytest.approx(0.5) for b in pays.brands)  # default: equal shares


def test_equity_settings_set_the_equity_split():
    case = example_case()
    inp = case.plan_input
    settings = replace(inp.settings, equity=((inp.brands[0], 0.7), (inp.brands[1], 0.3)))
    shares = equity_shares(replace(inp, settings=settings))
    assert shares == {inp.brands[0]: 0.7, inp.brands[1]: 0.3}
