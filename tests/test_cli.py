"""The `plan` command line: solve (--json, exit codes, default report path, overrides), validate,
help, and the safety of the report file."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import openpyxl
import pytest

from builders import tables, write
from clirun import files_in, find_problem, invoke, plan, provenance, summary

# The spec's keys plus "sharing_saving_jpy", which issue 4 (what sharing is worth) adds.
KEYS = {"status", "scenario", "total_cost_jpy", "best_bound_jpy", "gap", "variants", "developed", "report", "sharing_saving_jpy",
        "sharing_saving_range_jpy", "sharing_saving_proven", "without_sharing"}
VARIANT_KEYS = {"offered", "units", "pack", "options", "plants"}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return write(tables(), tmp_path_factory.mktemp("good") / "wb.xlsx")


def infeasible_tables() -> dict:
    t = tables()
    t["demand"][0]["min_units"] = 200000  # more than both plants can build
    return t


def test_solve_json_prints_exactly_one_object(good, tmp_path):
    out = tmp_path / "report.xlsx"
    proc = plan("solve", good, "--out", out, "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)  # the whole of stdout: no banner, no log line
    assert set(obj) == KEYS
    assert obj["status"] in ("optimal", "feasible") and obj["scenario"] == "base"
    assert obj["report"] == str(out) and out.is_file()
    assert isinstance(obj["total_cost_jpy"], float) and obj["total_cost_jpy"] > 0
    assert obj["best_bound_jpy"] <= obj["total_cost_jpy"] * (1 + 1e-9) and 0 <= obj["gap"] <= 1e-6
    assert set(obj["variants"]) == {"H-hatch", "M-hatch", "H-van"}
    offered_options, offered_packs = set(), set()
    for name, v in obj["variants"].items():
        assert set(v) == VARIANT_KEYS, name
        if v["offered"]:
            assert {"motor", "styling"} <= set(v["options"]) and v["pack"] in ("P20", "P25")
            assert sum(v["plants"].values()) == pytest.approx(v["units"])
            offered_options |= {f"{c}/{o}" for c, o in v["options"].items()}
            offered_packs.add(v["pack"])
        else:
            assert v == {"offered": False, "units": 0.0, "pack": None, "options": {}, "plants": {}}
    hatch = obj["variants"]["H-hatch"]
    assert hatch["offered"] and 20000 <= hatch["units"] <= 50000  # must_offer
    assert obj["variants"]["M-hatch"]["units"] >= 5000  # the Mitsubishi demand row
    assert sum(v["units"] for v in obj["variants"].values()) >= 30000 - 1e-6  # the total demand row
    assert set(obj["developed"]) == {"options", "packs"}
    assert set(obj["developed"]["options"]) == offered_options and set(obj["developed"]["packs"]) == offered_packs
    assert "reading" in proc.stderr and "report:" in proc.stderr  # progress goes to stderr
    assert summary(out)["status"] == obj["status"]


def test_infeasible_exits_1_with_conflicts_and_still_writes_the_report(tmp_path):
    write(infeasible_tables(), tmp_path / "wb.xlsx")
    proc = plan("solve", "wb.xlsx", "--json", cwd=tmp_path)  # default --out, relative to the working directory
    assert proc.returncode == 1, proc.stderr
    obj = json.loads(proc.stdout)
    assert set(obj) == KEYS | {"conflicts"}
    assert obj["status"] == "infeasible" and obj["total_cost_jpy"] is None
    assert obj["conflicts"] and all(isinstance(c, str) and c for c in obj["conflicts"])
    assert not any(v["offered"] for v in obj["variants"].values())
    report = tmp_path / "reports" / "wb-base.xlsx"
    assert obj["report"] == os.path.join("reports", "wb-base.xlsx") and report.is_file()
    s = summary(report)
    assert s["status"] == "infeasible"
    texts = [c for row in openpyxl.load_workbook(report)["Summary"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Why there is no plan" in texts and all(c in texts for c in obj["conflicts"])


def test_default_report_path_and_scenario(tmp_path, monkeypatch):
    write(tables(), tmp_path / "my plan.xlsx")
    monkeypatch.chdir(tmp_path)
    result = invoke("solve", "my plan.xlsx", "--scenario", "dear-packs")  # the base case: see the infeasible test
    assert result.exit_code == 0, result.stderr
    report = tmp_path / "reports" / "my plan-dear-packs.xlsx"
    assert report.is_file() and summary(report)["scenario"] == "dear-packs"
    assert files_in(tmp_path / "reports") == {"my plan-dear-packs.xlsx"}
    assert files_in(tmp_path) == {"my plan.xlsx", "reports"}


def test_out_may_name_a_folder(tmp_path):
    write(tables(), tmp_path / "wb.xlsx")
    folder = tmp_path / "mine"
    folder.mkdir()
    result = invoke("solve", tmp_path / "wb.xlsx", "--no-sharing-baseline", "--out", folder)
    assert result.exit_code == 0, result.stderr
    assert files_in(folder) == {"wb-base.xlsx"} and summary(folder / "wb-base.xlsx")["scenario"] == "base"
    result = invoke("compare", folder / "wb-base.xlsx", "--out", folder)
    assert result.exit_code == 0, result.stderr
    assert files_in(folder) == {"wb-base.xlsx", "comparison.xlsx"}


def test_time_limit_and_gap_override_the_settings(good, tmp_path):
    default = tmp_path / "default.xlsx"
    assert invoke("solve", good, "--out", default).exit_code == 0
    s = provenance(default)  # solver settings are on Provenance, not on the management Summary
    assert (s[("solver", "time limit (s)")], s[("solver", "gap target")]) == (30, 1e-9)  # the workbook's settings
    out = tmp_path / "override.xlsx"
    result = invoke("solve", good, "--out", out, "--time-limit", "7.5", "--gap", "0.02")
    assert result.exit_code == 0, result.stderr
    assert "time limit 7.5 s, gap 0.02" in result.stderr
    s = provenance(out)
    assert (s[("solver", "time limit (s)")], s[("solver", "gap target")]) == (7.5, 0.02)


BAD_NUMBERS = ["0", "-1", "soon", "nan", "NaN", "inf", "-inf", "1e999"]


@pytest.mark.parametrize("args", [
    *[("--time-limit", v) for v in BAD_NUMBERS], *[("--gap", v) for v in BAD_NUMBERS if v != "0"], ("--gap", "-0.1"), ("--frobnicate",),
])
@pytest.mark.parametrize("all_scenarios", [False, True], ids=["one-case", "all-scenarios"])
def test_bad_options_exit_2(good, tmp_path, args, all_scenarios):
    out = tmp_path / "report.xlsx"
    result = invoke("solve", good, "--out", out, *args, *(["--all-scenarios"] if all_scenarios else []))
    assert result.exit_code == 2, result.output
    if args[0] != "--frobnicate":
        assert f"Invalid value for '{args[0]}'" in result.output and repr(args[1]) in result.output, result.output
    assert "Traceback" not in result.output and files_in(tmp_path) == set()


@pytest.mark.parametrize("all_scenarios", [False, True], ids=["one-case", "all-scenarios"])
def test_a_time_limit_that_strikes_before_highs_has_a_plan_still_gives_the_heuristic_plan_and_its_report(tmp_path, all_scenarios):
    """No bound and no gap (None) at all: every figure that may be unknown is written as such."""
    wb = write(tables(scenarios=tables()["scenarios"][:1]), tmp_path / "wb.xlsx")
    out = tmp_path / "out" / ("cmp.xlsx" if all_scenarios else "report.xlsx")
    proc = plan("solve", wb, "--time-limit", "0.000001", "--json", "--out", out, *(["--all-scenarios", "--jobs", "1"] if all_scenarios else []))
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    cases = obj["scenarios"].values() if all_scenarios else [obj]
    assert all(c["status"] == "feasible" and c["total_cost_jpy"] > 0 for c in cases), proc.stdout
    assert "Traceback" not in proc.stderr and out.is_file()
    if not all_scenarios:
        assert obj["gap"] is None and "gap unknown" in proc.stderr
        assert summary(out)["status"] == "feasible"


def test_figures_that_may_be_unknown_read_unknown():
    from optimizer.text import duration, share, yen

    assert (yen(None), share(None), duration(None)) == ("unknown", "unknown", "unknown s")
    assert (yen(1234.6), share(0.0183), share(0.00002), share(0), share(1e-9)) == ("¥1,235", "1.83 %", "0.002 %", "0 %", "< 0.001 %")
    assert (duration(59.4372), duration(7.5), duration(0.05)) == ("59 s", "7.5 s", "0.05 s")


def test_highs_banner_is_never_printed_and_progress_numbers_are_rounded(good, tmp_path):
    for args in (["--json"], [], ["--all-scenarios", "--jobs", "1", "--json"]):
        proc = plan("solve", good, "--out", tmp_path / f"r{len(args)}.xlsx", "--time-limit", "20", *args)
        assert proc.returncode == 0, proc.stderr
        for text in (proc.stdout, proc.stderr):
            assert "HiGHS 1." not in text and "Copyright" not in text and "THIRD_PARTY" not in text, text
        assert not re.search(r"\d\.\d{4,}", proc.stderr), proc.stderr  # "59.4372 s"
        assert "the same case without cross-brand sharing" in proc.stderr or "--all-scenarios" in args


def test_validate_good_workbook_and_its_scenarios(good):
    proc = plan("validate", good)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stderr and "scenarios checked: base, dear-packs, no-sharing" in proc.stderr
    assert proc.stdout == ""


def test_validate_bad_workbook(tmp_path):
    t = tables()
    t["packs"][0]["usable_kwh"] = -20
    result = invoke("validate", write(t, tmp_path / "wb.xlsx"))
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'packs'", "row 2", "column B 'usable_kwh'", "(value -20)")
    assert files_in(tmp_path) == {"wb.xlsx"}


def test_validate_checks_every_scenario_unless_told_one(tmp_path):
    t = tables()
    t["scenarios"].append(dict(scenario="broken", sheet="packs", match="pack=P20", column="usable_kwh", op="add", value=-100))
    wb = write(t, tmp_path / "wb.xlsx")
    result = invoke("validate", wb)
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'packs'", "row 2", "usable_kwh", "set by scenario 'broken' (scenarios row 4)")
    assert invoke("validate", wb, "--scenario", "base").exit_code == 0
    assert invoke("validate", wb, "--scenario", "dear-packs").exit_code == 0
    assert invoke("validate", wb, "--scenario", "broken").exit_code == 2


def test_help():
    proc = plan("--help")
    assert proc.returncode == 0, proc.stderr
    assert all(word in proc.stdout for word in ("solve", "validate", "template"))
    solve_help = invoke("solve", "--help")
    assert solve_help.exit_code == 0
    assert all(opt in solve_help.output for opt in ("--scenario", "--out", "--json", "--time-limit", "--gap"))
    assert invoke("validate", "--help").exit_code == 0 and invoke("template", "--help").exit_code == 0


# ---- the report file -----------------------------------------------------------------------

def test_report_is_replaced_whole(good, tmp_path):
    out = tmp_path / "out" / "report.xlsx"
    assert invoke("solve", good, "--out", out).exit_code == 0
    assert summary(out)["scenario"] == "base"
    assert invoke("solve", good, "--out", out, "--scenario", "no-sharing").exit_code == 0
    assert summary(out)["scenario"] == "no-sharing"
    assert files_in(out.parent) == {"report.xlsx"}, "no temporary file left beside the report"


def test_bad_workbook_leaves_an_existing_report_alone(tmp_path):
    t = tables()
    t["plants"][0]["capacity_units"] = "lots"
    wb = write(t, tmp_path / "wb.xlsx")
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"previous report")
    result = invoke("solve", wb, "--out", out)
    assert result.exit_code == 2
    find_problem(result.stderr, "sheet 'plants'", "row 2", "column B 'capacity_units'", "(value 'lots')")
    assert out.read_bytes() == b"previous report" and files_in(tmp_path) == {"wb.xlsx", "report.xlsx"}


def test_failed_write_leaves_the_previous_report_intact(good, tmp_path, monkeypatch):
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"previous report")

    def broken_save(self, target):
        target.write(b"half a workbook")  # save_atomically hands over an in-memory stream
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    result = invoke("solve", good, "--out", out)
    assert result.exit_code == 2
    find_problem(result.stderr, str(out), "cannot be written", "No space left on device")
    assert out.read_bytes() == b"previous report"
    assert files_in(tmp_path) == {"report.xlsx"}


def test_failed_move_into_place_leaves_the_previous_report_intact(good, tmp_path, monkeypatch):
    """The last step (the temporary file replacing the report) fails: old report kept, temporary removed."""
    import optimizer.files

    out = tmp_path / "report.xlsx"
    out.write_bytes(b"previous report")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(optimizer.files.os, "replace", refuse)
    result = invoke("solve", good, "--out", out)
    assert result.exit_code == 2
    find_problem(result.stderr, str(out), "cannot be written", "Permission denied")
    assert out.read_bytes() == b"previous report"
    assert files_in(tmp_path) == {"report.xlsx"}


def _make_read_only(folder: Path) -> bool:
    """Make `folder` unwritable (chmod; as root also the immutable attribute). False if impossible."""
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return True
    probe.unlink()
    return False


def _make_writable(folder: Path) -> None:
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(stat.S_IRWXU)


def test_unwritable_destination_is_refused_before_solving_and_keeps_the_old_report(good, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    out = folder / "report.xlsx"
    out.write_bytes(b"previous report")
    try:
        if not _make_read_only(folder):
            pytest.skip("cannot make a folder read-only here")
        proc = plan("solve", good, "--out", out, "--json")
        after = files_in(folder)
    finally:
        _make_writable(folder)
    assert proc.returncode == 2, proc.stderr
    assert "problem with the output" in proc.stderr
    find_problem(proc.stderr, str(out), "cannot be written there")
    assert "model:" not in proc.stderr and proc.stdout == "", "checked before solving: no solve, no JSON"
    assert out.read_bytes() == b"previous report"
    assert after == {"report.xlsx"}
