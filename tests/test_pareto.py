"""Pareto fronts (`plan sweep --pareto`) and the development cap they rest on.

The cap (`make_plan(max_developments=N)`) is held to the independent brute force of tests/oracle,
extended with a cap on its own count of developments (its dev keys), on small random workbooks
where the cap binds; the plan it returns is counted again by the oracle's rules. The fronts of
`plan sweep --pareto` are held to solving each point alone (make_plan with the cap, or with the
variant's range target changed in the workbook itself), to the oracle, and to what a front must
be: costs never fall as the bound tightens, the first point is the plain optimum, nothing past a
point without a plan, every point's plan within its bound.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from builders import tables, write  # noqa: E402
from clirun import files_in, find_problem, plan  # noqa: E402
from oracle.bruteforce import Model, solve_by_enumeration  # noqa: E402
from oracle.random_workbooks import make_case, write_workbook  # noqa: E402
from optimizer.solving.solve import make_plan  # noqa: E402
from optimizer.sweeps.pareto import Axis, ParetoSummary  # noqa: E402
from optimizer.sweeps.results import Row, read_rows  # noqa: E402
from optimizer.workbook.read import read_workbook  # noqa: E402
from optimizer.workbook.validate import validate  # noqa: E402

# Random workbooks (tests/oracle/random_workbooks.py) on which a cap below the cheapest plan's own
# count of developments still has a plan: found by scanning seeds 0-399 with the oracle. 80 and
# 114: the plan under a cap of 4 develops only 3. 0 and 4: any cap below the optimum has no plan.
BINDING = [23, 24, 47, 59, 75, 80, 114, 125, 126, 151, 218, 225, 233, 261, 342]
NO_SLACK = [0, 4]
REL_TOL = 1e-6


def close(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e6)


@functools.lru_cache(maxsize=None)
def oracle(seed: int, cap: int | None) -> tuple:
    return solve_by_enumeration(make_case(seed), return_plan=True, max_developments=cap)


def oracle_count(seed: int, variants: dict) -> int:
    """The developments of a plan (spec JSON variants, or a models Plan's) by the oracle's rules."""
    case = make_case(seed)
    m = Model(case)
    keys = set()
    for name, vp in variants.items():
        i = m.vindex[name]
        keys |= m.dev_keys(i, dict(vp["options"]), vp["pack"])
    return len(keys)


def plan_input_of(seed: int, folder: Path):
    path = folder / f"case{seed}.xlsx"
    write_workbook(make_case(seed), path)
    return validate(read_workbook(path)).plan_input, path


def developments(outcome) -> int:
    return len([d for d in outcome.evaluation.developments if d.kind in ("option", "pack")])


# ---- the development cap against the oracle ----------------------------------------------------


def test_the_oracle_cap_on_a_hand_worked_case():
    """Seed 80, worked by the oracle's enumeration: 5 developments cheapest; under a cap of 4 the
    cheapest plan develops 3 (dropping a variant saves two at once); under a cap of 2 none."""
    assert oracle(80, None)[2]["developments"] == 5
    assert oracle(80, 4)[2]["developments"] == 3
    assert oracle(80, 3)[1] == oracle(80, 4)[1]
    assert oracle(80, 2)[0] == "infeasible"
    assert oracle(80, 5)[1] == oracle(80, None)[1]  # a cap at the optimum's count changes nothing


@pytest.mark.parametrize("seed", BINDING + NO_SLACK)
def test_the_cap_agrees_with_the_oracle_down_to_the_first_cap_without_a_plan(seed, tmp_path):
    inp, _ = plan_input_of(seed, tmp_path)
    status, cost, best = oracle(seed, None)
    assert status == "optimal"
    n0 = best["developments"]
    assert close(make_plan(inp).total_cost_jpy, cost)
    for cap in range(n0, -1, -1):
        o_status, o_cost, _ = oracle(seed, cap)
        capped = make_plan(inp, max_developments=cap)
        assert capped.status == ("optimal" if o_status == "optimal" else "infeasible"), (seed, cap)
        if o_status != "optimal":
            assert capped.conflicts == [f"No plan of this workbook keeps to at most {cap:,} development"
                                        f"{'s' if cap != 1 else ''} of options and packs (the development cap)."]
            break
        assert close(capped.total_cost_jpy, o_cost), (seed, cap, capped.total_cost_jpy, o_cost)
        offered = {v: _json(vp) for v, vp in capped.plan.variants.items() if vp.offered}
        assert oracle_count(seed, offered) == developments(capped) <= cap  # counted independently


def _json(vp) -> dict:
    return {"options": vp.options, "pack": vp.pack}


def test_a_cap_changes_no_plan_it_does_not_bind(tmp_path):
    """A cap at or above the optimum's own count leaves the optimum (and the default, no cap, is
    the model that every other test holds to the oracle)."""
    inp, _ = plan_input_of(23, tmp_path)
    plain = make_plan(inp)
    n0 = developments(plain)
    for cap in (n0, n0 + 3):
        assert close(make_plan(inp, max_developments=cap).total_cost_jpy, plain.total_cost_jpy)


def test_the_cap_is_a_rule_in_planner_words(tmp_path):
    from models.build import PlatformModel

    inp, _ = plan_input_of(23, tmp_path)
    pm = PlatformModel(inp, max_developments=3)
    rule = pm.rule(pm.m.development_cap[""])
    assert rule.kind == "development cap" and "at most 3 developments of options and packs" in rule.text
    assert not hasattr(PlatformModel(inp).m, "development_cap")


# ---- plan sweep --pareto commonality ------------------------------------------------------------


def sweep(*args, timeout=300):
    proc = plan("sweep", *args, timeout=timeout)
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


@pytest.fixture(scope="module")
def commonality(tmp_path_factory):
    folder = tmp_path_factory.mktemp("commonality")
    out = {}
    for seed in (23, 80):
        path = folder / f"case{seed}.xlsx"
        write_workbook(make_case(seed), path)
        proc, obj = sweep(path, "--pareto", "commonality", "--jobs", "2", "--json", "--out", folder / f"f{seed}.xlsx")
        assert proc.returncode == 0, proc.stderr
        out[seed] = (path, proc, obj)
    return folder, out


@pytest.mark.parametrize("seed", [23, 80])
def test_each_point_of_the_commonality_front_equals_solving_it_alone(commonality, seed):
    folder, runs = commonality
    path, _proc, obj = runs[seed]
    inp = validate(read_workbook(path)).plan_input
    points = obj["pareto"]["points"]
    plain = make_plan(inp)
    assert points[0]["epsilon"] == developments(plain)  # the cheapest plan's own count
    assert close(points[0]["total_cost_jpy"], plain.total_cost_jpy)  # ... is the plain optimum
    for p in points[1:]:
        alone = make_plan(inp, max_developments=int(p["epsilon"]))
        assert p["status"] == alone.status
        if alone.status == "optimal":
            assert close(p["total_cost_jpy"], alone.total_cost_jpy)
            assert p["developments"] == len(p["developed"]) <= p["epsilon"]
            assert close(p["total_cost_jpy"], oracle(seed, int(p["epsilon"]))[1])
    assert points[-1]["status"] == "infeasible" and oracle(seed, int(points[-1]["epsilon"]))[0] == "infeasible"
    assert [p["epsilon"] for p in points] == list(range(int(points[0]["epsilon"]), int(points[-1]["epsilon"]) - 1, -1))
    costs = [p["total_cost_jpy"] for p in points if p["status"] == "optimal"]
    assert all(a <= b * (1 + 1e-12) for a, b in zip(costs, costs[1:]))  # never cheaper with fewer developments
    assert not [p for p in points if p["dominated_by"] is not None]  # exact solves: nothing dominated


def test_a_point_whose_bound_a_looser_plan_meets_is_that_plan_unsolved(commonality, tmp_path):
    """Seed 80: under a cap of 4 the cheapest plan develops 3, so it is the point at 3 as well. With
    one worker, each point is chosen once the one before has finished: 3 is never solved."""
    _folder, runs = commonality
    path, _proc, obj = runs[80]
    by_eps = {p["epsilon"]: p for p in obj["pareto"]["points"]}
    assert by_eps[3.0]["answered_by"] == 4.0 and by_eps[3.0]["total_cost_jpy"] == by_eps[4.0]["total_cost_jpy"]
    proc, alone = sweep(path, "--pareto", "commonality", "--jobs", "1", "--json", "--out", tmp_path / "f.xlsx")
    assert proc.returncode == 0, proc.stderr
    labels = {r.label for r in read_rows(tmp_path / "f.csv")}
    assert labels == {"workbook as it stands: the cheapest plan", "at most 4 developments", "at most 2 developments"}
    assert alone["pareto"]["points"] == obj["pareto"]["points"]  # the same front, however many workers


def test_the_front_workbook_shows_the_front_and_the_plans(commonality):
    folder, runs = commonality
    _path, _proc, obj = runs[23]
    wb = openpyxl.load_workbook(folder / "f23.xlsx")
    assert wb.sheetnames[:4] == ["Front", "Plans", "Cases", "About"]
    front = wb["Front"]
    assert front._charts, "the chart of cost against ε"
    header = next(r for r in range(1, 12) if str(front.cell(r, 1).value).startswith("ε"))
    shown = [front.cell(header + 1 + i, 1).value for i in range(len(obj["pareto"]["points"]))]
    assert shown == [p["epsilon"] for p in obj["pareto"]["points"]]
    assert front.cell(header + 1, 3).value == pytest.approx(obj["pareto"]["points"][0]["total_cost_jpy"])
    plans = wb["Plans"]
    assert plans.cell(5, 4).value  # the variants the first point offers
    heads = [plans.cell(4, c).value for c in range(1, plans.max_column + 1)]
    step = heads.index("what changes from the point before") + 1
    points = obj["pareto"]["points"]
    for i, (before, p) in enumerate(zip(points, points[1:]), start=6):
        cell = plans.cell(i, step).value
        if p["status"] != "optimal":
            assert cell == "no plan"
            continue
        if p["answered_by"] is not None and before["developed"] == p["developed"]:
            assert cell == "the same plan"
            continue
        gone = sorted(set(before["developed"]) - set(p["developed"]))  # what each step gives up
        added = sorted(set(p["developed"]) - set(before["developed"]))
        assert gone, "each point of an exact commonality front develops less than the one before"
        for x in [f"-{d}" for d in gone] + [f"+{d}" for d in added]:
            assert x in cell.split(", "), (cell, x)
    about = {wb["About"].cell(r, 1).value: wb["About"].cell(r, 2).value for r in range(3, 20)}
    assert "Pareto front (--pareto commonality)" in about["sweep"]


def test_a_resumed_front_solves_nothing_and_prints_the_same_json(commonality, tmp_path):
    folder, runs = commonality
    path, _proc, obj = runs[23]
    proc, again = sweep(path, "--pareto", "commonality", "--jobs", "1", "--json", "--resume", "--out", folder / "f23.xlsx")
    assert proc.returncode == 0, proc.stderr
    assert f"{obj['cases']} cases: 0 solved now" in proc.stderr and "solving on" not in proc.stderr
    assert {k: v for k, v in again.items()} == obj


# ---- plan sweep --pareto range:VARIANT ----------------------------------------------------------


@pytest.fixture(scope="module")
def range_front(tmp_path_factory):
    folder = tmp_path_factory.mktemp("range")
    path = write(tables(), folder / "wb.xlsx")
    proc, obj = sweep(path, "--pareto", "range:H-hatch", "--jobs", "2", "--json", "--out", folder / "r.xlsx")
    assert proc.returncode == 0, proc.stderr
    return folder, path, proc, obj


def with_target(folder: Path, km: float):
    """The workbook with H-hatch's range target typed in its cell: an independent path to a point."""
    t = tables()
    t["variants"][0]["range_target_km"] = km
    return validate(read_workbook(write(t, folder / f"t{km:g}.xlsx"))).plan_input


def test_each_point_of_the_range_front_equals_the_workbook_with_that_target(range_front):
    folder, path, _proc, obj = range_front
    points = obj["pareto"]["points"]
    inp = validate(read_workbook(path)).plan_input
    assert points[0]["epsilon"] == 180 and close(points[0]["total_cost_jpy"], make_plan(inp).total_cost_jpy)
    assert [p["epsilon"] for p in points[1:4]] == [185, 190, 195]  # 5-km steps from the target
    for p in points[1:]:
        alone = make_plan(with_target(folder, p["epsilon"]))
        assert p["status"] == alone.status, p["epsilon"]
        if alone.status == "optimal":
            assert close(p["total_cost_jpy"], alone.total_cost_jpy), p["epsilon"]
            assert p["range_km"] >= p["epsilon"] - 1e-6
    costs = [p["total_cost_jpy"] for p in points if p["status"] == "optimal"]
    assert all(a <= b * (1 + 1e-12) for a, b in zip(costs, costs[1:]))  # more range never costs less
    last = points[-1]
    assert last["status"] == "infeasible" and "H-hatch" in " ".join(last["conflicts"])  # must be offered
    assert any(p["answered_by"] is not None for p in points)  # P20 takes it to 219.8 km: 185-215 need no solve


def test_the_range_grid_ends_past_the_most_the_variant_can_reach(range_front):
    """The longest range: P25 (1,900 mm fits the 2,000 mm bay), the lightest allowed options
    (m39 55 kg, honda styling 20 kg, no fast charger): 1000 × 25 / (40 + 0.05 × (800 + 55 + 20 +
    170)) = 271.0 km. The grid's last point is the first 5-km step above it."""
    _folder, _path, _proc, obj = range_front
    assert "271.0 km" in obj["pareto"]["grid"]
    assert obj["pareto"]["points"][-1]["epsilon"] == 275


# ---- dominated points ---------------------------------------------------------------------------


def _row(case: int, status: str, cost: float | None, developed: list[str]) -> Row:
    return Row(f"{case:064x}", case, f"c{case}", {}, {"status": status, "total_cost_jpy": cost, "developed": developed})


def test_a_point_that_costs_more_than_a_tighter_one_is_marked_dominated():
    """With time-limited solves (status feasible) a looser cap can come out dearer than a tighter
    one: that point is dominated and says by which."""
    from optimizer.sweeps.cases import CaseDef

    s = ParetoSummary(Axis("commonality"))
    s.add(_row(0, "optimal", 100.0, list("abcde")))
    s.cases = {i: CaseDef(i, f"p{i}", "point", (), epsilon=5.0 - i) for i in (1, 2, 3)}
    s.add(_row(1, "feasible", 130.0, list("abcd")))  # time-limited, dear
    s.add(_row(2, "feasible", 120.0, list("abc")))  # tighter and cheaper: dominates point 1
    s.add(_row(3, "infeasible", None, []))
    points = s.points()
    assert [p.epsilon for p in points] == [5.0, 4.0, 3.0, 2.0]
    assert points[1].dominated_by == 3.0 and points[2].dominated_by is None and points[0].dominated_by is None
    assert points[3].status == "infeasible"


def test_points_beyond_one_without_a_plan_are_left_off_the_front():
    from optimizer.sweeps.cases import CaseDef

    s = ParetoSummary(Axis("commonality"))
    s.add(_row(0, "optimal", 100.0, list("abc")))
    s.cases = {i: CaseDef(i, f"p{i}", "point", (), epsilon=3.0 - i) for i in (1, 2)}
    s.add(_row(1, "infeasible", None, []))
    s.add(_row(2, "infeasible", None, []))  # solved ahead by an idle worker
    assert [p.epsilon for p in s.points()] == [3.0, 2.0]
    assert [line.case for line in s.lines()] == [0, 1]


# ---- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,fragments",
    [
        ("range:H-hatc", ["--pareto", "names variant 'H-hatc'", "Did you mean 'H-hatch'?"]),
        ("range:", ["--pareto", "names variant ''"]),
        ("cost", ["--pareto", "is not a front plan sweep draws", "range:VARIANT"]),
    ],
)
def test_a_front_the_workbook_cannot_draw_is_refused_and_nothing_written(tmp_path, value, fragments):
    path = write(tables(), tmp_path / "wb.xlsx")
    proc, obj = sweep(path, "--pareto", value, "--json", "--out", tmp_path / "out" / "f.xlsx")
    assert proc.returncode == 2 and obj is None, proc.stderr
    find_problem(proc.stderr, *fragments)
    assert files_in(tmp_path) == {"wb.xlsx"}


@pytest.mark.parametrize("extra", [["--samples", "3"], ["--design", "r.xlsx"]])
def test_pareto_excludes_samples_and_design(tmp_path, extra):
    path = write(tables(), tmp_path / "wb.xlsx")
    proc, _ = sweep(path, "--pareto", "commonality", *extra, "--out", tmp_path / "f.xlsx")
    assert proc.returncode == 2 and "--pareto" in proc.stderr and "excludes" in proc.stderr
    assert files_in(tmp_path) == {"wb.xlsx"}
