"""optimizer.api: plans and sweeps as pandas DataFrames, with the figures the CLI gives."""

from __future__ import annotations

import json

import pytest

pd = pytest.importorskip("pandas")

from builders import tables, write  # noqa: E402
from clirun import plan  # noqa: E402
from optimizer import api  # noqa: E402
from sweeps_support import ranges_workbook  # noqa: E402


def test_solve_gives_the_plan_of_plan_solve_as_data_frames(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    p = api.solve(wb, sharing_baseline=False, report=tmp_path / "r.xlsx")
    cli = json.loads(
        plan("solve", wb, "--json", "--no-sharing-baseline", "--out", tmp_path / "c.xlsx").stdout
    )
    assert p.status == cli["status"] and p.total_cost_jpy == pytest.approx(cli["total_cost_jpy"], rel=1e-12)
    variants = p.variants()
    assert list(variants.index) == list(cli["variants"])
    for name, v in cli["variants"].items():
        assert variants.loc[name, "offered"] == v["offered"] and variants.loc[
            name, "units"
        ] == pytest.approx(v["units"])
        assert (variants.loc[name, "pack"] if v["offered"] else None) == v["pack"]
    assert p.costs()["cost_jpy"].sum() == pytest.approx(p.total_cost_jpy, rel=1e-12)
    developed = p.developed()
    assert set(developed.loc[developed.kind == "pack", "item"]) == set(cli["developed"]["packs"])
    assert p.report.is_file()


def test_sweep_gives_the_cli_figures_as_data_frames(tmp_path):
    wb = ranges_workbook(tmp_path / "wb.xlsx")
    t = api.sweep(wb, jobs=1, out=tmp_path / "t.xlsx")
    cli = json.loads(plan("sweep", wb, "--jobs", "1", "--json", "--out", tmp_path / "cli.xlsx").stdout)
    tornado = t.tornado()
    assert list(tornado.index) == [b["name"] for b in cli["tornado"]]
    for b in cli["tornado"]:
        assert tornado.loc[b["name"], "swing_jpy"] == pytest.approx(b["swing_jpy"])
    cases = t.cases()
    assert len(cases) == cli["cases"] and cases.loc[0, "total_cost_jpy"] == pytest.approx(
        cli["base"]["total_cost_jpy"]
    )
    assert "units: H-hatch" in cases.columns and "pack prices" in cases.columns
    mc = api.sweep(wb, samples=8, seed=2, jobs=1, out=tmp_path / "mc.xlsx")
    assert (
        mc.distribution()["with_plan"] == mc.cases()["status"].iloc[1:].isin(["optimal", "feasible"]).sum()
    )
    freq = mc.frequency()
    assert (
        set(freq["what"]) <= {"variant offered", "pack developed", "shared by brands", "developed"}
        and (freq["share"] <= 1).all()
    )
    read = api.read_results(tmp_path / "mc.csv")
    assert len(read) == 9 and set(read["key"]) == set(mc.cases()["key"])
    with pytest.raises(ValueError):
        mc.tornado()


def test_the_cli_never_imports_pandas_or_dask():
    import subprocess
    import sys

    code = (
        "import sys, optimizer.cli; from click.testing import CliRunner; "
        "CliRunner().invoke(optimizer.cli.main, ['--help']); "
        "print(sorted(m for m in ('pandas', 'dask', 'distributed', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
