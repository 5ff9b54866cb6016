"""Make a plan: build the model, solve it with HiGHS, read the plan, and check it by evaluation.

The total cost reported is the plan's cost recomputed in yen by `models.plan.evaluate`;
the solver's own objective must agree with it, and a disagreement is reported loudly
because it would mean the formulation and the spec's cost have drifted apart.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from pyomo.common.errors import InfeasibleConstraintException

from models.data import PlanInput
from models.build import SCALE_JPY, PlatformModel
from models.evaluate import Evaluation, design_violations, evaluate
from models.plan import RULE_TOLERANCE, Design, Plan, VariantPlan
from models.values import fix_design
from optimizer.solving.checks import Finding, presolve_checks
from optimizer.solving.diagnose import Diagnosis, diagnose
from optimizer.solving.highs_bridge import HighsRun, Progress, compile_model, run_highs
from optimizer.solving.parallel import PYOMO
from optimizer.solving.polish import LocalSearchBeside, StallWatch
from optimizer.text import duration

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "optimal", "feasible", "infeasible", "unknown"
# Relative disagreement between the solver's objective and the evaluated cost that we report.
AGREEMENT_TOLERANCE = 1e-6
# When HiGHS stops at the time limit without any plan, the heuristic of optimizer.solving.start gets
# this share of the limit (at least HEURISTIC_MIN_S) to find one.
HEURISTIC_SHARE = 0.25
# ... and at most this: HiGHS stops that much before its limit when it has no plan by then. The
# heuristic needs 9.9 s on large with 6 years (load 2), where HiGHS finds no plan in 60 s; with 2 s
# kept that case ended without a plan.
HEURISTIC_MAX_S = 15.0
HEURISTIC_MIN_S = 0.5
BROKEN_SHOWN = 5  # rules a broken plan's message lists


@dataclass(frozen=True)
class ModelSize:
    variables: int
    binaries: int
    integers: int
    constraints: int
    nonzeros: int


@dataclass
class Outcome:
    status: str
    plan: Plan | None
    evaluation: Evaluation | None
    total_cost_jpy: float | None
    best_bound_jpy: float | None
    gap: float | None
    conflicts: list[str]
    time_limit_s: float
    mip_rel_gap: float
    highs_status: str = ""
    nodes: int = 0
    size: ModelSize | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # build, handover, solve
    warnings: list[str] = field(default_factory=list)
    diagnosis: Diagnosis | None = None  # infeasible: why, and the fewest rules to change


def make_plan(
    inp: PlanInput,
    *,
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
    log: Callable[[str], None] = lambda _text: None,
    solver_log: Callable[[str], None] | None = None,
    start: Plan | None = None,
    design: Design | None = None,
    max_developments: int | None = None,
    spare_s: float = 0.0,
) -> Outcome:
    """Solve the workbook's plan. `log` gets progress lines; `solver_log` HiGHS's own log;
    `start` is a plan known to obey every rule, handed to HiGHS as its first incumbent; `design`
    keeps a design (offers, parts, packs, launch years) and plans only units, plants and lines;
    `max_developments` caps the options and packs developed (an epsilon-constraint of `plan sweep
    --pareto commonality`: no plan within the cap is said so, without a diagnosis).
    The time limit is this call's wall clock: building and handing over the model, HiGHS, the local
    search and, when HiGHS has no plan near the limit, the fallback heuristic all fit in it.
    `spare_s`: seconds past the limit the fallback heuristic may also take, which the caller kept
    for work that needs a plan (the case without sharing, the analysis) and that has none to do."""
    entered = time.perf_counter()
    limit = inp.settings.time_limit_s if time_limit_s is None else time_limit_s
    gap_target = inp.settings.mip_rel_gap if mip_rel_gap is None else mip_rel_gap
    seconds: dict[str, float] = {}
    base = dict(time_limit_s=limit, mip_rel_gap=gap_target, seconds=seconds)
    if design is not None:
        broken = design_violations(inp, design)
        if broken:
            return Outcome(INFEASIBLE, None, None, None, None, None,
                           [f"The design breaks a rule: {b}." for b in broken], **base)
    findings = presolve_checks(inp) if design is None else []
    if any(f.fatal for f in findings):
        return _no_plan(inp, findings, base, log)

    pm = _build_model(inp, design, max_developments, findings, base, log)
    if isinstance(pm, Outcome):
        return pm
    try:
        with PYOMO:
            compiled = compile_model(pm.m)
    except InfeasibleConstraintException:  # a fixed design leaves a row that no units can meet
        return _no_plan(inp, findings, base, log, design, max_developments)
    run = _solve_compiled(pm, compiled, entered, limit, gap_target, start, solver_log, base, log)

    if not run.has_solution and not run.infeasible:
        fallback = _fallback_plan(pm, compiled, entered, limit, spare_s, seconds, log)
        if fallback is not None:
            return _finish(inp, fallback, FEASIBLE, None, _yen(run.dual_bound), **base)
    if not run.has_solution:
        if run.infeasible:
            return _no_plan(inp, findings, base, log, design, max_developments)
        return _not_found(run, base)

    plan = pm.plan_from(compiled.reader(run.values))
    status = OPTIMAL if run.optimal else FEASIBLE
    return _finish(inp, plan, status, run.objective * SCALE_JPY, _yen(run.dual_bound), **base)


def _not_found(run: HighsRun, base: dict) -> Outcome:
    """HiGHS stopped without a plan and without proving there is none (nor did the heuristic find
    one): status unknown, and what to raise."""
    conflicts = [
        f"No plan was found before the solver stopped ({run.model_status}, after {run.seconds:.1f} s); "
        "a plan may still exist. Raise time_limit_s on the settings sheet or --time-limit."
    ]
    return Outcome(UNKNOWN, None, None, None, _yen(run.dual_bound), None, conflicts, **base)


def _build_model(inp: PlanInput, design: Design | None, max_developments: int | None,
                 findings: list[Finding], base: dict, log: Callable[[str], None]) -> PlatformModel | Outcome:
    """The model (the design fixed in it, if any), or the outcome when building it already settles
    the case: a design that can never obey the rules, a conflict in the data, nothing to offer."""
    seconds = base["seconds"]
    started = time.perf_counter()
    with PYOMO:
        pm = PlatformModel(inp, max_developments=max_developments)
        missing = [] if design is None else fix_design(pm, design)
    seconds["build"] = time.perf_counter() - started
    if missing:
        return Outcome(INFEASIBLE, None, None, None, None, None,
                       [f"The design's {x} can never obey this workbook's rules." for x in missing], **base)

    if pm.static_conflicts:
        static = [Finding(f"{t[0].upper()}{t[1:]}.", True, "") for t in pm.static_conflicts]
        return _no_plan(inp, findings + static, base, log)
    if not pm.choices:
        plan = Plan({v.name: VariantPlan(offered=False) for v in inp.variants})
        return _finish(inp, plan, OPTIMAL, 0.0, None, **base, highs_status="no variant can be offered")
    return pm


def _solve_compiled(pm: PlatformModel, compiled, entered: float, limit: float, gap_target: float,
                    start: Plan | None, solver_log, base: dict, log: Callable[[str], None]) -> HighsRun:
    """HiGHS on the handed-over model for what building it left of the limit, less the share kept
    for the fallback heuristic should HiGHS have no plan by then; the model's size goes in `base`."""
    seconds = base["seconds"]
    seconds["handover"] = compiled.seconds
    size = ModelSize(
        variables=len(compiled.columns),
        binaries=compiled.binaries,
        integers=compiled.integers,
        constraints=len(compiled.rows),
        nonzeros=compiled.nonzeros,
    )
    highs_limit = max(1e-3, limit - (time.perf_counter() - entered))
    # kept for the fallback if HiGHS has no plan
    heuristic = min(HEURISTIC_MAX_S, HEURISTIC_SHARE * highs_limit)
    log(
        f"model: {size.variables:,} variables ({size.binaries:,} yes/no), "
        f"{size.constraints:,} constraints; "
        f"solving with HiGHS ({duration(highs_limit)} of the time limit, gap {gap_target:g})"
    )
    start_vector = None if start is None else compiled.vector(pm.values_for(start))
    run = run_model(pm, compiled, highs_limit, gap_target, start_vector, solver_log, seconds, base, log,
                    without_plan_by=highs_limit - heuristic)
    base["size"] = size
    return run


def _fallback_plan(pm: PlatformModel, compiled, entered: float, limit: float, spare_s: float,
                   seconds: dict, log: Callable[[str], None]) -> Plan | None:
    """The limit struck before HiGHS found any plan: a quick plan from the heuristic is better
    than none (it costs extra time only here; handing it to HiGHS up front did not pay)."""
    from optimizer.solving.start import first_plan

    heuristic_started = time.perf_counter()
    fallback = first_plan(
        pm, compiled, max(HEURISTIC_MIN_S, limit + spare_s - (time.perf_counter() - entered)), log
    )
    seconds["start heuristic"] = time.perf_counter() - heuristic_started
    return fallback


def run_model(pm, compiled, limit: float, gap_target: float, start_vector, solver_log, seconds: dict,
              base: dict, log, without_plan_by: float | None = None) -> HighsRun:
    """HiGHS on the compiled model; when its bound stalls, local search beside it on the other core
    (optimizer.solving.polish) until the tree ends. `without_plan_by`: stop at that many seconds
    if HiGHS has no plan yet (the fallback heuristic's turn)."""
    watch = StallWatch(limit)
    beside = LocalSearchBeside(pm, compiled, limit, gap_target, log)

    def stop(progress: Progress) -> bool:
        if (
            without_plan_by is not None
            and progress.seconds >= without_plan_by
            and not math.isfinite(progress.objective)
        ):
            return True
        if beside.started_at is None and watch(progress.seconds, progress.objective, progress.bound):
            plan = progress.plan if progress.plan is not None else start_vector
            if plan is not None:
                beside.start(progress.seconds, plan, progress.objective, progress.bound)
        found = beside.best_below(progress.objective)
        if found is None or gap_target >= 1:
            return False
        return found <= progress.bound / (1.0 - gap_target)  # within the gap of the tree's bound: proven

    try:
        run = run_highs(compiled, time_limit_s=limit, mip_rel_gap=gap_target, start=start_vector,
                        log_line=solver_log, stop_when=stop)
    finally:
        result = beside.finish()
    seconds["solve"] = run.seconds
    base.update(highs_status=run.model_status, nodes=run.nodes)
    if result is None:
        return run
    seconds["local search"] = result.seconds
    base["highs_status"] = (f"{run.model_status}; "
                            f"local search beside the tree search from {beside.started_at:.0f} s: "
                            f"{result.neighbourhoods} neighbourhoods, {result.improvements} better plans")
    if not run.has_solution or result.objective >= run.objective:
        return run
    # a plan at most this dear is within the gap target of the bound:
    # (cost - bound) / cost <= gap_target
    within_gap = run.dual_bound / (1.0 - gap_target) if gap_target < 1 else float("inf")
    return replace(run, values=result.values, objective=result.objective,
                   optimal=result.objective <= within_gap)


def _no_plan(inp: PlanInput, findings: list[Finding], base: dict, log: Callable[[str], None],
             design: Design | None = None, max_developments: int | None = None) -> Outcome:
    """No plan exists: say why (the checks) and what to change (the fewest rules, by relaxation).
    Under a development cap the cap is the news (a Pareto front ends there): no diagnosis."""
    if max_developments is not None:
        cap = (f"at most {max_developments:,} development{'s' if max_developments != 1 else ''} "
               "of options and packs")
        return Outcome(INFEASIBLE, None, None, None, None, None,
                       [f"No plan of this workbook keeps to {cap} (the development cap)."], **base)
    left = base["time_limit_s"] - sum(base["seconds"].values())  # what the solve left of the limit
    diagnosis = diagnose(inp, findings, time_limit_s=left, log=log, design=design)
    return Outcome(INFEASIBLE, None, None, None, None, None, diagnosis.conflicts(), **base,
                   diagnosis=diagnosis)


def _yen(x: float | None) -> float | None:
    return None if x is None else x * SCALE_JPY


def _finish(inp: PlanInput, plan: Plan, status: str, solver_cost: float | None, bound: float | None,
            **fields) -> Outcome:
    """The outcome of a plan: its evaluated cost, its gap to the bound, and the internal checks.
    `solver_cost` is the model's price of the plan (None: the plan did not come from the model).
    A plan that breaks a rule is not a plan (the spec): it is never reported as one."""
    ev = evaluate(inp, plan)
    if ev.violations:
        return _broken(ev.violations, bound, fields)
    total = ev.total_cost_jpy
    warnings = []
    # The model may over-price a plan that is not optimal (a development or line paid but unused,
    # a tier reached but not taken), never under-price one: that would mean the formulation and
    # the spec's cost disagree.
    if solver_cost is not None and total > solver_cost + AGREEMENT_TOLERANCE * max(1.0, abs(total)) + 1.0:
        warnings.append(
            f"internal check: the plan's evaluated cost ¥{total:,.0f} "
            f"is above the solver's ¥{solver_cost:,.0f}"
        )
    if bound is None:
        bound = total if status == OPTIMAL else None
    bound = min(bound, total) if bound is not None else None
    gap = relative_gap(total, bound)
    return Outcome(status, plan, ev, total, bound, gap, [], warnings=warnings, **fields)


def relative_gap(cost: float, bound: float | None) -> float | None:
    """How far a plan's cost may be above the optimum its bound allows, as a share of the cost
    (None without a bound; 0 for a plan that costs nothing)."""
    if bound is None:
        return None
    return 0.0 if cost <= 0 else max(0.0, (cost - bound) / abs(cost))


def _broken(violations: list[str], bound: float | None, fields: dict) -> Outcome:
    """The solver's plan breaks rules beyond the evaluation's tolerance: status unknown (no plan,
    none proven impossible), with the rules it breaks. Seen only with figures far apart in
    magnitude."""
    return Outcome(UNKNOWN, None, None, None, bound, None, [broken_plan(violations)], **fields)


def broken_plan(violations: list[str]) -> str:
    """The conflict sentence of a solver's plan that breaks rules (it is not reported as a plan)."""
    n = len(violations)
    shown = "; ".join(violations[:BROKEN_SHOWN]) + (
        f"; and {n - BROKEN_SHOWN} more" if n > BROKEN_SHOWN else ""
    )
    return (
        f"The solver's plan breaks {n} rule{'s' if n != 1 else ''} of the workbook "
        "by more than plan's tolerance "
        f"({RULE_TOLERANCE:g} in the rule's own unit, ¥1 on a unit cost ceiling), "
        "so it is not reported as a plan: "
        f"{shown}. No plan has been proven impossible either: the solver's arithmetic went wrong "
        "(or plan has a fault), most likely on figures many orders of magnitude apart; "
        "look for a number typed far larger or smaller than its neighbours."
    )
