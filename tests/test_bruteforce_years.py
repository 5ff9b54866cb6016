"""`plan solve` over the years (launch windows, demand years, locks) against the independent
brute-force oracle (tests/oracle/programme.py, written from docs/workbook.md alone).

The oracle is checked first on its own: hand-worked cases, the steady year equal to the older
oracle (bruteforce.py) on its 41 workbooks, the pruned search equal to the exhaustive one, and
its plans passing its own rule checker at the cost it reports.  Then every generated workbook
(tests/oracle/random_programmes.py: 2-4 years, some infeasible on purpose) is solved by `plan` and
compared: status, total cost, and the printed plan checked rule by rule and re-priced.
"""
from __future__ import annotations

import copy
import functools

import pytest

from oracle.bruteforce import Model, solve_by_enumeration
from oracle.check_programme import evaluate_programme_plan
from oracle.programme import Programme, solve_programme
from oracle.random_programmes import make_years_case
from oracle.random_workbooks import Case, make_case
from oracle.runs import answer, close, design_problems, infeasible_problems, run_all

SEEDS = list(range(32))
EXHAUSTIVE_SEEDS = [0, 5, 8, 10, 20, 21, 22, 24, 29, 39]  # small enough to cost every design


@functools.lru_cache(maxsize=None)
def _oracle(seed: int):
    return solve_programme(make_years_case(seed))


# ---------------------------------------------------------------------------
# the oracle on hand-worked cases
# ---------------------------------------------------------------------------

def _hand_case(**variant_kw) -> Case:
    """One must-offer variant at exactly 10 000 units x demand_factor; one motor m (dev 1e9, unit
    1e5); packs P (dev 2e9, unit 5e5) and P2 (dev 1e9, unit 7e5); top hat dev 1e9; plant X, line 5e8,
    no assembly cost.  Years Y1 (all factors 1) and Y2 (demand x1.5, packs x0.8, discount 0.9).
      launch Y1, P: one-time 4.5e9 in Y1; Y1 10 000 x 6e5 = 6e9; Y2 15 000 x (1e5 + 4e5) x 0.9
                    = 6.75e9                                        -> 17.25e9
      launch Y2, P: one-time 4.5e9 x 0.9 = 4.05e9; Y2 6.75e9        -> 10.80e9  (the optimum)
      launch Y2, P2: 3.5e9 x 0.9 = 3.15e9; Y2 15 000 x (1e5 + 5.6e5) x 0.9 = 8.91e9 -> 12.06e9"""
    v = dict(variant="V", brand="A", body_style="hatchback", length_mm=3300, width_mm=1470,
             height_mm=1600, seats=4, glider_mass_kg=700, base_wh_per_km=80, range_target_km=150,
             pack_bay_mm=2000, min_units=10000, max_units=10000, must_offer=True,
             top_hat_dev_cost_jpy=1_000_000_000)
    v.update(variant_kw)
    pack = dict(usable_kwh=20, mass_kg=140, length_mm=1900)
    return Case(
        seed=-1, settings={"mip_rel_gap": 1e-9}, brands=["A"], variants=[v],
        categories=[{"category": "motor"}],
        parts=[{"category": "motor", "option": "m", "dev_cost_jpy": 1_000_000_000,
                "unit_cost_jpy": 100_000, "mass_kg": 40, "power_kw": 40}],
        packs=[dict(pack, pack="P", dev_cost_jpy=2_000_000_000, unit_cost_jpy=500_000),
               dict(pack, pack="P2", dev_cost_jpy=1_000_000_000, unit_cost_jpy=700_000)],
        plants=[{"plant": "X", "capacity_units": 50000, "line_cost_jpy": 500_000_000}],
        years=[{"year": "Y1"}, {"year": "Y2", "demand_factor": 1.5, "pack_cost_factor": 0.8,
                                "discount_factor": 0.9}])


def _cost(case: Case):
    out = solve_programme(case)
    return out.status, out.cost


def test_oracle_hand_years():
    assert _cost(_hand_case()) == ("optimal", pytest.approx(10.8e9, rel=1e-12))
    # launch_by Y1: it must sell from Y1
    assert _cost(_hand_case(launch_by="Y1")) == ("optimal", pytest.approx(17.25e9, rel=1e-12))
    # a ceiling of 5.5e5: list cost 6e5 in Y1, 5e5 in Y2 -- it may sell from Y2 only
    assert _cost(_hand_case(max_unit_cost_jpy=550_000)) == ("optimal", pytest.approx(10.8e9, rel=1e-12))
    assert _cost(_hand_case(max_unit_cost_jpy=550_000, launch_by="Y1")) == ("infeasible", None)
    # ... and a ceiling_factor of 0.95 in Y2 (5.225e5 >= 5e5) changes nothing, 0.9 (4.95e5) kills it
    c = _hand_case(max_unit_cost_jpy=550_000)
    c.years[1]["ceiling_factor"] = 0.95
    assert _cost(c) == ("optimal", pytest.approx(10.8e9, rel=1e-12))
    c.years[1]["ceiling_factor"] = 0.9
    assert _cost(c) == ("infeasible", None)


def test_oracle_hand_demand_rows():
    # a demand row for Y1 only forces sales in Y1
    c = _hand_case()
    c.demand = [{"scope": "total", "min_units": 5000, "year": "Y1"}]
    assert _cost(c) == ("optimal", pytest.approx(17.25e9, rel=1e-12))
    # a row without a year is scaled: max 12 000 in Y1, 18 000 in Y2 (15 000 units fit)
    c.demand = [{"scope": "variant", "name": "V", "max_units": 12000}]
    assert _cost(c) == ("optimal", pytest.approx(10.8e9, rel=1e-12))
    # ... a row with a year is as written: 12 000 < 15 000 in Y2
    c.demand = [{"scope": "variant", "name": "V", "max_units": 12000, "year": "Y2"}]
    assert _cost(c) == ("infeasible", None)
    # a minimum in every year holds before the launch too: nothing sells in Y1 without launching then
    c.demand = [{"scope": "total", "min_units": 1000}]
    assert _cost(c) == ("optimal", pytest.approx(17.25e9, rel=1e-12))


def test_oracle_hand_locks():
    c = _hand_case()
    c.locks = [{"variant": "V", "item": "pack", "choice": "P2"}]
    assert _cost(c) == ("optimal", pytest.approx(12.06e9, rel=1e-12))
    c.locks = [{"variant": "V", "item": "offer", "choice": "no"}]  # against must_offer
    assert _cost(c) == ("infeasible", None)
    # two locks that cannot both hold: no plan
    c.locks = [{"variant": "V", "item": "pack", "choice": "P"}, {"variant": "V", "item": "pack", "choice": "P2"}]
    assert _cost(c) == ("infeasible", None)
    # a lock on the motor of a variant nobody must offer still offers it
    c = _hand_case(must_offer=False)
    assert _cost(c) == ("optimal", 0.0)
    c.locks = [{"variant": "V", "item": "motor", "choice": "m"}]
    assert _cost(c) == ("optimal", pytest.approx(10.8e9, rel=1e-12))
    # ... which an offer lock of no contradicts
    c.locks.append({"variant": "V", "item": "offer", "choice": "no"})
    assert _cost(c) == ("infeasible", None)


def test_oracle_hand_line_and_development_years():
    """Two variants sharing motor and pack; W may launch in Y2 only.  The top hat, the pack and the
    motor are paid in V's launch year; a second plant Z (line 2e8, cheaper than X's 5e8) that only
    builds vans is set up in the first year a van is built, discounted by 0.9."""
    c = _hand_case(launch_by="Y1")
    w = dict(c.variants[0], variant="W", body_style="van", launch_from="Y2", launch_by=None,
             top_hat_dev_cost_jpy=0)
    del w["launch_by"]
    c.variants.append(w)
    c.plants.append({"plant": "Z", "capacity_units": 50000, "line_cost_jpy": 200_000_000,
                     "body_styles": ["van"]})
    # V as before launching in Y1 (17.25e9).  W in Y2: 15 000 x 5e5 x 0.9 = 6.75e9, line Z 2e8 x 0.9.
    assert _cost(c) == ("optimal", pytest.approx(17.25e9 + 6.75e9 + 0.18e9, rel=1e-12))


def test_steady_year_equals_bruteforce():
    """Without a years sheet the oracle is today's: the older oracle's optimum on each of its 41
    workbooks; the checker prices the older oracle's plans at that optimum and finds no fault."""
    for seed in list(range(40)) + [398]:
        case = make_case(seed)
        old_status, old_cost, old_plan = solve_by_enumeration(case, return_plan=True)
        new = solve_programme(case)
        assert new.status == old_status, seed
        if old_status == "optimal":
            assert new.cost == pytest.approx(old_cost, rel=1e-12), seed
            assert evaluate_programme_plan(case, old_plan) == (pytest.approx(old_cost, rel=1e-9), []), seed


def test_pruned_search_equals_exhaustive():
    for seed in EXHAUSTIVE_SEEDS:
        case = make_years_case(seed)
        pruned, full = solve_programme(case), solve_programme(case, exhaustive=True)
        assert pruned.status == full.status, seed
        if full.status == "optimal":
            assert pruned.cost == pytest.approx(full.cost, rel=1e-9), seed
            assert full.stats["evaluated"] >= pruned.stats["evaluated"]


def test_oracle_plans_pass_its_checker():
    for seed in SEEDS:
        case, out = make_years_case(seed), _oracle(seed)
        if out.status != "optimal":
            continue
        result = {"years": Programme(case).names, "variants": out.plans[0]}
        cost, bad = evaluate_programme_plan(case, result)
        assert not bad, (seed, bad)
        assert cost == pytest.approx(out.cost, rel=1e-9), seed


def test_checker_catches_broken_plans():
    """Each rule over the years, broken on purpose in the oracle's optimal plan of the hand case."""
    case = _hand_case(max_unit_cost_jpy=550_000)
    plan = solve_programme(case).plans[0]
    good = {"years": ["Y1", "Y2"], "variants": plan}
    assert evaluate_programme_plan(case, good)[1] == []
    assert evaluate_programme_plan(case, good)[0] == pytest.approx(10.8e9, rel=1e-12)

    def broken(edit):
        result = copy.deepcopy(good)
        edit(result["variants"]["V"])
        return evaluate_programme_plan(case, result)[1]

    def early(d):  # sells in Y1, above the Y1 ceiling
        d["launch_year"] = "Y1"
        d["by_year"]["Y1"] = {"units": 10000.0, "plants": {"X": 10000.0}}
        d["units"] += 10000.0
        d["plants"]["X"] += 10000.0
    assert any("ceiling" in b for b in broken(early))

    def before_launch(d):
        d["by_year"]["Y1"] = {"units": 10000.0, "plants": {"X": 10000.0}}
        d["units"] += 10000.0
        d["plants"]["X"] += 10000.0
    assert any("before its launch" in b for b in broken(before_launch))

    def unscaled(d):  # 10 000 units in Y2, where the minimum is 15 000
        d["by_year"]["Y2"] = {"units": 10000.0, "plants": {"X": 10000.0}}
        d["units"], d["plants"] = 10000.0, {"X": 10000.0}
    assert any("outside" in b for b in broken(unscaled))

    def bad_sum(d):
        d["units"] = 1.0
    assert any("sum over the years" in b for b in broken(bad_sum))

    def outside_window(d):
        d["launch_year"] = "Y3"
    assert broken(outside_window)


def test_generated_mix():
    """The seeds cover plans and infeasible workbooks, 2, 3 and 4 years, launch windows, demand
    rows with a year, locks (a pack, an option, `none`, offer yes and no), years named as text."""
    cases = [make_years_case(s) for s in SEEDS]
    statuses = [_oracle(s).status for s in SEEDS]
    assert statuses.count("infeasible") >= 0.2 * len(SEEDS)
    assert statuses.count("optimal") >= 0.5 * len(SEEDS)
    assert {len(c.years) for c in cases} == {2, 3, 4}
    assert any(isinstance(c.years[0]["year"], str) for c in cases)
    assert sum(any("launch_from" in v or "launch_by" in v for v in c.variants) for c in cases) >= 10
    assert sum(any(r.get("year") is not None for r in c.demand or []) for c in cases) >= 5
    items = {lk["item"] if lk["item"] in ("offer", "pack") else
             ("none" if lk["choice"].lower() == "none" else "option")
             for c in cases for lk in c.locks or []}
    assert items == {"offer", "pack", "option", "none"}
    offers = {lk["choice"].lower() for c in cases for lk in c.locks or [] if lk["item"] == "offer"}
    assert offers == {"yes", "no"}
    launches = {(i, ch.launch) for s in SEEDS if _oracle(s).design for i, ch in enumerate(_oracle(s).design)
                if ch is not None}
    assert any(launch > 0 for _, launch in launches), "some optimum launches after the first year"


# ---------------------------------------------------------------------------
# plan solve against the oracle
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bruteforce_years")
    return run_all({f"years_{s}": (make_years_case(s), ["--no-sharing-baseline"]) for s in SEEDS}, folder)


@pytest.mark.parametrize("seed", SEEDS)
def test_plan_agrees_with_bruteforce_over_the_years(seed, plan_runs):
    run = plan_runs[f"years_{seed}"]
    out = _oracle(seed)
    context = run.context(f"oracle: {out.status} {out.cost}\noracle design: {out.design}\n"
                          f"oracle plan: {out.plans}")
    result = answer(run, context)
    if out.status == "infeasible":
        assert not infeasible_problems(run, "total_cost_jpy"), infeasible_problems(run, "total_cost_jpy") + [context]
        return
    assert run.proc.returncode == 0, context
    assert result["status"] == "optimal", context
    assert run.report.exists(), context
    total = result["total_cost_jpy"]
    assert total is not None and close(total, out.cost, result.get("gap")), (
        f"plan's total {total!r} vs brute-force optimum {out.cost!r}" + context)
    assert result.get("years") == Programme(run.case).names, "years" + context
    bad = design_problems(result, Model(run.case))
    assert not bad, f"{bad}{context}"
    cost, broken = evaluate_programme_plan(run.case, result)
    assert not broken, f"plan's plan breaks rules: {broken}" + context
    assert close(cost, total), f"plan's plan priced by the oracle: {cost!r}, reported {total!r}" + context


# "A plan obeys every lock; locks that cannot hold together are a conflict reported like any
# other": status infeasible, exit 1, the conflict named -- not an input error (exit 2).
CONTRADICTING_LOCKS = {
    "offer_no_and_pack": [{"variant": "V", "item": "offer", "choice": "no"},
                          {"variant": "V", "item": "pack", "choice": "P"}],
    "two_packs": [{"variant": "V", "item": "pack", "choice": "P"},
                  {"variant": "V", "item": "pack", "choice": "P2"}],
}


@pytest.fixture(scope="module")
def lock_runs(tmp_path_factory):
    jobs = {}
    for key, locks in CONTRADICTING_LOCKS.items():
        case = _hand_case(must_offer=False)
        case.locks = locks
        jobs[key] = (case, ["--no-sharing-baseline"])
    return run_all(jobs, tmp_path_factory.mktemp("contradicting_locks"))


@pytest.mark.parametrize("key", sorted(CONTRADICTING_LOCKS))
def test_plan_reports_locks_that_cannot_hold_together_as_a_conflict(key, lock_runs):
    run = lock_runs[key]
    assert solve_programme(run.case).status == "infeasible"
    problems = infeasible_problems(run, "total_cost_jpy") if run.proc.returncode != 2 else ["exit 2"]
    assert not problems, problems + [run.context()]
