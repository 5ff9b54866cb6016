"""`plan solve --all-scenarios` and `plan compare` end to end, on the bundled example (its
properties, not its numbers: it is still being tuned) and on small built workbooks."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from builders import tables, write
from clirun import PLAN, ctrl_c_as_in_a_terminal, files_in, find_problem, invoke, plan, summary
from optimizer.cli import example_workbook
from optimizer.report.json_out import plan_json
from optimizer.analysis.kpis import case_kpis
from optimizer.pipeline import load_input, solve_case
from optimizer.report.embedded import read_embedded
from optimizer.workbook.scenarios import scenario_names
from optimizer.workbook.read import read_workbook

EXAMPLE = example_workbook()
PLAN_KEYS = {"status", "scenario", "total_cost_jpy", "best_bound_jpy", "gap", "years", "variants", "developed", "report",
             "sharing_saving_jpy", "sharing_saving_range_jpy", "sharing_saving_proven", "without_sharing"}  # the example is a programme


@pytest.fixture(scope="module")
def example_names() -> list[str]:
    return ["base", *scenario_names(read_workbook(EXAMPLE))]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[int, dict]:
    """The example solved with --all-scenarios, once with --jobs 1 and once with --jobs 2, each in
    its own folder with the same relative --out, so that their JSON may be compared byte for byte."""
    out = {}
    for jobs in (1, 2):
        cwd = tmp_path_factory.mktemp(f"jobs{jobs}")
        started = time.perf_counter()
        proc = plan("solve", EXAMPLE, "--all-scenarios", "--jobs", jobs, "--json", "--out", Path("reports") / "comparison.xlsx", cwd=cwd)
        out[jobs] = {"proc": proc, "cwd": cwd, "seconds": time.perf_counter() - started}
        assert proc.returncode == 0, proc.stderr
    return out


def kpi_sheet(path: Path, sheet: str = "KPIs") -> dict[str, dict[str, object]]:
    """A comparison's KPI table as {KPI label: {column title: value}}."""
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    head = rows[0]
    return {r[0]: dict(zip(head[1:], r[1:])) for r in rows[1:]}


# ---- the example, all scenarios ----------------------------------------------------------------


def test_jobs_1_and_jobs_2_print_identical_json(runs):
    assert runs[1]["proc"].stdout == runs[2]["proc"].stdout
    print(f"--all-scenarios on the example: --jobs 1 {runs[1]['seconds']:.1f} s, --jobs 2 {runs[2]['seconds']:.1f} s")


def test_json_is_one_object_of_every_case_and_the_comparison(runs, example_names):
    obj = json.loads(runs[2]["proc"].stdout)  # the whole of stdout
    assert set(obj) == {"scenarios", "comparison"}
    assert list(obj["scenarios"]) == example_names and len(example_names) > 2
    cwd = runs[2]["cwd"]
    assert obj["comparison"] == str(Path("reports") / "comparison.xlsx") and (cwd / obj["comparison"]).is_file()
    for name, case in obj["scenarios"].items():
        assert set(case) == PLAN_KEYS and case["scenario"] == name
        assert case["status"] in ("optimal", "feasible")
        assert case["report"] == str(Path("reports") / f"{EXAMPLE.stem}-{name}.xlsx")
        assert read_embedded(cwd / case["report"])["plan"] == case  # the report holds the same plan
    assert files_in(cwd / "reports") == {"comparison.xlsx", *(f"{EXAMPLE.stem}-{n}.xlsx" for n in example_names)}


def test_progress_names_each_case_running_and_done_on_stderr(runs, example_names):
    err = runs[2]["proc"].stderr
    n = len(example_names)
    assert f"solving {n} cases (base + {n - 1} scenarios) with 2 parallel processes" in err
    for i, name in enumerate(example_names, start=1):
        assert f"[{i}/{n}] {name}: solving" in err
        assert re.search(rf"\[{i}/{n}\] {re.escape(name)}: (optimal|feasible), total cost ¥[\d,]+", err), err
    assert err.rstrip().splitlines()[-1].startswith("comparison: ")


# What a solve stopped at its gap target proves about the optimum (its bound, the gap, the range a
# saving may lie in) depends on how far the search went, which timing can change between runs;
# the plan and its costs do not.
BOUND_FIGURES = {"best_bound_jpy", "gap", "sharing_saving_range_jpy", "sharing_saving_proven", "cost_without_sharing_bound_jpy"}


def settled(obj):
    """The object without the figures that rest on how far a search went."""
    if isinstance(obj, dict):
        return {k: settled(v) for k, v in obj.items() if k not in BOUND_FIGURES}
    if isinstance(obj, list):
        return [settled(v) for v in obj]
    return obj


def test_figures_equal_those_of_solving_each_case_on_its_own(runs, example_names):
    obj = json.loads(runs[1]["proc"].stdout)
    cwd = runs[1]["cwd"]
    kpis = kpi_sheet(cwd / obj["comparison"])
    for name in example_names:
        source, inp, _ = load_input(EXAMPLE, name)
        case = solve_case(source, inp)
        alone = plan_json(case, obj["scenarios"][name]["report"])
        assert settled(obj["scenarios"][name]) == settled(alone), name
        expected = case_kpis(case)
        assert settled(read_embedded(cwd / alone["report"])["kpis"]) == settled(expected)
        column = name
        assert kpis["total cost (¥, lifecycle)"][column] == pytest.approx(expected["total_cost_jpy"], rel=1e-12)
        for kind, value in expected["cost_by_kind_jpy"].items():
            assert kpis[f"cost: {kind} (¥)"][column] == pytest.approx(value, rel=1e-12, abs=1e-6)
        assert kpis["saving from cross-brand sharing (¥)"][column] == pytest.approx(expected["sharing_saving_jpy"], rel=1e-12, abs=1e-6)
        assert kpis["variants offered"][column] == len(expected["variants_offered"])
    # and through the command itself, for one scenario
    proc = plan("solve", EXAMPLE, "--scenario", example_names[-1], "--json", "--out", cwd / "alone.xlsx")
    single = json.loads(proc.stdout)
    assert settled({**single, "report": None}) == settled(
        {**obj["scenarios"][example_names[-1]], "report": None})


def test_the_example_sharing_saving_is_positive_and_its_cause_shows_in_what_changed(runs, example_names):
    obj = json.loads(runs[2]["proc"].stdout)
    cwd = runs[2]["cwd"]
    base = obj["scenarios"]["base"]
    assert base["sharing_saving_jpy"] > 0
    shown = summary(cwd / base["report"])
    assert shown["saving from cross-brand sharing (¥)"] == pytest.approx(base["sharing_saving_jpy"])
    assert 0 < shown["saving from cross-brand sharing (% of cost without it)"] < 1
    kpis = kpi_sheet(cwd / obj["comparison"])
    assert kpis["saving from cross-brand sharing (¥)"]["base"] == pytest.approx(base["sharing_saving_jpy"])

    # The example's scenario without sharing: its extra cost is the developments each brand pays again.
    alone = [n for n in example_names if n != "base" and obj["scenarios"][n]["sharing_saving_jpy"] == 0]
    assert alone, "the example should have a scenario with cross_brand_sharing = no"
    name = alone[0]
    assert obj["scenarios"][name]["total_cost_jpy"] - base["total_cost_jpy"] == pytest.approx(base["sharing_saving_jpy"], rel=0.05)
    rows = list(openpyxl.load_workbook(cwd / obj["comparison"])["What changed"].iter_rows(min_row=2, values_only=True))
    paid_again = [r for r in rows if r[0] == name and r[1].endswith("development") and r[3].startswith("once for all brands") and "separately" in r[4]]
    assert paid_again and all(r[5] >= 0 for r in paid_again)
    assert sum(r[5] for r in paid_again) > 0


def test_compare_rebuilds_the_same_comparison_from_the_reports(runs, tmp_path):
    obj = json.loads(runs[2]["proc"].stdout)
    cwd = runs[2]["cwd"]
    reports = [cwd / c["report"] for c in obj["scenarios"].values()]
    out = tmp_path / "again.xlsx"
    result = invoke("compare", *reversed(reports), "--out", out)  # order given does not pick the base case
    assert result.exit_code == 0, result.stderr
    assert "against 'base'" in result.stderr
    first, again = openpyxl.load_workbook(cwd / obj["comparison"]), openpyxl.load_workbook(out)
    # the example has a years sheet: the programme's Year by year comes second (test_compare_years)
    assert first.sheetnames[:5] == again.sheetnames[:5] == ["Scenarios", "Year by year", "KPIs", "What changed", "Charts"]
    a, b = kpi_sheet(cwd / obj["comparison"]), kpi_sheet(out)
    assert a.keys() == b.keys()
    for label in a:
        assert a[label] == b[label], label
    rows = lambda wb: sorted(wb["What changed"].iter_rows(min_row=2, values_only=True), key=repr)  # noqa: E731
    assert rows(first) == rows(again)


# ---- plan compare refuses anything but reports ---------------------------------------------------


def test_compare_refuses_other_files_and_writes_nothing(runs, tmp_path):
    cwd = runs[2]["cwd"]
    obj = json.loads(runs[2]["proc"].stdout)
    out = tmp_path / "cmp.xlsx"
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = invoke("compare", cwd / obj["scenarios"]["base"]["report"], EXAMPLE, cwd / obj["comparison"], text, "--out", out)
    assert result.exit_code == 2
    find_problem(result.stderr, "kei-jv.xlsx", "is a planning workbook", "not a report written by plan solve")
    find_problem(result.stderr, "is a comparison workbook")  # (a long path is shortened)
    find_problem(result.stderr, "notes.txt", "not an .xlsx workbook")
    assert not out.exists()


def test_compare_will_not_overwrite_a_report_it_reads(tmp_path, runs):
    cwd = runs[2]["cwd"]
    report = cwd / json.loads(runs[2]["proc"].stdout)["scenarios"]["base"]["report"]
    copy = tmp_path / "base.xlsx"
    copy.write_bytes(report.read_bytes())
    result = invoke("compare", copy, "--out", copy)
    assert result.exit_code == 2
    assert "would overwrite" in result.stderr
    assert copy.read_bytes() == report.read_bytes()


# ---- small workbooks: names, errors, no plan, Ctrl-C ------------------------------------------


def test_scenario_names_excel_forbids_or_too_long_for_a_sheet_do_not_collide(tmp_path):
    names = [
        "price war: 2025/26 [draft]?",
        "price war_ 2025_26 _draft__",  # the same file name once cleaned
        "a very long scenario name that Excel cannot use as a sheet name, version 1",
        "a very long scenario name that Excel cannot use as a sheet name, version 2",
        "KPIs",  # a sheet of the comparison
        "'quoted'",
    ]
    rows = [dict(scenario=n, sheet="packs", match="*", column="unit_cost_jpy", op="multiply", value=1 + i / 100) for i, n in enumerate(names)]
    wb = write(tables(scenarios=rows), tmp_path / "wb.xlsx")
    out = tmp_path / "out" / "cmp.xlsx"
    result = invoke("solve", wb, "--all-scenarios", "--no-sharing-baseline", "--jobs", 2, "--out", out)
    assert result.exit_code == 0, result.stderr
    reports = sorted(files_in(out.parent) - {"cmp.xlsx"})
    assert len(reports) == len(names) + 1
    assert "wb-price_war__2025_26__draft__.xlsx" in reports and "wb-price_war__2025_26__draft__-2.xlsx" in reports
    cmp = openpyxl.load_workbook(out)
    titles = cmp.sheetnames
    assert len({t.casefold() for t in titles}) == len(titles)
    assert all(len(t) <= 31 and not re.search(r"[\[\]:*?/\\]", t) and not t.startswith("'") for t in titles)
    plans = {cmp[t]["A1"].value: t for t in titles if str(cmp[t]["A1"].value).startswith("Plan of ")}
    assert set(plans) == {f"Plan of {n}" for n in ["base", *names]}  # one sheet per case, whatever its name
    assert [c.value for c in cmp["KPIs"][1]][1:len(names) + 2] == ["base", *names]
    assert cmp["KPIs"]["A1"].value == "KPI"  # the scenario called KPIs did not replace the KPI sheet


def test_a_bad_scenario_exits_2_naming_its_row_and_writes_nothing(tmp_path):
    rows = tables()["scenarios"] + [dict(scenario="typo", sheet="packs", match="pack=P99", column="unit_cost_jpy", op="multiply", value=2)]
    wb = write(tables(scenarios=rows), tmp_path / "wb.xlsx")
    proc = plan("solve", wb, "--all-scenarios", "--json", "--out", tmp_path / "out" / "cmp.xlsx")
    assert proc.returncode == 2
    find_problem(proc.stderr, "sheet 'scenarios'", "row 4", "scenario 'typo'", "matches no row of packs")
    assert proc.stdout == ""
    assert files_in(tmp_path) == {"wb.xlsx"}


@pytest.mark.parametrize("args", [["--scenario", "dear-packs"], ["--scenario", "base"]])
def test_all_scenarios_and_one_scenario_exclude_each_other(tmp_path, args):
    wb = write(tables(), tmp_path / "wb.xlsx")
    result = invoke("solve", wb, "--all-scenarios", *args, "--out", tmp_path / "c.xlsx")
    assert result.exit_code == 2 and "exclude each other" in result.stderr
    assert files_in(tmp_path) == {"wb.xlsx"}


def test_jobs_needs_all_scenarios(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    result = invoke("solve", wb, "--jobs", 2, "--out", tmp_path / "c.xlsx")
    assert result.exit_code == 2 and "--jobs applies to --all-scenarios" in result.stderr
    assert invoke("solve", wb, "--all-scenarios", "--jobs", 0).exit_code == 2
    assert files_in(tmp_path) == {"wb.xlsx"}


def test_a_scenario_without_a_plan_exits_1_and_is_in_the_comparison(tmp_path):
    rows = tables()["scenarios"] + [dict(scenario="tiny plants", sheet="plants", match="*", column="capacity_units", op="set", value=100)]
    wb = write(tables(scenarios=rows), tmp_path / "wb.xlsx")
    out = tmp_path / "cmp.xlsx"
    proc = plan("solve", wb, "--all-scenarios", "--no-sharing-baseline", "--json", "--out", out)
    assert proc.returncode == 1, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["scenarios"]["tiny plants"]["status"] == "infeasible" and obj["scenarios"]["tiny plants"]["conflicts"]
    assert obj["scenarios"]["base"]["status"] == "optimal"
    changed = [r for r in openpyxl.load_workbook(out)["What changed"].iter_rows(min_row=2, values_only=True) if r[0] == "tiny plants"]
    assert len(changed) == 1 and changed[0][1] == "status" and changed[0][4].startswith("infeasible")


def test_ctrl_c_stops_the_workers_and_leaves_only_complete_reports(tmp_path):
    """(--jobs 1 runs its case in a worker process too: the same code path.)"""
    rows = [dict(scenario=f"s{i:02d}", sheet="variants", match="*", column="top_hat_unit_cost_jpy", op="add", value=1000 * i) for i in range(1, 25)]
    wb = write(tables(scenarios=rows), tmp_path / "wb.xlsx")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [str(PLAN), "solve", wb, "--all-scenarios", "--jobs", "2", "--out", out / "cmp.xlsx"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    lines = []
    for line in proc.stderr:  # wait until solving has begun
        lines.append(line)
        if ": solving" in line:
            break
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group, as in a terminal
    try:
        _, rest = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    err = "".join(lines) + rest
    assert proc.returncode == 130, err
    assert "interrupted:" in err and "Traceback" not in err
    written = files_in(out) if out.exists() else set()  # the folder is made only to write into
    assert "cmp.xlsx" not in written
    assert not [n for n in written if n.startswith(".~plan-")]
    for name in written:
        assert read_embedded(out / name)["plan"]["status"] == "optimal"  # whole reports only
