"""The report of `plan solve --robust`: what the JV commits to, what it costs in each future against
that future's own best plan, and what betting on one future's design would cost if another came.

Sheets: Summary (one printed page: the conclusion, the key figures with how sure each is, the cars
committed with their tightest range and unit cost margins over every future, each future's cost
and regret), Futures (the same per future, the regret matrix and the chart of cost per future for
the robust plan against each bet), Design (the committed cars), Units (each future's units by
variant and year), Diagnosis (when no design serves every future), Provenance (with every solve's
status: own optima and bets are time-limited solves of their own).
"""

from __future__ import annotations

import datetime as _dt
from importlib import metadata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.certainty import between, percent
from optimizer.analysis.robust import RobustReading, conclusion, read_robust, sure
from optimizer.files import save_atomically
from optimizer.pipeline import RobustCase
from optimizer.report.diagnosis import write_diagnosis
from optimizer.report.embedded import embed
from optimizer.report.json_out import robust_json
from optimizer.report.robust_sheets import futures_table, write_design, write_futures, write_units
from optimizer.report.style import (
    NOTE_FONT, SECTION_FONT, TITLE_FONT, YEN, Col, finish_printing, key_values, paragraphs, print_setup, put,
    write_table,
)
from optimizer.report.summary import write_figures
from optimizer.text import horizon

CANNOT_TEXT = "cannot serve every future"  # a bet's expected cost when it cannot serve some future
COLUMNS = 9  # the Summary: A (names) and eight columns of figures, as the plan report's
GUIDE = ("In this report: each future under the committed plan and on its own, the regret matrix and its chart "
         "(Futures), the committed cars (Design), each future's units (Units), and where the numbers come from — "
         "input, versions, every solve's status (Provenance).")


def write_robust_report(path: Path, case: RobustCase) -> Path:
    wb = build_robust_report(case, str(path))
    return save_atomically(path, wb.save, inputs=(case.source.workbook,))


def build_robust_report(case: RobustCase, report_path: str | None = None) -> Workbook:
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    reading = read_robust(case)
    if reading is not None:
        write_futures(wb.create_sheet("Futures"), case, reading)
        write_design(wb.create_sheet("Design"), case)
        write_units(wb.create_sheet("Units"), case)
    else:
        write_diagnosis(wb.create_sheet("Diagnosis"), case)
    _provenance(wb.create_sheet("Provenance"), case, report_path)
    _summary(summary, case, reading)
    finish_printing(wb)
    embed(wb, {"robust": robust_json(case, report_path)})
    return wb


def _summary(ws: Worksheet, case: RobustCase, reading: RobustReading | None) -> None:
    o = case.outcome
    put(ws, 1, 1, "One platform for every future" + (" — the least worst case" if o.objective == "worst" else "")
        ).font = TITLE_FONT
    put(ws, 2, 1, Path(case.source.workbook).name).font = NOTE_FONT
    put(ws, 4, 1, "Conclusion").font = SECTION_FONT
    r = paragraphs(ws, 5, conclusion(case, reading), columns=COLUMNS) + 1
    put(ws, r, 1, "Key figures").font = SECTION_FONT
    rows, doubtful = _key_figures(case, reading)
    r = write_figures(ws, r, rows, doubtful) + 1
    if reading is not None:
        r = _cars(ws, r, case, reading)
        put(ws, r, 1, "Each future under the committed plan").font = SECTION_FONT
        r = futures_table(ws, r + 1, reading, columns=COLUMNS) + 1
        paragraphs(ws, r, [GUIDE], columns=COLUMNS, font=NOTE_FONT)
    ws.column_dimensions["A"].width = 31
    for c in "BCDEFGH":
        ws.column_dimensions[c].width = 11.25
    ws.column_dimensions["I"].width = 14  # the cars' "tightest in": a future and a year on one line
    print_setup(ws, landscape=False)


def _key_figures(case: RobustCase, reading: RobustReading | None) -> tuple[list, set[str]]:
    o = case.outcome
    inp = case.futures[0].inp
    futures = ", ".join(f"{f.name} {percent(f.probability)}" for f in case.futures)
    rows: list[tuple[str, object, str | None, str]] = [
        ("status", o.status, None, _status_note(case, reading)),
        ("futures", len(case.futures), None, f"{futures} (the futures sheet)"),
    ]
    doubtful = {"status"} if o.status != "optimal" else set()
    if reading is None:
        return rows, doubtful
    ref = reading.reference
    rows += [
        ("expected total cost (¥)", reading.expected.value, YEN,
         f"Σ probability × each future's cost, {horizon(inp)}"),
        ("dearest future's cost (¥)", reading.worst_jpy, YEN, f"in {reading.worst_future}"),
    ]
    bet = reading.bet(ref)
    mine = next(f for f in reading.futures if f.name == ref)
    if bet is not None:
        unserved = ", ".join(bet.broken)
        rows.append((f"the {ref} plan in expectation (¥)", CANNOT_TEXT if bet.expected is None else bet.expected.value,
                     None if bet.expected is None else YEN,
                     f"the design best for {ref} alone cannot serve {unserved}" if bet.expected is None
                     else f"the design best for {ref} alone, in every future" + sure(bet.expected, "it")))
        if bet.expected is not None and not bet.expected.certain:
            doubtful.add(rows[-1][0])
    if mine.regret is not None:
        label = f"insurance if {ref} comes (¥)"
        rows.append((label, mine.regret.value, YEN,
                     f"the committed plan's cost in {ref} minus the {ref} plan's" + sure(mine.regret, "it")))
        if not mine.regret.certain:
            doubtful.add(label)
    if reading.evpi is not None:
        label = "value of knowing the future, EVPI (¥)"
        rows.append((label, reading.evpi.value, YEN,
                     "expected cost minus Σ probability × each future's own optimum" + sure(reading.evpi, "it")))
        if not reading.evpi.certain:
            doubtful.add(label)
    return rows, doubtful


def _status_note(case: RobustCase, reading: RobustReading | None) -> str:
    o = case.outcome
    what = "least worst-case cost" if o.objective == "worst" else "least expected cost"
    if reading is None:
        return "no single design serves every future: see the conclusion and the Diagnosis sheet"
    if o.status == "optimal":
        return (f"proven: at most {percent(o.gap)} above the {what} possible" if o.gap else f"proven the {what}") + (
            f" (gap target {percent(o.mip_rel_gap)})")
    return f"not proven (time limit): the {what} is {between(reading.expected)}" if o.objective == "expected" else (
        f"not proven (time limit): {percent(o.gap)} from proven")


def _cars(ws: Worksheet, r: int, case: RobustCase, reading: RobustReading) -> int:
    """The committed cars with the least margin, over every future and year, to the range target
    and to the unit cost ceiling (the list unit cost at that year's cost factors)."""
    inp = case.futures[0].inp
    put(ws, r, 1, "The cars committed: their tightest margins in any future").font = SECTION_FONT
    cols = ([Col("variant")] + ([Col("launch")] if inp.years else []) + [
        Col("pack"), Col("range (km)", "#,##0.0"), Col("range target (km)", "#,##0"), Col("hardest target in"),
        Col("list unit cost (¥)", YEN), Col("unit cost ceiling (¥)", YEN), Col("tightest in")])
    rows = [[c.variant] + ([c.launch_year] if inp.years else []) + [
        c.pack, c.range_km, c.target_km, c.target_in, c.cost_jpy,
        c.ceiling_jpy if c.ceiling_jpy is not None else "none", c.ceiling_in] for c in reading.cars]
    end = write_table(ws, cols, rows, first_row=r + 1, freeze=False)
    ws.auto_filter.ref = None
    return end + 1


def _solves(case: RobustCase) -> list[list[object]]:
    """Every solve the figures rest on: the robust plan, each own optimum, each bet."""
    o = case.outcome
    rows = [["the robust plan", "every future", o.status, o.gap, o.solve_limit_s]]
    for r in o.futures:
        if r.own is not None:
            rows.append([f"own optimum of {r.name}", r.name, r.own.status, r.own.gap, r.own.time_limit_s])
    for b in o.bets:
        for f, x in b.outcomes.items():
            if f != b.design_of:
                rows.append([f"design best for {b.design_of}", f, x.status, x.gap, x.time_limit_s])
    return rows


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
        ("Bound from", o.bound_from, None),
        ("Gap", o.gap, "0.000%"),
        ("Time limit, all solves (s)", o.time_limit_s, "0.0"),
        ("Seconds", ", ".join(f"{k} {v:.2f}" for k, v in o.seconds.items()), None),
    ]
    put(ws, 1, 1, "Where the numbers come from").font = TITLE_FONT
    r = key_values(ws, rows, first_row=3) + 1
    put(ws, r, 1, "Every solve (own optima and bets are time-limited solves of their own)").font = SECTION_FONT
    write_table(ws, [Col("solve"), Col("future"), Col("status"), Col("gap", "0.000%"), Col("time limit (s)", "0.0")],
                _solves(case), first_row=r + 1, freeze=False)
    ws.auto_filter.ref = None
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 60
    print_setup(ws, landscape=False)
