"""A sweep on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1
(random free ports), reached through --scheduler and DASK_SCHEDULER_ADDRESS. One worker is killed
mid-sweep: every case still completes exactly once, with the figures of solving it alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest

from clirun import PLAN, plan
from optimizer.solving.solve import make_plan
from optimizer.sweeps.cases import SweepInputs, monte_carlo_cases
from optimizer.sweeps.ranges import read_ranges
from optimizer.sweeps.results import read_rows
from optimizer.workbook.read import read_workbook
from sweeps_support import DaskCluster, ranges_workbook, result_lines, wait_for

SAMPLES, SEED = 60, 3


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    return ranges_workbook(tmp_path_factory.mktemp("cluster") / "wb.xlsx")


@pytest.fixture(scope="module")
def solved_alone(workbook) -> dict[str, tuple[str, float | None]]:
    """Every case of the sweep solved on its own in this process: key -> (status, total cost)."""
    raw = read_workbook(workbook)
    inputs = SweepInputs(raw, "base", read_ranges(raw), None, None)
    out = {}
    for case in monte_carlo_cases(inputs.ranges, SEED, SAMPLES):
        o = make_plan(inputs.plan_input(case))
        out[inputs.key(case, "plan")] = (o.status, o.total_cost_jpy)
    return out


def check_every_case_once_as_alone(results, solved_alone) -> None:
    rows = list(read_rows(results))
    assert len(rows) == SAMPLES + 1
    assert len({r.key for r in rows}) == len(rows), "a case was recorded twice"
    assert {r.key for r in rows} == set(solved_alone)
    for r in rows:
        status, cost = solved_alone[r.key]
        assert r.record["status"] == status
        assert r.record["total_cost_jpy"] == pytest.approx(cost, rel=1e-9)


def test_a_sweep_through_scheduler_with_a_worker_killed_mid_sweep(workbook, solved_alone, tmp_path):
    with DaskCluster(tmp_path, workers=2) as cluster:
        out = tmp_path / "mc.xlsx"
        proc = subprocess.Popen(
            [
                str(PLAN),
                "sweep",
                str(workbook),
                "--samples",
                str(SAMPLES),
                "--seed",
                str(SEED),
                "--scheduler",
                cluster.address,
                "--out",
                str(out),
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(
            lambda: len(result_lines(out.with_suffix(".csv"))) >= 4 or proc.poll() is not None,
            120,
            "the first cases",
        )
        assert proc.poll() is None, "the sweep ended before a worker could be killed"
        victim = cluster.worker_procs[0]
        os.killpg(victim.pid, signal.SIGKILL)  # the worker and its nanny: gone for good
        stdout, stderr = proc.communicate(timeout=240)
        assert proc.returncode == 0, stderr
        assert f"the Dask cluster at {cluster.address}" in stderr
        log = (tmp_path / "scheduler.log").read_text()
        assert "Remove worker" in log and "name: w0" in log, "the scheduler saw the worker go mid-sweep"
        check_every_case_once_as_alone(out.with_suffix(".csv"), solved_alone)
        obj = json.loads(stdout)
        assert (
            obj["cases"] == SAMPLES + 1
            and obj["monte_carlo"]["with_plan"]
            == sum(1 for s, _ in solved_alone.values() if s in ("optimal", "feasible")) - 1
        )


def test_the_environment_names_the_cluster_and_resume_uses_it(workbook, solved_alone, tmp_path):
    with DaskCluster(tmp_path, workers=2) as cluster:
        out = tmp_path / "mc.xlsx"
        env = {**os.environ, "DASK_SCHEDULER_ADDRESS": cluster.address}
        proc = subprocess.run(
            [
                str(PLAN),
                "sweep",
                str(workbook),
                "--samples",
                str(SAMPLES),
                "--seed",
                str(SEED),
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=240,
        )
        assert proc.returncode == 0, proc.stderr
        assert f"the Dask cluster at {cluster.address}" in proc.stderr
        check_every_case_once_as_alone(out.with_suffix(".csv"), solved_alone)
        again = subprocess.run(
            [
                str(PLAN),
                "sweep",
                str(workbook),
                "--samples",
                str(SAMPLES),
                "--seed",
                str(SEED),
                "--out",
                str(out),
                "--resume",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=240,
        )
        assert again.returncode == 0, again.stderr
        assert f"{SAMPLES + 1} cases: 0 solved now, {SAMPLES + 1} from" in again.stderr
        # --jobs means this machine's processes, whatever the environment says
        local = subprocess.run(
            [str(PLAN), "sweep", str(workbook), "--jobs", "1", "--out", str(tmp_path / "t.xlsx")],
            capture_output=True,
            text=True,
            env=env,
            timeout=240,
        )
        assert local.returncode == 0 and "on 1 worker process" in local.stderr, local.stderr


def test_all_scenarios_on_the_cluster_equals_local_processes(tmp_path):
    from builders import tables, write

    wb = write(tables(), tmp_path / "wb.xlsx")
    local = plan(
        "solve",
        wb,
        "--all-scenarios",
        "--no-sharing-baseline",
        "--jobs",
        "2",
        "--json",
        "--out",
        tmp_path / "local" / "c.xlsx",
    )
    assert local.returncode == 0, local.stderr
    with DaskCluster(tmp_path, workers=2) as cluster:
        remote = plan(
            "solve",
            wb,
            "--all-scenarios",
            "--no-sharing-baseline",
            "--scheduler",
            cluster.address,
            "--json",
            "--out",
            tmp_path / "remote" / "c.xlsx",
        )
    assert remote.returncode == 0, remote.stderr
    assert f"on the Dask cluster at {cluster.address}" in remote.stderr
    strip = lambda obj: {n: {**c, "report": None} for n, c in obj["scenarios"].items()}  # noqa: E731
    assert strip(json.loads(local.stdout)) == strip(json.loads(remote.stdout))
