"""One measured process of the benchmark runner (`benchmarks.run` starts each in a fresh
interpreter and reads the JSON file it writes; peak memory is taken by the parent from the
kernel's accounting of this process).

    python -m benchmarks.worker cli --result R.json WORKBOOK [plan solve arguments]
        runs `plan solve` itself (optimizer.cli.main) with thin timing wrappers around the
        functions it calls: reading, validation, model build, hand-over, HiGHS, extraction,
        report and JSON. Nothing of the product is copied here, so what is timed is what
        planners run, whatever the formulation and pipeline become.
    python -m benchmarks.worker export WORKBOOK --dir D --result R.json [--time-limit T] [--gap G]
        runs the product's own make_plan up to the moment HiGHS is asked to solve the main
        model, then writes that model as MPS (HiGHS's writeModel), HiGHS's options and any MIP
        start, and solves the LP relaxation (integrality dropped) for the root bound.
    python -m benchmarks.worker highs-mps D --result R.json
        HiGHS alone (highspy only): read the MPS and options written by `export`, solve.
    python -m benchmarks.worker cbc WORKBOOK --result R.json [--time-limit T] [--gap G]
        the same Pyomo model (PlatformModel) solved by CBC from the `cbcbox` package through
        Pyomo's SolverFactory('cbc').
"""

from __future__ import annotations

import time

T_ENTER = time.time()  # first line run: everything before it is interpreter start

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def _write(path: str, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=1, default=_jsonable))


def _jsonable(x):
    try:
        return float(x)
    except Exception:
        return str(x)


# --------------------------------------------------------------------------- instrumentation
LEAF = "leaf"
CONTAINER = "container"

# (module, attribute or Class.method, phase, kind). Missing targets are skipped and listed.
TARGETS = [
    ("optimizer.workbook.read", "read_workbook", "read", LEAF),
    ("optimizer.workbook.scenarios", "apply_scenario", "validate", LEAF),
    ("optimizer.workbook.validate", "validate", "validate", LEAF),
    ("models.formulation", "PlatformModel.__init__", "build", LEAF),
    ("models.formulation", "PlatformModel.values_for", "start", LEAF),
    ("optimizer.solving.highs_bridge", "compile_model", "handover", LEAF),
    ("optimizer.solving.highs_bridge", "run_highs", "solve", LEAF),
    ("models.formulation", "PlatformModel.plan_from", "extract", LEAF),
    ("models.plan", "evaluate", "extract", LEAF),
    ("optimizer.report", "write_report", "report", LEAF),
    ("optimizer.report.json_out", "plan_json", "json", LEAF),
    ("optimizer.report.json_out", "dumps", "json", LEAF),
    ("optimizer.solving.solve", "make_plan", "plan_other", CONTAINER),
    ("optimizer.pipeline", "solve_case", "pipeline_other", CONTAINER),
    ("optimizer.pipeline", "load_input", "load_other", CONTAINER),
    ("optimizer.analysis.analyse", "analyse", "analysis_other", CONTAINER),
]
MODEL_PHASES = ("build", "handover", "solve", "extract", "start")
MODULES = [
    "optimizer.cli", "optimizer.pipeline", "optimizer.solving.solve", "optimizer.solving.highs_bridge", "optimizer.report",
    "optimizer.report.json_out", "optimizer.workbook.read", "optimizer.workbook.validate", "optimizer.workbook.scenarios",
    "models.build", "models.plan", "optimizer.analysis.analyse", "optimizer.commands.solve",
]


class Recorder:
    """Exclusive time per (tag, phase): a phase nested in a leaf phase counts as that leaf
    (report writing that evaluates a plan is report time); a container (make_plan) keeps only
    the time none of its timed children took. The tag says what the time was spent for: `main`
    and `baseline` (the pipeline's first and second make_plan: the case, and the case without
    sharing), `analysis` (the report's analysis, whatever it solves), or `cli` (the rest)."""

    def __init__(self) -> None:
        self.totals: dict[str, dict[str, float]] = {}
        self.cpu: dict[str, dict[str, float]] = {}  # the same, in CPU seconds of the process (all threads)
        self.frames: list[list] = []  # [phase, kind, child_seconds]
        self.tag = "cli"
        self.plan_calls = 0
        self.runs: dict[str, list[dict]] = {}  # tag -> HiGHS runs
        self.outcomes: dict[str, dict] = {}
        self.compiled: dict[str, dict] = {}
        self.wrapped: list[str] = []
        self.missing: list[str] = []

    def add(self, tag: str, phase: str, seconds: float, cpu: float = 0.0) -> None:
        bucket = self.totals.setdefault(tag, {})
        bucket[phase] = bucket.get(phase, 0.0) + seconds
        bucket = self.cpu.setdefault(tag, {})
        bucket[phase] = bucket.get(phase, 0.0) + cpu

    def wrap(self, fn, phase: str, kind: str):
        rec = self

        def timed(*args, **kwargs):
            if rec.frames and rec.frames[-1][1] == LEAF:
                return fn(*args, **kwargs)
            # inside make_plan, model work not called by make_plan itself (optimizer.solving.solve) is
            # a helper's: the MIP-start heuristic's sub-models and their solves
            caller = sys._getframe(1).f_globals.get("__name__")
            # local search (optimizer.solving.polish) re-solves the main model's neighbourhoods: main solve time
            polishing = caller == "optimizer.solving.polish"
            helper = (
                phase in MODEL_PHASES
                and any(f[0] == "plan_other" for f in rec.frames)
                and caller not in ("optimizer.solving.solve", "optimizer.solving.polish")
            )
            actual = "heuristic" if helper else phase
            previous_tag = rec.tag
            if phase == "plan_other" and rec.tag == "cli":  # make_plan called by the pipeline itself
                rec.tag = ["main", "baseline"][rec.plan_calls] if rec.plan_calls < 2 else f"plan{rec.plan_calls + 1}"
                rec.plan_calls += 1
            elif phase == "analysis_other":  # the report's analysis (marginal values, what-ifs)
                rec.tag = "analysis"
            tag = rec.tag
            frame = [phase, kind, 0.0, 0.0]
            rec.frames.append(frame)
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                result = fn(*args, **kwargs)
            finally:
                seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
                rec.frames.pop()
                rec.tag = previous_tag
                if rec.frames:
                    rec.frames[-1][2] += seconds
                    rec.frames[-1][3] += cpu
            own, own_cpu = seconds - frame[2], cpu - frame[3]
            if phase == "solve":
                run_seconds = float(getattr(result, "seconds", own) or 0.0)
                if helper:
                    rec.add(tag, "heuristic", own, own_cpu)
                else:
                    # the hand-over part of run_highs (passModel, options, MIP start) is short and
                    # single-threaded: its CPU is counted as solve CPU
                    rec.add(tag, "solve", run_seconds, own_cpu)
                    rec.add(tag, "handover", max(0.0, own - run_seconds))
                rec.runs.setdefault(tag, []).append(dict(_run_info(result, run_seconds), role="heuristic" if helper else "local search" if polishing else "main"))
            else:
                rec.add(tag, actual, own, own_cpu)
            if phase == "handover" and not helper and tag not in rec.compiled:
                rec.compiled[tag] = _compiled_info(result)
            if phase == "plan_other" and tag not in rec.outcomes:
                rec.outcomes[tag] = _outcome_info(result)
            return result

        timed.__wrapped__ = fn
        return timed

    def install(self) -> None:
        for name in MODULES:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
        for module_name, attr, phase, kind in TARGETS:
            module = sys.modules.get(module_name)
            owner, name = module, attr
            if module is not None and "." in attr:
                cls_name, name = attr.split(".")
                owner = getattr(module, cls_name, None)
            original = getattr(owner, name, None) if owner is not None else None
            if original is None:
                self.missing.append(f"{module_name}.{attr}")
                continue
            wrapper = self.wrap(original, phase, kind)
            if owner is not module:  # a method: patch the class, every caller sees it
                setattr(owner, name, wrapper)
            else:  # a function: replace it wherever our packages bound it by name
                # by sys.modules key: touching attributes of other modules could trigger
                # Pyomo's deferred imports (scipy.stats, ...) and inflate the import time
                for key_name, mod in list(sys.modules.items()):
                    if key_name.split(".")[0] not in ("optimizer", "models") or mod is None:
                        continue
                    for key, value in list(vars(mod).items()):
                        if value is original:
                            setattr(mod, key, wrapper)
            self.wrapped.append(f"{module_name}.{attr}")


def _run_info(run, seconds: float) -> dict:
    return {
        "seconds": seconds,
        "model_status": getattr(run, "model_status", None),
        "objective": getattr(run, "objective", None),
        "dual_bound": getattr(run, "dual_bound", None),
        "nodes": getattr(run, "nodes", None),
    }


def _compiled_info(c) -> dict:
    return {
        "columns": len(getattr(c, "columns", []) or []),
        "rows": len(getattr(c, "rows", []) or []),
        "binaries": getattr(c, "binaries", None),
        "integers": getattr(c, "integers", None),
        "nonzeros": getattr(c, "nonzeros", None),
    }


def _outcome_info(o) -> dict:
    size = getattr(o, "size", None)
    return {
        "status": getattr(o, "status", None),
        "gap": getattr(o, "gap", None),
        "nodes": getattr(o, "nodes", None),
        "total_cost_jpy": getattr(o, "total_cost_jpy", None),
        "best_bound_jpy": getattr(o, "best_bound_jpy", None),
        "highs_status": getattr(o, "highs_status", None),
        "seconds": dict(getattr(o, "seconds", {}) or {}),
        "size": vars(size) if size is not None and hasattr(size, "__dict__") else (size._asdict() if hasattr(size, "_asdict") else None),
        "warnings": list(getattr(o, "warnings", []) or []),
    }


# --------------------------------------------------------------------------- modes
def mode_cli(args) -> int:
    rec = Recorder()
    rec.install()  # imports the package (timed as imports) and wraps
    t_imported = time.time()
    import optimizer.cli as cli

    code = None
    t_main = time.time()
    cpu_main = time.process_time()
    try:
        cli.main(args=["solve", args.workbook, *args.rest], prog_name="plan", standalone_mode=True)
    except SystemExit as stop:
        code = stop.code
    finally:
        t_end = time.time()
        sys.stdout.flush()
        _write(args.result, {
            "mode": "cli",
            "spawn": float(os.environ.get("BENCH_SPAWN_TIME", "nan")),
            "enter": T_ENTER, "imported": t_imported, "main": t_main, "end": t_end,
            "exit_code": code, "cpu_before_main": cpu_main,
            "phases": rec.totals, "cpu_phases": rec.cpu, "runs": rec.runs, "outcomes": rec.outcomes, "compiled": rec.compiled,
            "wrapped": rec.wrapped, "missing": rec.missing,
        })
    return 0


def _load(workbook: str):
    try:
        from optimizer.pipeline import load_input

        return load_input(Path(workbook), "base")[1]
    except ImportError:
        from optimizer.workbook.scenarios import apply_scenario
        from optimizer.workbook.validate import validate
        from optimizer.workbook.read import read_workbook

        return validate(apply_scenario(read_workbook(workbook), "base")).plan_input


class _Captured(Exception):
    pass


def mode_export(args) -> int:
    import highspy
    import numpy as np

    from optimizer.solving.solve import make_plan

    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    result: dict = {"mode": "export"}
    start: dict = {}
    original_set = highspy.Highs.setSolution
    originals = {name: getattr(highspy.Highs, name) for name in ("run", "solve", "startSolve") if hasattr(highspy.Highs, name)}

    def set_solution(self, *a, **kw):
        sol = a[-1] if a else None
        if hasattr(sol, "col_value"):
            start["values"] = list(sol.col_value)
        return original_set(self, *a, **kw)

    def intercept(name):
        def starter(self, *a, **kw):
            if capture(self):
                raise _Captured
            start.clear()
            return originals[name](self, *a, **kw)  # an LP, or a helper's MIP (the start heuristic's)

        return starter

    def capture(self) -> bool:
        lp = self.getLp()
        kinds = list(lp.integrality_)
        if not any(k != highspy.HighsVarType.kContinuous for k in kinds) or not _called_by_make_plan():
            return False
        self.writeModel(str(out / "model.mps"))
        self.writeOptions(str(out / "options.txt"))
        if "values" in start:
            np.save(out / "start.npy", np.asarray(start["values"], dtype=float))
        lower, upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
        is_int = np.asarray([k != highspy.HighsVarType.kContinuous for k in kinds])
        result.update(
            columns=int(lp.num_col_), rows=int(lp.num_row_), nonzeros=int(len(lp.a_matrix_.value_)),
            binaries=int((is_int & (lower >= 0) & (upper <= 1)).sum()), integers=int(is_int.sum()),
            mip_start=("values" in start), options=_deviations(self),
        )
        relax = highspy.Highs()
        relax.setOptionValue("output_flag", False)
        lp.integrality_ = []
        relax.passModel(lp)
        started = time.perf_counter()
        relax.run()
        info = relax.getInfo()
        result.update(
            lp_seconds=time.perf_counter() - started,
            lp_status=relax.modelStatusToString(relax.getModelStatus()),
            lp_objective=info.objective_function_value,
        )
        return True

    for name in originals:  # run_highs may call run(), solve() or startSolve() + wait()
        setattr(highspy.Highs, name, intercept(name))
    highspy.Highs.setSolution = set_solution
    inp = _load(args.workbook)
    try:
        make_plan(inp, time_limit_s=args.time_limit, mip_rel_gap=args.gap)
        result["error"] = "make_plan never asked HiGHS to solve a MIP"
    except _Captured:
        pass
    _write(args.result, result)
    return 0


def _called_by_make_plan() -> bool:
    """Is this HiGHS run the main model's? The nearest frame of our packages above highspy
    and the HiGHS bridge must be optimizer.solving.solve (make_plan) itself, not a helper module."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.split(".")[0] in ("optimizer", "models") and name != "optimizer.solving.highs_bridge":
            return name == "optimizer.solving.solve"
        frame = frame.f_back
    return False


def _deviations(h) -> dict:
    """HiGHS options that differ from a fresh Highs()."""
    import highspy

    fresh = highspy.Highs()
    out = {}
    for name in ("presolve", "parallel", "threads", "time_limit", "mip_rel_gap", "mip_abs_gap", "random_seed",
                 "mip_heuristic_effort", "mip_feasibility_tolerance", "primal_feasibility_tolerance",
                 "user_objective_scale", "user_bound_scale", "mip_detect_symmetry", "output_flag"):
        try:
            mine, default = h.getOptionValue(name), fresh.getOptionValue(name)
        except Exception:
            continue
        mine = mine[1] if isinstance(mine, tuple) else mine
        default = default[1] if isinstance(default, tuple) else default
        if mine != default:
            out[name] = mine
    return out


def mode_highs_mps(args) -> int:
    t0 = time.perf_counter()
    import highspy

    d = Path(args.dir)
    h = highspy.Highs()
    t_import = time.perf_counter() - t0
    h.readOptions(str(d / "options.txt"))
    # HiGHS's log to a file (not the console): its progress lines give the gap over time
    log = Path(args.result).with_suffix(".highs.log")
    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("log_file", str(log))
    started = time.perf_counter()
    h.readModel(str(d / "model.mps"))
    t_read = time.perf_counter() - started
    if (d / "start.npy").exists():
        import numpy as np

        sol = highspy.HighsSolution()
        sol.col_value = list(np.load(d / "start.npy"))
        sol.value_valid = True
        h.setSolution(sol)
    started = time.perf_counter()
    h.run()
    t_solve = time.perf_counter() - started
    info = h.getInfo()
    has = info.primal_solution_status == highspy.kSolutionStatusFeasible
    _write(args.result, {
        "mode": "highs-mps", "import_seconds": t_import, "read_seconds": t_read, "solve_seconds": t_solve,
        "model_status": h.modelStatusToString(h.getModelStatus()),
        "objective": info.objective_function_value if has else None,
        "dual_bound": info.mip_dual_bound, "gap": info.mip_gap if has else None, "nodes": int(info.mip_node_count),
        "progress": _progress(log.read_text(errors="replace") if log.exists() else ""),
    })
    return 0


def _within(path: str, package_file: str) -> str:
    """`path` relative to its package's folder (results are committed: no machine paths in them)."""
    try:
        return str(Path(path).relative_to(Path(package_file).parent))
    except ValueError:
        return Path(path).name


def mode_cbc(args) -> int:
    import cbcbox
    import pyomo.environ as pyo

    from models.build import PlatformModel
    from models.evaluate import evaluate

    inp = _load(args.workbook)
    limit = inp.settings.time_limit_s if args.time_limit is None else args.time_limit
    gap = inp.settings.mip_rel_gap if args.gap is None else args.gap
    started = time.perf_counter()
    pm = PlatformModel(inp)
    t_build = time.perf_counter() - started
    solver = pyo.SolverFactory("cbc", executable=cbcbox.cbc_bin_path())
    started = time.perf_counter()
    log = Path(args.result).with_suffix(".cbc.log")
    # the limit goes to CBC itself (-sec, elapsed time): Pyomo's own timelimit= also kills CBC
    # one second after the limit, losing the plan CBC has when it overruns finishing a node
    options = {"sec": limit, "timeMode": "elapsed", "ratioGap": gap}
    try:
        res = solver.solve(pm.m, options=options, load_solutions=False, tee=False, logfile=str(log))
    except Exception as exc:  # report, do not hide
        _write(args.result, {"mode": "cbc", "error": f"{type(exc).__name__}: {exc}"[:500], "solve_seconds": time.perf_counter() - started,
                             "build_seconds": t_build, "time_limit_s": limit, "mip_rel_gap": gap,
                             **_cbc_summary(log.read_text(errors="replace") if log.exists() else "")})
        return 0
    t_solve = time.perf_counter() - started
    text = log.read_text(errors="replace") if log.exists() else ""
    summary = _cbc_summary(text)
    summary["progress"] = _progress(text)
    out = {
        "mode": "cbc", "build_seconds": t_build, "solve_seconds": t_solve, "executable": _within(cbcbox.cbc_bin_path(), cbcbox.__file__),
        "time_limit_s": limit, "mip_rel_gap": gap,
        "termination": str(res.solver.termination_condition), "solver_status": str(res.solver.status),
        **summary,
        "lower_bound": _num(res.problem.lower_bound), "upper_bound": _num(res.problem.upper_bound),
        "objective": None,
    }
    if len(res.solution) > 0:
        pm.m.solutions.load_from(res)
        objective = next(pm.m.component_data_objects(pyo.Objective, active=True))
        out["objective"] = float(pyo.value(objective))
        plan = pm.plan_from(lambda var: float(var.value) if var.value is not None else 0.0)
        ev = evaluate(inp, plan)
        out["total_cost_jpy"] = ev.total_cost_jpy
        out["violations"] = len(ev.violations)
    _write(args.result, out)
    return 0


def _cbc_summary(text: str) -> dict:
    """CBC's closing summary: result line, objective, bound, gap, nodes, wall-clock seconds."""
    import re

    out: dict = {}
    keys = {"Result -": "cbc_result", "Objective value:": "cbc_objective", "Lower bound:": "cbc_lower_bound",
            "Gap:": "cbc_gap", "Enumerated nodes:": "cbc_nodes", "Total time (Wallclock seconds):": "cbc_wallclock",
            "Time (Wallclock seconds):": "cbc_wallclock"}
    for line in text.splitlines():
        line = line.strip()
        for prefix, key in keys.items():
            if line.startswith(prefix):
                value = line[len(prefix):].strip()
                out[key] = value if key == "cbc_result" else _num(value.split()[0] if value else None)
    # this build also prints "Obj: X   Bound: Y   Gap: Z%   Nodes: N" status lines; take the last
    found = re.findall(r"Obj:\s*(\S+)\s+Bound:\s*(\S+)\s+Gap:\s*(\S+?)%\s+Nodes:\s*(\d+)", text)
    if found:
        obj, bound, gap, nodes = found[-1]
        out.setdefault("cbc_objective", _num(obj))
        out["cbc_bound"] = _num(bound)
        out.setdefault("cbc_gap", None if _num(gap) is None else _num(gap) / 100)
        out.setdefault("cbc_nodes", _num(nodes))
    return out


def _progress(text: str) -> list[tuple[float, float]]:
    """(seconds, relative gap) from a solver's progress table: rows whose last cell is the time
    (HiGHS: "12.3s", CBC: "12.3") and that carry a gap percentage — HiGHS: the second "%" cell
    (the first is the share of the tree explored), CBC: the cell before the time."""
    out: list[tuple[float, float]] = []
    for line in text.splitlines():
        cells = line.replace("★", " ").split()
        if len(cells) < 4:
            continue
        last = cells[-1][:-1] if cells[-1].endswith("s") else cells[-1]
        seconds = _num(last)
        percents = [c for c in cells if c.endswith("%") and _num(c[:-1]) is not None]
        if seconds is None or not percents:
            continue
        if cells[-1].endswith("s"):  # HiGHS: Expl.% ... Gap% (absent while the gap is infinite)
            if len(percents) < 2:
                continue
            gap = percents[1]
        else:  # CBC: ... Gap% Time(s)
            if not cells[-2].endswith("%"):
                continue
            gap = cells[-2]
        out.append((seconds, _num(gap[:-1]) / 100))
    return out


def _num(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if abs(x) < 1e300 else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    sub = ap.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("cli")
    p.add_argument("workbook")
    p.add_argument("--result", required=True)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    for name in ("export", "cbc"):
        p = sub.add_parser(name)
        p.add_argument("workbook")
        p.add_argument("--result", required=True)
        p.add_argument("--time-limit", type=float)
        p.add_argument("--gap", type=float)
        if name == "export":
            p.add_argument("--dir", required=True)
    p = sub.add_parser("highs-mps")
    p.add_argument("dir")
    p.add_argument("--result", required=True)
    args = ap.parse_args(argv)
    if args.mode == "cli":
        args.rest = [a for a in args.rest if a != "--"]
    return {"cli": mode_cli, "export": mode_export, "highs-mps": mode_highs_mps, "cbc": mode_cbc}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
