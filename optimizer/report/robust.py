"""The report of `plan solve --robust`: what the JV commits to, what it costs in each future against
that future's own best plan, and what betting on one future's design would cost if another came.

Sheets: Summary (the conclusion), Futures (cost, own optimum, regret, EVPI; the regret matrix and
its chart), Design (the committed variants, parts, packs, launch years), Units (each future's
units by variant and year), Diagnosis (when no design serves every future), Provenance.
"""

from __future__ import annotations

import datetime as _dt
from importlib import metadata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.limits import yen
from optimizer.files import save_atomically
from optimizer.pipeline import RobustCase
from optimizer.report.charts import CHART_YEN_BN, add_table_series, bar_chart
from optimizer.report.json_out import robust_json
from optimizer.report.embedded import embed
from optimizer.report.style import (
    NOTE_FONT, PERCENT, SECTION_FONT, TITLE_FONT, UNITS, YEN, Col, finish_printing, key_values, paragraphs, print_setup, put, write_table,
)
from optimizer.solving.solve import FEASIBLE, OPTIMAL

CANNOT = "cannot serve"


def write_robust_report(path: Path, case: RobustCase) -> Path:
    wb = build_robust_report(case, str(path))
    return save_atomically(path, wb.save, inputs=(case.source.workbook,))


def build_robust_report(case: RobustCase, report_path: str | None = None) -> Workbook:
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    o = case.outcome
    if o.status in (OPTIMAL, FEASIBLE):
        _futures(wb.create_sheet("Futures"), case)
        _design(wb.create_sheet("Design"), case)
        _units(wb.create_sheet("Units"), case)
    else:
        _diagnosis(wb.create_sheet("Diagnosis"), case)
    _provenance(wb.create_sheet("Provenance"), case, report_path)
    _summary(summary, case)
    finish_printing(wb)
    embed(wb, {"robust": robust_json(case, report_path)})
    return wb


def conclusion(case: RobustCase) -> list[str]:
    """The Summary's sentences: the commitment, its insurance cost and what knowing would be worth."""
    o = case.outcome
    if o.status not in (OPTIMAL, FEASIBLE):
        return ["No single design serves every future: " + " ".join(o.conflicts)]
    plan = o.futures[0].plan
    inp = case.futures[0].inp
    offered = [v for v in inp.variants if plan.variants[v.name].offered]
    cars = "; ".join(
        f"{v.name} ({plan.variants[v.name].pack}" + (f", launching {plan.variants[v.name].launch_year}" if inp.years else "") + ")"
        for v in offered
    )
    out = [f"The plan commits, in every future, to {len(offered)} cars: {cars}."]
    out.append(f"Its expected total cost is {yen(o.expected_cost_jpy)} over the futures; the worst future, "
               f"{max(o.futures, key=lambda r: r.cost_jpy).name}, costs {yen(o.worst_cost_jpy)}.")
    base = next((b for b in o.bets if b.design_of == case.futures[0].name), None)
    probability = {f.name: f.probability for f in case.futures}
    if base is not None:
        differs = _differences(inp, base.outcomes[case.futures[0].name].plan, plan)
        bet = base.expected_jpy(probability)
        if not differs:
            out.append(f"It is the design that is best for the {case.futures[0].name} future alone: no insurance is needed.")
        elif bet is None:
            broken = [f for f, x in base.outcomes.items() if x.total_cost_jpy is None]
            out.append(f"Against the design best for {case.futures[0].name} alone it changes {differs}; that design cannot serve "
                       f"{', '.join(broken)} at all, so the change is what makes the plan stand in every future.")
        else:
            insurance = o.expected_cost_jpy - bet
            own = o.futures[0].regret_jpy or 0.0
            out.append(f"Against the design best for {case.futures[0].name} alone it changes {differs}: that costs "
                       f"{yen(own)} more if {case.futures[0].name} comes, and saves {yen(-insurance)} in expectation."
                       if insurance < 0 else
                       f"Against the design best for {case.futures[0].name} alone it changes {differs}, "
                       f"at an expected {yen(insurance)}.")
    if o.evpi_jpy is not None:
        out.append(f"Knowing in advance which future comes would be worth {yen(o.evpi_jpy)} (EVPI): the most it is worth paying to "
                   "find out before committing.")
    if o.gap:
        out.append(f"The search stopped {o.gap:.2%} from proven optimal; the figures are those of the best plan found.")
    return out


def _differences(inp, before, after) -> str:
    out = []
    for v in inp.variants:
        b, a = before.variants[v.name], after.variants[v.name]
        if b.offered != a.offered:
            out.append(f"{'adds' if a.offered else 'drops'} {v.name}")
        elif a.offered:
            if a.pack != b.pack:
                out.append(f"{v.name}'s pack {b.pack} → {a.pack}")
            out += [f"{v.name}'s {c} {b.options.get(c, 'none')} → {a.options.get(c, 'none')}"
                    for c in sorted(set(a.options) | set(b.options)) if a.options.get(c) != b.options.get(c)]
            if a.launch_year != b.launch_year:
                out.append(f"{v.name}'s launch {b.launch_year} → {a.launch_year}")
    return "; ".join(out)


def _summary(ws: Worksheet, case: RobustCase) -> None:
    o = case.outcome
    put(ws, 1, 1, "One plan for every future").font = TITLE_FONT
    r = key_values(ws, [
        ("Workbook", str(case.source.workbook), None),
        ("Status", o.status, None),
        ("Objective", "least worst-case cost" if o.objective == "worst" else "least expected cost", None),
        ("Expected total cost (¥)", o.expected_cost_jpy, YEN),
        ("Worst future's cost (¥)", o.worst_cost_jpy, YEN),
        ("Value of knowing the future, EVPI (¥)", o.evpi_jpy, YEN),
    ], first_row=3)
    put(ws, r + 1, 1, "Conclusion").font = SECTION_FONT
    paragraphs(ws, r + 2, conclusion(case), columns=6)
    ws.column_dimensions["A"].width = 38
    for c in "BCDEF":
        ws.column_dimensions[c].width = 18
    print_setup(ws, landscape=False)


def _futures(ws: Worksheet, case: RobustCase) -> None:
    o = case.outcome
    put(ws, 1, 1, "Each future under the committed design, and on its own").font = TITLE_FONT
    rows = [[r.name, r.probability, r.cost_jpy, r.own_optimum_jpy, r.regret_jpy] for r in o.futures]
    rows.append(["expected", 1.0, o.expected_cost_jpy, sum(r.probability * (r.own_optimum_jpy or 0) for r in o.futures), o.evpi_jpy])
    cols = [Col("future"), Col("probability", PERCENT), Col("cost with the committed design (¥)", YEN),
            Col("its own optimum (¥)", YEN), Col("regret (¥)", YEN)]
    r = write_table(ws, cols, rows, first_row=3)
    put(ws, r, 1, "Regret is the cost with the committed design minus the future's own optimum; on the expected row it is "
        "the EVPI.").font = NOTE_FONT
    r += 2
    put(ws, r, 1, "Regret matrix: each design committed to in every future (units re-optimised)").font = SECTION_FONT
    names = [f.name for f in case.futures]
    probability = {f.name: f.probability for f in case.futures}
    header = r + 1
    matrix = [["committed (robust)"] + [x.cost_jpy for x in o.futures] + [o.expected_cost_jpy]]
    notes = []
    for b in o.bets:
        row = [f"best for {b.design_of}"]
        for f in names:
            x = b.outcomes.get(f)
            row.append(x.total_cost_jpy if x is not None and x.total_cost_jpy is not None else CANNOT)
            if x is not None and x.total_cost_jpy is None:
                notes.append(f"The design best for {b.design_of} cannot serve {f}: " + " ".join(x.conflicts))
        row.append(b.expected_jpy(probability) if b.expected_jpy(probability) is not None else CANNOT)
        matrix.append(row)
    end = write_table(ws, [Col("design")] + [Col(f"in {f} (¥)", YEN) for f in names] + [Col("expected (¥)", YEN)], matrix,
                      first_row=header, freeze=False)
    r = paragraphs(ws, end, notes, columns=len(names) + 2, font=NOTE_FONT) if notes else end
    chart = bar_chart("Cost in each future: the committed design against each bet", None, number_format=CHART_YEN_BN,
                      width=22, height=9)
    add_table_series(chart, ws, header_row=header, first_row=header + 1, last_row=header + len(matrix),
                     category_col=1, first_col=2, last_col=1 + len(names))
    ws.add_chart(chart, f"A{r + 1}")
    print_setup(ws, title_rows="1:3")


def _design(ws: Worksheet, case: RobustCase) -> None:
    inp = case.futures[0].inp
    plan = case.outcome.futures[0].plan
    categories = [c.name for c in inp.categories]
    cols = [Col("variant"), Col("brand"), Col("offered"), Col("pack")] + [Col(c) for c in categories]
    if inp.years:
        cols.append(Col("launch year"))
    rows = []
    for v in inp.variants:
        vp = plan.variants[v.name]
        row = [v.name, v.brand, vp.offered, vp.pack if vp.offered else None] + [vp.options.get(c) if vp.offered else None for c in categories]
        if inp.years:
            row.append(vp.launch_year if vp.offered else None)
        rows.append(row)
    write_table(ws, cols, rows)
    print_setup(ws, title_rows="1:1")


def _units(ws: Worksheet, case: RobustCase) -> None:
    inp = case.futures[0].inp
    periods = [y.name for y in inp.periods]
    cols = [Col("future"), Col("variant")] + [Col(f"{y} units" if y else "units a year", UNITS) for y in periods] + [Col("total", UNITS)]
    rows = []
    for r in case.outcome.futures:
        for v in inp.variants:
            vp = r.plan.variants[v.name]
            if vp.offered:
                rows.append([r.name, v.name] + [vp.units_in(y) for y in periods] + [vp.units])
    write_table(ws, cols, rows)
    print_setup(ws, title_rows="1:1")


def _diagnosis(ws: Worksheet, case: RobustCase) -> None:
    put(ws, 1, 1, "No single design serves every future").font = TITLE_FONT
    paragraphs(ws, 3, case.outcome.conflicts, columns=8)
    ws.column_dimensions["A"].width = 14
    print_setup(ws, landscape=False)


def _provenance(ws: Worksheet, case: RobustCase, report_path: str | None) -> None:
    o = case.outcome
    try:
        version = metadata.version("kei-plan")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        version = "unknown"
    rows = [
        ("Workbook", str(case.source.workbook), None),
        ("Workbook SHA-256", case.source.sha256, None),
        ("Report", report_path, None),
        ("Written", _dt.datetime.now().isoformat(timespec="seconds"), None),
        ("plan version", version, None),
        ("Futures", ", ".join(f"{f.name} ({f.probability:g})" for f in case.futures), None),
        ("Status", o.status, None),
        ("Solver status", o.highs_status, None),
        ("Best bound (¥)", o.best_bound_jpy, YEN),
        ("Gap", o.gap, "0.000%"),
        ("Time limit (s)", o.time_limit_s, None),
        ("Seconds", ", ".join(f"{k} {v:.2f}" for k, v in o.seconds.items()), None),
    ]
    put(ws, 1, 1, "Where the numbers come from").font = TITLE_FONT
    key_values(ws, rows, first_row=3)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 80
    print_setup(ws, landscape=False)
