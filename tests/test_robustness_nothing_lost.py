"""Nothing lost: `plan solve` interrupted (Ctrl-C) or killed outright, while solving or while
writing its report, leaves the earlier report byte for byte and no stray file; a report path
that cannot be written is a clear message and exit 2 before solving; and the same workbook gives the same answer, in separate processes with different
hash seeds (so no set or dict order can leak into the plan)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import random
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from builders import tables, write
from clirun import PLAN, ctrl_c_as_in_a_terminal, files_in, find_problem, plan
from optimizer.cli import example_workbook
from optimizer.files import STALE_AFTER_S, TEMP_PREFIX, save_atomically
from test_diagnose import variant

PREVIOUS = b"the report of an earlier run"


def slow_tables(seed: int = 7) -> dict:
    """Thirty variants over eight more part categories, solved to a zero gap: about ten seconds of
    HiGHS on a laptop, long enough to be interrupted in the middle; its report (thirty variants)
    takes a good fraction of a second to build, long enough to be interrupted while writing."""
    rng = random.Random(seed)
    t = tables()
    base = t["variants"]
    t["variants"] = []
    for i in range(30):
        v = dict(base[i % 3])
        v.update(variant=f"{v['variant']}-{i}", must_offer="no", min_units=2000, max_units=rng.choice([8000, 12000, 20000]),
                 range_target_km=rng.choice([150, 170, 190, 210]), max_unit_cost_jpy=None, top_hat_dev_cost_jpy=rng.uniform(1e9, 4e9))
        t["variants"].append(v)
    for c in range(8):
        t["categories"].append(dict(category=f"module{c}", required="yes", shared="yes"))
        for o in range(5):
            t["parts"].append(dict(category=f"module{c}", option=f"m{c}-{o}", dev_cost_jpy=rng.uniform(2e8, 3e9),
                                   unit_cost_jpy=rng.uniform(5e3, 6e4), mass_kg=rng.uniform(5, 40),
                                   body_styles=rng.choice([None, None, "hatchback", "van"])))
    t["demand"] = [dict(scope="total", name=None, min_units=60000, max_units=None), dict(scope="brand", name="Mitsubishi", min_units=15000, max_units=None)]
    t["plants"][0]["capacity_units"], t["plants"][1]["capacity_units"] = 50000, 40000
    t["settings"] = [{"setting": "mip_rel_gap", "value": 0}, {"setting": "time_limit_s", "value": 300}]
    del t["scenarios"]
    return t


@pytest.fixture(scope="module")
def slow(tmp_path_factory) -> Path:
    return write(slow_tables(), tmp_path_factory.mktemp("slow") / "slow.xlsx")


def signalled(args: list, when: str, sig: int, delay: float = 0.0, timeout: float = 120) -> tuple[int, str, float]:
    """Run `plan ARGS`, send `sig` `delay` seconds after a line of standard error contains `when`;
    returns the exit status, all of standard error, and the seconds from the signal to the exit."""
    proc = subprocess.Popen([str(PLAN), *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_as_in_a_terminal)
    lines = []
    sent = None
    try:
        for line in proc.stderr:
            lines.append(line)
            if when in line:
                time.sleep(delay)
                proc.send_signal(sig)
                sent = time.perf_counter()
                break
        lines.append(proc.stderr.read())
        code = proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert sent is not None, "".join(lines)
    return code, "".join(lines), time.perf_counter() - sent


def earlier_report(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "report.xlsx"
    out.write_bytes(PREVIOUS)
    return out


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGKILL, -signal.SIGKILL)], ids=["ctrl-c", "kill"])
def test_interrupted_while_solving(slow, tmp_path, sig, code):
    out = earlier_report(tmp_path / "reports")
    got, stderr, after = signalled(["solve", slow, "--out", out, "--no-sharing-baseline"], "solving with HiGHS", sig, delay=1.0)
    assert got == code, stderr
    assert "optimal:" not in stderr and "feasible:" not in stderr, "the signal came after the solve"
    assert "Traceback" not in stderr
    if sig == signal.SIGINT:
        assert after < 10, "Ctrl-C must stop HiGHS at once, not at its time limit"
        assert "interrupted: no report written" in stderr
    assert out.read_bytes() == PREVIOUS and files_in(out.parent) == {"report.xlsx"}


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGKILL, -signal.SIGKILL)], ids=["ctrl-c", "kill"])
def test_interrupted_while_writing_the_report(slow, tmp_path, sig, code):
    """The status line is printed just before the report is built; the signal follows it at once.
    A run that wrote its report before the signal arrived proves nothing, so it is tried again."""
    for attempt in range(3):
        out = earlier_report(tmp_path / f"reports{attempt}")
        got, stderr, _ = signalled(["solve", slow, "--out", out, "--no-sharing-baseline", "--time-limit", "2"], "feasible: total cost", sig)
        if "report:" in stderr:
            continue
        assert got == code, stderr
        assert "Traceback" not in stderr
        assert out.read_bytes() == PREVIOUS and files_in(out.parent) == {"report.xlsx"}
        return
    pytest.fail("the report was always written before the signal arrived")


def test_no_temporary_file_exists_while_a_report_is_built(tmp_path):
    out = earlier_report(tmp_path)
    seen = []

    def render(stream) -> None:
        seen.append(files_in(tmp_path))
        stream.write(b"new report")
        seen.append(files_in(tmp_path))

    save_atomically(out, render)
    assert seen == [{"report.xlsx"}, {"report.xlsx"}]
    assert out.read_bytes() == b"new report" and files_in(tmp_path) == {"report.xlsx"}


def test_temporary_files_of_dead_runs_are_removed_by_the_next_save(tmp_path):
    stale, fresh = tmp_path / f"{TEMP_PREFIX}dead.xlsx", tmp_path / f"{TEMP_PREFIX}busy.xlsx"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written by another run")
    old = time.time() - STALE_AFTER_S - 60
    os.utime(stale, (old, old))
    save_atomically(tmp_path / "report.xlsx", lambda stream: stream.write(b"x"))
    assert files_in(tmp_path) == {"report.xlsx", fresh.name}


@pytest.mark.parametrize("where", ["a-folder", "inside-a-file"])
def test_report_path_that_cannot_be_written_is_refused_before_solving(tmp_path, where):
    wb = write(tables(), tmp_path / "wb.xlsx")
    if where == "a-folder":
        out = tmp_path / "report.xlsx"
        out.mkdir()
        (out / "keep.txt").write_text("mine")
        message = "is a folder"
    else:
        (tmp_path / "notes.txt").write_text("a file, not a folder")
        out = tmp_path / "notes.txt" / "report.xlsx"
        message = "cannot be written there"
    before = files_in(tmp_path)
    proc = plan("solve", wb, "--out", out, "--json")
    assert proc.returncode == 2, proc.stderr
    find_problem(proc.stderr, str(out), message)
    assert proc.stdout == "" and "model:" not in proc.stderr
    assert files_in(tmp_path) == before and "Traceback" not in proc.stderr


TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
TIMINGS = ("written", "solve time (s)", "timings")  # rows (by their first cell) that time this run, not the plan


def _cells(path: Path) -> dict:
    """Every cell value of every sheet, timestamps and the solver's seconds aside."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            label = row[0].value
            for cell in row:
                value = cell.value
                if isinstance(value, dt.datetime) or (isinstance(value, str) and TIMESTAMP.match(value)):
                    continue
                if label in TIMINGS and cell.column > 1:
                    continue
                out[(ws.title, cell.coordinate)] = value
    return out


@pytest.mark.parametrize("source", ["example", "no-plan"])
def test_same_input_same_answer(tmp_path, source):
    wb = example_workbook() if source == "example" else write(variant("H-hatch", range_target_km=400), tmp_path / "wb.xlsx")
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / "report.xlsx"
        proc = subprocess.run([str(PLAN), "solve", wb, "--out", out, "--json"], capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, PYTHONHASHSEED=seed))
        assert proc.returncode == (0 if source == "example" else 1), proc.stderr
        runs.append((json.loads(proc.stdout), _cells(out)))
    (json1, cells1), (json2, cells2) = runs
    assert json1 == json2
    assert cells1 == cells2
