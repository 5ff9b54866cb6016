"""`plan sweep --design REPORT.xlsx`: a committed design swept, and launch years in every sweep.

The workbook is a three-year programme in which Mitsubishi must sell from 2029 and, by a range,
perhaps from 2028 too (a normal draw clipped at zero: about half the samples ask for no 2028
units). The cheapest plan launches M-hatch in 2029, so with that design kept every case asking
for 2028 units cannot serve. Every figure is held to solving the case alone in this process: its
validated input, the design fixed through the API (`make_plan(design=...)`, from the plan's own
`Plan.design()` or the robust plan's JSON, not from the report reader), statuses, costs,
percentiles, how often it cannot serve and the rule, launch-year shares and changes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from builders import PROGRAMME, tables, write
from clirun import files_in, find_problem, plan
from models.plan import Design, DesignChoice
from optimizer.solving.solve import make_plan
from optimizer.sweeps.cases import SweepInputs, monte_carlo_cases, tornado_cases
from optimizer.sweeps.ranges import read_ranges
from optimizer.sweeps.results import read_rows
from optimizer.workbook.read import read_workbook
from optimizer.workbook.validate import validate
from sweeps_support import RANGES

HAS_PLAN = ("optimal", "feasible")
YEARS = [
    dict(year=2027, demand_factor=0.6, discount_factor=1.0),
    dict(year=2028, pack_cost_factor=0.9, discount_factor=0.9),
    dict(year=2029, discount_factor=0.8),
]
DEMAND = [
    dict(scope="total", name=None, min_units=30000, max_units=None, year=None),
    dict(scope="brand", name="Mitsubishi", min_units=0, max_units=None, year=2028),
    dict(scope="brand", name="Mitsubishi", min_units=3000, max_units=None, year=2029),
]
LATE_DEMAND = dict(
    name="Mitsubishi 2028 demand", sheet="demand", match="year=2028", column="min_units", op="set",
    low=0, high=3000, most_likely=0, distribution="normal",
)
PROGRAMME_RANGES = [RANGES[0], RANGES[1], LATE_DEMAND]  # pack prices (two rows), 2028 demand


def programme_tables(**changes) -> dict:
    """A fresh copy each call (tests edit it)."""
    return copy.deepcopy(tables(years=YEARS, demand=DEMAND, ranges=PROGRAMME_RANGES, **changes))


def sweep(*args, timeout=240):
    proc = plan("sweep", *args, timeout=timeout)
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


def inputs_of(workbook: Path) -> SweepInputs:
    raw = read_workbook(workbook)
    return SweepInputs(raw, "base", read_ranges(raw), None, None)


def alone(inputs: SweepInputs, case, design: Design | None = None) -> dict:
    o = make_plan(inputs.plan_input(case), design=design)
    launch = {v: vp.launch_year for v, vp in o.plan.variants.items() if vp.offered} if o.plan else {}
    return {"status": o.status, "total_cost_jpy": o.total_cost_jpy, "launch": launch, "conflicts": o.conflicts}


@pytest.fixture(scope="module")
def committed(tmp_path_factory):
    """The programme workbook, its cheapest plan's report and that plan's design (from the API)."""
    folder = tmp_path_factory.mktemp("design")
    workbook = write(programme_tables(), folder / "wb.xlsx")
    proc = plan("solve", workbook, "--no-sharing-baseline", "--out", folder / "r.xlsx")
    assert proc.returncode == 0, proc.stderr
    base = make_plan(validate(read_workbook(workbook)).plan_input)
    design = base.plan.design()
    assert design.offered["M-hatch"].launch_year == "2029"  # what the rest of this file relies on
    return folder, workbook, folder / "r.xlsx", design


@pytest.fixture(scope="module")
def design_tornado(committed):
    folder, workbook, report, _design = committed
    proc, obj = sweep(workbook, "--design", report, "--jobs", "2", "--json", "--out", folder / "dt.xlsx")
    assert proc.returncode == 0, proc.stderr
    return proc, obj


# ---- the committed design: tornado --------------------------------------------------------------


def test_each_tornado_end_equals_the_design_fixed_and_solved_alone(committed, design_tornado):
    _folder, workbook, report, design = committed
    _proc, obj = design_tornado
    inputs = inputs_of(workbook)
    cases = tornado_cases(inputs.ranges)
    assert obj["design"]["kind"] == "plan" and obj["design"]["report"] == str(report)
    assert obj["design"]["variants"] == {
        v: {"pack": c.pack, "options": dict(sorted(c.options.items())), "launch_year": c.launch_year}
        for v, c in sorted(design.offered.items())
    }
    base = alone(inputs, cases[0], design)
    assert obj["base"]["total_cost_jpy"] == pytest.approx(base["total_cost_jpy"], rel=1e-9)
    by_name = {b["name"]: b for b in obj["tornado"]}
    for case in cases[1:]:
        end = by_name[case.uncertainty][case.kind]
        solo = alone(inputs, case, design)
        assert end["status"] == solo["status"], (case.label, solo["conflicts"])
        if solo["status"] in HAS_PLAN:
            assert end["total_cost_jpy"] == pytest.approx(solo["total_cost_jpy"], rel=1e-9)
            assert solo["launch"] == {v: c.launch_year for v, c in design.offered.items()}  # kept
            assert end["changes"]["offers"] == end["changes"]["packs"] == end["changes"]["launch years"] == []
        else:
            assert end["total_cost_jpy"] is None and end["broken"] == solo["conflicts"]


def test_the_end_the_design_cannot_serve_names_the_rule_in_workbook_words(design_tornado):
    proc, obj = design_tornado
    late = next(b for b in obj["tornado"] if b["name"] == "Mitsubishi 2028 demand")
    assert late["low"]["status"] == "optimal" and late["swing_jpy"] is None
    assert late["high"]["status"] == "infeasible"
    broken = " ".join(late["high"]["broken"])
    assert "demand row 3 (brand Mitsubishi)" in broken and "2028" in broken and "min_units" in broken
    assert "m." not in broken and "[" not in broken  # no Pyomo component names
    assert "at its high: " in proc.stderr and "demand row 3" in proc.stderr


def test_the_design_tornado_workbook_shows_the_design_and_the_broken_rule(committed, design_tornado):
    folder, _workbook, report, design = committed
    wb = openpyxl.load_workbook(folder / "dt.xlsx")
    assert wb.sheetnames[:3] == ["Tornado", "What changes", "Design kept"]
    kept = wb["Design kept"]
    header = next(r for r in range(1, 10) if kept.cell(r, 1).value == "variant")
    shown = {kept.cell(r, 1).value: (kept.cell(r, 2).value, kept.cell(r, 3).value) for r in range(header + 1, header + 3)}
    assert shown == {v: (c.pack, c.launch_year) for v, c in design.offered.items()}
    assert str(report) in kept.cell(2, 1).value
    changes = wb["What changes"]
    heads = [changes.cell(4, c).value for c in range(1, changes.max_column + 1)]
    rule_col = heads.index("without a plan: the rules that break") + 1
    texts = [changes.cell(r, rule_col).value or "" for r in range(5, changes.max_row + 1)]
    assert sum("demand row 3 (brand Mitsubishi)" in t for t in texts) == 1


# ---- the committed design: Monte Carlo ----------------------------------------------------------


@pytest.fixture(scope="module")
def design_monte_carlo(committed):
    folder, workbook, report, _design = committed
    proc, obj = sweep(workbook, "--design", report, "--samples", "16", "--seed", "3", "--jobs", "2", "--json",
                      "--out", folder / "dm.xlsx")
    assert proc.returncode == 0, proc.stderr
    return proc, obj


def test_the_design_monte_carlo_equals_solving_each_sample_alone(committed, design_monte_carlo):
    folder, workbook, _report, design = committed
    proc, obj = design_monte_carlo
    inputs = inputs_of(workbook)
    solved = [alone(inputs, c, design) for c in list(monte_carlo_cases(inputs.ranges, 3, 16))[1:]]
    costs = [s["total_cost_jpy"] for s in solved if s["status"] in HAS_PLAN]
    cannot = [s for s in solved if s["status"] not in HAS_PLAN]
    assert costs and cannot, "the sample must have cases the design serves and cases it cannot"
    mc = obj["monte_carlo"]
    assert mc["with_plan"] == len(costs) and mc["without_plan"] == len(cannot)
    for name, p in (("p10_jpy", 10), ("p50_jpy", 50), ("p90_jpy", 90)):
        assert mc[name] == pytest.approx(float(np.percentile(costs, p)), rel=1e-9)
    (rule,) = mc["rules_broken"]  # one rule breaks, in every sample the design cannot serve
    assert rule["samples"] == len(cannot) and rule["share"] == pytest.approx(len(cannot) / 16)
    assert "demand row 3 (brand Mitsubishi)" in rule["rule"] and "2028" in rule["example"]
    assert mc["share_launch_year"] == {v: {c.launch_year: 1.0} for v, c in design.offered.items()}
    assert f"{len(cannot)} of 16 samples the design cannot serve" in proc.stderr


def test_the_design_monte_carlo_workbook_says_how_often_it_cannot_serve(committed, design_monte_carlo):
    folder = committed[0]
    _proc, obj = design_monte_carlo
    wb = openpyxl.load_workbook(folder / "dm.xlsx")
    assert wb.sheetnames[:3] == ["Distribution", "Cannot serve", "Design kept"]
    assert "How often" not in wb.sheetnames  # the design is in every plan: nothing to count
    dist = {r[0]: r[1] for r in wb["Distribution"].iter_rows(min_row=2, max_col=2, values_only=True) if r[0]}
    assert dist["share of samples without a plan"] == pytest.approx(obj["monte_carlo"]["without_plan"] / 16)
    serve = wb["Cannot serve"]
    assert serve.cell(4, 1).value == "rule that breaks"
    assert "demand row 3 (brand Mitsubishi)" in serve.cell(5, 1).value
    assert serve.cell(5, 2).value == obj["monte_carlo"]["without_plan"]


def test_a_design_is_part_of_each_case_key(committed, design_monte_carlo, tmp_path):
    """The same samples re-optimised in full are other cases than with the design kept: --resume
    on the design's results file reuses none of them for a free sweep, and the free sweep's own
    results file then resumes in full."""
    import shutil

    folder, workbook, _report, _design = committed
    shutil.copy(folder / "dm.csv", tmp_path / "r.csv")
    args = ("--samples", "16", "--seed", "3", "--jobs", "1", "--resume", "--results", tmp_path / "r.csv",
            "--out", tmp_path / "free.xlsx")
    proc, _ = sweep(workbook, *args)
    assert proc.returncode == 0, proc.stderr
    assert "17 cases: 17 solved now, 0 from" in proc.stderr
    proc, _ = sweep(workbook, *args)
    assert "17 cases: 0 solved now, 17 from" in proc.stderr


# ---- launch years in sweeps without a design -----------------------------------------------------


def test_the_tornado_lists_launch_years_among_what_changes(committed, tmp_path):
    _folder, workbook, _report, _design = committed
    proc, obj = sweep(workbook, "--jobs", "2", "--json", "--out", tmp_path / "t.xlsx")
    assert proc.returncode == 0, proc.stderr
    inputs = inputs_of(workbook)
    cases = tornado_cases(inputs.ranges)
    base = alone(inputs, cases[0])
    by_name = {b["name"]: b for b in obj["tornado"]}
    for case in cases[1:]:
        solo = alone(inputs, case)
        want = [f"{v}: {base['launch'][v]} -> {t}" for v, t in solo["launch"].items()
                if v in base["launch"] and base["launch"][v] != t]
        assert by_name[case.uncertainty][case.kind]["changes"]["launch years"] == want
    assert by_name["Mitsubishi 2028 demand"]["high"]["changes"]["launch years"] == ["M-hatch: 2029 -> 2028"]
    changes = openpyxl.load_workbook(tmp_path / "t.xlsx")["What changes"]
    heads = [changes.cell(4, c).value for c in range(1, changes.max_column + 1)]
    col = heads.index("launch years") + 1
    assert "M-hatch: 2029 -> 2028" in [changes.cell(r, col).value for r in range(5, changes.max_row + 1)]


def test_monte_carlo_counts_each_variants_launch_year(committed, tmp_path):
    _folder, workbook, _report, _design = committed
    proc, obj = sweep(workbook, "--samples", "16", "--seed", "3", "--jobs", "2", "--json", "--out", tmp_path / "m.xlsx")
    assert proc.returncode == 0, proc.stderr
    inputs = inputs_of(workbook)
    solved = [alone(inputs, c) for c in list(monte_carlo_cases(inputs.ranges, 3, 16))[1:]]
    with_plan = [s for s in solved if s["status"] in HAS_PLAN]
    want: dict[str, dict[str, float]] = {}
    for s in with_plan:
        for v, t in s["launch"].items():
            want.setdefault(v, {}).setdefault(t, 0.0)
            want[v][t] += 1 / len(with_plan)
    shares = obj["monte_carlo"]["share_launch_year"]
    assert set(shares["M-hatch"]) == {"2028", "2029"}  # the clipped normal: both years occur
    assert shares.keys() == want.keys()
    for v in want:
        assert shares[v] == pytest.approx(want[v])
    often = openpyxl.load_workbook(tmp_path / "m.xlsx")["How often"]
    texts = [c.value for row in often.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Launch year of each variant") for t in texts)


# ---- a robust plan's design ---------------------------------------------------------------------


def test_a_robust_reports_design_is_kept_in_every_case(tmp_path):
    futures = [dict(scenario="base", probability=0.5), dict(scenario="dear-packs", probability=0.5)]
    workbook = write(programme_tables(futures=futures), tmp_path / "wb.xlsx")
    solved = plan("solve", workbook, "--robust", "--json", "--out", tmp_path / "rr.xlsx", timeout=180)
    assert solved.returncode == 0, solved.stderr
    robust = json.loads(solved.stdout)
    design = Design({v: DesignChoice(p["pack"], {c: o for c, o in p["options"].items() if o}, p.get("launch_year"))
                     for v, p in robust["variants"].items() if p["offered"]})
    proc, obj = sweep(workbook, "--design", tmp_path / "rr.xlsx", "--jobs", "2", "--json", "--out", tmp_path / "t.xlsx")
    assert proc.returncode == 0, proc.stderr
    assert obj["design"]["kind"] == "robust" and obj["design"]["cost_jpy"] == pytest.approx(robust["expected_cost_jpy"])
    assert "futures" not in proc.stderr  # the robust design is what the futures sheet is for
    inputs = inputs_of(workbook)
    by_name = {b["name"]: b for b in obj["tornado"]}
    for case in tornado_cases(inputs.ranges)[1:]:
        solo = alone(inputs, case, design)
        end = by_name[case.uncertainty][case.kind]
        assert end["status"] == solo["status"]
        if solo["status"] in HAS_PLAN:
            assert end["total_cost_jpy"] == pytest.approx(solo["total_cost_jpy"], rel=1e-9)


def test_a_plan_design_on_a_workbook_with_futures_warns_that_they_are_not_used(tmp_path):
    workbook = write(programme_tables(futures=PROGRAMME["futures"]), tmp_path / "wb.xlsx")
    proc, _ = sweep(workbook, "--jobs", "1", "--out", tmp_path / "t.xlsx")
    assert proc.returncode == 0, proc.stderr
    assert "sheet 'futures': is not used by plan sweep" in proc.stderr and "--design ROBUST-REPORT.xlsx" in proc.stderr


# ---- refusals -----------------------------------------------------------------------------------


def _report_of(folder: Path, tbl: dict, name: str = "other.xlsx") -> Path:
    workbook = write(tbl, folder / f"src-{name}")
    proc = plan("solve", workbook, "--no-sharing-baseline", "--out", folder / name)
    assert proc.returncode in (0, 1), proc.stderr
    (folder / f"src-{name}").unlink()
    return folder / name


def _refused(workbook: Path, report: Path, folder: Path, *fragments: str) -> None:
    before = files_in(folder)
    proc, obj = sweep(workbook, "--design", report, "--samples", "4", "--json", "--out", folder / "out" / "m.xlsx")
    assert proc.returncode == 2 and obj is None, proc.stderr
    find_problem(proc.stderr, "--design", *fragments)
    assert files_in(folder) == before and "solving" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_report_is_refused(committed, tmp_path):
    _folder, workbook, _report, _design = committed
    _refused(workbook, tmp_path / "nope.xlsx", tmp_path, "nope.xlsx does not exist")


def test_a_planning_workbook_or_a_sweep_workbook_is_not_a_report(committed, design_tornado, tmp_path):
    folder, workbook, _report, _design = committed
    _refused(workbook, workbook, tmp_path, "a planning workbook (the input of plan solve)", "plan solve --robust")
    _refused(workbook, folder / "dt.xlsx", tmp_path, "a sweep workbook (written by plan sweep)")
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    _refused(workbook, tmp_path / "junk.xlsx", tmp_path, "junk.xlsx is not an .xlsx workbook")


def test_a_report_without_a_plan_has_no_design_to_keep(committed, tmp_path):
    _folder, workbook, _report, _design = committed
    t = programme_tables()
    t["demand"][0]["min_units"] = 500000  # more than every plant can build
    report = _report_of(tmp_path, t, "none.xlsx")
    _refused(workbook, report, tmp_path, "the report has no plan (status infeasible)")


@pytest.mark.parametrize(
    "change,fragments",
    [
        ("variant", ["offers variant 'H-hatchback'", "variants sheet", "Did you mean 'H-hatch'?"]),
        ("option", ["variant H-hatch takes motor option 'm50'", "parts sheet"]),
        ("pack", ["variant H-hatch carries pack 'P21'", "packs sheet"]),
        ("years", ["variant H-hatch launches in 2027, and the workbook has no years sheet"]),
    ],
)
def test_a_design_naming_what_the_workbook_lacks_is_refused(committed, tmp_path, change, fragments):
    """A report of another workbook: each misfit named, before anything is solved."""
    _folder, workbook, _report, _design = committed
    t = programme_tables()
    target = workbook
    if change == "variant":
        t["variants"][0]["variant"] = "H-hatchback"
    elif change == "option":
        t["parts"][1]["option"] = "m50"
    elif change == "pack":
        t["packs"][0]["pack"] = "P21"
        t["tiers"][0]["item"] = "P21"
    else:
        target = write(tables(demand=DEMAND[:1], ranges=PROGRAMME_RANGES[:2]), tmp_path / "steady.xlsx")
    report = _report_of(tmp_path, t)
    _refused(target, report, tmp_path, *fragments)


def test_a_report_of_another_version_of_the_workbook_is_kept_with_a_warning(committed, tmp_path):
    _folder, workbook, report, _design = committed
    t = programme_tables()
    t["plants"][0]["assembly_cost_jpy"] = 95000  # the same names, another workbook
    other = write(t, tmp_path / "wb2.xlsx")
    proc, obj = sweep(other, "--design", report, "--jobs", "1", "--json", "--out", tmp_path / "t.xlsx")
    assert proc.returncode == 0, proc.stderr
    assert "not from this workbook as it is now: its design is kept" in proc.stderr
    assert obj["design"]["variants"]["M-hatch"]["launch_year"] == "2029"
