"""`plan` against a commercial solver's free edition and HiGHS alone, on the model `plan` hands to
HiGHS, measured in one run. Needs `pip install xpress` (FICO Xpress with its Community licence,
which solves models of up to 5,000 rows plus columns: medium fits, large and 6-year medium do not).

    python -m benchmarks.peers --out benchmarks/peers.md [--sizes medium] [--seeds 1,2,3] [--limit 60]

For each instance, one after the other on the same machine, each with the workbook's gap target
and the same limit:
- `plan`: the compiled model solved as `plan solve` solves it (optimizer.solving.solve.run_model:
  HiGHS, and local search beside it when its bound stalls);
- `HiGHS alone`: the same compiled model, nothing else;
- `Xpress`: the same model written as MPS by HiGHS, read by Xpress (2 threads), in a fresh process.
Each row: time to the gap target (or the gap at the limit), the final plan and bound, the root
bound (after the root node's cuts, as each solver's log reports it) and the root gap against the
best plan any of them found. Xpress's plan is checked against the compiled rows.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import generate as gen
from benchmarks.stall import relative_gap
from models.build import SCALE_JPY, PlatformModel
from optimizer.pipeline import load_input
from optimizer.solving.highs_bridge import compile_model, new_highs, run_highs
from optimizer.solving.solve import run_model

XPRESS_RUN = r"""
import json, re, sys, time, warnings, io, contextlib
warnings.simplefilter("ignore")
import xpress as xp
mps, limit, gap, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
p = xp.problem()
p.readProb(mps)
p.controls.threads = 2
p.controls.maxtime = -int(round(limit))
p.controls.miprelstop = gap
p.controls.outputlog = 1
p.setLogFile(out + ".log")
started = time.perf_counter()
p.mipOptimize()
seconds = time.perf_counter() - started
x = p.getSolution() if p.attributes.mipsols > 0 else None
json.dump({"seconds": seconds, "objective": p.attributes.mipobjval if x is not None else None,
           "bound": p.attributes.bestbound, "values": x, "status": str(p.attributes.solstatus),
           "nodes": p.attributes.nodes}, open(out, "w"))
"""


def _highs_root(lines: list[str]) -> float | None:
    """The bound of HiGHS's last root-node line (nodes processed 0) of its MIP log."""
    bound = None
    for line in lines:
        m = re.match(r"^ [A-Z ]\s+0\s+0\s+0\s+0\.00%\s+(-?[\d.e+]+)\s", line)
        if m:
            bound = float(m.group(1))
    return bound


def _xpress_root(text: str) -> float | None:
    """Xpress's bound when the tree search starts: the last BestBound of its root cutting log."""
    root = text.split("Starting tree search")[0] if "Starting tree search" in text else text
    bound = None
    for line in root.splitlines():
        m = re.match(r"^[ a-zA-Z*]\s*\d*\s+[A-Z]?\s*(-?[\d.]+|infeasible)\s+(-?[\d.]+)\s+\d+", line)
        if m:
            bound = float(m.group(2))
    return bound


def _violation(compiled, values: list[float]) -> float:
    """The largest violation of a row or column bound by a solution, relative to the row's size."""
    lp, x = compiled.lp, np.asarray(values, dtype=float)
    act = compiled.activity(x)
    lo, hi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    size = np.maximum(1.0, np.abs(np.where(np.isfinite(lo), lo, hi)))
    rows = np.maximum(np.maximum(lo - act, act - hi), 0) / size
    cols = np.maximum(np.maximum(np.asarray(lp.col_lower_) - x, x - np.asarray(lp.col_upper_)), 0)
    return float(max(rows.max(initial=0), cols.max(initial=0)))


def one_instance(path: Path, limit: float, work: Path) -> dict[str, dict]:
    inp = load_input(path, "base")[1]
    gap_target = inp.settings.mip_rel_gap
    pm = PlatformModel(inp)
    compiled = compile_model(pm.m)
    out: dict[str, dict] = {}

    log: list[str] = []
    seconds: dict = {}
    run = run_model(pm, compiled, limit, gap_target, None, log.append, seconds, {}, lambda _t: None)
    out["plan"] = dict(plan=run.objective, bound=run.dual_bound, seconds=run.seconds, root=_highs_root(log),
                       proven=run.optimal)
    log = []
    alone = run_highs(compiled, time_limit_s=limit, mip_rel_gap=gap_target, log_line=log.append)
    out["HiGHS alone"] = dict(plan=alone.objective, bound=alone.dual_bound, seconds=alone.seconds,
                              root=_highs_root(log), proven=alone.optimal)

    mps = work / f"{path.stem}.mps"
    h = new_highs()
    h.setOptionValue("output_flag", False)
    h.passModel(compiled.lp)
    h.writeModel(str(mps))
    result = work / f"{path.stem}.xpress.json"
    size = len(compiled.columns) + len(compiled.rows)
    command = [sys.executable, "-c", XPRESS_RUN, str(mps), str(limit), str(gap_target), str(result)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=limit * 3 + 60)
    if proc.returncode != 0 or not result.exists():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        out["Xpress"] = dict(error=f"{size:,} rows + columns: {tail[0][:160]}")
        return out
    xp = json.loads(result.read_text())
    text = Path(str(result) + ".log").read_text(errors="replace")
    offset = compiled.lp.offset_
    objective = None if xp["objective"] is None else xp["objective"] + offset
    bound = xp["bound"] + offset if xp["bound"] is not None and abs(xp["bound"]) < 1e30 else None
    root = _xpress_root(text)
    out["Xpress"] = dict(
        plan=objective, bound=bound, seconds=xp["seconds"], root=None if root is None else root + offset,
        proven=relative_gap(objective, bound) <= gap_target + 1e-9,
        violation=None if xp["values"] is None else _violation(compiled, xp["values"]),
    )
    return out


def markdown(rows: list[tuple[str, dict[str, dict]]], limit: float, load: str) -> str:
    lines = [
        "# `plan` against Xpress Community and HiGHS alone, on the model `plan` hands to HiGHS",
        "",
        f"Limit {limit:g} s, the workbook's gap target (0.1 %); one run each, one after the other; "
        f"load average at the start {load} (2 cores). Time: to the gap target, or `>limit` with the gap "
        "reached. Root bound: after the root node's cuts, from each solver's log; root gap: against the "
        "best plan any solver found.",
        "",
        "| instance | solver | time to 0.1 % (s) | plan (¥ bn) | bound (¥ bn) | gap | root bound (¥ bn) "
        "| root gap |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    bn = lambda x: "—" if x is None else f"{x * SCALE_JPY / 1e9:,.2f}"  # noqa: E731
    for name, res in rows:
        best = min((r["plan"] for r in res.values() if r.get("plan") is not None), default=None)
        for solver, r in res.items():
            if "error" in r:
                lines.append(f"| {name} | {solver} | not run: {r['error']} | | | | | |")
                continue
            gap = 100 * relative_gap(r["plan"], r["bound"])
            time_text = f"{r['seconds']:.1f}" if r["proven"] else f">{limit:g} ({gap:.2f} %)"
            no_root = r["root"] is None or best is None
            root_gap = "—" if no_root else f"{100 * relative_gap(best, r['root']):.2f} %"
            checked = "" if r.get("violation") is None else f" (max violation {r['violation']:.1e})"
            lines.append(f"| {name} | {solver} | {time_text} | {bn(r['plan'])}{checked} | {bn(r['bound'])} | "
                         f"{gap:.3f} % | {bn(r['root'])} | {root_gap} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.peers", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="medium")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--years", default="0", help="comma-separated: 0 (one steady year) or a number of years")
    ap.add_argument("--limit", type=float, default=60.0)
    args = ap.parse_args(argv)
    load = f"{os.getloadavg()[0]:.1f}"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in args.sizes.split(","):
            for years in (int(y) for y in args.years.split(",")):
                for seed in (int(s) for s in args.seeds.split(",")):
                    name = f"{size} s{seed}" + (f", {years} years" if years else "")
                    path = gen.make(size, seed, work / f"{size}-{years}-{seed}.xlsx", years=years)
                    print(f"{name} ...", file=sys.stderr, flush=True)
                    rows.append((name, one_instance(path, args.limit, work)))
                    Path(args.out).write_text(markdown(rows, args.limit, load))
    print(Path(args.out).read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
