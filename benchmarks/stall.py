"""Stop the tree search when its bound stalls, or search locally beside it? Measured in one run.

    python -m benchmarks.stall --out benchmarks/stall.md [--sizes medium,large] [--seeds 1,2,3] [--years 0,6]

For each instance, in one process and one after the other (so every way sees the same machine):
- `HiGHS alone`: the compiled model, no stop rule, no local search;
- `stop, then local search`: the rule until this round: when the bound rose by less than 5 % of
  the gap over the last quarter of the limit (judged from half the limit on), stop the tree and
  spend the rest of the limit on local search;
- `plan`: as shipped (optimizer.solving.solve.run_model): the same stall starts the local search
  in a thread beside the tree search, which runs on to its limit; the better plan, the tree's bound.
Each gets the same limit (default 60 s) and gap target (the workbook's). The gap is the final
plan's against the bound that run proved.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path

from benchmarks import generate as gen
from models.build import SCALE_JPY, PlatformModel
from optimizer.pipeline import load_input
from optimizer.solving.highs_bridge import compile_model, run_highs
from optimizer.solving.polish import StallWatch, polish
from optimizer.solving.solve import run_model


def relative_gap(objective: float | None, bound: float | None) -> float:
    if objective is None or bound is None or not math.isfinite(objective) or not objective:
        return math.inf
    return (objective - bound) / abs(objective)


def _bn(x_model: float | None) -> str:
    return "no plan" if x_model is None or not math.isfinite(x_model) else f"{x_model * SCALE_JPY / 1e9:,.2f}"


def one_instance(path: Path, limit: float) -> dict[str, dict]:
    inp = load_input(path, "base")[1]
    gap_target = inp.settings.mip_rel_gap
    out: dict[str, dict] = {}
    pm = PlatformModel(inp)
    compiled = compile_model(pm.m)
    alone = run_highs(compiled, time_limit_s=limit, mip_rel_gap=gap_target)
    out["HiGHS alone"] = dict(plan=alone.objective, bound=alone.dual_bound, stopped=None)

    watch = StallWatch(limit)
    tree = run_highs(compiled, time_limit_s=limit, mip_rel_gap=gap_target,
                     stop_when=lambda p: watch(p.seconds, p.objective, p.bound))
    plan = tree.objective
    if tree.stopped and tree.has_solution:
        within = tree.dual_bound / (1 - gap_target)
        plan = polish(pm, compiled, tree.values, tree.objective, seconds=limit - tree.seconds, time_limit_s=limit,
                      stop_below=within, mip_rel_gap=min(1e-4, gap_target)).objective
    out["stop, then local search"] = dict(plan=plan, bound=tree.dual_bound, stopped=watch.stalled_at)

    seconds: dict[str, float] = {}
    base: dict = {}
    run = run_model(pm, compiled, limit, gap_target, None, None, seconds, base, lambda _t: None)
    started = "local search" in seconds and base["highs_status"].split("from ")[-1].split(" s")[0]
    out["plan"] = dict(plan=run.objective, bound=run.dual_bound, stopped=float(started) if started else None)
    for row in out.values():
        row["gap"] = relative_gap(row["plan"], row["bound"])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="medium,large")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--years", default="0,6", help="comma-separated: 0 is the steady workbook")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    lines = [
        "# When the bound stalls: HiGHS alone, stop then local search, local search beside the tree",
        "",
        f"Limit {args.time_limit:g} s; load average at the start {os.getloadavg()[0]:.1f} (2 cores).",
        "",
        "| instance | run | plan (¥ bn) | bound (¥ bn) | gap | bound stalled at |",
        "|---|---|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for years in (int(y) for y in args.years.split(",")):
            for size in args.sizes.split(","):
                for seed in (int(s) for s in args.seeds.split(",")):
                    path = gen.make(size, seed, Path(tmp) / f"{size}_{seed}_{years}.xlsx", years=years)
                    label = f"{size} s{seed}" + (f", {years} years" if years else "")
                    for run, row in one_instance(path, args.time_limit).items():
                        stopped = "—" if row["stopped"] is None else f"{row['stopped']:.0f} s"
                        lines.append(
                            f"| {label} | {run} | {_bn(row['plan'])} | {_bn(row['bound'])} | "
                            f"{100 * row['gap']:.2f} % | {stopped} |"
                        )
                    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
                    print(lines[-3:], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
