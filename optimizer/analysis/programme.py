"""The programme in a planner's words: when each variant launches and why, year by year.

A launch year is the plan's choice within the variant's window. The reason given is the first that
holds, checked against the workbook's own figures: the chosen build broke the unit cost ceiling the
year before (it launches when its pack and parts fall under it), a demand row first asks for units
it covers, the window opens, or — the plan being the cheapest — selling any earlier would only add
cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.data import PlanInput
from models.evaluate import Evaluation, list_cost_in
from models.plan import Plan


@dataclass(frozen=True)
class Launch:
    variant: str
    year: str
    window: tuple[str, str]
    reason: str  # completes "launches in 2029, ..."


def launches(inp: PlanInput, plan: Plan, ev: Evaluation) -> list[Launch]:
    """Every offered variant's launch year and why, in the workbook's variant order (programmes only)."""
    if not inp.years:
        return []
    names = [y.name for y in inp.years]
    out = []
    for v in inp.variants:
        vp = plan.variants.get(v.name)
        if vp is None or not vp.offered or vp.launch_year not in names:
            continue
        window = inp.launch_window(v)
        out.append(Launch(v.name, vp.launch_year, (window[0].name, window[-1].name), _reason(inp, v, vp, ev, names)))
    return out


def _reason(inp: PlanInput, v, vp, ev: Evaluation, names: list[str]) -> str:
    i = names.index(vp.launch_year)
    window = [y.name for y in inp.launch_window(v)]
    year = inp.years[i]
    if i == 0:
        return "the programme's first year" + (", as its launch window requires" if window == [names[0]] else "")
    if v.max_unit_cost_jpy is not None and vp.launch_year != window[0]:
        before = inp.years[i - 1]
        cost, ceiling = list_cost_in(v, ev.figures[v.name], before), v.max_unit_cost_jpy * before.ceiling_factor
        if cost > ceiling:
            return (f"when its build (pack {vp.pack}) falls under its unit cost ceiling: in {before.name} it would cost "
                    f"¥{cost:,.0f} against ¥{ceiling:,.0f}")
    for scope in ("variant", "body_style", "brand", "total"):  # the most specific demand first
        rows = [d for d in inp.demand if d.scope == scope and d.covers(v)]
        now, earlier = _need(rows, year), _need(rows, inp.years[i - 1])
        if now[0] > 0 and earlier[0] <= 0:
            return f"when {now[1].label} ({now[1].title}) first asks for units: at least {now[0]:,.0f} in {year.name}"
    if vp.launch_year == window[0]:
        return "as soon as its launch window opens"
    return "the cheapest year to start: selling earlier would only add cost"


def _need(rows, year) -> tuple[float, object]:
    """The largest minimum the rows ask for in a year, and the row asking it."""
    best = (0.0, None)
    for d in rows:
        bounds = d.bounds_in(year)
        if bounds is not None and (bounds[0] or 0) > best[0]:
            best = (bounds[0], d)
    return best


def programme_sentences(inp: PlanInput, plan: Plan, ev: Evaluation) -> list[str]:
    """The Summary's sentences about time: each launch and why, and what the years cost."""
    found = launches(inp, plan, ev)
    if not found:
        return []
    out = [f"{x.variant} launches in {x.year}" + (f", {x.reason}." if not x.reason.startswith("the programme") else f": {x.reason}.")
           for x in found]
    paid = ev.undiscounted_cost_jpy
    out.append(
        f"Over {inp.years[0].name}–{inp.years[-1].name} the programme pays ¥{paid / 1e9:,.1f} bn, "
        f"¥{ev.total_cost_jpy / 1e9:,.1f} bn in present value."
    )
    return out
