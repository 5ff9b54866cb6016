"""`plan solve` against an independent brute-force oracle.

The oracle (tests/oracle/) is written from the workbook format (docs/workbook.md) alone:
`random_workbooks.make_case(seed)` builds a small random workbook that follows
the spec, `bruteforce.solve_by_enumeration` finds its exact optimum by
enumerating every discrete choice and solving the small LP (MILP with
integer_units) that remains.  Every generated workbook sets mip_rel_gap=1e-9, so
`plan` must return the exact optimum.

The first tests check the oracle itself on tiny cases whose optimum is worked
out by hand below, so a broken oracle fails on its own.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle.bruteforce import Model, evaluate_plan, solve_by_enumeration  # noqa: E402
from oracle.random_workbooks import Case, describe, make_case, write_workbook  # noqa: E402

# 0-39, plus seeds found worth keeping while the oracle was developed:
# 398 -- nothing is forced (no must_offer, no demand minimum): the cheapest plan
#        offers nothing and costs 0.
SEEDS = list(range(40)) + [398]
PLAN = Path(sys.executable).parent / "plan"
REL_TOL = 1e-6


@functools.lru_cache(maxsize=None)
def _oracle(seed: int):
    return solve_by_enumeration(make_case(seed), return_plan=True)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e6)


# ---------------------------------------------------------------------------
# the oracle on hand-computed cases
# ---------------------------------------------------------------------------

def _variant(name, brand, **kw):
    v = dict(variant=name, brand=brand, body_style="hatchback", length_mm=3300, width_mm=1470,
             height_mm=1600, seats=4, glider_mass_kg=700, base_wh_per_km=80, range_target_km=150,
             pack_bay_mm=2000, min_units=10000, max_units=20000, must_offer=True)
    v.update(kw)
    return v


def _case_basic(**variant_kw) -> Case:
    """One variant, one plant.
    motor/m40 (power 40) is the only motor within max_power_kw 47 (m50 has 50 kW);
    pack P30 is 2100 mm long, longer than the 2000 mm bay, so P20 it is.
    Range with m40 + P20: mass 700+40+140 = 880 kg, consumption 80+0.05*880 = 124
    Wh/km, range 20000/124 = 161.3 km >= 150.
    Development: m40 2e9 + P20 3e9 + top hat 1e9 + line 5e8 = 6.5e9.
    Per unit: top hat 2e5 + motor 1e5 + pack 8e5 + assembly 1e5 = 1.2e6, at the
    minimum 10 000 units for 5 years: 6e10.  Total 6.65e10."""
    return Case(
        seed=-1, settings={"lifecycle_years": 5, "mip_rel_gap": 1e-9}, brands=["A"],
        variants=[_variant("V", "A", top_hat_dev_cost_jpy=1_000_000_000, top_hat_unit_cost_jpy=200_000,
                           **variant_kw)],
        categories=[{"category": "motor"}],
        parts=[{"category": "motor", "option": "m40", "dev_cost_jpy": 2_000_000_000,
                "unit_cost_jpy": 100_000, "mass_kg": 40, "power_kw": 40},
               {"category": "motor", "option": "m50", "dev_cost_jpy": 1_000_000_000,
                "unit_cost_jpy": 50_000, "mass_kg": 40, "power_kw": 50}],
        packs=[{"pack": "P20", "usable_kwh": 20, "mass_kg": 140, "length_mm": 1900,
                "dev_cost_jpy": 3_000_000_000, "unit_cost_jpy": 800_000},
               {"pack": "P30", "usable_kwh": 30, "mass_kg": 200, "length_mm": 2100,
                "dev_cost_jpy": 1_000_000_000, "unit_cost_jpy": 500_000}],
        plants=[{"plant": "X", "capacity_units": 50000, "assembly_cost_jpy": 100_000,
                 "line_cost_jpy": 500_000_000}],
    )


def test_oracle_hand_basic():
    assert solve_by_enumeration(_case_basic()) == ("optimal", pytest.approx(6.65e10, rel=1e-12))


def test_oracle_hand_infeasible_range():
    # best range is 161.3 km (see _case_basic); a 170 km target cannot be met
    assert solve_by_enumeration(_case_basic(range_target_km=170)) == ("infeasible", None)
    # ... and with max_power_kw 55 the 50 kW motor becomes legal and cheaper:
    # m50 dev 1e9 (instead of 2e9), unit 5e4 (instead of 1e5):
    # 6.65e10 - 1e9 - 5 years * 10000 * 5e4 = 6.65e10 - 1e9 - 2.5e9 = 6.3e10
    c = _case_basic()
    c.rules = {"max_power_kw": 55}
    assert solve_by_enumeration(c) == ("optimal", pytest.approx(6.3e10, rel=1e-12))


def test_oracle_hand_all_units_tier():
    """All-units discount that makes it pay to build more than the minimum.
    Per unit: motor 1e5 + pack 1e6 (list) = 1.1e6; 6 years.
      10 000 units at list:  6 * 10000 * 1.1e6        = 6.60e10
      12 000 units, pack tier 7e5: 6 * 12000 * 8e5    = 5.76e10  (better)
    Above 12 000 units the cost only grows.  Development 1e9 + 2e9 = 3e9.
    Total 3e9 + 5.76e10 = 6.06e10."""
    c = Case(
        seed=-2, settings={"mip_rel_gap": 1e-9}, brands=["A"],
        variants=[_variant("V", "A")],
        categories=[{"category": "motor"}],
        parts=[{"category": "motor", "option": "m", "dev_cost_jpy": 1_000_000_000,
                "unit_cost_jpy": 100_000, "power_kw": 40}],
        packs=[{"pack": "P", "usable_kwh": 20, "mass_kg": 150, "length_mm": 1900,
                "dev_cost_jpy": 2_000_000_000, "unit_cost_jpy": 1_000_000}],
        tiers=[{"item": "P", "min_units": 12000, "unit_cost_jpy": 700_000}],
        plants=[{"plant": "X", "capacity_units": 50000}],
    )
    assert solve_by_enumeration(c) == ("optimal", pytest.approx(6.06e10, rel=1e-12))
    # a tier out of reach (max_units 11 000) changes nothing but the volume: 3e9 + 6.6e10
    c.variants[0]["max_units"] = 11000
    assert solve_by_enumeration(c) == ("optimal", pytest.approx(6.9e10, rel=1e-12))


def _case_two_brands(sharing: bool) -> Case:
    """Two brands, one hatchback each, both must be offered at exactly 1000 units;
    motor (shared category), styling (unshared category), one pack, one plant,
    lifecycle 1 year.  Per unit 1e5 + 1e4 + 5e5 + assembly 1e4 = 6.2e5, 2000 units:
    1.24e9.  Line (X, hatchback) once: 1e8.
      sharing yes: motor 1e9 + styling 2*2e8 + pack 3e9          = 4.4e9 -> 5.74e9
      sharing no:  motor 2*1e9 + styling 2*2e8 + pack 2*3e9      = 8.4e9 -> 9.74e9
    (the line is paid once: one plant set up for one body style)."""
    return Case(
        seed=-3, settings={"lifecycle_years": 1, "mip_rel_gap": 1e-9, "cross_brand_sharing": sharing},
        brands=["A", "B"],
        variants=[_variant("VA", "A", min_units=1000, max_units=1000),
                  _variant("VB", "B", min_units=1000, max_units=1000)],
        categories=[{"category": "motor"}, {"category": "styling", "shared": False}],
        parts=[{"category": "motor", "option": "m", "dev_cost_jpy": 1_000_000_000,
                "unit_cost_jpy": 100_000, "power_kw": 40},
               {"category": "styling", "option": "s", "dev_cost_jpy": 200_000_000,
                "unit_cost_jpy": 10_000}],
        packs=[{"pack": "P", "usable_kwh": 20, "mass_kg": 150, "length_mm": 1900,
                "dev_cost_jpy": 3_000_000_000, "unit_cost_jpy": 500_000}],
        plants=[{"plant": "X", "capacity_units": 5000, "assembly_cost_jpy": 10_000,
                 "line_cost_jpy": 100_000_000}],
    )


def test_oracle_hand_sharing():
    assert solve_by_enumeration(_case_two_brands(True)) == ("optimal", pytest.approx(5.74e9, rel=1e-12))
    assert solve_by_enumeration(_case_two_brands(False)) == ("optimal", pytest.approx(9.74e9, rel=1e-12))
    # a 1500-unit plant cannot build the 2000 units both must-offer variants need
    c = _case_two_brands(True)
    c.plants[0]["capacity_units"] = 1500
    assert solve_by_enumeration(c) == ("infeasible", None)


def test_oracle_pruning_is_exact():
    """The best-first bounds prune nothing that matters: same optimum as
    solving every node."""
    for seed in (0, 11, 17, 37):
        case = make_case(seed)
        assert solve_by_enumeration(case)[1] == pytest.approx(
            solve_by_enumeration(case, exhaustive=True)[1], rel=1e-9)


def test_oracle_plan_evaluates_to_its_cost():
    """The oracle's optimal plan, priced with the true highest-tier-reached
    prices, costs what the enumeration says and breaks no rule."""
    for seed in range(12):
        case = make_case(seed)
        status, cost, plan = _oracle(seed)
        if status != "optimal":
            continue
        ev, bad = evaluate_plan(case, plan)
        assert not bad, (seed, bad)
        assert ev == pytest.approx(cost, rel=1e-9), seed


def test_generated_mix():
    """The seeds cover infeasible workbooks (>= 20 %) and plans."""
    statuses = [_oracle(s)[0] for s in SEEDS]
    assert statuses.count("infeasible") >= 0.2 * len(SEEDS)
    assert statuses.count("optimal") >= 0.5 * len(SEEDS)


# ---------------------------------------------------------------------------
# plan solve against the oracle
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_runs(tmp_path_factory):
    """Every seed's workbook solved by `plan`, two at a time."""
    if not PLAN.exists():
        pytest.fail(f"console script {PLAN} not found -- is the package installed in this venv?")
    base = tmp_path_factory.mktemp("bruteforce_agreement")

    def job(seed):
        case = make_case(seed)
        wb = base / f"seed_{seed}.xlsx"
        out = base / f"seed_{seed}_report.xlsx"
        write_workbook(case, wb)
        cmd = [str(PLAN), "solve", str(wb), "--json", "--out", str(out)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as e:  # report it on this seed only
            proc = subprocess.CompletedProcess(cmd, None, str(e.stdout or ""), f"timed out: {e}")
        return case, wb, out, proc

    workers = max(1, min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as ex:
        return dict(zip(SEEDS, ex.map(job, SEEDS)))


@pytest.mark.parametrize("seed", SEEDS)
def test_plan_agrees_with_bruteforce(seed, plan_runs):
    case, wb, out, proc = plan_runs[seed]
    status, cost, oracle_plan = _oracle(seed)

    def context():
        return (f"\nworkbook {wb}\ncase:\n{describe(case)}\noracle: {status} {cost}\n"
                f"oracle plan: {json.dumps(oracle_plan, default=str)}\n"
                f"plan exit {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-3000:]}")

    assert proc.returncode in (0, 1), context()
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError as e:  # stdout must hold one JSON object and nothing else
        pytest.fail(f"stdout is not one JSON object ({e}){context()}")

    if status == "infeasible":
        assert proc.returncode == 1, context()
        assert result["status"] == "infeasible", context()
        assert result.get("total_cost_jpy") is None, context()
        assert isinstance(result.get("conflicts"), list) and result["conflicts"], context()
        return

    assert proc.returncode == 0, context()
    assert result["status"] == "optimal", context()
    assert out.exists(), context()
    total = result["total_cost_jpy"]
    assert total is not None and _close(total, cost), (
        f"plan's total {total!r} vs brute-force optimum {cost!r}" + context())

    # the chosen plan is a plan: offered variants have a pack and one option of
    # every required category, options of known categories only
    m = Model(case)
    for name, d in (result.get("variants") or {}).items():
        if not d or not d.get("offered"):
            continue
        assert d.get("pack") in m.packs, f"{name}: pack {d.get('pack')!r}" + context()
        opts = d.get("options") or {}
        for c in m.categories:
            if c["required"]:
                assert opts.get(c["name"]) is not None, f"{name}: no {c['name']}" + context()
        for cat, opt in opts.items():
            if opt is not None:
                assert (cat, opt) in m.parts, f"{name}: unknown option {cat}/{opt}" + context()
    # "developed" lists exactly what the offered variants use
    used_opts, used_packs = set(), set()
    for d in (result.get("variants") or {}).values():
        if d and d.get("offered"):
            used_packs.add(d.get("pack"))
            used_opts |= {f"{c}/{o}" for c, o in (d.get("options") or {}).items() if o is not None}
    dev = result.get("developed") or {}
    assert set(dev.get("options") or []) == used_opts, "developed options" + context()
    assert set(dev.get("packs") or []) == used_packs, "developed packs" + context()
    # ... that obeys every rule, and whose cost -- priced by the oracle's
    # reading of the spec -- is the total it reports
    ev, bad = evaluate_plan(case, result)
    assert not bad, f"plan's plan breaks rules: {bad}" + context()
    assert _close(ev, total), f"plan's plan priced by the oracle: {ev!r}, reported {total!r}" + context()


# ---------------------------------------------------------------------------
# figures at the edge of what plan accepts (optimizer/workbook/limits.py)
# ---------------------------------------------------------------------------

def _at_the_limits(case: Case) -> Case:
    """The case with every kind of figure pushed to the largest plan accepts: an option and a pack
    at ¥10 trillion to develop and ¥100 million a unit, a variant as dear, 10,000 kWh, plants and
    maxima of 10 million units a year. The dear items should go unused; the optimum is the oracle's."""
    import copy

    c = copy.deepcopy(case)
    c.parts.append(dict(category=c.categories[0]["category"], option="gold", dev_cost_jpy=1e13, unit_cost_jpy=1e8))
    c.packs.append(dict(pack="gold pack", usable_kwh=1e4, mass_kg=1, length_mm=1, dev_cost_jpy=1e13, unit_cost_jpy=1e8))
    dear = dict(c.variants[0], variant="dear", must_offer=False, top_hat_dev_cost_jpy=1e13, top_hat_unit_cost_jpy=1e8)
    c.variants.append(dear)
    for p in c.plants:
        p["capacity_units"] = 1e7
    for v in c.variants:
        if not v.get("must_offer"):
            v["max_units"] = 1e7
    return c


@pytest.mark.parametrize("seed", [0, 1, 3, 4, 6, 7, 8, 11, 13, 2])
def test_figures_at_the_limits_still_give_the_exact_optimum(tmp_path, seed):
    from optimizer.solving.solve import make_plan
    from optimizer.workbook.read import read_workbook
    from optimizer.workbook.validate import validate

    case = _at_the_limits(make_case(seed))
    status, cost = solve_by_enumeration(case)
    write_workbook(case, tmp_path / "wb.xlsx")
    outcome = make_plan(validate(read_workbook(tmp_path / "wb.xlsx")).plan_input)
    assert outcome.status == status, outcome.conflicts
    if cost is not None:
        assert _close(outcome.total_cost_jpy, cost), (outcome.total_cost_jpy, cost)
        assert outcome.evaluation.violations == [] and outcome.warnings == []
