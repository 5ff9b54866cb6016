"""`plan sweep` end to end on a small workbook: tornado and Monte Carlo figures equal solving each
case alone, a seeded sample is the same with any number of workers, the results file streams and
resumes, bad input writes nothing, and no signal to the parent leaves a process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import openpyxl
import pytest

from clirun import PLAN, ctrl_c_as_in_a_terminal, files_in, find_problem, plan
from optimizer.solving.solve import make_plan
from optimizer.sweeps.cases import SweepInputs, monte_carlo_cases, tornado_cases
from optimizer.sweeps.ranges import read_ranges
from optimizer.sweeps.results import parse_line, read_rows
from optimizer.workbook.read import read_workbook
from optimizer.workbook.scenarios import apply_scenario
from optimizer.workbook.validate import validate
from sweeps_support import RANGES, descendants, ranges_workbook, result_lines, survivors, wait_for


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    return ranges_workbook(tmp_path_factory.mktemp("sweep") / "wb.xlsx")


def sweep(*args, cwd=None, timeout=180):
    proc = plan("sweep", *args, cwd=cwd, timeout=timeout)
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


def alone(inputs: SweepInputs, case) -> dict:
    """The case solved on its own, in this process, from its own validated input."""
    o = make_plan(inputs.plan_input(case))
    return {"status": o.status, "total_cost_jpy": o.total_cost_jpy}


@pytest.fixture(scope="module")
def tornado(workbook, tmp_path_factory):
    out = tmp_path_factory.mktemp("tornado")
    proc, obj = sweep(workbook, "--jobs", "2", "--json", "--out", out / "t.xlsx")
    assert proc.returncode == 0, proc.stderr
    return out, proc, obj


# ---- tornado ----------------------------------------------------------------------------------


def test_tornado_figures_equal_solving_each_end_alone(workbook, tornado):
    out, _proc, obj = tornado
    raw = read_workbook(workbook)
    inputs = SweepInputs(raw, "base", read_ranges(raw), None, None)
    cases = tornado_cases(inputs.ranges)
    base = alone(inputs, cases[0])
    assert obj["base"]["total_cost_jpy"] == pytest.approx(base["total_cost_jpy"], rel=1e-9)
    by_name = {b["name"]: b for b in obj["tornado"]}
    assert list(by_name) == sorted(by_name, key=lambda n: -(by_name[n]["swing_jpy"] or 0))  # widest first
    for case in cases[1:]:
        end = by_name[case.uncertainty][case.kind]
        solo = alone(inputs, case)
        assert end["status"] == solo["status"]
        assert end["total_cost_jpy"] == pytest.approx(solo["total_cost_jpy"], rel=1e-9)
        assert end["delta_jpy"] == pytest.approx(
            solo["total_cost_jpy"] - base["total_cost_jpy"], rel=1e-9, abs=1
        )
    for name, bar in by_name.items():
        assert bar["swing_jpy"] == pytest.approx(
            abs(bar["high"]["total_cost_jpy"] - bar["low"]["total_cost_jpy"]), abs=1
        )


def test_a_tornado_end_is_the_plan_of_the_same_change_as_a_scenario(workbook, tmp_path):
    """Through an independent path: the same change written as a scenario row and solved by
    `plan solve --scenario` gives the end's cost and plan."""
    high = dict(
        scenario="mizushima-high",
        sheet="plants",
        match="plant=Mizushima",
        column="capacity_units",
        op="set",
        value=70000,
    )
    wb = ranges_workbook(tmp_path / "wb.xlsx", scenarios=[high])
    proc, obj = sweep(wb, "--jobs", "1", "--json", "--out", tmp_path / "t.xlsx")
    assert proc.returncode == 0, proc.stderr
    solved = plan(
        "solve",
        wb,
        "--scenario",
        "mizushima-high",
        "--no-sharing-baseline",
        "--json",
        "--out",
        tmp_path / "s.xlsx",
    )
    single = json.loads(solved.stdout)
    end = next(b for b in obj["tornado"] if b["name"] == "Mizushima capacity")["high"]
    assert end["total_cost_jpy"] == pytest.approx(single["total_cost_jpy"], rel=1e-9)
    assert (
        sorted(v for v, p in single["variants"].items() if p["offered"]) == sorted(obj["base"]["offered"])
        or end["changes"]["offers"]
    )


def test_the_tornado_workbook_shows_the_swings_and_what_changes(tornado):
    out, _proc, obj = tornado
    wb = openpyxl.load_workbook(out / "t.xlsx")
    assert wb.sheetnames[:5] == ["Tornado", "What changes", "Cases", "Ranges", "About"]
    ws = wb["Tornado"]
    assert ws._charts, "the tornado chart"
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "input (range)")
    names = [ws.cell(r, 1).value for r in range(header + 1, header + 1 + len(obj["tornado"]))]
    assert names == [b["name"] for b in obj["tornado"]]
    assert ws.freeze_panes == f"B{header + 1}" and ws.print_title_rows
    assert ws.cell(header + 1, 4).number_format.startswith('"¥"')
    changes = wb["What changes"]
    assert changes.max_row == 4 + 2 * len(obj["tornado"])
    cases = wb["Cases"]
    assert [cases.cell(5 + i, 2).value for i in range(3)] == [
        "workbook as it stands",
        "pack prices at its low",
        "pack prices at its high",
    ]


def test_the_results_file_has_one_line_per_case(tornado):
    out, _proc, obj = tornado
    rows = list(read_rows(out / "t.csv"))
    assert len(rows) == obj["cases"] == 1 + 2 * 4
    assert len({r.key for r in rows}) == len(rows)
    assert sorted(r.case for r in rows) == list(range(obj["cases"]))


# ---- Monte Carlo ------------------------------------------------------------------------------


def test_monte_carlo_figures_equal_solving_each_sample_alone(workbook, tmp_path):
    proc, obj = sweep(
        workbook, "--samples", "16", "--seed", "5", "--jobs", "2", "--json", "--out", tmp_path / "mc.xlsx"
    )
    assert proc.returncode == 0, proc.stderr
    raw = read_workbook(workbook)
    inputs = SweepInputs(raw, "base", read_ranges(raw), None, None)
    solved = [alone(inputs, c) for c in list(monte_carlo_cases(inputs.ranges, 5, 16))[1:]]
    costs = [s["total_cost_jpy"] for s in solved if s["status"] in ("optimal", "feasible")]
    mc = obj["monte_carlo"]
    assert mc["with_plan"] == len(costs) and mc["samples"] == 16
    for name, p in (("p10_jpy", 10), ("p50_jpy", 50), ("p90_jpy", 90)):
        assert mc[name] == pytest.approx(float(np.percentile(costs, p)), rel=1e-9)
    assert sum(h["samples"] for h in mc["histogram"]) == len(costs)
    assert mc["histogram"][0]["from_jpy"] <= min(costs) and mc["histogram"][-1]["to_jpy"] >= max(costs)
    rows = {r.case: r for r in read_rows(tmp_path / "mc.csv")}
    offered = sum(
        "M-hatch" in rows[i].record["offered"]
        for i in range(1, 17)
        if rows[i].record["status"] in ("optimal", "feasible")
    )
    assert mc["share_offered"].get("M-hatch", 0) == pytest.approx(offered / len(costs))
    wb = openpyxl.load_workbook(tmp_path / "mc.xlsx")
    assert wb.sheetnames[:5] == ["Distribution", "How often", "Cases", "Ranges", "About"]
    assert wb["Distribution"]._charts


def test_a_seeded_sample_is_the_same_with_one_or_two_workers(workbook, tmp_path):
    runs = {}
    for jobs in (1, 2):
        folder = tmp_path / f"j{jobs}"
        proc, obj = sweep(
            workbook,
            "--samples",
            "12",
            "--seed",
            "11",
            "--jobs",
            jobs,
            "--json",
            "--out",
            folder / "mc.xlsx",
        )
        assert proc.returncode == 0, proc.stderr
        rows = sorted(
            (r.key, r.case, r.record["status"], r.record["total_cost_jpy"], json.dumps(r.values))
            for r in read_rows(folder / "mc.csv")
        )
        runs[jobs] = ({k: v for k, v in obj.items() if k not in ("report", "results")}, rows)
    assert runs[1] == runs[2]


# ---- results file: streaming and --resume -------------------------------------------------------


def start_sweep(workbook, out, *extra, **popen):
    return subprocess.Popen(
        [
            str(PLAN),
            "sweep",
            str(workbook),
            "--samples",
            "150",
            "--jobs",
            "2",
            "--out",
            str(out),
            *map(str, extra),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )


def test_resume_after_sigkill_redoes_nothing(workbook, tmp_path):
    out = tmp_path / "mc.xlsx"
    results = tmp_path / "mc.csv"
    proc = start_sweep(workbook, out)
    wait_for(lambda: len(result_lines(results)) >= 5, 120, "cases in the results file")
    children = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # the parent alone, as a crash or the OOM killer would
    proc.communicate(timeout=30)
    assert not survivors(children)
    kept = [parse_line(line) for line in result_lines(results)]
    assert kept and not out.exists()
    again = plan(
        "sweep",
        workbook,
        "--samples",
        "150",
        "--jobs",
        "2",
        "--out",
        out,
        "--resume",
        "--json",
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert f"resuming: {len(kept)} of 151 cases are in {results} already" in again.stderr
    rows = list(read_rows(results))
    assert len(rows) == 151 and len({r.key for r in rows}) == 151  # nothing solved twice
    assert rows[: len(kept)] == kept  # the lines kept are left as they were
    assert f"151 cases: {151 - len(kept)} solved now, {len(kept)} from" in again.stderr
    book = openpyxl.load_workbook(out)["About"]
    shown = {book.cell(r, 1).value: book.cell(r, 2).value for r in range(3, 20)}
    assert shown["taken from the results file (--resume)"] == len(kept)


def test_a_torn_last_line_is_dropped_and_that_case_solved_again(workbook, tmp_path):
    out, results = tmp_path / "t.xlsx", tmp_path / "t.csv"
    proc, _ = sweep(workbook, "--jobs", "1", "--out", out)
    assert proc.returncode == 0, proc.stderr
    lines = results.read_text().splitlines(keepends=True)
    results.write_text("".join(lines[:-1]) + lines[-1][:40])  # killed while writing the last line
    proc, _ = sweep(workbook, "--jobs", "1", "--out", out, "--resume")
    assert proc.returncode == 0, proc.stderr
    assert f"{len(lines) - 1} cases: 1 solved now, {len(lines) - 2} from" in proc.stderr
    assert len(list(read_rows(results))) == len(lines) - 1


def test_a_results_file_of_something_else_is_refused_and_left_alone(workbook, tmp_path):
    results = tmp_path / "t.csv"
    results.write_text("name,value\nx,1\n")
    proc, obj = sweep(workbook, "--out", tmp_path / "t.xlsx", "--resume", "--json")
    assert proc.returncode == 2 and obj is None
    find_problem(proc.stderr, "is not a results file of plan sweep")
    assert results.read_text() == "name,value\nx,1\n" and not (tmp_path / "t.xlsx").exists()


# ---- bad input: exit 2, nothing written ---------------------------------------------------------


@pytest.mark.parametrize(
    "args,fragments",
    [
        (["--samples", "5", "--seed", "-1"], ["--seed"]),
        (["--seed", "3"], ["--seed applies to --samples"]),
        (["--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"], ["exclude each other"]),
    ],
)
def test_a_wrong_command_exits_2_and_writes_nothing(workbook, tmp_path, args, fragments):
    proc, _ = sweep(workbook, *args, "--out", tmp_path / "x.xlsx")
    assert proc.returncode == 2 and all(f in proc.stderr for f in fragments), proc.stderr
    assert files_in(tmp_path) == set()


def test_bad_ranges_exit_2_naming_the_row_and_write_nothing(tmp_path):
    wb = ranges_workbook(
        tmp_path / "wb.xlsx",
        [
            dict(
                name="r",
                sheet="packs",
                match="pack=P9",
                column="unit_cost_jpy",
                op="multiply",
                low=0.8,
                high=1.2,
            )
        ],
    )
    proc, obj = sweep(wb, "--json", "--out", tmp_path / "out" / "t.xlsx")
    assert proc.returncode == 2 and obj is None
    find_problem(proc.stderr, "sheet 'ranges'", "row 2", "column C 'match'", "matches no row of packs")
    assert files_in(tmp_path) == {"wb.xlsx"}


def test_a_workbook_without_ranges_is_told_how_to_add_them(tmp_path):
    from builders import tables, write

    wb = write(tables(), tmp_path / "wb.xlsx")
    proc, _ = sweep(wb, "--out", tmp_path / "t.xlsx")
    assert proc.returncode == 2
    find_problem(proc.stderr, "no ranges", "docs/sweeps.md")


def test_an_unreachable_scheduler_exits_2(workbook, tmp_path):
    from sweeps_support import free_port

    proc, _ = sweep(
        workbook, "--scheduler", f"tcp://127.0.0.1:{free_port()}", "--out", tmp_path / "t.xlsx", timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    find_problem(proc.stderr, "--scheduler", "no Dask scheduler could be reached there")
    assert not (tmp_path / "t.xlsx").exists()


# ---- signals to the parent ----------------------------------------------------------------------


def all_scenarios(workbook, out):
    from builders import tables, write

    rows = [
        dict(
            scenario=f"s{i:02d}",
            sheet="variants",
            match="*",
            column="top_hat_unit_cost_jpy",
            op="add",
            value=1000 * i,
        )
        for i in range(1, 40)
    ]
    wb = write(tables(scenarios=rows), out.parent.parent / "scen.xlsx")
    return subprocess.Popen(
        [str(PLAN), "solve", str(wb), "--all-scenarios", "--jobs", "2", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize("command", ["sweep", "all-scenarios"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_signal_to_the_parent_alone_leaves_no_process_and_closes_the_pipes(
    workbook, tmp_path, command, signum
):
    """As CI or `timeout` would: captured output, the signal to the parent only (not its group).
    `communicate` returns only once every process holding the pipes has closed them."""
    out = tmp_path / "out" / "x.xlsx"
    proc = start_sweep(workbook, out) if command == "sweep" else all_scenarios(workbook, out)
    results = out.with_suffix(".csv")
    if command == "sweep":
        wait_for(lambda: len(result_lines(results)) >= 2, 120, "cases in the results file")
    else:  # --all-scenarios keeps its reports in memory until the end: wait for cases to be done
        for line in proc.stderr:
            if " done)" in line:
                break
    children = descendants(proc.pid)
    assert children, "the workers are child processes"
    started = time.monotonic()
    os.kill(proc.pid, signum)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        for p in children:
            p.kill()
        raise AssertionError("the pipes stayed open: a process outlived its parent")
    assert time.monotonic() - started < 30
    assert not survivors(children), "no worker outlives its parent"
    if signum == signal.SIGTERM:
        assert proc.returncode == 143, err
        assert "terminated (SIGTERM)" in err and "Traceback" not in err
    if command == "sweep":
        assert result_lines(results) and all(
            parse_line(line) for line in result_lines(results)
        )  # finished cases kept, whole
    assert not out.parent.exists() or not [n for n in files_in(out.parent) if n.startswith(".~plan-")]


def test_ctrl_c_stops_the_workers_and_keeps_every_finished_case(workbook, tmp_path):
    out = tmp_path / "mc.xlsx"
    proc = start_sweep(workbook, out, preexec_fn=ctrl_c_as_in_a_terminal)
    wait_for(lambda: len(result_lines(tmp_path / "mc.csv")) >= 3, 120, "cases in the results file")
    children = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group, as in a terminal
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted:" in err and "--resume" in err and "Traceback" not in err
    assert not survivors(children)
    kept = result_lines(tmp_path / "mc.csv")
    assert kept and all(parse_line(line) for line in kept)
    assert not out.exists()


def test_progress_goes_to_standard_error_as_lines_when_it_is_not_a_terminal(tornado):
    _out, proc, _obj = tornado
    assert "sweep: 9 of 9 cases done (100%)" in proc.stderr
    assert "solving 9 cases on 2 worker processes" in proc.stderr


def test_a_sweep_around_a_scenario_starts_from_the_scenario(workbook, tmp_path):
    proc, obj = sweep(
        workbook, "--scenario", "dear-packs", "--jobs", "1", "--json", "--out", tmp_path / "t.xlsx"
    )
    assert proc.returncode == 0, proc.stderr
    raw = apply_scenario(read_workbook(workbook), "dear-packs")
    assert obj["base"]["total_cost_jpy"] == pytest.approx(
        make_plan(validate(raw).plan_input).total_cost_jpy, rel=1e-9
    )
    assert obj["scenario"] == "dear-packs"
    assert len(RANGES) == 5
