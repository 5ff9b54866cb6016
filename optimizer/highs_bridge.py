"""Hand a Pyomo model to HiGHS and read the answer back.

We compile with Pyomo's `LinearStandardFormCompiler` and pass the matrix to `highspy`
directly instead of using Pyomo's HiGHS plugins: it is 4.5–6× faster on large models
(../shared/reference/solver-notes.md) and gives full control of what the plugins get wrong
or lack — the time limit is honoured as set, a plan found before the limit is always kept,
a MIP start can be handed over, and HiGHS's banner and log never reach standard output.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Callable

import highspy
import numpy as np
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler


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


_banner_printed = False


def new_highs() -> highspy.Highs:
    """A HiGHS instance, silent. HiGHS prints a banner on the C-level standard output the first
    time one is made in a process; send it to standard error, where our progress goes."""
    global _banner_printed
    if _banner_printed:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _banner_printed = True
    return h


def compile_model(model) -> Compiled:
    """Pyomo model -> HiGHS LP/MIP (column-wise matrix, bounds, integrality, objective offset)."""
    started = time.perf_counter()
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    columns, rows = info.columns, info.rows
    n_col, n_row = len(columns), len(rows)
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    inf = highspy.kHighsInf
    lp.col_cost_ = np.asarray(info.c.toarray()[0] if n_col else [], dtype=np.float64)
    lower = np.empty(n_col)
    upper = np.empty(n_col)
    integrality = []
    binaries = integers = 0
    for j, var in enumerate(columns):
        lb, ub = var.bounds
        lower[j] = -inf if lb is None else lb
        upper[j] = inf if ub is None else ub
        if var.is_integer():
            integrality.append(highspy.HighsVarType.kInteger)
            if var.is_binary():
                binaries += 1
            else:
                integers += 1
        else:
            integrality.append(highspy.HighsVarType.kContinuous)
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    rhs = np.asarray(info.rhs, dtype=np.float64)
    mult = np.fromiter((r[1] for r in rows), dtype=np.int8, count=n_row)
    lp.row_lower_ = np.where(mult <= 0, rhs, -inf)
    lp.row_upper_ = np.where(mult >= 0, rhs, inf)
    A = info.A
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.start_ = np.asarray(A.indptr, dtype=np.int32) if n_col else np.zeros(1, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(A.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(A.data, dtype=np.float64)
    if binaries or integers:
        lp.integrality_ = integrality
    lp.offset_ = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    return Compiled(
        lp=lp,
        columns=columns,
        rows=rows,
        col_of={id(v): j for j, v in enumerate(columns)},
        binaries=binaries,
        integers=integers,
        nonzeros=int(A.nnz),
        seconds=time.perf_counter() - started,
    )


def run_highs(
    compiled: Compiled,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    start: np.ndarray | None = None,
    log_line: Callable[[str], None] | None = None,
    options: dict[str, object] | None = None,
    fix: dict[int, float] | None = None,
) -> HighsRun:
    """Solve; a plan found before the time limit is returned whatever the final status.
    `fix` pins columns (by index) to values for this run only."""
    h = new_highs()
    h.setOptionValue("output_flag", log_line is not None)
    h.setOptionValue("log_to_console", False)
    if log_line is not None:
        h.cbLogging.subscribe(lambda event: log_line(event.message.rstrip("\n")))
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    h.passModel(compiled.lp)
    if fix:
        cols = np.fromiter(fix, dtype=np.int32, count=len(fix))
        vals = np.fromiter(fix.values(), dtype=np.float64, count=len(fix))
        h.changeColsBounds(len(cols), cols, vals, vals)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
    started = time.perf_counter()
    _run_interruptibly(h)
    seconds = time.perf_counter() - started
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
    is_mip = compiled.binaries + compiled.integers > 0
    solution = h.getSolution() if has_solution else None
    dual_bound = info.mip_dual_bound if is_mip else (info.objective_function_value if has_solution else None)
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
        row_duals=np.asarray(solution.row_dual) if solution is not None and not is_mip and solution.dual_valid else None,
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
