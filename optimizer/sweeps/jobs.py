"""What a worker computes for one case, and the compact record it sends back.

A job is a plain frozen dataclass holding the case's validated input (models.data.PlanInput) and
what to compute; the executor (optimizer.sweeps.engine) only calls `job.run()` in a worker, so a
new kind of case (a kept design re-optimised, an epsilon-constraint point) is a new job class and
nothing else. Never a Pyomo model travels: the worker builds its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from models.data import PlanInput

PLAN = "plan"  # what PlanJob computes, part of every case's key


class Job(Protocol):
    """Anything the engine can run: a key naming its inputs, and `run()` in a worker."""

    key: str

    def run(self) -> object: ...


@dataclass(frozen=True)
class PlanJob:
    """The cheapest plan of one case (no sharing baseline, no report): a sweep's case."""

    key: str
    plan_input: PlanInput
    time_limit_s: float | None = None
    mip_rel_gap: float | None = None

    def run(self) -> dict:
        from optimizer.solving.solve import make_plan

        started = time.perf_counter()
        outcome = make_plan(self.plan_input, time_limit_s=self.time_limit_s, mip_rel_gap=self.mip_rel_gap)
        return plan_record(self.plan_input, outcome, time.perf_counter() - started)


def plan_record(inp: PlanInput, outcome, seconds: float) -> dict:
    """A solved case as plain JSON values, a few hundred bytes: status and cost, what is offered
    (units), each variant's pack, what is developed and which developments serve several brands."""
    from optimizer.analysis.sharing import sharing

    record: dict = {
        "status": outcome.status,
        "total_cost_jpy": outcome.total_cost_jpy,
        "best_bound_jpy": outcome.best_bound_jpy,
        "gap": outcome.gap,
        "seconds": seconds,
        "offered": {},
        "packs": {},
        "developed": [],
        "shared": [],
        "cost_by_kind_jpy": {},
        "warnings": list(outcome.warnings),
    }
    plan, ev = outcome.plan, outcome.evaluation
    if plan is None or ev is None:
        return record
    for v in inp.variants:
        vp = plan.variants[v.name]
        if vp.offered:
            record["offered"][v.name] = vp.units
            record["packs"][v.name] = vp.pack
    record["developed"] = sorted(
        {
            d.item if d.brand is None else f"{d.item} ({d.brand})"
            for d in ev.developments
            if d.kind in ("option", "pack")
        }
    )
    shared = sharing(inp, plan, ev, None)
    record["shared"] = sorted(
        {
            i.option if i.category == "pack" else f"{i.category}/{i.option}"
            for i in shared.items
            if i.serves_several_brands
        }
    )
    record["cost_by_kind_jpy"] = dict(ev.costs)
    return record
