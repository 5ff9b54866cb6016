"""How far is the time-limited plan from optimal? Solve as `plan solve` does, then let HiGHS
search on from that plan for much longer and record how its bound and best plan move.

    python -m benchmarks.proof large.xlsx --minutes 25 --out proof.md

The long run brackets the optimum (between its final bound and its best plan), which says
whether a gap left at the time limit is a dear plan or a weak bound: on `large` it is the
bound (docs/performance.md).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from models.build import SCALE_JPY, PlatformModel
from optimizer.solving.highs_bridge import Progress, compile_model, run_highs
from optimizer.pipeline import load_input
from optimizer.solving.solve import make_plan

SAMPLE_EVERY_S = 30.0


def _bn(x_model: float) -> float:
    return x_model * SCALE_JPY / 1e9


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workbook")
    ap.add_argument("--minutes", type=float, default=25.0, help="length of the long run")
    ap.add_argument("--gap", type=float, default=5e-4, help="relative gap at which the long run stops")
    ap.add_argument("--out", help="Markdown file for the trajectory (default: standard output)")
    args = ap.parse_args(argv)

    _source, inp, _ = load_input(args.workbook, "base")
    limit = inp.settings.time_limit_s
    outcome = make_plan(inp)
    if outcome.plan is None:
        print(f"no plan within {limit:g} s ({outcome.status})", file=sys.stderr)
        return 1
    pm = PlatformModel(inp)
    compiled = compile_model(pm.m)
    start = compiled.vector(pm.values_for(outcome.plan))

    samples: list[tuple[float, float, float]] = []

    def record(progress: Progress) -> bool:
        seconds, plan, bound = progress.seconds, progress.objective, progress.bound
        if not (math.isfinite(plan) and math.isfinite(bound)):
            return False
        if not samples or seconds - samples[-1][0] >= SAMPLE_EVERY_S:
            samples.append((seconds, plan, bound))
        return False

    started = time.perf_counter()
    run = run_highs(compiled, time_limit_s=60 * args.minutes, mip_rel_gap=args.gap, start=start, stop_when=record)
    seconds = time.perf_counter() - started
    if run.objective is not None and run.dual_bound is not None:
        samples.append((seconds, run.objective, run.dual_bound))

    lines = [
        f"# Long run from `plan`'s plan: {Path(args.workbook).name}",
        "",
        f"`plan` at its {limit:g} s limit: ¥{outcome.total_cost_jpy / 1e9:,.3f} bn, "
        + ("no bound" if outcome.best_bound_jpy is None else f"bound ¥{outcome.best_bound_jpy / 1e9:,.3f} bn, gap {100 * outcome.gap:.2f} %")
        + f" ({outcome.status}).",
        f"HiGHS from that plan for up to {args.minutes:g} min ({run.model_status}, {run.nodes:,} nodes):",
        "",
        "| seconds | best plan (¥ bn) | bound (¥ bn) | gap | `plan`'s plan above the bound |",
        "|---:|---:|---:|---:|---:|",
    ]
    ours = outcome.total_cost_jpy / 1e9
    for t, plan, bound in samples:
        p, b = _bn(plan), _bn(bound)
        lines.append(f"| {t:,.0f} | {p:,.3f} | {b:,.3f} | {100 * (p - b) / p:.2f} % | {100 * (ours - b) / ours:.2f} % |")
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
