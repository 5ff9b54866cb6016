"""What a worker computes for one case, and the compact record it sends back.

A job is a plain frozen dataclass holding the case's validated input (models.data.PlanInput) and
what to compute; the executor (optimizer.sweeps.engine) only calls `job.run()` in a worker, so a
new kind of case is a new job class and nothing else: the cheapest plan (PlanJob), a committed
design with its units re-planned (DesignJob), the cheapest plan within a development cap
(CappedJob, a point of a Pareto front). Never a Pyomo model travels: the worker builds its own.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Protocol

from models.data import PlanInput
from models.plan import Design

PLAN = "plan"  # what PlanJob computes, part of every case's key
CONFLICTS_KEPT = 5  # sentences of a case without a plan kept in its record (the rules: all of them)


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
        return solved(self.plan_input, self.time_limit_s, self.mip_rel_gap)


@dataclass(frozen=True)
class DesignJob:
    """A committed design (offers, options, packs, launch years) kept in one case: units, plants
    and lines re-planned. A design that cannot serve the case comes back without a plan, with the
    rules it breaks."""

    key: str
    plan_input: PlanInput
    design: Design
    time_limit_s: float | None = None
    mip_rel_gap: float | None = None

    def run(self) -> dict:
        return solved(self.plan_input, self.time_limit_s, self.mip_rel_gap, design=self.design)


@dataclass(frozen=True)
class CappedJob:
    """The cheapest plan that pays for at most `max_developments` developments of options and
    packs: one point of the commonality front."""

    key: str
    plan_input: PlanInput
    max_developments: int
    time_limit_s: float | None = None
    mip_rel_gap: float | None = None

    def run(self) -> dict:
        cap = self.max_developments
        record = solved(self.plan_input, self.time_limit_s, self.mip_rel_gap, max_developments=cap)
        if record["status"] in ("optimal", "feasible") and len(record["developed"]) > self.max_developments:
            record["warnings"].append(  # the model and the evaluation count developments differently
                f"internal check: the plan develops {len(record['developed'])} options and packs, above the "
                f"cap of {self.max_developments}"
            )
        return record


def solved(inp: PlanInput, time_limit_s: float | None, mip_rel_gap: float | None, **how) -> dict:
    """make_plan on `inp` (`how`: a design to keep, a development cap), as a record."""
    from optimizer.solving.solve import make_plan

    started = time.perf_counter()
    outcome = make_plan(inp, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap, **how)
    return plan_record(inp, outcome, time.perf_counter() - started)


def plan_record(inp: PlanInput, outcome, seconds: float) -> dict:
    """A solved case as plain JSON values, a few hundred bytes: status and cost, what is offered
    (units), each variant's pack, launch year and range, what is developed and which developments
    serve several brands; without a plan, the rules that break (`broken`, one label per rule,
    the same in every case it breaks in) and the first sentences saying so."""
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
        record["broken"] = broken_rules(outcome)
        record["conflicts"] = list(outcome.conflicts[:CONFLICTS_KEPT])
        return record
    record["range_km"] = {}
    if inp.years:
        record["launch"] = {}
    for v in inp.variants:
        vp = plan.variants[v.name]
        if vp.offered:
            record["offered"][v.name] = vp.units
            record["packs"][v.name] = vp.pack
            record["range_km"][v.name] = ev.figures[v.name].range_km
            if inp.years:
                record["launch"][v.name] = vp.launch_year
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


_NUMBER = re.compile(r"[¥$]?[-+]?\d[\d,]*(\.\d+)?( ?%)?")
_PREFIX = "The design breaks a rule: "


def broken_rules(outcome) -> dict[str, str]:
    """The rules a case without a plan breaks: a label per rule, alike in every case it breaks in
    (the diagnosis's rules to change, `plant capacity: Mizushima (plants, capacity_units)`, else
    each sentence with its figures taken out, `variant Honda hatch: range … km below target … km`),
    and this case's sentence saying it."""
    diagnosis = getattr(outcome, "diagnosis", None)
    out: dict[str, str] = {}
    if diagnosis is not None:
        out.update({_without_figures(f.text): f.text for f in diagnosis.findings})
        for m in diagnosis.moves:
            where = f" in future {m.future}" if m.future else ""
            out.setdefault(f"{m.rule}: {m.record} ({m.sheet}, {m.column}){where}", m.text)
    if not out:
        for sentence in outcome.conflicts:
            out.setdefault(_without_figures(sentence), sentence)
    return out


def _without_figures(sentence: str) -> str:
    text = sentence[len(_PREFIX):] if sentence.startswith(_PREFIX) else sentence
    return _NUMBER.sub("…", text).replace(" in … ", " ").rstrip(".")  # " in 2027": every year alike
