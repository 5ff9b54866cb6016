"""The sweep workbook (one per `plan sweep` run): the tornado or the Monte Carlo distribution
first, then every case, the ranges as read, and where the figures come from.

Figures come from optimizer.sweeps.summary; this package only lays them out, through style.put."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.files import save_atomically
from optimizer.report.style import (
    NOTE_FONT,
    PERCENT_FINE,
    SECONDS,
    TITLE_FONT,
    YEN,
    Col,
    Fmt,
    key_values,
    print_setup,
    put,
    write_table,
)

if TYPE_CHECKING:
    from optimizer.sweeps.ranges import RangeRow, Ranges
    from optimizer.sweeps.run import SweepOutcome
    from optimizer.sweeps.summary import CaseLine

MARKER_SHEET = "kei-plan sweep"
DELTA_YEN = '+"¥"#,##0;-"¥"#,##0;"¥"0'
MAX_CASE_ROWS = 20_000  # beyond this the Cases sheet points to the results file (Excel stays quick)


def write_sweep(path: Path, outcome: SweepOutcome) -> Path:
    """Build the sweep workbook and move it into place atomically."""
    wb = build_sweep(outcome)
    return save_atomically(path, wb.save, inputs=(Path(outcome.config.workbook),))


def build_sweep(outcome: SweepOutcome) -> Workbook:
    from optimizer.report.sweep_design import write_cannot_serve, write_design
    from optimizer.report.sweep_sheets import write_distribution, write_frequency, write_tornado

    wb = Workbook()
    first = wb.active
    if outcome.kind == "tornado":
        write_tornado(first, wb.create_sheet("What changes"), outcome)
    elif outcome.kind == "pareto":
        from optimizer.report.pareto import write_front

        write_front(first, wb.create_sheet("Plans"), outcome)
    else:
        write_distribution(first, outcome)
        if outcome.summary.broken:
            write_cannot_serve(wb.create_sheet("Cannot serve"), outcome)
        if outcome.committed is None:  # a kept design is in every plan: nothing to count
            write_frequency(wb.create_sheet("How often"), outcome)
    if outcome.committed is not None:
        write_design(wb.create_sheet("Design kept"), outcome)
    lines, base_cost = outcome.summary.lines(), _cost(outcome.summary.base)
    write_cases(wb.create_sheet("Cases"), outcome, lines, base_cost)
    if outcome.inputs.ranges.uncertainties and outcome.kind != "pareto":
        write_ranges(wb.create_sheet("Ranges"), outcome.inputs.ranges)
    write_about(wb.create_sheet("About"), outcome)
    marker = wb.create_sheet(MARKER_SHEET)
    marker.sheet_state = "hidden"
    put(marker, 1, 1, MARKER_SHEET)
    return wb


def _cost(row) -> float | None:
    return row.record.get("total_cost_jpy") if row is not None else None


def value_format(rr: RangeRow) -> str:
    """How a range's values read: factors to three decimals, amounts with thousands separators."""
    op = str(rr.raw.cells.get("op") or "set").strip().lower()
    return "0.000" if op == "multiply" else "#,##0.###"


def write_cases(
    ws: Worksheet, outcome: SweepOutcome, lines: list[CaseLine], base_cost: float | None
) -> None:
    ranges = outcome.inputs.ranges
    uncertainties = ranges.uncertainties if outcome.kind != "pareto" else ()
    put(ws, 1, 1, "Every case of the sweep" if uncertainties else "Every case solved").font = TITLE_FONT
    note = (
        "Each range column holds the value of the range's first row (ranges sheet); its other rows move "
        "to the same quantile of their own range. Blank: as in the workbook."
    )
    if uncertainties:
        put(ws, 2, 1, note).font = NOTE_FONT
    shown = lines[:MAX_CASE_ROWS]
    if len(lines) > len(shown):
        put(
            ws,
            3,
            1,
            f"The first {len(shown):,} of {len(lines):,} cases; every case is in {outcome.config.results}.",
        ).font = NOTE_FONT
    cols = [Col("case"), Col("label")]
    cols += [Col(u.name, value_format(u.rows[0])) for u in uncertainties]
    cols += [
        Col("status"),
        Col("total cost (¥)", YEN),
        Col("Δ vs the cheapest plan (¥)" if outcome.kind == "pareto" else "Δ vs workbook (¥)", DELTA_YEN),
        Col("gap", PERCENT_FINE),
        Col("solve time (s)", SECONDS),
        Col("inputs key"),
    ]
    rows = []
    for line in shown:
        values = [line.values[u.name][0] if u.name in line.values else None for u in uncertainties]
        delta = (
            line.total_cost_jpy - base_cost
            if line.total_cost_jpy is not None and base_cost is not None
            else None
        )
        rows.append(
            [
                line.case,
                line.label,
                *values,
                line.status,
                line.total_cost_jpy,
                delta,
                line.gap,
                line.seconds,
                line.key[:16],
            ]
        )
    header = 4
    write_table(ws, cols, rows, first_row=header)
    print_setup(ws, title_rows=f"{header}:{header}")


def write_ranges(ws: Worksheet, ranges: Ranges) -> None:
    put(ws, 1, 1, "The ranges swept (ranges sheet of the workbook)").font = TITLE_FONT
    cols = [
        Col("name"),
        Col("ranges row"),
        Col("sheet"),
        Col("match"),
        Col("column"),
        Col("op"),
        Col("low"),
        Col("high"),
        Col("most likely"),
        Col("distribution"),
    ]
    rows = []
    for u in ranges.uncertainties:
        for rr in u.rows:
            c = rr.raw.cells
            fmt = value_format(rr)
            rows.append(
                [
                    u.name,
                    rr.number,
                    str(c.get("sheet") or ""),
                    str(c.get("match") or "") or "all rows",
                    str(c.get("column") or ""),
                    str(c.get("op") or "set"),
                    Fmt(rr.low, fmt),
                    Fmt(rr.high, fmt),
                    Fmt(rr.mode, fmt),
                    rr.distribution,
                ]
            )
    write_table(ws, cols, rows, first_row=3)
    print_setup(ws, title_rows="3:3")


def write_about(ws: Worksheet, outcome: SweepOutcome) -> None:
    cfg, totals, inputs = outcome.config, outcome.totals, outcome.inputs
    put(ws, 1, 1, "Where these figures come from").font = TITLE_FONT
    rows: list[tuple[str, object, str | None]] = [
        ("sweep", _what_sweep(outcome), None),
        ("workbook", str(cfg.workbook), None),
        ("workbook SHA-256", inputs.raw.sha256, None),
        ("scenario", cfg.scenario, None),
        ("cases", totals.cases, "#,##0"),
        ("solved in this run", totals.solved_now, "#,##0"),
        ("taken from the results file (--resume)", totals.resumed, "#,##0"),
        ("results file", str(cfg.results), None),
        ("solved on", totals.workers or "(nothing left to solve)", None),
        (
            "time limit per case (s)",
            cfg.time_limit_s if cfg.time_limit_s is not None else "the workbook's time_limit_s",
            SECONDS,
        ),
        (
            "optimality gap",
            cfg.mip_rel_gap if cfg.mip_rel_gap is not None else "the workbook's mip_rel_gap",
            None,
        ),
        ("each case", _each_case(outcome), None),
    ]
    rows += [("note", note, None) for note in totals.notes]
    if "futures" in inputs.raw.sheets and (outcome.committed is None or outcome.committed.kind != "robust"):
        rows.append(
            ("futures sheet", "not used: each case is one plan of the workbook, not a robust design", None)
        )
    key_values(ws, rows, first_row=3)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 90
    print_setup(ws, landscape=False)


def _what_sweep(outcome: SweepOutcome) -> str:
    cfg = outcome.config
    if outcome.kind == "pareto":
        axis = outcome.summary.axis
        what = (
            "the developments of options and packs"
            if axis.kind == "commonality"
            else f"{axis.variant}'s range target"
        )
        return f"Pareto front (--pareto {axis.name}): total cost against {what}, by epsilon-constraint"
    if outcome.kind == "tornado":
        return "tornado: each range at its low and at its high, everything else as in the workbook"
    return f"Monte Carlo: {cfg.samples:,} samples, every range drawn together (seed {cfg.seed})"


def _each_case(outcome: SweepOutcome) -> str:
    if outcome.committed is not None:
        return (
            f"{outcome.committed.describe()} kept (offers, options, packs, launch years); units, plants "
            "and lines re-optimised by the same model as plan solve; a case the design cannot serve is "
            "counted with the rules it breaks"
        )
    if outcome.kind == "pareto":
        return (
            "fully re-optimised within its bound (every decision free), cheapest plan by the same model as "
            "plan solve (no sharing baseline)"
        )
    return (
        "fully re-optimised: every decision free, cheapest plan by the same model as plan solve (no "
        "sharing baseline)"
    )
