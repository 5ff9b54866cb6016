"""Hand a Pyomo model to HiGHS and read the answer back.

We compile the model to a matrix ourselves (Pyomo's linear-expression visitor, numpy) and pass
it to `highspy` directly instead of using Pyomo's HiGHS plugins: a matrix hand-over is 4.5–6×
faster on large models (README, "Why the hand-over to HiGHS is our own") and gives full control of what the
plugins get wrong or lack — the time limit is honoured as set, a plan found before the limit is
always kept, a starting plan can be handed over, and HiGHS's banner and log never reach
standard output.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable

import highspy
import numpy as np
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.core import Constraint, Objective, Var, minimize
from pyomo.repn.linear import LinearRepnVisitor


@dataclass
class Compiled:
    lp: highspy.HighsLp
    columns: list  # Pyomo VarData per column
    rows: list  # (Pyomo ConstraintData, multiplier) per row; multiplier 0 '=', 1 '<=', -1 '>='
    col_of: dict[int, int]  # id(VarData) -> column
    binaries: int
    integers: int
    nonzeros: int
    seconds: float


    def activity(self, values) -> np.ndarray:
        """Each row's body at a solution (A @ x), for telling which bounds bind."""
        m = self.lp.a_matrix_
        starts = np.asarray(m.start_)
        row_of = np.repeat(np.arange(len(self.rows)), np.diff(starts))
        return np.bincount(row_of, weights=np.asarray(m.value_) * np.asarray(values)[np.asarray(m.index_)],
                           minlength=len(self.rows))

    def vector(self, values: dict[int, float]) -> np.ndarray:
        """Column values from variable values by id (e.g. `PlatformModel.values_for(plan)`, for a
        MIP start); a variable left out is 0."""
        return np.array([values.get(id(var), 0.0) for var in self.columns], dtype=np.float64)

    def reader(self, values) -> Callable[[object], float]:
        """Variable -> value in a solution; a variable the compiler left out is its fixed value or 0."""
        col_of = self.col_of

        def value(var) -> float:
            j = col_of.get(id(var))
            if j is not None:
                return float(values[j])
            return float(var.value) if var.fixed and var.value is not None else 0.0

        return value


@dataclass
class HighsRun:
    model_status: str  # HiGHS's own words, e.g. "Optimal", "Time limit reached"
    optimal: bool
    infeasible: bool
    has_solution: bool
    objective: float | None
    dual_bound: float | None
    nodes: int
    seconds: float
    values: np.ndarray | None  # column values
    row_duals: np.ndarray | None  # row duals (LPs only)
    stopped: bool = False  # ended by `stop_when`, not by HiGHS


@dataclass
class Progress:
    """What the MIP search has, as its callback sees it (model units)."""

    seconds: float
    objective: float  # the best plan's cost (inf: none yet)
    bound: float
    plan: np.ndarray | None  # the best plan's column values (None: none yet)


_banner_printed = False


# Threads HiGHS may use in this process (None: HiGHS's own choice). A sweep's worker process sets 1:
# N workers then use N cores, not N times HiGHS's default.
THREADS: int | None = None
# Set to cancel every solve running in this process's other threads (optimizer.solving.parallel):
# Ctrl-C reaches only the main thread, and a worker thread's solve sees it at HiGHS's next callback.
CANCEL = threading.Event()


def new_highs() -> highspy.Highs:
    """A HiGHS instance, silent. HiGHS prints a banner on the C-level standard output the first
    time one is made in a process; it goes to the null device (a planner has no use for it, and
    standard output carries only what a command promises)."""
    global _banner_printed
    if _banner_printed:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    _banner_printed = True
    return h


def compile_model(model) -> Compiled:
    """Pyomo model -> HiGHS LP/MIP: row-wise matrix, bounds, integrality, objective offset.

    Each constraint body goes through Pyomo's own linear-expression visitor; fixed variables
    fold into constants, as the standard-form compiler does. Rows follow its mixed form: an
    equality is one row (multiplier 0), an inequality one row per bound (1 for <=, -1 for >=),
    so a row's dual prices exactly one of the planner's bounds. Numpy only: Pyomo's
    standard-form compiler would import scipy, and Pyomo's scipy loader imports scipy.stats
    with it, which costs every run about a second.
    """
    started = time.perf_counter()
    visitor = LinearRepnVisitor({})
    columns = [v for v in model.component_data_objects(Var, descend_into=True) if not v.fixed]
    col_of = {id(v): j for j, v in enumerate(columns)}
    n_col = len(columns)

    cost, offset = _objective(model, visitor, col_of, n_col)
    rows, starts, index, value, lower, upper = _rows(model, visitor, col_of)

    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = len(rows)
    lp.col_cost_ = cost
    col_lower, col_upper, integrality, binaries, integers = _column_bounds(columns, n_col)
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = np.asarray(lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(upper, dtype=np.float64)
    matrix = lp.a_matrix_
    matrix.format_ = highspy.MatrixFormat.kRowwise
    matrix.num_col_ = n_col
    matrix.num_row_ = len(rows)
    matrix.start_ = np.asarray(starts, dtype=np.int32)
    matrix.index_ = np.asarray(index, dtype=np.int32)
    matrix.value_ = np.asarray(value, dtype=np.float64)
    if binaries or integers:
        lp.integrality_ = integrality
    lp.offset_ = offset
    return Compiled(
        lp=lp,
        columns=columns,
        rows=rows,
        col_of=col_of,
        binaries=binaries,
        integers=integers,
        nonzeros=len(index),
        seconds=time.perf_counter() - started,
    )


def _objective(model, visitor: LinearRepnVisitor, col_of: dict[int, int],
               n_col: int) -> tuple[np.ndarray, float]:
    """The one objective (to minimise) as a cost per column and a constant offset."""
    objectives = list(model.component_data_objects(Objective, active=True, descend_into=True))
    if len(objectives) != 1 or objectives[0].sense != minimize:
        raise ValueError("the model needs exactly one objective, to minimise")
    cost = np.zeros(n_col)
    repn = visitor.walk_expression(objectives[0].expr)
    _check_linear(repn, objectives[0])
    for vid, coef in repn.linear.items():
        cost[col_of[vid]] += coef
    offset = float(repn.constant)
    return cost, offset


def _rows(model, visitor: LinearRepnVisitor,
          col_of: dict[int, int]) -> tuple[list, list, list, list, list, list]:
    """Every active constraint as row-wise matrix entries and row bounds, in the mixed form (an
    equality one row, an inequality one row per bound); a constant row is checked, not kept:
    (rows, starts, index, value, lower, upper)."""
    rows: list[tuple[object, int]] = []
    starts, index, value, lower, upper = [0], [], [], [], []
    inf = highspy.kHighsInf
    for con in model.component_data_objects(Constraint, active=True, descend_into=True):
        lb, body, ub = con.to_bounded_expression(evaluate_bounds=True)
        repn = visitor.walk_expression(body)
        _check_linear(repn, con)
        const = float(repn.constant)
        if not repn.linear:
            if (
                (lb is not None and const < lb - 1e-9 * max(1.0, abs(lb)))
                or (ub is not None and const > ub + 1e-9 * max(1.0, abs(ub)))
            ):
                raise InfeasibleConstraintException(
                    f"model contains a trivially infeasible constraint, '{con.name}'"
                )
            continue
        cols = [col_of[vid] for vid in repn.linear]
        coefs = list(repn.linear.values())
        if lb is not None and ub is not None and lb == ub:
            bounds = [(0, lb - const, ub - const)]
        else:
            bounds = (
                ([(1, -inf, ub - const)] if ub is not None else [])
                + ([(-1, lb - const, inf)] if lb is not None else [])
            )
        for mult, lo, hi in bounds:
            rows.append((con, mult))
            index.extend(cols)
            value.extend(coefs)
            starts.append(len(index))
            lower.append(lo)
            upper.append(hi)
    return rows, starts, index, value, lower, upper


def _column_bounds(columns: list, n_col: int) -> tuple[np.ndarray, np.ndarray, list, int, int]:
    """Each column's bounds and integrality, and how many are binary and general integer:
    (lower, upper, integrality, binaries, integers)."""
    inf = highspy.kHighsInf
    col_lower = np.empty(n_col)
    col_upper = np.empty(n_col)
    integrality = []
    binaries = integers = 0
    for j, var in enumerate(columns):
        lb, ub = var.bounds
        col_lower[j] = -inf if lb is None else lb
        col_upper[j] = inf if ub is None else ub
        if var.is_integer():
            integrality.append(highspy.HighsVarType.kInteger)
            if var.is_binary():
                binaries += 1
            else:
                integers += 1
        else:
            integrality.append(highspy.HighsVarType.kContinuous)
    return col_lower, col_upper, integrality, binaries, integers


def _check_linear(repn, component) -> None:
    if repn.nonlinear is not None:
        raise ValueError(f"{component.name} is not linear")


def run_highs(
    compiled: Compiled,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    start: np.ndarray | None = None,
    log_line: Callable[[str], None] | None = None,
    options: dict[str, object] | None = None,
    fix: dict[int, float] | None = None,
    stop_when: Callable[[Progress], bool] | None = None,
) -> HighsRun:
    """Solve; a plan found before the time limit is returned whatever the final status.
    `fix` pins columns (by index) to values for this run only; `stop_when(progress)` is asked
    during the MIP search and ends it when it says True (`stopped` then)."""
    h = _configured_highs(compiled, time_limit_s, mip_rel_gap, log_line, options)
    stopped = []
    in_main_thread = threading.current_thread() is threading.main_thread()
    if stop_when is not None or not in_main_thread:
        _subscribe_interrupt(h, stop_when, stopped)
    _pin_and_start(h, fix, start)
    started = time.perf_counter()
    if in_main_thread:
        _run_interruptibly(h)
    else:
        # beside other threads' solves (optimizer.solving.parallel): highspy's own solve thread
        # takes a lock shared by every instance, so run in this thread; CANCEL stops it (`ask`)
        h.run()
        if CANCEL.is_set():
            raise KeyboardInterrupt
    seconds = time.perf_counter() - started
    return _read_run(h, compiled, seconds, stopped)


def _configured_highs(compiled: Compiled, time_limit_s: float, mip_rel_gap: float,
                      log_line: Callable[[str], None] | None,
                      options: dict[str, object] | None) -> highspy.Highs:
    """A silent HiGHS instance with this run's options (log, threads, limit, gap, the caller's
    own) and the compiled model passed to it."""
    h = new_highs()
    h.setOptionValue("output_flag", log_line is not None)
    h.setOptionValue("log_to_console", False)
    if THREADS is not None:
        h.setOptionValue("threads", THREADS)
    if log_line is not None:
        h.cbLogging.subscribe(lambda event: log_line(event.message.rstrip("\n")))
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    h.passModel(compiled.lp)
    return h


def _subscribe_interrupt(h: highspy.Highs, stop_when: Callable[[Progress], bool] | None,
                         stopped: list) -> None:
    """HiGHS's MIP callbacks that end the search when `stop_when` says so or CANCEL is set (the
    time it stopped goes in `stopped`), with the latest improving plan kept for `stop_when`."""
    best: list[np.ndarray] = []  # the latest improving plan, for stop_when

    def keep(event) -> None:
        best[:] = [np.array(event.data_out.mip_solution)]

    if stop_when is not None:
        h.cbMipImprovingSolution.subscribe(keep)

    def ask(event) -> None:
        out = event.data_out
        if not stopped and (CANCEL.is_set() or stop_when is not None and stop_when(
                Progress(out.running_time, out.mip_primal_bound, out.mip_dual_bound,
                         best[0] if best else None))):
            stopped.append(out.running_time)
        if stopped:
            event.interrupt()

    h.cbMipInterrupt.subscribe(ask)


def _pin_and_start(h: highspy.Highs, fix: dict[int, float] | None, start: np.ndarray | None) -> None:
    """The columns `fix` pins, for this run only, and the starting plan, if any."""
    if fix:
        cols = np.fromiter(fix, dtype=np.int32, count=len(fix))
        vals = np.fromiter(fix.values(), dtype=np.float64, count=len(fix))
        h.changeColsBounds(len(cols), cols, vals, vals)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)


def _read_run(h: highspy.Highs, compiled: Compiled, seconds: float, stopped: list) -> HighsRun:
    """What the finished solve gives: its status, the plan found (if any), the bound, the row
    duals of an LP."""
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
    is_mip = compiled.binaries + compiled.integers > 0
    solution = h.getSolution() if has_solution else None
    dual_bound = (
        info.mip_dual_bound if is_mip else (info.objective_function_value if has_solution else None)
    )
    run = HighsRun(
        model_status=h.modelStatusToString(status),
        optimal=status == highspy.HighsModelStatus.kOptimal,
        infeasible=status == highspy.HighsModelStatus.kInfeasible,
        has_solution=has_solution,
        objective=info.objective_function_value if has_solution else None,
        dual_bound=dual_bound if dual_bound is not None and np.isfinite(dual_bound) else None,
        nodes=int(info.mip_node_count) if is_mip else 0,
        seconds=seconds,
        values=np.asarray(solution.col_value) if solution is not None else None,
        row_duals=(
            np.asarray(solution.row_dual) if solution is not None and not is_mip and solution.dual_valid
            else None
        ),
        stopped=bool(stopped) and status != highspy.HighsModelStatus.kOptimal,
    )
    return run


def _run_interruptibly(h: highspy.Highs) -> None:
    """h.run() in HiGHS's own thread, so that Ctrl-C stops a long solve at once instead of at the
    time limit (Python handles signals between bytecodes, never inside one C call). The solve is
    cancelled cleanly and KeyboardInterrupt goes on up: an interrupted run reports nothing."""
    h.HandleUserInterrupt = True
    h.startSolve()
    try:
        while not h.wait(0.1)[0]:
            pass
    except KeyboardInterrupt:
        h.cancelSolve()
        h.wait()
        raise
