"""Time `plan solve` phase by phase against HiGHS alone and CBC, and write a Markdown table.

    python -m benchmarks.run --sizes example,medium,large --repeats 3 --out benchmarks/results.md
    python -m benchmarks.run --grid --out benchmarks/grid.md          (growth with variants × categories)

Every measured run is a fresh process (`benchmarks.worker`), so Python's start, imports and
C memory (HiGHS, numpy) are all counted; peak memory is the kernel's maximum resident set
of that process (os.wait4's rusage, the same accounting as getrusage(RUSAGE_CHILDREN)).

Per size:
- `plan`: `plan solve WORKBOOK --json --out ...` itself, run `--repeats` times by the worker
  with timing wrappers around reading, validation, build, hand-over, HiGHS, extraction, report
  and JSON; wall time is measured here from spawn to exit. As shipped, `plan solve` also solves
  the case without cross-brand sharing (the "baseline" column); its time is part of wall and
  of solver time.
- `HiGHS alone`: the main model exactly as make_plan hands it to HiGHS (same options, same
  MIP start if any), written as MPS by HiGHS's writeModel and solved by highspy alone in a fresh
  process — the floor for our overhead.
- `CBC`: the same Pyomo model (PlatformModel) solved by CBC (cbcbox) via SolverFactory('cbc'),
  same time limit and relative gap.
- root LP gap: the LP relaxation of the model as handed to HiGHS (integrality dropped), against
  the best plan any run found.
Peers run interleaved with the plan runs, so all three see the same machine load.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import generate as gen

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
IMPORTS = "import optimizer.cli, optimizer.pipeline, optimizer.solving.solve, optimizer.report, optimizer.report.json_out"


# --------------------------------------------------------------------------- processes
@dataclass
class Proc:
    wall: float
    peak_mb: float
    cpu: float  # user + system seconds of the process (and its waited-for children)
    code: int
    stdout: Path
    stderr: Path
    result: dict = field(default_factory=dict)


def child_env(bytecode: bool) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a planner's install: .pyc files cached
    return env


def spawn(cmd: list[str], logs: Path, name: str, *, timeout: float, env: dict, result: Path | None = None) -> Proc:
    """Run cmd in a fresh process; wall time from spawn to exit, peak RSS from the kernel."""
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / f"{name}.out", logs / f"{name}.err"
    if result is not None and result.exists():
        result.unlink()
    with open(out, "wb") as fo, open(err, "wb") as fe:
        env = dict(env, BENCH_SPAWN_TIME=repr(time.time()))
        started = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=fo, stderr=fe, start_new_session=True)
        killer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
    p.returncode = os.waitstatus_to_exitcode(status)
    data = {}
    if result is not None and result.exists():
        data = json.loads(result.read_text())
    return Proc(wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime, p.returncode, out, err, data)


def plan_exe() -> list[str]:
    exe = Path(PY).with_name("plan")
    return [str(exe)] if exe.exists() else [PY, "-m", "optimizer.cli"]


# --------------------------------------------------------------------------- one size
CPU_PHASES = ["start+imports", "read", "validate", "build", "handover", "heuristic", "solve", "extract", "baseline", "analysis", "report", "json", "other"]
PHASES = ["start", "imports", "read", "validate", "build", "handover", "heuristic", "solve", "extract", "baseline", "analysis", "report", "json", "other"]


def plan_phases(proc: Proc) -> dict:
    r = proc.result
    ph = r.get("phases", {})
    cli, main = ph.get("cli", {}), ph.get("main", {})
    baseline = sum(sum(v.values()) for k, v in ph.items() if k not in ("cli", "main", "analysis"))
    out = {
        "start": max(0.0, r["enter"] - r["spawn"]) if r.get("spawn") == r.get("spawn") else 0.0,
        "imports": r["imported"] - r["enter"],
        "read": cli.get("read", 0.0),
        "validate": cli.get("validate", 0.0),
        "build": main.get("build", 0.0),
        "handover": main.get("handover", 0.0) + main.get("start", 0.0),
        "heuristic": main.get("heuristic", 0.0),
        "solve": main.get("solve", 0.0),
        "extract": main.get("extract", 0.0),
        "baseline": baseline,
        "analysis": sum(ph.get("analysis", {}).values()),
        "report": cli.get("report", 0.0),
        "json": cli.get("json", 0.0),
    }
    out["other"] = max(0.0, proc.wall - sum(out.values()))
    # the same in CPU seconds: start+imports = process CPU before main(); other = the rest
    cp = r.get("cpu_phases", {})
    ccli, cmain = cp.get("cli", {}), cp.get("main", {})
    cpu = {
        "start+imports": r.get("cpu_before_main", 0.0), "read": ccli.get("read", 0.0), "validate": ccli.get("validate", 0.0),
        "build": cmain.get("build", 0.0), "handover": cmain.get("handover", 0.0) + cmain.get("start", 0.0),
        "heuristic": cmain.get("heuristic", 0.0), "solve": cmain.get("solve", 0.0), "extract": cmain.get("extract", 0.0),
        "baseline": sum(sum(v.values()) for k, v in cp.items() if k not in ("cli", "main", "analysis")),
        "analysis": sum(cp.get("analysis", {}).values()),
        "report": ccli.get("report", 0.0), "json": ccli.get("json", 0.0),
    }
    cpu["other"] = max(0.0, getattr(proc, "cpu", 0.0) - sum(cpu.values()))
    out["_cpu"] = cpu
    solver = sum(run["seconds"] for runs in r.get("runs", {}).values() for run in runs)  # every HiGHS run()
    out["_wall"] = proc.wall
    out["_solver"] = solver
    out["_baseline_solve"] = sum(run["seconds"] for k, runs in r.get("runs", {}).items() if k not in ("main", "analysis", "cli") for run in runs)
    return out


def run_size(size: str, args, env: dict, work: Path, log) -> dict:
    wb = work / f"{size}.xlsx"
    overrides = {"time_limit_s": args.time_limit} if args.time_limit and size != "example" else {}
    if gen.make(size, args.seed, wb, **overrides) is None:
        log(f"{size}: skipped — {gen.example_path()} does not exist")
        return {"size": size, "skipped": f"{gen.example_path().name} not found"}
    logs = work / "logs" / size
    limit_args = ["--time-limit", str(args.time_limit)] if args.time_limit else []
    peer_limit = (["--time-limit", str(args.time_limit)] if args.time_limit else []) + (["--gap", str(args.gap)] if args.gap is not None else [])
    cli_args = ["--out", str(work / f"{size}-report.xlsx"), "--json", *limit_args, *(["--gap", str(args.gap)] if args.gap is not None else []), *args.cli_arg]
    timeout = 3 * (args.time_limit or 60) + 180
    res: dict = {"size": size, "workbook": str(wb), "plan": [], "plain_cli": [], "mps": [], "cbc": []}

    log(f"{size}: exporting the model as HiGHS gets it (MPS, options, LP relaxation)")
    exp = spawn([PY, "-m", "benchmarks.worker", "export", str(wb), "--dir", str(work / f"{size}-mps"), "--result", str(logs / "export.json"), *peer_limit],
                logs, "export", timeout=timeout, env=env, result=logs / "export.json")
    res["export"] = exp.result
    for r in range(args.repeats):
        p = spawn([PY, "-m", "benchmarks.worker", "cli", "--result", str(logs / f"plan{r}.json"), str(wb), *cli_args],
                  logs, f"plan{r}", timeout=timeout, env=env, result=logs / f"plan{r}.json")
        entry = {"wall": p.wall, "peak_mb": p.peak_mb, "cpu": p.cpu, "code": p.code, **p.result}
        try:
            entry["json"] = json.loads(p.stdout.read_text())
        except ValueError:
            entry["json"] = None
        res["plan"].append(entry)
        main = p.result.get("outcomes", {}).get("main", {})
        log(f"{size}: plan run {r + 1}/{args.repeats}: {p.wall:.2f} s wall, main solve {p.result.get('phases', {}).get('main', {}).get('solve', float('nan')):.2f} s, "
            f"{main.get('status')} gap {_pct(main.get('gap'))}, {p.peak_mb:.0f} MB, exit {p.code}")
        if size in args.plain_cli:
            q = spawn([*plan_exe(), "solve", str(wb), *cli_args], logs, f"plain{r}", timeout=timeout, env=env)
            res["plain_cli"].append({"wall": q.wall, "peak_mb": q.peak_mb, "cpu": q.cpu, "code": q.code})
            log(f"{size}: plain `plan solve` {r + 1}/{args.repeats}: {q.wall:.2f} s")
        if r < args.peer_repeats and "error" not in exp.result and (work / f"{size}-mps" / "model.mps").exists():
            m = spawn([PY, "-m", "benchmarks.worker", "highs-mps", str(work / f"{size}-mps"), "--result", str(logs / f"mps{r}.json")],
                      logs, f"mps{r}", timeout=timeout, env=env, result=logs / f"mps{r}.json")
            res["mps"].append({"wall": m.wall, "peak_mb": m.peak_mb, "cpu": m.cpu, "code": m.code, **m.result})
            log(f"{size}: HiGHS alone on MPS {r + 1}: {m.wall:.2f} s wall, solve {m.result.get('solve_seconds', float('nan')):.2f} s, {m.result.get('model_status')}")
        if r < args.peer_repeats and not args.no_cbc:
            c = spawn([PY, "-m", "benchmarks.worker", "cbc", str(wb), "--result", str(logs / f"cbc{r}.json"), *peer_limit],
                      logs, f"cbc{r}", timeout=timeout, env=env, result=logs / f"cbc{r}.json")
            res["cbc"].append({"wall": c.wall, "peak_mb": c.peak_mb, "cpu": c.cpu, "code": c.code, **c.result})
            log(f"{size}: CBC {r + 1}: {c.wall:.2f} s wall, solve {c.result.get('solve_seconds', float('nan')):.2f} s, "
                f"{c.result.get('cbc_result') or c.result.get('termination')}, gap {_pct(c.result.get('cbc_gap'))}")
    return res


# --------------------------------------------------------------------------- summary
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarise(res: dict) -> dict:
    if res.get("skipped"):
        return res
    runs = [r for r in res["plan"] if r.get("phases")]
    phases = [plan_phases(_ProcLike(r)) for r in runs]
    s: dict = {"size": res["size"]}
    s["phases"] = {k: med([p[k] for p in phases]) for k in PHASES}
    s["wall"] = med([p["_wall"] for p in phases])
    s["solver"] = med([p["_solver"] for p in phases])
    s["baseline_solve"] = med([p["_baseline_solve"] for p in phases])
    s["non_solver_share"] = med([(p["_wall"] - p["_solver"]) / p["_wall"] for p in phases])
    s["peak_mb"] = med([r["peak_mb"] for r in runs])
    s["cpu"] = med([r.get("cpu") for r in runs])
    s["cpu_per_wall"] = med([r.get("cpu", 0.0) / r["wall"] for r in runs])
    s["cpu_phases"] = {k: med([p["_cpu"][k] for p in phases]) for k in CPU_PHASES}
    outs = [r.get("outcomes", {}).get("main", {}) for r in runs]
    s["statuses"] = [o.get("status") for o in outs]
    s["gap"] = med([o.get("gap") for o in outs])
    s["nodes"] = med([o.get("nodes") for o in outs])
    comp = next((r.get("compiled", {}).get("main") for r in runs if r.get("compiled", {}).get("main")), {}) or {}
    exp = res.get("export", {})
    s["binaries"] = comp.get("binaries", exp.get("binaries"))
    s["rows"] = comp.get("rows", exp.get("rows"))
    s["columns"] = comp.get("columns", exp.get("columns"))
    s["main_solve"] = med([p["solve"] for p in phases])
    s["plain_cli_wall"] = med([r["wall"] for r in res.get("plain_cli", [])])
    # objectives in model units: every HiGHS run, HiGHS alone and CBC
    objs = [run.get("objective") for r in runs for run in r.get("runs", {}).get("main", []) if run.get("role", "main") == "main"]
    # a CBC answer that breaks rules (CBC stopped without a plan and Pyomo loaded a relaxation) is not a plan
    objs += [m.get("objective") for m in res.get("mps", [])] + [c.get("objective") for c in res.get("cbc", []) if not c.get("violations")]
    objs = [o for o in objs if o is not None]
    s["best_objective"] = min(objs) if objs else None
    lp = exp.get("lp_objective")
    s["root_gap"] = (s["best_objective"] - lp) / abs(s["best_objective"]) if lp is not None and s["best_objective"] else None
    s["mip_start"] = exp.get("mip_start")
    s["highs_options"] = exp.get("options")
    # peers
    mps = res.get("mps", [])
    if mps:
        s["mps"] = {
            "wall": med([m["wall"] for m in mps]), "solve": med([m.get("solve_seconds") for m in mps]),
            "read": med([m.get("read_seconds") for m in mps]), "peak_mb": med([m["peak_mb"] for m in mps]),
            "statuses": [m.get("model_status") for m in mps], "gap": med([m.get("gap") for m in mps]),
            "nodes": med([m.get("nodes") for m in mps]), "runs": len(mps),
            "progress": mps[0].get("progress") or [], "final": (mps[0].get("gap"), mps[0].get("solve_seconds")),
        }
    cbc = res.get("cbc", [])
    if cbc:
        s["cbc"] = {
            "solve": med([c.get("solve_seconds") for c in cbc]), "cbc_wall": med([c.get("cbc_wallclock") for c in cbc]),
            "wall": med([c["wall"] for c in cbc]), "peak_mb": med([c["peak_mb"] for c in cbc]),
            "results": [c.get("cbc_result") or c.get("termination") for c in cbc], "gap": med([c.get("cbc_gap") for c in cbc]),
            "nodes": med([c.get("cbc_nodes") for c in cbc]), "runs": len(cbc),
            "objective": med([c.get("objective") for c in cbc]), "violations": max([c.get("violations") or 0 for c in cbc]),
            "progress": cbc[0].get("progress") or [], "final": (cbc[0].get("cbc_gap"), cbc[0].get("cbc_wallclock") or cbc[0].get("solve_seconds")),
        }
    return s


class _ProcLike:
    def __init__(self, r: dict):
        self.result, self.wall, self.cpu = r, r["wall"], r.get("cpu", 0.0)


def _pct(x, digits: int = 3) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f} %"


def _s(x) -> str:
    if x is None:
        return "–"
    return f"{x:.3f}" if x < 0.1 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def _status(statuses: list) -> str:
    counts: dict = {}
    for st in statuses:
        counts[st] = counts.get(st, 0) + 1
    return ", ".join(f"{k} ×{v}" if len(statuses) > 1 else str(k) for k, v in counts.items())


def ratio_text(s: dict, limit: float) -> str:
    """CBC time over plan's HiGHS time to the target gap, with ties and timeouts said as such."""
    cbc = s.get("cbc")
    if not cbc:
        return "–"
    done = sum(st == "optimal" for st in s["statuses"])
    runs = len(s["statuses"])
    cbc_done = all(r and ("Optimal" in r or r == "optimal") for r in cbc["results"])
    pt, ct = s["main_solve"], cbc["cbc_wall"] or cbc["solve"]
    runs_text = "" if done == runs else f"; plan reached it in {done} of {runs} runs"
    if done and cbc_done:
        return f"{ct / pt:.1f}×{runs_text}" if pt else "–"
    if done and not cbc_done:
        return f"≥ {ct / pt:.1f}× (CBC stopped at the time limit at gap {_pct(cbc['gap'], 2)}{runs_text})"
    if not done and cbc_done:
        return f"≤ {ct / pt:.2f}× (plan stopped at the time limit, CBC did not)"
    return f"tie at the {limit:g} s limit: gap {_pct(s['gap'], 2)} (plan) vs {_pct(cbc['gap'], 2)} (CBC)"


def time_to(progress: list, gap: float, final: tuple) -> float | None:
    """First time a solver's gap was at most `gap` (its progress lines, then its final state)."""
    for seconds, g in progress:
        if g <= gap + 1e-9:
            return seconds
    final_gap, final_time = final
    return final_time if final_gap is not None and final_gap <= gap + 1e-9 else None


def common_gap_text(s: dict) -> str:
    """HiGHS alone vs CBC on the same model: time each first reached the gap both reached."""
    m, c = s.get("mps"), s.get("cbc")
    if not m or not c or m["final"][0] is None or c["final"][0] is None:
        return "–"
    target = max(m["final"][0], c["final"][0])
    th, tc = time_to(m["progress"], target, m["final"]), time_to(c["progress"], target, c["final"])
    if not th or not tc:
        return "–"
    return f"{tc / th:.1f}× to {_pct(target, 2)} (CBC {_s(tc)} s, HiGHS {_s(th)} s)"


def markdown(summaries: list[dict], meta: dict) -> str:
    lim = meta["time_limit"]
    out = [f"# `plan solve` benchmark — {meta['date']}", ""]
    out += [
        f"Machine: {meta['cpu']} ({meta['cores']} cores), Python {meta['python']}, HiGHS (highspy) {meta['highspy']}, "
        f"Pyomo {meta['pyomo']}, CBC from cbcbox {meta['cbcbox']}. Code: {meta['git']}.",
        f"Load average before/after: {meta['load_before']} / {meta['load_after']} (the machine has {meta['cores']} cores; "
        "anything well above 1 means other work competed with the runs).",
        f"Repeats: {meta['repeats']} (medians), peers {meta['peer_repeats']}; time limit: {f'{lim:g} s' if lim else 'the workbook’s time_limit_s (60 s)'}; "
        f"gap: {meta['gap'] if meta['gap'] is not None else 'the workbook’s mip_rel_gap (0.1 %)'}; seed {meta['seed']}; "
        f"bytecode cache {'on' if meta['bytecode'] else 'off'}. Command: `{meta['command']}`. Total runtime {meta['runtime']:.0f} s.",
        "",
        "## `plan solve`",
        "",
        "| size | binaries | rows | wall (s) | CPU (s) | solver (s) | non-solver | status | gap | nodes | root LP gap | peak memory (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for s in summaries:
        if s.get("skipped"):
            out.append(f"| {s['size']} | skipped: {s['skipped']} |||||||||")
            continue
        out.append(
            f"| {s['size']} | {s['binaries']:,} | {s['rows']:,} | {_s(s['wall'])} | {_s(s['cpu'])} | {_s(s['solver'])} | {_pct(s['non_solver_share'], 0)} | "
            f"{_status(s['statuses'])} | {_pct(s['gap'])} | {s['nodes']:g} | {_pct(s['root_gap'], 2)} | {s['peak_mb']:.0f} |"
        )
    out += [
        "",
        "wall: end-to-end `plan solve --json --out …` including Python start, as shipped (it also solves the "
        "no-sharing baseline); CPU: user + system seconds of that process (less sensitive than wall time to other "
        "work on the machine; HiGHS may use a second thread); solver: wall time of every HiGHS solve in it (main, "
        "start heuristic, baseline, analysis); non-solver: 1 − solver/wall; status, gap, "
        "nodes: the main solve (gap as `plan` reports it); root LP gap: (best plan − LP relaxation)/best plan on the "
        "model as handed to HiGHS; peak memory: maximum resident set of the process.",
        "",
        "## Where the time goes (medians, seconds)",
        "",
        "| size | " + " | ".join(PHASES) + " | wall |",
        "|---|" + "---:|" * (len(PHASES) + 1),
    ]
    for s in summaries:
        if s.get("skipped"):
            continue
        out.append(f"| {s['size']} | " + " | ".join(_s(s['phases'][k]) for k in PHASES) + f" | {_s(s['wall'])} |")
    out += ["", "The same in CPU seconds of the process (medians):", "",
            "| size | " + " | ".join(CPU_PHASES) + " | total |", "|---|" + "---:|" * (len(CPU_PHASES) + 1)]
    for s in summaries:
        if s.get("skipped"):
            continue
        out.append(f"| {s['size']} | " + " | ".join(_s(s['cpu_phases'][k]) for k in CPU_PHASES) + f" | {_s(s['cpu'])} |")
    out += [
        "",
        "start: interpreter start until the first line of the worker; imports: the package and its libraries "
        "(Pyomo, highspy, openpyxl); read/validate: the workbook; build: PlatformModel (Pyomo); handover: "
        "compile_model + passModel (+ MIP start); heuristic: `plan`'s quick-plan heuristic (its sub-models and their "
        "HiGHS runs) when make_plan uses one; solve: HiGHS on the main model (the tree search, and the local search that follows it when its bound stalls); extract: plan_from + evaluate; "
        "baseline: everything of the no-sharing solve (build, hand-over, solve, extract); analysis: the pipeline's "
        "analysis for the report (marginal values, what-ifs: small re-solves); report: writing the report "
        "workbook; other: the rest (click, logging, interpreter exit).",
    ]
    if meta.get("imports"):
        im = meta["imports"]
        out += ["", f"Fresh `python -c \"{IMPORTS}\"`: {_s(im['imports'])} s (median of {im['n']}); `python -c pass`: {_s(im['bare'])} s."]
    plain = [s for s in summaries if s.get("plain_cli_wall") is not None]
    if plain:
        out += ["", "Plain `plan solve` (console script, no wrappers): " + "; ".join(f"{s['size']} {_s(s['plain_cli_wall'])} s" for s in plain) + "."]
    out += [
        "",
        "## Side by side: `plan`, HiGHS alone, CBC (same run)",
        "",
        "| size | plan: hand-over + solve (s) | plan status, gap | HiGHS alone: process wall / read / solve (s) | HiGHS alone status, gap | "
        "plan overhead vs HiGHS alone (s) | CBC via Pyomo: solve() / CBC wall (s) | CBC result, gap | CBC ÷ plan, time to the target gap | "
        "CBC ÷ HiGHS alone, time to the gap both reached |",
        "|---|---:|---|---:|---|---:|---:|---|---|---|",
    ]
    for s in summaries:
        if s.get("skipped"):
            continue
        p = s["phases"]
        main_wall = s["wall"] - p["baseline"]
        plan_overhead = main_wall - s["main_solve"]
        m, c = s.get("mps"), s.get("cbc")
        mps_cells = (f"{_s(m['wall'])} / {_s(m['read'])} / {_s(m['solve'])}", f"{_status(m['statuses'])}, {_pct(m['gap'])}",
                     f"{_s(plan_overhead)} vs {_s(m['wall'] - m['solve'])}") if m else ("–", "–", "–")
        cbc_cells = (f"{_s(c['solve'])} / {_s(c['cbc_wall'])}", f"{_status(c['results'])}, {_pct(c['gap'])}") if c else ("–", "–")
        out.append(
            f"| {s['size']} | {_s(p['handover'] + s['main_solve'])} | {_status(s['statuses'])}, {_pct(s['gap'])} | {mps_cells[0]} | {mps_cells[1]} | "
            f"{mps_cells[2]} | {cbc_cells[0]} | {cbc_cells[1]} | {ratio_text(s, lim or 60)} | {common_gap_text(s)} |"
        )
    out += [
        "",
        "plan overhead: wall without the baseline solve, minus the main solve; HiGHS alone's: its process wall minus "
        "its solve (Python start, `import highspy`, reading the MPS). CBC ÷ plan: CBC's own wall-clock over HiGHS's "
        "solve time when both reach the gap; with a time limit in the way the ratio is a bound, and when both stop at "
        "the limit it is a tie and the gaps are compared instead. CBC ÷ HiGHS alone: from both solvers' progress logs, the "
        "first time each reached the looser of their two final gaps (so a ratio exists even when neither reaches the "
        "target). CBC runs single-threaded with Pyomo's defaults plus `ratioGap` and `-sec` (elapsed); HiGHS alone with "
        "the options `plan` sets (its time limit is what was left after `plan`'s start heuristic, if any): "
        + "; ".join(f"{s['size']}: {json.dumps(s.get('highs_options') or {})}{' + MIP start' if s.get('mip_start') else ''}" for s in summaries if not s.get("skipped"))
        + ".",
    ]
    notes = meta.get("notes") or []
    if notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"


def auto_notes(summaries: list[dict], runs: list[dict]) -> list[str]:
    notes = []
    for s, res in zip(summaries, runs):
        if s.get("skipped"):
            continue
        for r in res["plan"]:
            for w in (r.get("outcomes", {}).get("main", {}) or {}).get("warnings", []):
                notes.append(f"{s['size']}: plan warned: {w}")
            if r.get("code") not in (0, None):
                notes.append(f"{s['size']}: a plan run exited with {r['code']}")
            if r.get("missing"):
                notes.append(f"{s['size']}: timing wrappers found no {', '.join(r['missing'])} (the API moved; those phases count as other)")
        c = s.get("cbc")
        if c and c.get("violations"):
            notes.append(f"{s['size']}: the CBC plan breaks {c['violations']} rule(s) by evaluate()")
        if c and not c.get("violations") and c.get("objective") is not None and s.get("best_objective"):
            diff = (c["objective"] - s["best_objective"]) / abs(s["best_objective"])
            notes.append(f"{s['size']}: CBC's plan is {_pct(diff, 3)} above the best plan found")
        m = s.get("mps")
        if m and s.get("main_solve") and m.get("solve"):
            notes.append(f"{s['size']}: HiGHS solve time, plan vs the same model read from MPS: {_s(s['main_solve'])} s vs {_s(m['solve'])} s "
                         "(same model and options; MIP search paths differ with column/row order and numerics, up to 2× either way)")
    return sorted(set(notes), key=notes.index)


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(mod: str) -> str:
        try:
            from importlib.metadata import version as v

            return v(mod)
        except Exception:
            return "?"

    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "highspy": version("highspy"),
            "pyomo": version("pyomo"), "cbcbox": version("cbcbox")}


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "models", "optimizer"], cwd=REPO, capture_output=True, text=True).stdout.split("\n")
        dirty = [d[3:] for d in dirty if d.strip()]
        if not dirty:
            return f"commit {head}"
        digest = hashlib.sha256(b"".join((REPO / d).read_bytes() for d in dirty if (REPO / d).is_file())).hexdigest()[:10]
        return f"commit {head} + uncommitted changes to {', '.join(dirty)} (content hash {digest})"
    except Exception:
        return "unknown"


def time_imports(env: dict, n: int, work: Path) -> dict:
    logs = work / "logs" / "imports"
    imports = [spawn([PY, "-c", IMPORTS], logs, f"imports{i}", timeout=120, env=env).wall for i in range(n)]
    bare = [spawn([PY, "-c", "pass"], logs, f"bare{i}", timeout=60, env=env).wall for i in range(n)]
    return {"imports": med(imports), "bare": med(bare), "n": n}


# --------------------------------------------------------------------------- grid
def run_grid(args, env: dict, work: Path, log) -> str:
    variants = [int(x) for x in args.grid_variants.split(",")]
    categories = [int(x) for x in args.grid_categories.split(",")]
    rows = []
    for nv in variants:
        for nc in categories:
            name = f"v{nv}-c{nc}"
            size = gen.size_of("medium", variants=nv, categories=nc, plants=3 if nv >= 24 else None, time_limit_s=args.time_limit or 60)
            wb = gen.write(gen.generate(size, args.seed), work / f"{name}.xlsx")
            logs = work / "logs" / name
            exp = spawn([PY, "-m", "benchmarks.worker", "export", str(wb), "--dir", str(work / f"{name}-mps"), "--result", str(logs / "export.json")],
                        logs, "export", timeout=600, env=env, result=logs / "export.json")
            p = spawn([PY, "-m", "benchmarks.worker", "cli", "--result", str(logs / "plan.json"), str(wb), "--out", str(work / f"{name}-report.xlsx"),
                       "--json", "--no-sharing-baseline", *args.cli_arg], logs, "plan", timeout=3 * (args.time_limit or 60) + 180, env=env, result=logs / "plan.json")
            row = grid_row(nv, nc, exp.result, p.result, p.wall, p.peak_mb)
            rows.append(row)
            log(f"grid {name}: {row['binaries']} binaries, solve {_s(row['solve'])} s, {row['status']} gap {_pct(row['gap'])}")
    (work / "grid.json").write_text(json.dumps(rows, indent=1))
    return grid_markdown(rows, args.seed, args.time_limit or 60, git_state(), _load())


def grid_row(nv: int, nc: int, export: dict, r: dict, wall: float, peak_mb: float) -> dict:
    main = r.get("outcomes", {}).get("main", {})
    run = next((x for x in r.get("runs", {}).get("main", []) if x.get("role", "main") == "main"), {})
    lp, obj = export.get("lp_objective"), run.get("objective")
    phases = r.get("phases", {}).get("main", {})
    return {"variants": nv, "categories": nc, "binaries": export.get("binaries"), "rows": export.get("rows"),
            "solve": phases.get("solve"), "heuristic": phases.get("heuristic", 0.0), "status": main.get("status"), "gap": main.get("gap"),
            "nodes": main.get("nodes"), "root_gap": (obj - lp) / abs(obj) if lp is not None and obj else None,
            "wall": wall, "peak_mb": peak_mb}


def grid_markdown(rows: list[dict], seed: int, limit: float, code: str, load: str) -> str:
    m = gen.SIZES["medium"]
    out = [
        f"# Growth of solve time with variants × categories — {_dt.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Generated workbooks (medium's other knobs: {m.options} options a category, {m.packs} packs, {m.tiers} tiers, "
        f"{m.plants} plants — 3 from 24 variants — {m.demand} demand rows), seed {seed}, one run each, time limit {limit:g} s, "
        f"gap 0.1 %, `plan solve --no-sharing-baseline` (the main solve only; the report's analysis still runs and counts "
        f"in wall). solve: HiGHS on the main model; start heuristic: `plan`'s quick-plan heuristic, which runs only "
        f"when HiGHS stops at the limit with no plan (0 when it did not run). Code: {code}. Load average after: {load}.",
        "",
        "| variants × categories | binaries | rows | start heuristic (s) | solve (s) | status | gap | nodes | root LP gap | wall (s) | peak MB |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(f"| {r['variants']} × {r['categories']} | {r['binaries'] or 0:,} | {r['rows'] or 0:,} | {_s(r.get('heuristic') or 0.0)} | "
                   f"{_s(r['solve'])} | {r['status']} | {_pct(r['gap'])} | {r['nodes'] if r['nodes'] is not None else '–'} | "
                   f"{_pct(r['root_gap'], 2)} | {_s(r['wall'])} | {r['peak_mb']:.0f} |")
    return "\n".join(out) + "\n"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="example,medium,large", help=f"comma-separated: {', '.join(gen.NAMED)}")
    ap.add_argument("--repeats", type=int, default=3, help="plan runs per size (medians)")
    ap.add_argument("--peer-repeats", type=int, default=1, help="HiGHS-alone and CBC runs per size (≤ repeats)")
    ap.add_argument("--time-limit", type=float, help="seconds; default: the workbook's time_limit_s (60 s in every named size)")
    ap.add_argument("--gap", type=float, help="relative gap; default: the workbook's mip_rel_gap (0.1 %%)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="benchmarks/results.md")
    ap.add_argument("--workdir", default=None, help="workbooks, MPS files and logs [default: a temporary folder, removed unless --keep]")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--plain-cli", default="example", help="sizes for which plain `plan solve` is also timed (comma-separated; '' for none)")
    ap.add_argument("--no-cbc", action="store_true")
    ap.add_argument("--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE for children (default: allow .pyc caching as an install does)")
    ap.add_argument("--cli-arg", action="append", default=[], help="extra argument for `plan solve` (repeatable), e.g. --cli-arg=--no-sharing-baseline")
    ap.add_argument("--grid", action="store_true", help="instead: growth of solve time over a variants × categories grid")
    ap.add_argument("--grid-variants", default="6,12,24")
    ap.add_argument("--grid-categories", default="10,20,30")
    args = ap.parse_args(argv)
    args.peer_repeats = min(args.peer_repeats, args.repeats)
    args.plain_cli = [x for x in args.plain_cli.split(",") if x]
    sizes = [x.strip() for x in args.sizes.split(",") if x.strip()]
    bad = [x for x in sizes if x not in gen.NAMED]
    if bad:
        ap.error(f"unknown size(s) {', '.join(bad)}; choose from {', '.join(gen.NAMED)}")

    import tempfile

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kei-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = child_env(bytecode=not args.no_bytecode)
    began = time.perf_counter()

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - began:7.1f} s] {text}", file=sys.stderr, flush=True)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if args.grid:
            text = run_grid(args, env, work, log)
            out.write_text(text)
            print(text)
            return 0
        load_before = _load()
        log(f"work folder {work}; timing Python start and imports")
        imports = time_imports(env, max(5, args.repeats), work)
        runs = [run_size(size, args, env, work, log) for size in sizes]
        summaries = [summarise(r) for r in runs]
        meta = {
            "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), **machine(), "git": git_state(),
            "load_before": load_before, "load_after": _load(), "repeats": args.repeats, "peer_repeats": args.peer_repeats,
            "time_limit": args.time_limit, "gap": args.gap, "seed": args.seed, "bytecode": not args.no_bytecode,
            "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:]),
            "runtime": time.perf_counter() - began, "imports": imports,
        }
        meta["notes"] = auto_notes(summaries, runs)
        text = markdown(summaries, meta)
        out.write_text(text)
        results = json.dumps({"meta": meta, "summaries": summaries, "runs": runs}, indent=1, default=str)
        # committed with the results: paths in the temporary work folder are written relative to it
        out.with_suffix(".json").write_text(results.replace(str(work) + os.sep, ""))
        print(text)
        log(f"wrote {out} and {out.with_suffix('.json')}")
    finally:
        if not args.workdir and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
