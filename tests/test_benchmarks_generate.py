"""Smoke test of the benchmark workbook generator: the `small` size is a workbook `plan`
accepts and can plan, and a seed always gives the same workbook. (The benchmarks themselves
are not part of the test run; see docs/performance.md.)"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import generate as gen  # noqa: E402
from models.plan import Plan, VariantPlan
from models.evaluate import evaluate  # noqa: E402
from optimizer.cli import main  # noqa: E402
from optimizer.workbook.validate import validate  # noqa: E402
from optimizer.workbook.read import read_workbook  # noqa: E402


def test_small_workbook_validates_and_solves(tmp_path):
    wb = gen.make("small", 1, tmp_path / "small.xlsx")
    checked = CliRunner().invoke(main, ["validate", str(wb)], catch_exceptions=False)
    assert checked.exit_code == 0, checked.output
    assert "valid" in checked.output and "warning" not in checked.output

    # exit status 0: a plan was found (the generator builds feasibility in)
    report = tmp_path / "r.xlsx"
    solved = CliRunner().invoke(main, ["solve", str(wb), "--out", str(report)], catch_exceptions=False)
    assert solved.exit_code == 0, solved.output
    assert report.exists()

def test_seed_fixes_the_workbook():
    a = gen.generate(gen.SIZES["medium"], 7)
    assert a == gen.generate(gen.SIZES["medium"], 7)
    assert a != gen.generate(gen.SIZES["medium"], 8)
    size = gen.SIZES["medium"]
    assert len(a["variants"]) == size.variants and len(a["categories"]) == size.categories
    assert len(a["parts"]) == size.categories * size.options and len(a["packs"]) == size.packs


def test_witness_plan_obeys_every_rule(tmp_path):
    """Feasibility is built in: the generator's witness plan breaks no rule by `evaluate`."""
    for size, seed in (("small", 1), ("medium", 2), ("large", 3)):
        tables = gen.generate(gen.SIZES[size], seed)
        inp = validate(read_workbook(gen.write(tables, tmp_path / f"{size}.xlsx"))).plan_input
        witness = gen.witness_plan(tables)
        plan = Plan({name: VariantPlan.steady(w["pack"], w["options"], w["plants"]) for name, w in witness.items()})
        assert evaluate(inp, plan).violations == [], (size, seed)
