"""The long-run check brackets the optimum: its table's last row has a bound at most the best
plan, and on a workbook `plan` solves to optimality both are within the gap of `plan`'s cost."""

from __future__ import annotations

import re

from benchmarks import proof
from benchmarks.generate import make


def test_long_run_brackets_the_optimum_of_a_small_workbook(tmp_path):
    workbook = make("small", 1, tmp_path / "small.xlsx")
    out = tmp_path / "proof.md"
    assert proof.main([str(workbook), "--minutes", "0.2", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    ours = float(re.search(r"at its \S+ s limit: ¥([\d,.]+) bn", text).group(1).replace(",", ""))
    rows = [line for line in text.splitlines() if re.match(r"\| [\d,]+ \|", line)]
    assert rows, text
    cells = [c.strip() for c in rows[-1].strip("|").split("|")]
    best, bound = (float(c.replace(",", "")) for c in cells[1:3])
    assert bound <= best + 1e-6
    assert best <= ours + 1e-6
    assert (ours - bound) / ours <= 1e-3 + 1e-6
