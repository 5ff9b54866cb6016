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
    from optimizer.report.sweep_sheets import write_distribution, write_frequency, write_tornado

    wb = Workbook()
    first = wb.active
    if outcome.kind == "tornado":
        write_tornado(first, wb.create_sheet("What changes"), outcome)
        lines, base_cost = outcome.summary.lines(), _cost(outcome.summary.base)
    else:
        write_distribution(first, outcome)
        write_frequency(wb.create_sheet("How often"), outcome)
        lines, base_cost = outcome.summary.lines(), _cost(outcome.summary.base)
    write_cases(wb.create_sheet("Cases"), outcome, lines, base_cost)
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
    put(ws, 1, 1, "Every case of the sweep").font = TITLE_FONT
    note = (
        "Each range column holds the value of the range's first row (ranges sheet); its other rows move "
        "to the same quantile of their own range. Blank: as in the workbook."
    )
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
    cols += [Col(u.name, value_format(u.rows[0])) for u in ranges.uncertainties]
    cols += [
        Col("status"),
        Col("total cost (¥)", YEN),
        Col("Δ vs workbook (¥)", DELTA_YEN),
        Col("gap", PERCENT_FINE),
        Col("solve time (s)", SECONDS),
        Col("inputs key"),
    ]
    rows = []
    for line in shown:
        values = [line.values[u.name][0] if u.name in line.values else None for u in ranges.uncertainties]
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
        (
            "sweep",
            (
                "tornado: each range at its low and at its high, everything else as in the workbook"
                if outcome.kind == "tornado"
                else f"Monte Carlo: {cfg.samples:,} samples, every range drawn together (seed {cfg.seed})"
            ),
            None,
        ),
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
        (
            "each case",
            "fully re-optimised: every decision free, cheapest plan by the same model as plan solve (no "
            "sharing baseline)",
            None,
        ),
    ]
    key_values(ws, rows, first_row=3)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 90
    print_setup(ws, landscape=False)
