"""`plan solve --robust`: one design for every future, each future's own optimum, regret, EVPI and
the regret matrix; the command's refusals; a design that cannot serve a future says why."""

from __future__ import annotations

import json

import pytest

from builders import programme, tables, write
from clirun import invoke, plan
from example_case import EXAMPLE
from models.data import Future
from optimizer.pipeline import load_futures, load_input
from optimizer.solving.robust import make_robust_plan
from optimizer.solving.solve import make_plan

FUTURES = [dict(scenario="base", probability=0.6), dict(scenario="dear-packs", probability=0.4)]


def robust_json(tmp_path, tbl, *extra) -> tuple[int, dict]:
    path = write(tbl, tmp_path / "wb.xlsx")
    proc = plan("solve", path, "--robust", "--json", "--out", tmp_path / "r.xlsx", *extra)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}


def test_the_json_is_the_contracts_object(tmp_path):
    code, obj = robust_json(tmp_path, tables(futures=FUTURES))
    assert code == 0
    assert {"status", "expected_cost_jpy", "best_bound_jpy", "gap", "variants", "developed", "futures", "evpi_jpy", "report"} <= set(obj)
    assert set(obj["futures"]) == {"base", "dear-packs"}
    expected = sum(f["probability"] * f["total_cost_jpy"] for f in obj["futures"].values())
    assert obj["expected_cost_jpy"] == pytest.approx(expected, rel=1e-9)
    own = sum(f["probability"] * f["own_optimum_jpy"] for f in obj["futures"].values())
    assert obj["evpi_jpy"] == pytest.approx(obj["expected_cost_jpy"] - own, rel=1e-9, abs=1.0)
    assert obj["evpi_jpy"] >= -1.0
    for name, fut in obj["futures"].items():
        for v, entry in obj["variants"].items():
            assert (v in fut["variants"]) == entry["offered"], (name, v)


def test_with_years_the_design_carries_launch_years_and_each_future_its_years(tmp_path):
    code, obj = robust_json(tmp_path, programme(locks=None, futures=FUTURES))
    assert code == 0 and obj["years"] == ["2027", "2028"]
    offered = [v for v, e in obj["variants"].items() if e["offered"]]
    assert offered and all(obj["variants"][v]["launch_year"] in obj["years"] for v in offered)
    for fut in obj["futures"].values():
        for v in offered:
            by_year = fut["variants"][v]["by_year"]
            assert sum(y["units"] for y in by_year.values()) == pytest.approx(fut["variants"][v]["units"])


def test_one_future_of_probability_one_gives_that_scenarios_own_plan(tmp_path):
    path = write(tables(futures=[dict(scenario="dear-packs", probability=1.0)]), tmp_path / "wb.xlsx")
    source, futures, _ = load_futures(path)
    robust = make_robust_plan(futures)
    _, inp, _ = load_input(path, "dear-packs")
    alone = make_plan(inp)
    assert robust.expected_cost_jpy == pytest.approx(alone.total_cost_jpy, rel=1e-9)
    assert robust.evpi_jpy == pytest.approx(0.0, abs=1.0)


def test_the_robust_cost_is_at_least_the_expected_own_optimum_and_at_most_any_bet(tmp_path):
    path = write(tables(futures=FUTURES), tmp_path / "wb.xlsx")
    _, futures, _ = load_futures(path)
    o = make_robust_plan(futures)
    probability = {f.name: f.probability for f in futures}
    own = sum(r.probability * r.own_optimum_jpy for r in o.futures)
    assert o.expected_cost_jpy >= own - 1.0
    for bet in o.bets:
        expected = bet.expected_jpy(probability)
        if expected is not None:
            assert o.expected_cost_jpy <= expected * (1 + 1e-6)


def test_worst_case_minimises_the_largest_cost(tmp_path):
    path = write(tables(futures=FUTURES), tmp_path / "wb.xlsx")
    _, futures, _ = load_futures(path)
    expected, worst = make_robust_plan(futures), make_robust_plan(futures, objective="worst")
    assert worst.worst_cost_jpy <= expected.worst_cost_jpy * (1 + 1e-6)
    assert worst.expected_cost_jpy >= expected.expected_cost_jpy * (1 - 1e-6)


def test_worst_case_plans_every_future_at_the_cheapest_units_its_design_allows():
    """The least worst case fixes only the dearest future's cost; the bundled example's other
    futures were left ¥0.5–2.4 bn above what the same design costs there with their best units."""
    _, futures, _ = load_futures(EXAMPLE)
    worst = make_robust_plan(futures, objective="worst")
    assert worst.status == "optimal"
    for f, r in zip(futures, worst.futures):
        best = make_plan(f.inp, design=worst.design)
        assert best.status == "optimal"
        assert r.cost_jpy <= best.total_cost_jpy * (1 + worst.mip_rel_gap) + 1.0, f.name


def test_a_design_that_cannot_serve_a_future_says_which_rule_it_breaks(tmp_path):
    """A longer-range future rules out the base case's pack: betting on the base design fails
    there with the range target named."""
    t = tables(futures=[dict(scenario="base", probability=0.5), dict(scenario="far", probability=0.5)])
    t["scenarios"].append(dict(scenario="far", sheet="variants", match="*", column="range_target_km", op="add", value=45))
    path = write(t, tmp_path / "wb.xlsx")
    _, futures, _ = load_futures(path)
    o = make_robust_plan(futures)
    assert o.status in ("optimal", "feasible")
    base_bet = next(b for b in o.bets if b.design_of == "base")
    if base_bet.design.offered != o.design.offered:
        far = base_bet.outcomes["far"]
        assert far.total_cost_jpy is None and any("range" in c for c in far.conflicts), far.conflicts


def test_no_design_for_every_future_names_the_futures_and_rules(tmp_path):
    t = tables(futures=[dict(scenario="base", probability=0.5), dict(scenario="tiny", probability=0.5)])
    t["scenarios"].append(dict(scenario="tiny", sheet="plants", match="*", column="capacity_units", op="multiply", value=0.1))
    code, obj = robust_json(tmp_path, t)
    assert code == 1 and obj["status"] == "infeasible" and obj["expected_cost_jpy"] is None
    assert any("tiny" in c for c in obj["conflicts"]), obj["conflicts"]


@pytest.mark.parametrize("args, fragment", [
    (["--robust", "--scenario", "dear-packs"], "excludes --scenario"),
    (["--robust", "--all-scenarios"], "excludes"),
    (["--worst-case"], "--robust only"),
])
def test_robust_refuses_options_it_cannot_combine(tmp_path, args, fragment):
    path = write(tables(futures=FUTURES), tmp_path / "wb.xlsx")
    result = invoke("solve", path, *args, "--out", tmp_path / "r.xlsx")
    assert result.exit_code == 2 and fragment in result.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_robust_without_a_futures_sheet_is_refused(tmp_path):
    code, _ = robust_json(tmp_path, tables())
    assert code == 2


def test_a_future_that_renames_a_variant_is_refused(tmp_path):
    t = tables(futures=[dict(scenario="base", probability=0.5), dict(scenario="renamed", probability=0.5)])
    t["scenarios"].append(dict(scenario="renamed", sheet="variants", match="variant=H-van", column="variant", op="set", value="H-van2"))
    path = write(t, tmp_path / "wb.xlsx")
    result = invoke("solve", path, "--robust", "--out", tmp_path / "r.xlsx")
    assert result.exit_code == 2 and "changes the names" in result.stderr


def test_the_report_has_the_futures_sheet_with_the_regret_matrix(tmp_path):
    import openpyxl

    code, obj = robust_json(tmp_path, tables(futures=FUTURES))
    wb = openpyxl.load_workbook(obj["report"])
    assert {"Summary", "Futures", "Design", "Units", "Provenance"} <= set(wb.sheetnames)
    texts = [c for row in wb["Futures"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "committed (robust)" in texts and any(t.startswith(("best for ", "best found for ")) for t in texts)
    assert wb["Futures"]._charts


def test_futures_in_the_model_share_one_design(tmp_path):
    """The extensive form: every future's plan has the same offers, parts, packs and launch years."""
    _, futures, _ = load_futures(write(programme(locks=None, futures=FUTURES), tmp_path / "wb.xlsx"))
    o = make_robust_plan(futures)
    assert {repr(r.plan.design()) for r in o.futures} == {repr(o.design)}
    assert all(isinstance(f, Future) for f in futures)
