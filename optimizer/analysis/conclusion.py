"""The Summary sheet's conclusion: a few sentences a planner could forward as they are."""

from __future__ import annotations

from models.evaluate import COST_KINDS
from optimizer.analysis.allocation import WhoPays
from optimizer.analysis.certainty import Bracket, between, cost_bracket, percent, saving_bracket, share_bracket, signed_yen, why_unproven
from optimizer.analysis.cost_per_car import CarCost
from optimizer.analysis.limits import LP_BASIS, LimitsAnalysis, yen
from optimizer.analysis.programme import programme_sentences
from optimizer.solving.case import Case
from optimizer.text import horizon, units_per


def _names(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def conclusion(case: Case, cars: dict[str, CarCost], limits: LimitsAnalysis | None, pays: WhoPays | None) -> list[str]:
    inp, o = case.plan_input, case.outcome
    if o.plan is None or o.evaluation is None:
        return [f"No plan: {o.conflicts[0] if o.conflicts else o.status}"]
    ev = o.evaluation
    offered = o.plan.offered()
    units = sum(o.plan.variants[v].units for v in offered)
    lifecycle = sum(c.lifecycle_units for c in cars.values())
    packs = [p.name for p in inp.packs if any(o.plan.variants[v].pack == p.name for v in offered)]
    out = [
        f"The plan offers {len(offered)} of {len(inp.variants)} variants ({_names(offered)}) on "
        f"{len(packs)} pack{'s' if len(packs) != 1 else ''} ({_names(packs)}), {units:,.0f} {units_per(inp)}, "
        f"for {yen(ev.total_cost_jpy)} {horizon(inp)}"
        + (f", {yen(ev.total_cost_jpy / lifecycle)} a car on average." if lifecycle > 0 else ".")
    ]
    dropped = [v.name for v in inp.variants if v.name not in offered]
    if dropped:
        out[-1] += f" Not offered: {_names(dropped)}."
    out += programme_sentences(inp, o.plan, ev)
    biggest = max(COST_KINDS, key=lambda k: ev.costs[k])
    if ev.total_cost_jpy > 0:  # a plan that offers nothing costs nothing
        out.append(f"The largest cost is {biggest} ({percent(ev.costs[biggest] / ev.total_cost_jpy)} of the total).")
    out += _proof(o)
    out += _sharing(case, pays)
    if limits is not None:
        lp = [x for x in limits.limits if x.basis == LP_BASIS and x.worth_jpy]
        other = [x for x in limits.limits if x.basis != LP_BASIS and x.worth_jpy]
        if lp:
            top = max(lp, key=lambda x: abs(x.worth_jpy))
            out.append(f"The binding limit worth most: {top.sentence}")
        if other:
            top = max(other, key=lambda x: abs(x.worth_jpy))
            out.append(f"The costliest small change of a design rule: {top.sentence}")
    return out


def _proof(o) -> list[str]:
    """Whether the plan is proven the cheapest, in words."""
    cost = cost_bracket(o)
    if cost is None:
        return []
    if cost.proven and o.gap is not None:
        within = f"to cost at most {percent(o.gap)} more than the cheapest possible" if o.gap else "the cheapest possible"
        return [f"The plan is proven {within} (the gap target is {percent(o.mip_rel_gap)})."]
    how_far = f"{percent(o.gap)} from proof" if o.gap is not None else "with no bound"
    return [
        f"Not proven the cheapest: the solver stopped at its time limit {how_far}, so the cheapest plan "
        f"costs {between(cost)}; more time (time_limit_s) narrows this."
    ]


def _sharing(case: Case, pays: WhoPays | None) -> list[str]:
    saving, share = saving_bracket(case), share_bracket(case)
    if saving is None or share is None or case.baseline is case.outcome:
        return []
    if saving.certain:
        out = [f"Sharing parts and packs across brands saves {signed_yen(saving.value)} ({percent(share.value)}) against each brand developing its own."]
    else:
        out = [
            f"Sharing parts and packs across brands saves {between(saving)} ({between(share, percent)}) against each brand "
            f"developing its own — {why_unproven(case)}; the plans found differ by {signed_yen(saving.value)} ({percent(share.value)})."
        ]
    if pays is not None and all(b.shapley_jpy is not None for b in pays.brands) and len(pays.brands) > 1:
        split = "Splitting the saving equally (Shapley), " + _names([f"{b.brand} pays {yen(b.shapley_jpy)}" for b in pays.brands])
        out.append(split + ("." if saving.certain else f", on the plans found; {_shapley_doubt(saving)}."))
    return out


def _shapley_doubt(saving: Bracket) -> str:
    if saving.low is None or saving.high is None:
        return "with no bound on the saving, the split is not known"
    return f"with the saving {between(saving)}, each brand's share may move by up to {yen((saving.high - saving.low) / 2)}"
