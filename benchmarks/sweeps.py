"""Benchmarks of the sweep engine (issue 15's targets); not part of the test run.

    python -m benchmarks.sweeps                     # everything, results in benchmarks/sweeps.md
    python -m benchmarks.sweeps --only memory --ten-thousand

Measured, each ratio within one run of this script:
- start-up of `plan --help` and of `plan solve` (the example, no sharing baseline), and that
  neither imports Dask, tqdm or pandas;
- a 200-sample Monte Carlo of the bundled example with --jobs 1 and --jobs 2: wall and ratio;
- wall per case of that sweep against the same cases solved one after another in one warm process;
- the same with `--design` (the example's own plan kept in every case): --jobs 2 / --jobs 1, and
  wall per case of --jobs 1 against the same 201 cases solved with the design fixed, one after
  another, in one warm process;
- a local cluster's start-up (1 and 2 workers) against solving in this process;
- driver peak memory (its own RSS high-water mark, workers excluded) for 200 and 2,000 samples
  (and 10,000 with --ten-thousand) of a small generated workbook on a local 2-worker cluster;
- the engine's own cost per case: 2,000 jobs that do nothing, and the sweep's wall against the
  solve seconds its workers report.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = Path(sys.executable).parent / "plan"
EXAMPLE = ROOT / "inputs" / "kei-jv.xlsx"
SMALL_RANGES = [
    ("development costs", "parts", "", "dev_cost_jpy", "multiply", 0.8, 1.3, 1.0, "triangular"),
    ("plant capacity", "plants", "", "capacity_units", "multiply", 0.9, 1.1, 1.0, "triangular"),
    ("range targets", "variants", "", "range_target_km", "add", -10, 10, 0, "normal"),
    ("production years", "settings", "lifecycle_years", "value", "set", 5, 8, 6, "triangular"),
]


@dataclass(frozen=True)
class NoopJob:
    """A job that does nothing: what the engine itself costs per case."""

    key: str

    def run(self) -> dict:
        return {"status": "optimal"}


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.perf_counter() - started, proc


def median_wall(cmd: list[str], runs: int, **kw) -> float:
    walls = []
    for _ in range(runs):
        wall, proc = timed(cmd, **kw)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
        walls.append(wall)
    return statistics.median(walls)


def small_workbook(folder: Path) -> Path:
    """benchmarks.generate's small size (seed 1) with a ranges sheet."""
    import openpyxl

    from benchmarks.generate import make

    path = make("small", 1, folder / "small.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("ranges")
    ws.append(["name", "sheet", "match", "column", "op", "low", "high", "most_likely", "distribution"])
    for row in SMALL_RANGES:
        ws.append(list(row))
    wb.save(path)
    return path


def startup(folder: Path) -> dict:
    out = folder / "r.xlsx"
    solve = [str(PLAN), "solve", str(EXAMPLE), "--no-sharing-baseline", "--json", "--out", str(out)]
    help_wall = median_wall([str(PLAN), "--help"], 9)
    solve_wall = median_wall(solve, 5)
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "optimizer.cli", *solve[1:]],
        capture_output=True,
        text=True,
    )
    imported = sorted(
        {
            line.split("|")[-1].strip().split(".")[0]
            for line in probe.stderr.splitlines()
            if line.startswith("import time:")
        }
        & {"dask", "distributed", "tqdm", "pandas"}
    )
    return {
        "plan --help (s)": help_wall,
        "plan solve example, no baseline (s)": solve_wall,
        "Dask/tqdm/pandas imported by plan solve": imported or "none",
    }


def cluster_start() -> dict:
    """A local cluster's start-up and its first (trivial) job, against nothing at all in-process."""
    from optimizer.sweeps.engine import Workers

    out = {}
    for n in (1, 2):
        walls = []
        for _ in range(3):
            started = time.perf_counter()
            with Workers(jobs=n) as workers:
                workers.run([NoopJob(f"{i:064x}") for i in range(n)], lambda _j, _r: None)
            walls.append(time.perf_counter() - started)
        out[f"local cluster of {n}: start, one job per worker, stop (s)"] = statistics.median(walls)
    return out


def sweep_walls(folder: Path, stem: str, extra: list[str], label: str, what: str, samples: int,
                out: dict) -> dict[int, float]:
    """`plan sweep` of the example with --jobs 1, then 2 (`extra`: more options): each one's wall
    and the load average before it, into `out` under `label` (before `--jobs`) and `what` (the
    sweep's description). Returns the walls by jobs."""
    walls = {}
    for jobs in (1, 2):
        out[f"load average (1 min) before {label}--jobs {jobs}"] = os.getloadavg()[0]
        target = folder / f"{stem}-j{jobs}.xlsx"
        wall, proc = timed([str(PLAN), "sweep", str(EXAMPLE), *extra, "--samples", str(samples),
                            "--seed", "1", "--jobs", str(jobs), "--out", str(target)])
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        walls[jobs] = wall
        out[f"{samples}-sample Monte Carlo of the example{what}, --jobs {jobs} (s)"] = wall
    out[f"{label.rstrip()}: --jobs 2 / --jobs 1" if label else "--jobs 2 / --jobs 1"] = walls[2] / walls[1]
    return walls


def monte_carlo_jobs(folder: Path, samples: int = 200) -> dict:
    out: dict = {}
    walls = sweep_walls(folder, "mc", [], "", "", samples, out)
    from optimizer.sweeps.results import read_rows

    rows = list(read_rows(folder / "mc-j1.csv"))
    worker_solve = statistics.fmean(r.record["seconds"] for r in rows)
    out["cases (samples + the workbook as it stands)"] = len(rows)
    out["--jobs 1: wall per case (s)"] = walls[1] / len(rows)
    out["--jobs 1: solve seconds per case reported by the worker (s)"] = worker_solve
    warm = warm_single(samples=20)
    out["the same cases solved one after another in one warm process, per case (s)"] = warm
    out["--jobs 1 wall per case / warm single case"] = walls[1] / len(rows) / warm
    return out


def warm_single(samples: int) -> float:
    """Mean make_plan time of the first `samples` sampled cases in this (warmed-up) process."""
    from optimizer.solving.solve import make_plan
    from optimizer.sweeps.cases import SweepInputs, monte_carlo_case
    from optimizer.sweeps.ranges import read_ranges
    from optimizer.workbook.read import read_workbook

    raw = read_workbook(EXAMPLE)
    inputs = SweepInputs(raw, "base", read_ranges(raw), None, None)
    make_plan(inputs.plan_input(monte_carlo_case(inputs.ranges, 1, 0)))  # warm up: imports, HiGHS
    inputs_list = [inputs.plan_input(monte_carlo_case(inputs.ranges, 1, i)) for i in range(1, samples + 1)]
    started = time.perf_counter()
    for inp in inputs_list:
        make_plan(inp)
    return (time.perf_counter() - started) / samples


def design_jobs(folder: Path, samples: int = 200) -> dict:
    """A 200-sample Monte Carlo of the example keeping its own plan's design (--design)."""
    report = folder / "plan.xlsx"
    solved = subprocess.run([str(PLAN), "solve", str(EXAMPLE), "--no-sharing-baseline", "--out", str(report)],
                            capture_output=True, text=True)
    if solved.returncode != 0:
        raise SystemExit(solved.stderr[-3000:])
    out: dict = {}
    design = ["--design", str(report)]
    walls = sweep_walls(folder, "design", design, "--design ", " with --design", samples, out)
    from optimizer.sweeps.results import read_rows

    rows = list(read_rows(folder / "design-j1.csv"))
    out["--design: cases (samples + the workbook as it stands)"] = len(rows)
    out["--design: cases the design cannot serve"] = sum(r.record["status"] not in ("optimal", "feasible")
                                                         for r in rows)
    out["--design --jobs 1: wall per case (s)"] = walls[1] / len(rows)
    out["--design --jobs 1: solve seconds per case reported by the worker (s)"] = statistics.fmean(
        r.record["seconds"] for r in rows)
    out["load average (1 min) before the warm single cases"] = os.getloadavg()[0]
    warm = warm_design(report, samples)
    out["the same cases, design fixed, one after another in one warm process, per case (s)"] = warm
    out["--design --jobs 1 wall per case / warm single case"] = walls[1] / len(rows) / warm
    return out


def warm_design(report: Path, samples: int) -> float:
    """Mean make_plan(design=...) time of the sweep's own cases (the workbook as it stands and
    every sample) in this warmed-up process, each from its validated input, as a worker does."""
    from optimizer.solving.solve import make_plan
    from optimizer.sweeps.cases import SweepInputs, monte_carlo_case
    from optimizer.sweeps.design import read_committed
    from optimizer.sweeps.ranges import read_ranges
    from optimizer.workbook.read import read_workbook
    from optimizer.workbook.validate import validate

    raw = read_workbook(EXAMPLE)
    inputs = SweepInputs(raw, "base", read_ranges(raw), None, None)
    design = read_committed(report, validate(raw).plan_input, raw.sha256)[0].design
    cases = [inputs.plan_input(monte_carlo_case(inputs.ranges, 1, i)) for i in range(samples + 1)]
    make_plan(cases[1], design=design)  # warm up: imports, HiGHS
    started = time.perf_counter()
    for inp in cases:
        make_plan(inp, design=design)
    return (time.perf_counter() - started) / len(cases)


DRIVER = """
import json, resource, sys, time
from pathlib import Path
from optimizer.sweeps.run import SweepConfig, run_sweep
folder, wb, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
cfg = SweepConfig(workbook=wb, out=folder / f"m{n}.xlsx", results=folder / f"m{n}.csv",
                  samples=n, seed=1, jobs=2)
started = time.perf_counter()
outcome = run_sweep(cfg)
wall = time.perf_counter() - started
solve = sum(line.seconds or 0 for line in outcome.summary.lines())
import psutil
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"peak_mb": peak, "end_mb": psutil.Process().memory_info().rss / 2**20,
                  "wall": wall, "solve": solve,
                  "cases": outcome.totals.cases}))
"""


def memory(folder: Path, sizes: list[int]) -> dict:
    wb = small_workbook(folder)
    out = {}
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, "-c", DRIVER, str(folder), str(wb), str(n)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        out[f"{n:,} samples: driver peak memory (MB)"] = r["peak_mb"]
        out[f"{n:,} samples: driver memory at the end, sweep workbook written (MB)"] = r["end_mb"]
        out[f"{n:,} samples: wall (s)"] = r["wall"]
        # two workers: the wall the solves alone would need, and what is left per case
        out[f"{n:,} samples: engine time per case beyond the solves, 2 workers (ms)"] = (
            1000 * (r["wall"] - r["solve"] / 2) / r["cases"]
        )
    return out


def engine_overhead(n: int = 2000) -> dict:
    from optimizer.sweeps.engine import Workers

    with Workers(jobs=2) as workers:
        started = time.perf_counter()
        workers.run((NoopJob(f"{i:064x}") for i in range(n)), lambda _j, _r: None)
        wall = time.perf_counter() - started
    return {f"{n:,} jobs that do nothing on 2 local workers: per job (ms)": 1000 * wall / n}


SECTIONS = {
    "startup": startup,
    "cluster": cluster_start,
    "jobs": monte_carlo_jobs,
    "design": design_jobs,
    "memory": memory,
    "overhead": engine_overhead,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sweeps", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=sorted(SECTIONS), action="append")
    ap.add_argument("--ten-thousand", action="store_true", help="also 10,000 samples in the memory section")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "sweeps.md"),
                    help="written afresh; with --only, the run is appended to it as a section")
    args = ap.parse_args(argv)
    results: dict[str, dict] = {}
    folder = Path(tempfile.mkdtemp(prefix="plan-sweep-bench-"))
    try:
        for name in args.only or list(SECTIONS):
            print(f"== {name}", file=sys.stderr, flush=True)
            if name in ("startup", "jobs", "design"):
                results[name] = SECTIONS[name](folder)
            elif name == "memory":
                results[name] = memory(folder, [200, 2000] + ([10000] if args.ten_thousand else []))
            else:
                results[name] = SECTIONS[name]()
            for k, v in results[name].items():
                print(
                    f"  {k}: {v:.3f}" if isinstance(v, float) else f"  {k}: {v}",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    write_markdown(Path(args.out), results, append=bool(args.only))
    return 0


def write_markdown(path: Path, results: dict[str, dict], append: bool = False) -> None:
    """The results as a table: the whole file, or (`append`, a run of some sections) a section
    added at its end, so that earlier runs and their notes stay."""
    load = os.getloadavg()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    when = (f"Commit {commit}, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average after "
            f"the last section {load[0]:.1f}. Ratios are within this one run.")
    head = (
        [f"## `--only {' --only '.join(results)}`", "", when]
        if append and path.exists()
        else ["# Sweep engine benchmarks (`python -m benchmarks.sweeps`)", "", when]
    )
    lines = [
        *head,
        "",
        "| section | measure | value |",
        "|---|---|---:|",
    ]
    for section, values in results.items():
        for k, v in values.items():
            shown = f"{v:,.3f}" if isinstance(v, float) else str(v)
            lines.append(f"| {section} | {k} | {shown} |")
    text = "\n".join(lines) + "\n"
    if append and path.exists():
        text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
