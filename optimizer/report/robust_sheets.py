"""The robust report's detail sheets: Futures (each future under the committed design and on its own,
the regret matrix and the chart of cost per future for the robust plan against each bet), Design
(the committed cars, one column each) and Units (each future's units by variant and year)."""

from __future__ import annotations

from openpyxl.chart import Reference
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.robust import CANNOT, BetFigures, RobustReading, rules_text, span
from optimizer.pipeline import RobustCase
from optimizer.report.charts import CHART_YEN_BN, bar_chart
from optimizer.report.style import (
    NOTE_FONT, PERCENT, RED_FILL, SECTION_FONT, TITLE_FONT, TOTAL_FONT, UNITS, WARNING_FONT, WRAP, YEN_BN, Col, Line,
    paragraphs, print_setup, put, widen, write_cards, write_table,
)
from optimizer.text import units_per

COMMITTED = "committed (robust)"
DESIGN_WIDTH = 22  # the regret matrix's design column: a long label ("best for a, b and c") wraps
PROVEN = "proven"


def futures_table(ws: Worksheet, r: int, reading: RobustReading, *, columns: int) -> int:
    """A row a future — probability, cost with the committed design, own optimum, regret — and the
    expected row (its regret is the EVPI); the last column says how sure the own optimum and
    regret are, merged to `columns`. Returns the row after the table."""
    cols = [Col("future"), Col("probability", PERCENT), Col("cost with the committed plan (¥)", YEN_BN),
            Col("its own optimum (¥)", YEN_BN), Col("regret (¥)", YEN_BN), Col("how sure", width=8)]
    rows = [[f.name, f.probability, f.cost_jpy, None if f.own is None else f.own.value,
             None if f.regret is None else f.regret.value, _how_sure(f.own, f.regret)] for f in reading.futures]
    rows.append(["expected", sum(f.probability for f in reading.futures), reading.expected.value,
                 None if reading.expected_own is None else reading.expected_own.value,
                 None if reading.evpi is None else reading.evpi.value,
                 _evpi_sure(reading)])
    end = write_table(ws, cols, rows, first_row=r, freeze=False)
    ws.auto_filter.ref = None
    for i, row in enumerate(rows, start=r + 1):
        note = ws.cell(row=i, column=len(cols))
        note.alignment = Alignment(wrap_text=True, vertical="top", indent=1)
        if row[-1] not in (PROVEN, f"EVPI {PROVEN}"):
            note.font = WARNING_FONT
    for i in range(r, end):
        if columns > len(cols):
            ws.merge_cells(start_row=i, start_column=len(cols), end_row=i, end_column=columns)
    for c in range(1, len(cols)):
        ws.cell(row=end - 1, column=c).font = TOTAL_FONT
    return end


def _how_sure(own, regret) -> str:
    if own is None:
        return "no own optimum found"
    if own.certain and (regret is None or regret.certain):
        return PROVEN
    parts = [] if own.certain else [f"own {span(own)}"]
    if regret is not None and not regret.certain:
        parts.append(f"regret {span(regret)}")
    return "not proven: " + "; ".join(parts)


def _evpi_sure(reading: RobustReading) -> str:
    if reading.evpi is None:
        return "EVPI unknown"
    return f"EVPI {PROVEN}" if reading.evpi.certain else f"not proven: EVPI {span(reading.evpi)}"


def write_futures(ws: Worksheet, case: RobustCase, reading: RobustReading) -> None:
    names = [f.name for f in case.futures]
    width = len(names) + 4
    put(ws, 1, 1, "Each future: the committed plan against the plan best for it alone").font = TITLE_FONT
    r = futures_table(ws, 3, reading, columns=width)
    r = paragraphs(ws, r, ["Regret: the cost with the committed plan minus the future's own optimum (the future solved "
                           "alone, its own design); on the expected row, the EVPI — what knowing the future before "
                           "committing would be worth."], columns=width, font=NOTE_FONT) + 1
    r = _matrix(ws, case, reading, r, width)
    _chart(ws, case, reading, r + 1)
    for c in range(2, width + 1):
        widen(ws, c, 11)
    print_setup(ws, title_rows="1:1")


def _matrix(ws: Worksheet, case: RobustCase, reading: RobustReading, r: int, width: int) -> int:
    names = [f.name for f in case.futures]
    put(ws, r, 1, "Regret matrix: each design committed to in every future (units re-optimised)").font = SECTION_FONT
    cols = ([Col("design", width=DESIGN_WIDTH)] + [Col(f"in {f} (¥)", YEN_BN) for f in names]
            + [Col("expected (¥)", YEN_BN), Col("dearest future (¥)", YEN_BN), Col("expected vs the robust plan (¥)", YEN_BN)])
    rows = [[COMMITTED] + [f.cost_jpy for f in reading.futures] + [reading.expected.value, reading.worst_jpy, 0.0]]
    doubts = []
    for b in reading.bets:
        cells = [CANNOT if b.costs[f] is None else b.costs[f].value for f in names]
        doubts += [f"{b.label} in {f}: {span(b.costs[f])}" for f in names if b.costs[f] is not None and not b.costs[f].certain]
        expected = CANNOT if b.expected is None else b.expected.value
        rows.append([b.label] + cells + [expected, CANNOT if b.worst_jpy is None else b.worst_jpy,
                                         CANNOT if b.versus_robust is None else b.versus_robust.value])
    header = r + 1
    end = write_table(ws, cols, rows, first_row=header, freeze=False)
    ws.auto_filter.ref = None
    for i in range(header + 1, end):
        ws.cell(row=i, column=1).alignment = WRAP
    for i, b in enumerate(reading.bets, start=header + 2):
        for j, f in enumerate(names, start=2):
            cell = ws.cell(row=i, column=j)
            if b.costs[f] is None:
                cell.fill = RED_FILL
            elif not b.costs[f].certain:
                cell.font = WARNING_FONT
        for j in range(len(names) + 2, len(cols) + 1):
            if ws.cell(row=i, column=j).value == CANNOT:
                ws.cell(row=i, column=j).fill = RED_FILL
    for c in range(1, len(cols) + 1):
        ws.cell(row=header + 1, column=c).font = TOTAL_FONT
    notes = _cannot_serve(reading)
    if doubts:
        notes.append("Not proven (a solve stopped at its time limit; in orange above): " + "; ".join(doubts) + ".")
    notes.append("A design is one future's own optimum (offers, parts, packs, launch years) kept in every future, "
                 "units, plants and lines re-optimised; in its own future it costs that future's own optimum.")
    return paragraphs(ws, end, notes, columns=width, font=NOTE_FONT)


def _cannot_serve(reading: RobustReading) -> list[str]:
    """One sentence per set of rules broken: the designs that break them, in which future."""
    grouped: dict[tuple[str, tuple[str, ...]], list[BetFigures]] = {}
    for b in reading.bets:
        for f, rules in b.broken.items():
            grouped.setdefault((f, tuple(rules)), []).append(b)
    out = []
    for (f, rules), bets in grouped.items():
        who = f"The design {bets[0].label}" if len(bets) == 1 else "The designs " + "; ".join(b.label for b in bets)
        out.append(f"{who} cannot serve {f}: {rules_text(list(rules))}.")
    return out


def _chart(ws: Worksheet, case: RobustCase, reading: RobustReading, r: int) -> None:
    """Clustered columns, a cluster a future: the robust plan and each bet (no column where a bet
    cannot serve the future); its data is the table under it."""
    names = [f.name for f in case.futures]
    put(ws, r, 1, "Cost in each future: the robust plan against each bet").font = SECTION_FONT
    chart_row, rows_tall = r + 1, 15
    header = chart_row + rows_tall
    designs = [COMMITTED] + [b.label for b in reading.bets]
    table = [[f.name, f.cost_jpy] + [None if b.costs[f.name] is None else b.costs[f.name].value for b in reading.bets]
             for f in reading.futures]
    write_table(ws, [Col("future (the chart's data; blank: cannot serve)", width=12)]
                + [Col(f"{d} (¥)", YEN_BN, width=12) for d in designs],
                table, first_row=header, freeze=False)
    ws.auto_filter.ref = None
    chart = bar_chart("Cost in each future: the robust plan against each bet", None, number_format=CHART_YEN_BN,
                      width=24, height=rows_tall * 15 / 72 * 2.54 - 0.3)
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(designs), min_row=header, max_row=header + len(names)),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=header + len(names)))
    low = min(min(row[1:], key=lambda x: x if x is not None else float("inf")) for row in table)
    chart.y_axis.scaling.min = _axis_floor(low)
    ws.add_chart(chart, f"A{chart_row}")


def _axis_floor(low: float) -> float:
    """An axis start below the cheapest bar, so that the differences between designs show (they are
    a few per cent of the cost), at a round ¥10 bn."""
    return max(0.0, (low * 0.97) // 1e10 * 1e10)


def write_design(ws: Worksheet, case: RobustCase) -> None:
    """The committed design, a card a car: what every future gets."""
    inp = case.futures[0].inp
    plan = case.outcome.futures[0].plan
    offered = [v for v in inp.variants if plan.variants[v.name].offered]
    put(ws, 1, 1, "The committed design: the same cars in every future").font = TITLE_FONT
    lines = [Line("brand", [v.brand for v in offered]), Line("body style", [v.body_style for v in offered])]
    if inp.years:
        lines.append(Line("launch year", [plan.variants[v.name].launch_year for v in offered]))
    lines.append(Line("pack", [plan.variants[v.name].pack for v in offered]))
    lines += [Line(c.name, [plan.variants[v.name].options.get(c.name, "—") for v in offered]) for c in inp.categories]
    end = write_cards(ws, "variant", [v.name for v in offered], lines, first_row=3)
    left_out = [v.name for v in inp.variants if not plan.variants[v.name].offered]
    if left_out:
        paragraphs(ws, end + 1, [f"Not offered in any future: {', '.join(left_out)}."], columns=len(offered) + 1,
                   font=NOTE_FONT)
    print_setup(ws)


def write_units(ws: Worksheet, case: RobustCase) -> None:
    inp = case.futures[0].inp
    periods = [y.name for y in inp.periods]
    put(ws, 1, 1, f"Units in each future ({units_per(inp)}): the committed cars, planned for each future").font = TITLE_FONT
    cols = [Col("future"), Col("variant")] + [Col(y or "units a year", UNITS) for y in periods]
    if inp.years:
        cols.append(Col("over the programme", UNITS))
    rows = []
    for r in case.outcome.futures:
        for v in inp.variants:
            vp = r.plan.variants[v.name]
            if vp.offered:
                rows.append([r.name, v.name] + [vp.units_in(y) for y in periods] + ([vp.units] if inp.years else []))
    write_table(ws, cols, rows, first_row=3)
    print_setup(ws, title_rows="3:3")
