"""`plan solve --robust` (one design for several futures) against the independent brute-force
oracle (tests/oracle/programme.py, written from docs/workbook.md alone).

The oracle enumerates designs (with launch years when there is a years sheet); each future's cost
with a design is that future's own optimum with the design fixed; the design obeys every future;
the search minimises the expected cost.  It is checked first on a hand-worked case, against
itself (one future of probability 1 is the single-case optimum; pruned = exhaustive; EVPI >= 0),
and its plans pass its rule checker in every future.  Then `plan` is compared on every generated
workbook (tests/oracle/random_programmes.py: 2-3 futures, with and without years, some
infeasible on purpose): status, expected cost, each future's cost and own optimum, EVPI, and
the printed plan checked rule by rule in every future; and a futures sheet of one future with
probability 1 gives exactly `plan solve --scenario` of that scenario.
"""
from __future__ import annotations

import copy
import functools

import pytest

from oracle.bruteforce import Model
from oracle.check_programme import evaluate_robust_plan
from oracle.programme import Programme, solve_futures, solve_programme
from oracle.random_programmes import make_robust_case, single_future
from oracle.random_workbooks import Case
from oracle.runs import answer, close, design_problems, infeasible_problems, plan_has, run_all
from oracle.scenarios import future_cases
from test_bruteforce_years import _hand_case

SEEDS = list(range(30))
SINGLE_SEEDS = SEEDS[:6]   # one future of probability 1, against plan solve --scenario
EXHAUSTIVE_SEEDS = [0, 1, 2, 5, 6, 7, 8, 11]

needs_robust = pytest.mark.xfail(not plan_has("--robust"), strict=False, reason="--robust not on main yet")


@functools.lru_cache(maxsize=None)
def _oracle(seed: int):
    """(robust outcome, [each future's own outcome]) of the seed's workbook."""
    futures = future_cases(make_robust_case(seed))
    robust = solve_futures([(p, c) for _, p, c in futures])
    return robust, [solve_programme(c) for _, _, c in futures]


def _single(seed: int) -> tuple[str, Case]:
    """The seed's workbook with one future alone, at probability 1: its first (often base) for odd
    seeds, its last (a scenario) for even ones."""
    case = make_robust_case(seed)
    name = case.futures[seed % 2 - 1]["scenario"]
    return name, single_future(case, name)


# ---------------------------------------------------------------------------
# the oracle on its own
# ---------------------------------------------------------------------------

def _hand_futures(p_base: float) -> Case:
    """The years hand case (test_bruteforce_years._hand_case) with a scenario `dear` that makes pack
    P 60 % dearer.  Launching in Y2 is best in both futures:
      base: P 10.80e9, P2 12.06e9;   dear: P 4.05e9 + 15 000 x (1e5 + 6.4e5) x 0.9 = 14.04e9, P2 12.06e9.
    p_base 0.5:  P 12.42e9, P2 12.06e9 -> P2; own optima 10.8e9 and 12.06e9; EVPI 12.06 - 11.43 = 0.63e9.
    p_base 0.75: P 11.61e9, P2 12.06e9 -> P;  EVPI 11.61 - (8.1 + 3.015) = 0.495e9."""
    case = _hand_case()
    case.scenarios = [{"scenario": "dear", "sheet": "packs", "match": "pack=P", "column": "unit_cost_jpy",
                       "op": "multiply", "value": 1.6}]
    case.futures = [{"scenario": "base", "probability": p_base},
                    {"scenario": "dear", "probability": 1 - p_base}]
    return case


@pytest.mark.parametrize("p_base, pack, expected, evpi", [(0.5, "P2", 12.06e9, 0.63e9),
                                                          (0.75, "P", 11.61e9, 0.495e9)])
def test_oracle_hand_futures(p_base, pack, expected, evpi):
    futures = future_cases(_hand_futures(p_base))
    out = solve_futures([(p, c) for _, p, c in futures])
    assert out.status == "optimal"
    assert out.cost == pytest.approx(expected, rel=1e-12)
    assert out.design[0].pack == pack and out.design[0].launch == 1
    own = [solve_programme(c).cost for _, _, c in futures]
    assert own == [pytest.approx(10.8e9, rel=1e-12), pytest.approx(12.06e9, rel=1e-12)]
    assert out.cost - sum(p * o for (_, p, _), o in zip(futures, own)) == pytest.approx(evpi, rel=1e-9)


def test_oracle_hand_futures_no_common_design():
    """Two futures, each with a plan, that share no design.  P2 gets 25 kWh (range 25 000 / 124 =
    201.6 km; P 161.3 km).  'far' asks 180 km: P2 only.  'cheap' sets the ceiling to 5.2e5: P costs
    1e5 + 5e5 x 0.8 = 5e5 in Y2 (so it launches in Y2), P2 1e5 + 7e5 x 0.8 = 6.6e5 in no year: P only."""
    case = _hand_futures(0.5)
    case.packs[1]["usable_kwh"] = 25  # P2 now reaches further
    case.scenarios = [
        {"scenario": "far", "sheet": "variants", "match": "variant=V", "column": "range_target_km",
         "op": "set", "value": 180},   # P (161.3 km) fails, P2 (25 kWh, 196 km) passes
        {"scenario": "cheap", "sheet": "variants", "match": "variant=V", "column": "max_unit_cost_jpy",
         "op": "set", "value": 520_000}]  # P2 in Y2: 1e5 + 5.6e5 = 6.6e5 > 5.2e5; P: 5e5
    case.futures = [{"scenario": "far", "probability": 0.5}, {"scenario": "cheap", "probability": 0.5}]
    futures = future_cases(case)
    assert [solve_programme(c).status for _, _, c in futures] == ["optimal", "optimal"]
    assert solve_futures([(p, c) for _, p, c in futures]).status == "infeasible"


@pytest.mark.parametrize("seed", SEEDS[:12])
def test_one_future_is_the_single_case_optimum(seed):
    name, case = _single(seed)
    (_, p, fcase), = future_cases(case)
    robust, single = solve_futures([(p, fcase)]), solve_programme(fcase)
    assert robust.status == single.status
    if single.status == "optimal":
        assert robust.cost == pytest.approx(single.cost, rel=1e-12)


def test_pruned_search_equals_exhaustive():
    for seed in EXHAUSTIVE_SEEDS:
        futures = [(p, c) for _, p, c in future_cases(make_robust_case(seed))]
        pruned, full = solve_futures(futures), solve_futures(futures, exhaustive=True)
        assert pruned.status == full.status, seed
        if full.status == "optimal":
            assert pruned.cost == pytest.approx(full.cost, rel=1e-9), seed


def test_evpi_is_never_negative_and_plans_pass_the_checker():
    for seed in SEEDS:
        case = make_robust_case(seed)
        robust, own = _oracle(seed)
        if robust.status != "optimal":
            continue
        futures = future_cases(case)
        assert all(o.status == "optimal" for o in own), seed
        evpi = robust.cost - sum(p * o.cost for (_, p, _), o in zip(futures, own))
        assert evpi >= -1e-9 * robust.cost, (seed, evpi)
        result = _oracle_json(case, robust, own)
        expected, per, bad = evaluate_robust_plan(case, result)
        assert not bad and not any(b for _, b in per.values()), (seed, bad, per)
        assert expected == pytest.approx(robust.cost, rel=1e-9), seed


def _oracle_json(case: Case, robust, own) -> dict:
    """The oracle's robust plan as `plan solve --robust --json` prints it."""
    names = Programme(case).names
    design = {}
    for name, d in robust.plans[0].items():
        design[name] = {k: v for k, v in d.items() if k in ("offered", "pack", "options", "launch_year")}
    futures = {}
    for (fname, p, _), plan, cost, o in zip(future_cases(case), robust.plans, robust.future_costs, own):
        futures[fname] = {"probability": p, "total_cost_jpy": cost, "own_optimum_jpy": o.cost,
                          "variants": {n: {k: v for k, v in d.items() if k in ("units", "plants", "by_year")}
                                       for n, d in plan.items() if d["offered"]}}
    return {"status": "optimal", "expected_cost_jpy": robust.cost, "years": names, "variants": design,
            "futures": futures}


def test_checker_catches_a_plan_that_breaks_one_future():
    """The hand case's robust plan (P2) with one future's units moved out of its bounds."""
    case = _hand_futures(0.5)
    futures = future_cases(case)
    robust = solve_futures([(p, c) for _, p, c in futures])
    own = [solve_programme(c) for _, _, c in futures]
    good = _oracle_json(case, robust, own)
    assert evaluate_robust_plan(case, good)[1]["dear"][1] == []
    bad = copy.deepcopy(good)
    bad["futures"]["dear"]["variants"]["V"]["by_year"]["Y2"] = {"units": 9000.0, "plants": {"X": 9000.0}}
    bad["futures"]["dear"]["variants"]["V"].update(units=9000.0, plants={"X": 9000.0})
    _, per, _ = evaluate_robust_plan(case, bad)
    assert per["base"][1] == [] and any("outside" in b for b in per["dear"][1])


def test_generated_mix():
    """Plans and infeasible workbooks; with and without years; 2 and 3 futures, with and without
    base; futures that are each feasible but share no design; robust plans dearer than perfect
    information (EVPI > 0)."""
    cases = [make_robust_case(s) for s in SEEDS]
    outs = [_oracle(s) for s in SEEDS]
    statuses = [r.status for r, _ in outs]
    assert statuses.count("infeasible") >= 0.2 * len(SEEDS)
    assert statuses.count("optimal") >= 0.5 * len(SEEDS)
    assert any(c.years for c in cases) and any(not c.years for c in cases)
    assert {len(c.futures) for c in cases} == {2, 3}
    assert any("base" not in [f["scenario"] for f in c.futures] for c in cases)
    assert any(r.status == "infeasible" and all(o.status == "optimal" for o in own) for r, own in outs)
    assert sum(r.status == "optimal" and r.cost - sum(f["probability"] * o.cost for f, o in zip(c.futures, own))
               > 1e-6 * r.cost for c, (r, own) in zip(cases, outs)) >= 5
    sheets = {(r["sheet"], r["column"]) for c in cases for r in c.scenarios}
    assert {("variants", "max_unit_cost_jpy"), ("variants", "range_target_km"), ("packs", "unit_cost_jpy"),
            ("plants", "capacity_units"), ("variants", "min_units")} <= sheets


# ---------------------------------------------------------------------------
# plan solve --robust against the oracle
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bruteforce_robust")
    jobs = {f"robust_{s}": (make_robust_case(s), ["--robust", "--no-sharing-baseline"]) for s in SEEDS}
    for s in SINGLE_SEEDS:
        name, case = _single(s)
        jobs[f"single_{s}"] = (case, ["--robust", "--no-sharing-baseline"])
        jobs[f"scenario_{s}"] = (case, ["--scenario", name, "--no-sharing-baseline"])
    return run_all(jobs, folder)


@needs_robust
@pytest.mark.parametrize("seed", SEEDS)
def test_plan_robust_agrees_with_bruteforce(seed, plan_runs):
    run = plan_runs[f"robust_{seed}"]
    robust, own = _oracle(seed)
    context = run.context(f"oracle: {robust.status} {robust.cost}\noracle design: {robust.design}\n"
                          f"oracle per future: {robust.future_costs}\nown: {[o.cost for o in own]}")
    result = answer(run, context)
    if robust.status == "infeasible":
        assert not infeasible_problems(run, "expected_cost_jpy"), \
            infeasible_problems(run, "expected_cost_jpy") + [context]
        return
    assert run.proc.returncode == 0 and result["status"] == "optimal", context
    assert run.report.exists(), context
    expected, gap = result["expected_cost_jpy"], result.get("gap")
    assert expected is not None and close(expected, robust.cost, gap), (
        f"plan's expected cost {expected!r} vs brute-force optimum {robust.cost!r}" + context)
    bound = result["best_bound_jpy"]
    assert bound is not None and bound <= robust.cost * (1 + 1e-6) + 1.0, (
        f"plan's bound {bound!r} ({result.get('bound_from')}) above the brute-force optimum {robust.cost!r}" + context)
    assert result.get("years") == Programme(run.case).names, "years" + context
    assert not design_problems(result, Model(run.case)), design_problems(result, Model(run.case)) + [context]
    ev_expected, per, bad = evaluate_robust_plan(run.case, result)
    assert not bad, f"{bad}{context}"
    futures = future_cases(run.case)
    own_sum = 0.0
    for (name, p, _), o in zip(futures, own):
        cost, broken = per[name]
        printed = result["futures"][name]
        assert not broken, f"plan's plan breaks rules in future {name}: {broken}" + context
        assert close(cost, printed["total_cost_jpy"]), (
            f"future {name}: priced by the oracle {cost!r}, reported {printed['total_cost_jpy']!r}" + context)
        assert close(printed["own_optimum_jpy"], o.cost, gap), (
            f"future {name}: own optimum {printed['own_optimum_jpy']!r} vs oracle {o.cost!r}" + context)
        own_sum += p * printed["own_optimum_jpy"]
    assert close(ev_expected, expected), f"expected cost re-priced {ev_expected!r} vs {expected!r}" + context
    evpi = result["evpi_jpy"]
    assert evpi >= -1e-6 * expected, f"EVPI {evpi!r} < 0" + context
    assert abs(evpi - (expected - own_sum)) <= 1e-6 * expected, f"EVPI {evpi!r}" + context


@needs_robust
@pytest.mark.parametrize("seed", SINGLE_SEEDS)
def test_one_future_with_probability_1_is_that_scenario(seed, plan_runs):
    robust_run, single_run = plan_runs[f"single_{seed}"], plan_runs[f"scenario_{seed}"]
    name, case = _single(seed)
    (_, _, fcase), = future_cases(case)
    oracle = solve_programme(fcase)
    context = robust_run.context(f"future {name}; oracle {oracle.status} {oracle.cost}") + \
        "\n--scenario run:" + single_run.context()
    robust, single = robust_run.json(), single_run.json()
    assert robust["status"] == single["status"] == ("optimal" if oracle.status == "optimal" else "infeasible"), context
    if oracle.status != "optimal":
        return
    assert close(robust["expected_cost_jpy"], single["total_cost_jpy"], 0.0), context
    assert close(robust["expected_cost_jpy"], oracle.cost, robust.get("gap")), context
    assert close(robust["futures"][name]["own_optimum_jpy"], oracle.cost, robust.get("gap")), context
    assert abs(robust["evpi_jpy"]) <= 1e-6 * oracle.cost, context
