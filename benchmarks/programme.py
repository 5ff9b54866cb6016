"""Targets of the programme (years) and robust (futures) issues, and the time limit end to end.

    python -m benchmarks.programme --out benchmarks/programme.md [--quick]

Every run is `plan solve ... --json` in a fresh process (Python's start and imports counted), timed
from spawn to exit; figures come from its JSON. Sections:
- the bundled example: `plan solve` (a 2027-2032 programme) and `plan solve --robust`, wall (median);
- medium with 6 years: gap at 60 s, seeds 1-3; growth of solve time with years 1, 2, 4, 6, 8 on small
  and medium (seed 1, 60 s limit, to the workbook's gap);
- large with 6 years: model build and hand-over against wall;
- medium with 4 futures: gap at 60 s, seeds 1-3; growth with futures 1-8 on small and medium;
- the limit holds: wall against T for T = 10 and 60 on example, small, medium, large.
The load average is recorded with each section: figures measured on a busy machine say so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import generate as gen

REPO = Path(__file__).resolve().parent.parent
PLAN = [str(Path(sys.executable).with_name("plan"))]


def run(args: list, timeout: float = 900) -> tuple[float, dict, str]:
    """(wall s, the JSON printed, standard error) of one `plan` command."""
    started = time.perf_counter()
    proc = subprocess.run(PLAN + [str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=REPO)
    wall = time.perf_counter() - started
    try:
        obj = json.loads(proc.stdout)
    except json.JSONDecodeError:
        obj = {"status": f"exit {proc.returncode}"}
    return wall, obj, proc.stderr


def load() -> str:
    return "load " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def workbook(folder: Path, size: str, seed: int, **knobs) -> Path:
    name = f"{size}-{seed}" + "".join(f"-{k}{v}" for k, v in sorted(knobs.items()))
    return gen.make(size, seed, folder / f"{name}.xlsx", **knobs)


def gap(obj: dict) -> str:
    g = obj.get("gap")
    return "—" if g is None else f"{100 * g:.2f} %"


def example(folder: Path, repeats: int) -> list[str]:
    out = ["## The bundled example (2027–2032 programme)", "", f"{load()}", "",
           "| command | wall (median of %d) | status | gap |" % repeats, "|---|---|---|---|"]
    for label, extra in (("plan solve", []), ("plan solve --robust", ["--robust"])):
        walls, obj = [], {}
        for i in range(repeats):
            wall, obj, _ = run(["solve", "--json", "--out", folder / f"ex{i}.xlsx", *extra])
            walls.append(wall)
        out.append(f"| `{label}` | {statistics.median(walls):.2f} s | {obj.get('status')} | {gap(obj)} |")
    return out + [""]


def gaps(folder: Path, title: str, knobs: dict, seeds: range, limit: float) -> list[str]:
    out = [f"## {title}: gap at {limit:g} s", "", load(), "", "| seed | status | gap | wall |", "|---|---|---|---|"]
    for seed in seeds:
        wb = workbook(folder, "medium", seed, **knobs)
        extra = ["--robust"] if knobs.get("futures") else ["--no-sharing-baseline"]
        wall, obj, _ = run(["solve", wb, "--json", "--time-limit", limit, "--out", folder / "r.xlsx", *extra])
        out.append(f"| {seed} | {obj.get('status')} | {gap(obj)} | {wall:.1f} s |")
    return out + [""]


def growth(folder: Path, knob: str, values: list[int], limit: float) -> list[str]:
    out = [f"## Growth with {knob} (seed 1, time limit {limit:g} s)", "", load(), "",
           "| size | " + " | ".join(f"{knob} {v}" for v in values) + " |", "|---|" + "---|" * len(values)]
    for size in ("small", "medium"):
        cells = []
        for v in values:
            wb = workbook(folder, size, 1, **{knob: v})
            extra = ["--robust"] if knob == "futures" else ["--no-sharing-baseline"]
            wall, obj, _ = run(["solve", wb, "--json", "--time-limit", limit, "--out", folder / "r.xlsx", *extra])
            cells.append(f"{wall:.1f} s ({obj.get('status')}, {gap(obj)})")
        out.append(f"| {size} | " + " | ".join(cells) + " |")
    return out + [""]


def build_share(folder: Path) -> list[str]:
    wb = workbook(folder, "large", 1, years=6)
    wall, obj, err = run(["solve", wb, "--json", "--time-limit", 60, "--no-sharing-baseline", "--out", folder / "r.xlsx"])
    import openpyxl

    book = openpyxl.load_workbook(obj["report"], read_only=True)
    seconds = {str(r[1]): r[2] for r in book["Provenance"].iter_rows(values_only=True) if r and r[0] == "timings"}
    build = sum(v for k, v in seconds.items() if k.startswith(("build", "handover")) and isinstance(v, (int, float)))
    return ["## Large with 6 years: model build and hand-over", "", load(), "",
            f"build + hand-over {build:.2f} s of {wall:.1f} s wall ({100 * build / wall:.1f} %); status {obj.get('status')}, "
            f"gap {gap(obj)}", ""]


def limit_holds(folder: Path, limits: list[float]) -> list[str]:
    out = ["## The time limit holds end to end", "", load(), "", "| workbook | T | wall | over T |", "|---|---|---|---|"]
    for size in ("example", "small", "medium", "large"):
        wb = gen.make(size, 1, folder / f"{size}-T.xlsx")
        for limit in limits:
            wall, obj, _ = run(["solve", wb, "--json", "--time-limit", limit, "--out", folder / "r.xlsx"])
            out.append(f"| {size} | {limit:g} s | {wall:.2f} s | {wall - limit:+.2f} s ({obj.get('status')}) |")
    return out + [""]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.programme", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--quick", action="store_true", help="one seed, short limits (a smoke run, not the targets)")
    ap.add_argument("--only", help="comma-separated sections: example, years, growth, build, futures, limit")
    args = ap.parse_args(argv)
    limit = 10.0 if args.quick else 60.0
    seeds = range(1, 2) if args.quick else range(1, 4)
    sections = set((args.only or "example,years,growth,build,futures,limit").split(","))
    lines = ["# Programme and futures benchmarks", "", f"Run {time.strftime('%Y-%m-%d %H:%M')}, "
             f"{'quick smoke run' if args.quick else 'targets'}; every figure a fresh `plan` process.", ""]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        steps = [
            ("example", lambda: example(folder, 1 if args.quick else 3)),
            ("years", lambda: gaps(folder, "Medium with 6 years", {"years": 6}, seeds, limit)),
            ("growth", lambda: growth(folder, "years", [1, 2, 4, 6, 8], limit)),
            ("build", lambda: build_share(folder)),
            ("futures", lambda: gaps(folder, "Medium with 4 futures", {"futures": 4}, seeds, limit)
             + growth(folder, "futures", [1, 2, 4, 6, 8], limit)),
            ("limit", lambda: limit_holds(folder, [10.0] if args.quick else [10.0, 60.0])),
        ]
        for name, step in steps:
            if name in sections:
                lines += step()
                args.out.write_text("\n".join(lines) + "\n")
                print(f"programme: {name} done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
