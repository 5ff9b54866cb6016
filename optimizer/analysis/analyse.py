"""Everything the report says beyond the plan itself, computed once per case."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from optimizer.analysis.allocation import WhoPays, who_pays
from optimizer.analysis.compliance import Check, kei_checks
from optimizer.analysis.conclusion import conclusion
from optimizer.analysis.cost_per_car import CarCost, cost_per_car
from optimizer.analysis.limits import LimitsAnalysis, analyse_limits
from optimizer.analysis.sharing import Sharing, sharing
from optimizer.solving.case import Case


@dataclass
class CaseAnalysis:
    checks: list[Check] = field(default_factory=list)
    limits: LimitsAnalysis | None = None
    cars: dict[str, CarCost] = field(default_factory=dict)
    pays: WhoPays | None = None
    sharing: Sharing | None = None
    conclusion: list[str] = field(default_factory=list)
    seconds: float = 0.0


def analyse(case: Case, *, what_ifs: bool = True, seconds: float | None = None) -> CaseAnalysis:
    """`what_ifs`: re-solve small MIPs for rules on discrete choices (about 0.1 s each); `seconds`:
    the time the analysis may take (None: as long as it needs, with its usual what-if budget)."""
    started = time.perf_counter()
    o, inp = case.outcome, case.plan_input
    out = CaseAnalysis()
    if o.plan is not None and o.evaluation is not None:
        out.checks = kei_checks(inp, o.plan, o.evaluation)
        if seconds is None:
            out.limits = analyse_limits(inp, o.plan, o.evaluation, what_ifs=what_ifs)
        else:
            model = o.seconds.get("build", 0.0) + o.seconds.get("handover", 0.0)
            out.limits = analyse_limits(inp, o.plan, o.evaluation, what_ifs=what_ifs, budget_s=seconds,
                                        marginals_s=2.5 * model + 0.1)
        out.cars = cost_per_car(inp, o.plan, o.evaluation)
        out.pays = who_pays(case)
        base = case.baseline.evaluation if case.baseline is not None and case.baseline is not o else None
        out.sharing = sharing(inp, o.plan, o.evaluation, base)
    out.conclusion = conclusion(case, out.cars, out.limits, out.pays)
    out.seconds = time.perf_counter() - started
    return out
