"""One plan for several futures (`plan solve --robust`): the extensive form, each future's own
optimum, the regret of committing to the robust design, and the regret matrix of betting on one
future's design.

The extensive form (`models.build.PlatformModel` over futures) shares the design — offers, parts,
packs, launch years, hence developments — and gives each future its own units, plant split, lines
and tiers; it minimises the expected total cost (or, with `worst`, the largest, and then each
future's units are re-planned at their least cost with that design). Each future's own
optimum is the future solved alone, started from the robust plan's units for it (a plan it is sure
to have). A bet is one future's own design committed to in every future, units re-optimised; a
design that cannot serve a future says which rule it breaks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

from models.build import SCALE_JPY, PlatformModel
from models.cost import EXPECTED
from models.data import Future
from models.evaluate import Evaluation, evaluate
from models.plan import Design, Plan
from optimizer.solving.checks import Finding, presolve_checks
from optimizer.solving.diagnose import Diagnosis, diagnose
from optimizer.solving.highs_bridge import HighsRun, compile_model
from optimizer.solving.parallel import SIDE_BY_SIDE, side_by_side
from optimizer.solving.solve import (
    FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, AGREEMENT_TOLERANCE, ModelSize, Outcome, broken_plan, make_plan,
    relative_gap, run_model,
)

# Shares of the time limit: the extensive form, then every future's own optimum, then the bets.
# The own optima also give the bound without a shared design; the bets (designs fixed) take seconds.
# Medium with 4 futures, seed 2, at 60 s: own optima 0.9-1.6 % from proven with 0.2 of the limit,
# 0.4-1.6 % with 0.3; the robust plan's gap 1.18 -> 1.11 %.
MAIN_SHARE, OWN_SHARE, BETS_SHARE = 0.6, 0.3, 0.1
MIN_SOLVE_S = 0.2
UNITS_SHARE = 0.25  # with `worst`: of what the extensive form left, for each future's cheapest units
# where best_bound_jpy comes from: the robust model's own search, or each future solved alone
EXTENSIVE = "the robust model's search"
FUTURES_ALONE = "each future solved on its own (the bound without a shared design)"


@dataclass
class FutureResult:
    """One future under the committed design, and alone."""

    name: str
    probability: float
    plan: Plan | None
    evaluation: Evaluation | None
    own: Outcome | None = None  # the future solved on its own (its own design)

    @property
    def cost_jpy(self) -> float | None:
        return None if self.evaluation is None else self.evaluation.total_cost_jpy

    @property
    def own_optimum_jpy(self) -> float | None:
        return None if self.own is None else self.own.total_cost_jpy

    @property
    def regret_jpy(self) -> float | None:
        """What committing to the robust design costs in this future against its own best."""
        if self.cost_jpy is None or self.own_optimum_jpy is None:
            return None
        return self.cost_jpy - self.own_optimum_jpy


@dataclass
class Bet:
    """One future's own optimal design committed to in every future (units re-optimised)."""

    design_of: str
    design: Design
    outcomes: dict[str, Outcome]  # future -> the case with that design

    def expected_jpy(self, probability: dict[str, float]) -> float | None:
        costs = [(probability[f], o.total_cost_jpy) for f, o in self.outcomes.items()]
        return None if any(c is None for _p, c in costs) else sum(p * c for p, c in costs)


@dataclass
class RobustOutcome:
    status: str
    objective: str  # "expected" or "worst"
    expected_cost_jpy: float | None
    best_bound_jpy: float | None  # bound on the objective minimised
    gap: float | None
    design: Design | None
    futures: list[FutureResult]
    conflicts: list[str]
    time_limit_s: float  # for every solve together: the robust one, the own optima, the bets
    mip_rel_gap: float
    solve_limit_s: float | None = None  # the robust solve's own share of it (None: not solved)
    bets: list[Bet] = field(default_factory=list)
    bound_from: str = EXTENSIVE  # which solve proved best_bound_jpy
    diagnosis: Diagnosis | None = None
    highs_status: str = ""
    nodes: int = 0
    size: ModelSize | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def worst_cost_jpy(self) -> float | None:
        costs = [f.cost_jpy for f in self.futures]
        return None if not costs or any(c is None for c in costs) else max(costs)

    @property
    def evpi_jpy(self) -> float | None:
        """Expected value of perfect information: expected cost − Σ probability × own optimum."""
        if self.expected_cost_jpy is None or any(f.own_optimum_jpy is None for f in self.futures):
            return None
        return self.expected_cost_jpy - sum(f.probability * f.own_optimum_jpy for f in self.futures)


def make_robust_plan(
    futures: list[Future],
    *,
    objective: str = EXPECTED,
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
    log: Callable[[str], None] = lambda _text: None,
    solver_log: Callable[[str], None] | None = None,
) -> RobustOutcome:
    base_inp = futures[0].inp
    limit = base_inp.settings.time_limit_s if time_limit_s is None else time_limit_s
    gap_target = base_inp.settings.mip_rel_gap if mip_rel_gap is None else mip_rel_gap
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    head = dict(objective=objective, time_limit_s=limit, mip_rel_gap=gap_target, seconds=seconds)

    findings = [Finding(f"In future {f.name}: {x.text[0].lower()}{x.text[1:]}", x.fatal, x.subject)
                for f in futures for x in presolve_checks(f.inp)]
    if any(x.fatal for x in findings):
        return _no_plan(futures, findings, head, log)
    pm = PlatformModel(futures, objective=objective)
    seconds["build"] = time.perf_counter() - started
    if pm.static_conflicts:
        static = [Finding(f"{t[0].upper()}{t[1:]}.", True, "") for t in pm.static_conflicts]
        return _no_plan(futures, findings + static, head, log)
    compiled = compile_model(pm.m)
    run = _solve_extensive(pm, compiled, len(futures), limit, gap_target, solver_log, head, log)
    if not run.has_solution:
        if run.infeasible:
            return _no_plan(futures, findings, head, log)
        return _not_found(futures, run, head)

    plans = pm.plans_from(compiled.reader(run.values))
    results = [
        FutureResult(f.name, f.probability, plans[f.name], evaluate(f.inp, plans[f.name])) for f in futures
    ]
    broken = [f"in future {r.name}, {v}" for r in results for v in r.evaluation.violations]
    if broken:  # a plan that breaks a rule is not a plan (solve._finish)
        return _broken(futures, run, broken, head)
    if objective != EXPECTED:
        _cheapest_units(futures, results, plans[futures[0].name].design(), started + limit, gap_target,
                        seconds)
    outcome = _solved(futures, plans, results, run, objective, head)
    deadline = started + limit
    _own_optima(futures, outcome, deadline, gap_target, log)
    tighten_bound(outcome, log)
    _bets(futures, outcome, deadline, gap_target, log)
    return outcome


def _solve_extensive(pm: PlatformModel, compiled, n_futures: int, limit: float, gap_target: float,
                     solver_log: Callable[[str], None] | None, head: dict,
                     log: Callable[[str], None]) -> HighsRun:
    """HiGHS on the extensive form for its share of the limit; its status, nodes and size go in
    `head`."""
    seconds = head["seconds"]
    seconds["handover"] = compiled.seconds
    size = ModelSize(
        len(compiled.columns), compiled.binaries, compiled.integers, len(compiled.rows), compiled.nonzeros
    )
    main_limit = max(MIN_SOLVE_S, MAIN_SHARE * limit)
    head["solve_limit_s"] = main_limit
    log(f"robust model over {n_futures} futures: {size.variables:,} variables "
        f"({size.binaries:,} yes/no), {size.constraints:,} constraints; "
        f"solving with HiGHS (time limit {main_limit:.3g} s, gap {gap_target:g})")
    base: dict = {}
    run = run_model(pm, compiled, main_limit, gap_target, None, solver_log, seconds, base, log)
    head.update(highs_status=base.get("highs_status", ""), nodes=base.get("nodes", 0), size=size)
    return run


def _not_found(futures: list[Future], run: HighsRun, head: dict) -> RobustOutcome:
    """HiGHS stopped without a plan and without proving there is none: status unknown."""
    conflicts = [f"No plan was found before the solver stopped ({run.model_status}, "
                 f"after {run.seconds:.1f} s); "
                 "a plan may still exist. Raise time_limit_s on the settings sheet or --time-limit."]
    return RobustOutcome(UNKNOWN, expected_cost_jpy=None, best_bound_jpy=None, gap=None, design=None,
                         futures=[FutureResult(f.name, f.probability, None, None) for f in futures],
                         conflicts=conflicts, **head)


def _broken(futures: list[Future], run: HighsRun, broken: list[str], head: dict) -> RobustOutcome:
    """The solver's plan breaks rules in some future: not a plan, status unknown, the rules listed."""
    bound = None if run.dual_bound is None else run.dual_bound * SCALE_JPY
    return RobustOutcome(UNKNOWN, expected_cost_jpy=None, best_bound_jpy=bound, gap=None, design=None,
                         futures=[FutureResult(f.name, f.probability, None, None) for f in futures],
                         conflicts=[broken_plan(broken)], **head)


def _solved(futures: list[Future], plans: dict[str, Plan], results: list[FutureResult],
            run: HighsRun, objective: str, head: dict) -> RobustOutcome:
    """The robust plan: its expected cost, its bound and gap on the objective minimised, the
    internal check of the solver's cost."""
    expected = sum(r.probability * r.cost_jpy for r in results)
    warnings = _checks(expected if objective == EXPECTED else max(r.cost_jpy for r in results),
                       run.objective * SCALE_JPY)
    target = expected if objective == EXPECTED else max(r.cost_jpy for r in results)
    bound = None if run.dual_bound is None else min(run.dual_bound * SCALE_JPY, target)
    if run.optimal and bound is None:
        bound = target
    outcome = RobustOutcome(
        OPTIMAL if run.optimal else FEASIBLE, expected_cost_jpy=expected, best_bound_jpy=bound,
        gap=relative_gap(target, bound),
        design=plans[futures[0].name].design(), futures=results, conflicts=[], warnings=warnings, **head,
    )
    return outcome


def _cheapest_units(futures: list[Future], results: list[FutureResult], design: Design,
                    deadline: float, gap: float, seconds: dict[str, float]) -> None:
    """With `worst`, the extensive form cares only for the dearest future: the others' units may be
    any that keep it so. Each future gets the cheapest units its design allows (the largest cost
    cannot rise, so the plan stays the least worst case)."""
    started = time.perf_counter()
    limit = _each_gets(deadline, UNITS_SHARE, len(futures))
    better = side_by_side([
        partial(make_plan, f.inp, time_limit_s=limit, mip_rel_gap=gap, design=design, start=r.plan)
        for f, r in zip(futures, results)
    ])
    for f, r, b in zip(futures, results, better):
        if b.plan is not None and b.total_cost_jpy < r.cost_jpy - 1.0:
            r.plan, r.evaluation = b.plan, evaluate(f.inp, b.plan)
    seconds["units per future"] = time.perf_counter() - started


def _checks(evaluated: float, solver: float) -> list[str]:
    out = []
    if evaluated > solver + AGREEMENT_TOLERANCE * max(1.0, abs(evaluated)) + 1.0:
        out.append(f"internal check: the plan's evaluated cost ¥{evaluated:,.0f} "
                   f"is above the solver's ¥{solver:,.0f}")
    return out


def _each_gets(deadline: float, share: float, solves: int) -> float:
    """Seconds for each of `solves` solves run side by side in `share` of what is left."""
    left = share * max(0.0, deadline - time.perf_counter())
    return max(MIN_SOLVE_S, min(left, left * SIDE_BY_SIDE / max(1, solves)))


def _own_optima(futures: list[Future], outcome: RobustOutcome, deadline: float, gap: float, log) -> None:
    """Each future solved on its own, started from the robust plan's units for it."""
    started = time.perf_counter()
    limit = _each_gets(deadline, OWN_SHARE / (OWN_SHARE + BETS_SHARE), len(futures))
    owns = side_by_side([partial(make_plan, f.inp, time_limit_s=limit, mip_rel_gap=gap, start=r.plan)
                         for f, r in zip(futures, outcome.futures)])
    for f, r, own in zip(futures, outcome.futures, owns):
        r.own = own
        log(f"future {f.name}: own optimum ¥{own.total_cost_jpy or 0:,.0f} ({own.status}); "
            f"with the robust design ¥{r.cost_jpy:,.0f}")
    outcome.seconds["own optima"] = time.perf_counter() - started


def bound_without_shared_design(outcome: RobustOutcome) -> float | None:
    """A lower bound from each future solved on its own: letting every future take its own design
    (the Lagrangian relaxation of "one design for every future" with zero multipliers) can only
    lower the cost, so any one design costs in expectation at least Σ probability × each future's
    own bound, and in its dearest future at least the largest own bound. None when a future's own
    solve proved no bound."""
    bounds = []
    for r in outcome.futures:
        own = r.own
        if own is None or own.total_cost_jpy is None:
            return None
        if own.best_bound_jpy is not None:
            bounds.append((r.probability, min(own.best_bound_jpy, own.total_cost_jpy)))
        elif own.status == OPTIMAL and not own.gap:  # solved without a search (nothing to choose)
            bounds.append((r.probability, own.total_cost_jpy))
        else:
            return None
    if outcome.objective == EXPECTED:
        return sum(p * b for p, b in bounds)
    return max(b for _p, b in bounds)


def tighten_bound(outcome: RobustOutcome, log: Callable[[str], None] = lambda _t: None) -> None:
    """Take the futures-alone bound where it beats the robust search's: the gap shrinks, and the
    plan is proven when the gap reaches the target, even if the search stopped at its limit."""
    alone = bound_without_shared_design(outcome)
    target = outcome.expected_cost_jpy if outcome.objective == EXPECTED else outcome.worst_cost_jpy
    searched = outcome.best_bound_jpy
    if alone is None or target is None or (searched is not None and alone <= searched):
        return
    outcome.best_bound_jpy = min(alone, target)
    outcome.gap = relative_gap(target, outcome.best_bound_jpy)
    outcome.bound_from = FUTURES_ALONE
    if outcome.gap <= outcome.mip_rel_gap:
        outcome.status = OPTIMAL
    log(f"bound from each future solved on its own: ¥{outcome.best_bound_jpy:,.0f}, "
        f"gap {100 * outcome.gap:.2f} %")


def _bets(futures: list[Future], outcome: RobustOutcome, deadline: float, gap: float, log) -> None:
    """Each future's own design committed to in every other future (units re-optimised)."""
    started = time.perf_counter()
    designs = {
        g.name: g.own.plan.design()
        for g in outcome.futures if g.own is not None and g.own.plan is not None
    }
    pairs = [(g, f) for g in outcome.futures if g.name in designs for f in futures if g.name != f.name]
    limit = _each_gets(deadline, 1.0, len(pairs))
    solved = side_by_side([
        partial(make_plan, f.inp, time_limit_s=limit, mip_rel_gap=gap, design=designs[g.name])
        for g, f in pairs
    ])
    by_pair = {(g.name, f.name): o for (g, f), o in zip(pairs, solved)}
    for g in outcome.futures:
        if g.name in designs:
            outcomes = {f.name: g.own if f.name == g.name else by_pair[g.name, f.name] for f in futures}
            outcome.bets.append(Bet(g.name, designs[g.name], outcomes))
    outcome.seconds["bets"] = time.perf_counter() - started
    log(f"regret matrix: {len(outcome.bets)} designs in {len(futures)} futures "
        f"({outcome.seconds['bets']:.1f} s)")


def _no_plan(futures: list[Future], findings: list[Finding], head: dict, log) -> RobustOutcome:
    """No single design serves every future: which futures and which rules conflict."""
    diagnosis = diagnose(futures, findings, time_limit_s=head["time_limit_s"], log=log)
    return RobustOutcome(
        INFEASIBLE, expected_cost_jpy=None, best_bound_jpy=None, gap=None, design=None,
        futures=[FutureResult(f.name, f.probability, None, None) for f in futures],
        conflicts=diagnosis.conflicts(), diagnosis=diagnosis, **head,
    )
