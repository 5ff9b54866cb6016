"""When should the tree search stop and hand the rest of the limit to local search?

    python -m benchmarks.stall --out benchmarks/stall.md [--sizes medium,large] [--seeds 1,2,3] [--years 0,6]

For each instance, in one process and one after the other (so every rule sees the same machine):
- `HiGHS alone`: the compiled model, no stop rule, no local search;
- `old rule`: stop when the bound rose by less than 5 % of the gap over the last quarter of the
  limit (judged from half the limit on), then local search (the rule until this round);
- `no rise`: stop only when the bound has not risen at all over a whole window past the root;
- `plan`: the rule shipped (optimizer/solving/polish.py StallWatch: the old rule judged only over a
  window wholly past the root node), then local search.
Each gets the same limit (default 60 s) and gap target (the workbook's). The gap is the final
plan's against the bound that run proved.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path

import optimizer.solving.solve as solve_module
from benchmarks import generate as gen
from models.build import SCALE_JPY, PlatformModel
from optimizer.pipeline import load_input
from optimizer.solving.highs_bridge import compile_model, run_highs
from optimizer.solving.polish import StallWatch


class OldWatch(StallWatch):
    """The rule until this round: a rise under 5 % of the gap in the window stops the tree."""

    def __call__(self, seconds: float, objective: float, bound: float, nodes: int) -> bool:
        if self.stalled_at is not None:
            return True
        if not (math.isfinite(objective) and math.isfinite(bound)):
            return False
        if self.samples and seconds - self.samples[-1][0] < 0.25:
            return False
        self.samples.append((seconds, bound))
        while len(self.samples) > 1 and self.samples[1][0] <= seconds - self.window:
            self.samples.popleft()
        if seconds < 0.5 * self.limit or self.samples[0][0] > seconds - self.window:
            return False
        if bound - self.samples[0][1] < 0.05 * max(0.0, objective - bound):
            self.stalled_at = seconds
            return True
        return False


class NoRiseWatch(StallWatch):
    """Stop only on a bound that stood still over a whole window past the root."""

    def __call__(self, seconds: float, objective: float, bound: float, nodes: int) -> bool:
        if self.stalled_at is None and nodes > 0 and self.tree_from is None:
            self.tree_from = seconds
        if self.stalled_at is not None or self.tree_from is None or not math.isfinite(objective):
            return self.stalled_at is not None
        self.samples.append((seconds, bound))
        while len(self.samples) > 1 and self.samples[1][0] <= seconds - self.window:
            self.samples.popleft()
        oldest = self.samples[0][0]
        if seconds < 0.5 * self.limit or oldest > seconds - self.window or oldest < self.tree_from:
            return False
        if bound - self.samples[0][1] <= 1e-7 * max(1.0, abs(bound)):
            self.stalled_at = seconds
        return self.stalled_at is not None


def _gap(objective: float | None, bound: float | None) -> float:
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
    for name, watch in (("old rule", OldWatch), ("no rise", NoRiseWatch), ("plan", StallWatch)):
        made: list[StallWatch] = []

        def factory(limit_s: float, _cls=watch) -> StallWatch:
            made.append(_cls(limit_s))
            return made[-1]

        solve_module.StallWatch = factory  # the benchmark's own process only
        try:
            run = solve_module.run_model(pm, compiled, limit, gap_target, None, None, {}, {}, lambda _t: None)
        finally:
            solve_module.StallWatch = StallWatch
        out[name] = dict(plan=run.objective, bound=run.dual_bound, stopped=made[0].stalled_at)
    for row in out.values():
        row["gap"] = _gap(row["plan"], row["bound"])
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
        "# Stall rule: HiGHS alone, the old rule and the shipped rule, one run each",
        "",
        f"Limit {args.time_limit:g} s; load average at the start {os.getloadavg()[0]:.1f} (2 cores).",
        "",
        "| instance | run | plan (¥ bn) | bound (¥ bn) | gap | tree stopped at |",
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
                    print(lines[-4:], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
