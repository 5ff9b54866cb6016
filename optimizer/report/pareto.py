"""The first sheets of a Pareto sweep workbook: the front (a table and a chart of cost against the
bound ε) and the plan at each point (what is offered, each variant's pack, what is developed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.report.charts import CHART_YEN_BN
from optimizer.report.style import (
    KM,
    NOTE_FONT,
    TITLE_FONT,
    WHOLE,
    YEN,
    Col,
    paragraphs,
    print_setup,
    put,
    write_table,
)
from optimizer.report.sweep_sheets import DELTA_YEN, wrap_columns
from optimizer.sweeps.summary import decision_changes

if TYPE_CHECKING:
    from optimizer.sweeps.pareto import Point
    from optimizer.sweeps.run import SweepOutcome


def write_front(ws: Worksheet, plans: Worksheet, outcome: SweepOutcome) -> None:
    s = outcome.summary
    axis, points = s.axis, s.points()
    ws.title = "Front"
    commonality = axis.kind == "commonality"
    title = (
        "What commonality costs: the cheapest plan with at most ε developments of options and packs"
        if commonality
        else f"What range costs: the cheapest plan with {axis.variant}'s range target at ε km"
    )
    put(ws, 1, 1, title).font = TITLE_FONT
    r = paragraphs(ws, 2, intro(outcome, points), columns=10, font=NOTE_FONT)
    header = r + 1
    cols = [
        Col("ε: at most … developments", WHOLE) if commonality else Col("ε: range target (km)", KM),
        Col("status"),
        Col("total cost on the front (¥)", YEN),
        Col("total cost, dominated (¥)", YEN),
        Col("Δ vs the cheapest plan (¥)", DELTA_YEN),
        Col("Δ vs the point before (¥)", DELTA_YEN),
        Col("developments in the plan", WHOLE),
        Col("variants offered") if commonality else Col(f"{axis.variant}'s range (km)", KM),
        Col("on the front?", width=46),
    ]
    base_cost, rows, before = s.unconstrained_cost(), [], None
    for p in points:
        cost = p.total_cost_jpy
        rec = p.record
        dominated = p.dominated_by is not None
        if commonality:
            reach = ", ".join(rec.get("offered") or {})
        else:
            reach = rec.get("range_km", {}).get(axis.variant)
        rows.append(
            [
                p.epsilon,
                p.status,
                cost if not dominated else None,
                cost if dominated else None,
                _delta(cost, base_cost),
                _delta(cost, before),
                len(rec.get("developed") or []) if p.has_plan else None,
                reach if p.has_plan else None,
                verdict(p, axis),
            ]
        )
        before = cost if cost is not None else before
    end = write_table(ws, cols, rows, first_row=header)
    wrap_columns(ws, [9], first_row=header + 1)
    ws.row_dimensions[header].height = 30
    if len(rows) > 1:
        ws.add_chart(front_chart(ws, axis, header, end - 1), f"K{header}")
    print_setup(ws, title_rows=f"{header}:{header}")
    write_plans(plans, outcome, points)


def intro(outcome: SweepOutcome, points: list[Point]) -> list[str]:
    s = outcome.summary
    axis = s.axis
    if not points or not points[0].has_plan:
        status = points[0].status if points else "not solved"
        return [f"The workbook as it stands has no plan ({status}): there is no front to draw."]
    with_plan = [p for p in points if p.has_plan]
    first, last = with_plan[0], with_plan[-1]
    lines = []
    low, high = _bn(first.total_cost_jpy), _bn(last.total_cost_jpy)
    more = _bn(last.total_cost_jpy - first.total_cost_jpy)
    if axis.kind == "commonality":
        lines.append(
            f"The cheapest plan develops {first.epsilon:,.0f} options and packs for {low}; the fewest any "
            f"plan gets by with is {axis.achieved(last.record):,.0f}, for {high} (+{more})."
        )
    else:
        lines.append(
            f"At its target of {first.epsilon:,.6g} km the cheapest plan costs {low}; at "
            f"{last.epsilon:,.6g} km {high} (+{more})."
        )
    if not points[-1].has_plan:
        why = " ".join(points[-1].record.get("conflicts") or [])
        lines.append(f"No plan at ε = {points[-1].epsilon:,.6g}: {why}")
    lines.append(
        "Each point is the cheapest plan within its bound, fully re-optimised; a point whose bound is met by "
        "the proven-optimal plan of a looser one is that plan (no solve needed). The Plans sheet shows each "
        f"point's plan. The grid: {s.grid.note}." if s.grid is not None else ""
    )
    return [line for line in lines if line]


def verdict(p: Point, axis) -> str:
    if not p.has_plan:
        return "no plan: the front ends here"
    if p.dominated_by is not None:
        better = "fewer developments" if axis.kind == "commonality" else "more range"
        return f"dominated: the plan at ε = {p.dominated_by:,.6g} has {better} or costs less"
    if p.answered_by is not None:
        return f"yes: the plan of ε = {p.answered_by:,.6g} meets this bound too"
    return "yes"


def front_chart(ws: Worksheet, axis, header: int, last_row: int) -> ScatterChart:
    """Total cost against ε: the front's points joined, dominated points on their own."""
    chart = ScatterChart()
    chart.title = "Total cost against " + ("the developments allowed" if axis.kind == "commonality" else
                                           f"{axis.variant}'s range target")
    chart.style = 13
    chart.x_axis.title = "at most ε developments" if axis.kind == "commonality" else "range target (km)"
    chart.y_axis.title = "total cost"
    chart.y_axis.numFmt = CHART_YEN_BN
    chart.y_axis.number_format = CHART_YEN_BN
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 22, 11
    x = Reference(ws, min_col=1, min_row=header + 1, max_row=last_row)
    for col, name, line in ((3, "on the front", True), (4, "dominated", False)):
        y = Reference(ws, min_col=col, min_row=header + 1, max_row=last_row)
        series = Series(y, x, title=name)
        series.marker.symbol = "circle" if line else "x"
        series.marker.size = 7
        if not line:
            series.graphicalProperties.line.noFill = True
        chart.series.append(series)
    chart.legend.position = "b"
    return chart


def write_plans(ws: Worksheet, outcome: SweepOutcome, points: list[Point]) -> None:
    put(ws, 1, 1, "The plan at each point of the front").font = TITLE_FONT
    put(ws, 2, 1, "+ developed (offered) at this point and not in the plan compared with, - the reverse; "
        "packs and launch years: variant: before -> at this point.").font = NOTE_FONT
    base = outcome.summary.base.record if outcome.summary.base is not None else {}
    years = any(p.record.get("launch") for p in points)
    cols = [
        Col("ε"), Col("status"), Col("total cost (¥)", YEN),
        Col("variants offered (units)", width=34), Col("packs", width=34), Col("developments", WHOLE),
        Col("what changes from the point before", width=44),
        Col("developed, against the cheapest plan", width=44),
        Col("offers and packs, against the cheapest plan", width=34),
    ] + ([Col("launch years", width=30)] if years else [])
    rows, before = [], None
    for p in points:
        rec = p.record
        if not p.has_plan:
            blank = [""] if years else []
            rows.append([p.epsilon, p.status, None, "", "", None, "no plan", "", "", *blank])
            continue
        ch = decision_changes(base, rec)
        offered = ", ".join(f"{v} ({u:,.0f})" for v, u in (rec.get("offered") or {}).items())
        packs = ", ".join(f"{v}: {pk}" for v, pk in (rec.get("packs") or {}).items())
        same = "as the cheapest plan"
        row = [
            p.epsilon, p.status, p.total_cost_jpy, offered, packs, len(rec.get("developed") or []),
            _step(before, rec),
            ", ".join(ch["developed"]) or same,
            ", ".join(ch["offers"] + ch["packs"]) or same,
        ]
        if years:
            row.append(", ".join(f"{v}: {t}" for v, t in (rec.get("launch") or {}).items()))
        rows.append(row)
        before = rec
    write_table(ws, cols, rows, first_row=4)
    wrap_columns(ws, range(4, 11), first_row=5)
    ws.row_dimensions[4].height = 30
    print_setup(ws, title_rows="4:4")


def step_changes(before: dict, after: dict) -> list[str]:
    """The design decisions that change from one point's plan to the next (units aside: they move
    with every change)."""
    ch = decision_changes(before, after)
    return [x for kind in ("offers", "packs", "developed", "shared parts", "launch years") for x in ch[kind]]


def _step(before: dict | None, after: dict) -> str:
    if before is None:
        return "the cheapest plan"
    return ", ".join(step_changes(before, after)) or "the same plan"


def _bn(jpy: float) -> str:
    return f"¥{jpy / 1e9:,.2f} bn"


def _delta(cost: float | None, reference: float | None) -> float | None:
    return cost - reference if cost is not None and reference is not None else None
