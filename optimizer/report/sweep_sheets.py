"""The first sheets of a sweep workbook: Tornado and What changes, or Distribution and How often."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.report.charts import CHART_YEN_BN, add_table_series, bar_chart
from optimizer.report.style import (
    NOTE_FONT,
    PERCENT,
    PERCENT_FINE,
    SECTION_FONT,
    TITLE_FONT,
    WHOLE,
    YEN,
    Col,
    Fmt,
    key_values,
    paragraphs,
    print_setup,
    put,
    write_table,
)

if TYPE_CHECKING:
    from optimizer.sweeps.run import SweepOutcome
    from optimizer.sweeps.summary import Bar, End

DELTA_YEN = '+"¥"#,##0;-"¥"#,##0;"¥"0'
CHANGE_KINDS = ("offers", "units", "packs", "developed", "shared parts", "launch years")


def _value(end: End, fmt: str) -> object:
    """An end's value: the number when the uncertainty has one row (or all rows agree), else text."""
    values = end.values
    if len(set(values)) == 1:
        return Fmt(values[0], fmt)
    return ", ".join(f"{v:.6g}" for v in values)


def write_tornado(ws: Worksheet, changes: Worksheet, outcome: SweepOutcome) -> None:
    from optimizer.report.sweep import value_format

    summary = outcome.summary
    bars = summary.bars()
    base = summary.base.record if summary.base is not None else None
    ws.title = "Tornado"
    put(ws, 1, 1, "Which input matters? Total cost with each range at its low and at its high").font = (
        TITLE_FONT
    )
    base_cost = base.get("total_cost_jpy") if base else None
    kept = outcome.committed
    intro = [
        (
            f"The workbook as it stands costs ¥{base_cost / 1e9:,.2f} bn ({base['status']})"
            + (" with the design kept." if kept else ".")
            if base_cost is not None
            else "The workbook as it stands has no plan: the ends are shown, without differences."
        ),
        "Each row moves one input to its low and then to its high, keeps everything else as in the "
        "workbook and "
        + (
            f"keeps {kept.describe()}, re-optimising units, plants and lines (Design kept sheet)."
            if kept
            else "re-optimises every decision."
        ),
        "Widest swing first. The What changes sheet lists the decisions that change at each end"
        + (", and the rules that break where the design cannot serve." if kept else "."),
    ]
    r = paragraphs(ws, 2, intro, columns=9, font=NOTE_FONT)
    header = r + 1
    cols = [
        Col("input (range)"),
        Col("low"),
        Col("high"),
        Col("total cost at low (¥)", YEN),
        Col("total cost at high (¥)", YEN),
        Col("Δ at low (¥)", DELTA_YEN),
        Col("Δ at high (¥)", DELTA_YEN),
        Col("swing (¥)", YEN),
        Col("what it changes"),
    ]
    rows = []
    for bar in bars:
        fmt = value_format(bar.uncertainty.rows[0])
        rows.append(
            [
                bar.uncertainty.name,
                _value(bar.low, fmt),
                _value(bar.high, fmt),
                bar.low.total_cost_jpy if bar.low.total_cost_jpy is not None else _status(bar.low),
                bar.high.total_cost_jpy if bar.high.total_cost_jpy is not None else _status(bar.high),
                bar.low.delta_jpy,
                bar.high.delta_jpy,
                bar.swing_jpy,
                bar.uncertainty.describe(),
            ]
        )
    end = write_table(ws, cols, rows, first_row=header)
    ws.column_dimensions["I"].width = 50
    wrap_columns(ws, [9], first_row=header + 1)
    ws.row_dimensions[header].height = 30
    if rows:
        chart = bar_chart(
            "Δ total cost against the workbook as it stands",
            None,
            horizontal=True,
            number_format=CHART_YEN_BN,
            width=24,
            height=max(6.0, 1.1 * len(rows) + 3),
        )
        chart.grouping, chart.overlap = "clustered", 100  # both ends of a range on one row
        chart.x_axis.tickLblPos = "low"  # names at the left edge, clear of bars that go left
        add_table_series(
            chart,
            ws,
            header_row=header,
            first_row=header + 1,
            last_row=end - 1,
            category_col=1,
            first_col=6,
            last_col=7,
        )
        ws.add_chart(chart, f"A{end + 1}")
    print_setup(ws, title_rows=f"{header}:{header}")
    _write_changes(changes, bars)


def _status(end: End) -> str:
    if end.status is None:
        return "not solved"
    if end.status in ("optimal", "feasible") or not end.broken:
        return end.status
    return f"{end.status}: cannot serve"


def _write_changes(ws: Worksheet, bars: list[Bar]) -> None:
    put(ws, 1, 1, "What changes at each end, against the workbook as it stands").font = TITLE_FONT
    put(
        ws,
        2,
        1,
        "+ offered or developed at this end and not in the workbook's plan, - the reverse; packs: "
        "variant: workbook's pack -> this end's.",
    ).font = NOTE_FONT
    cols = [
        Col("input (range)"),
        Col("end"),
        Col("status"),
        Col("total cost (¥)", YEN),
        Col("Δ (¥)", DELTA_YEN),
        Col("variants offered", width=24),
        Col("units a year", width=30),
        Col("packs", width=30),
        Col("parts and packs developed", width=40),
        Col("shared by brands", width=30),
        Col("launch years", width=26),
        Col("without a plan: the rules that break", width=60),
    ]
    rows = []
    for bar in bars:
        for name, end in (("low", bar.low), ("high", bar.high)):
            ch = end.changes
            rows.append(
                [
                    bar.uncertainty.name,
                    name,
                    _status(end),
                    end.total_cost_jpy,
                    end.delta_jpy,
                    *(
                        ", ".join(ch.get(k, []))
                        or ("none" if end.status in ("optimal", "feasible") else "")
                        for k in CHANGE_KINDS
                    ),
                    " ".join(end.broken),
                ]
            )
    write_table(ws, cols, rows, first_row=4)
    wrap_columns(ws, range(6, 13), first_row=5)
    ws.row_dimensions[4].height = 30
    print_setup(ws, title_rows="4:4")


def wrap_columns(ws: Worksheet, columns, first_row: int) -> None:
    """Long lists wrap in their cells instead of widening the printed page; each row gets the
    height its longest wrapped cell needs."""
    columns = set(columns)
    for row in ws.iter_rows(min_row=first_row, max_col=max(columns)):
        lines = 1
        for cell in row:
            if cell.column not in columns:  # the rest of the row reads from the top too
                cell.alignment = Alignment(
                    vertical="top", indent=cell.alignment.indent, horizontal=cell.alignment.horizontal
                )
                continue
            cell.alignment = Alignment(wrap_text=True, vertical="top", indent=1)
            width = ws.column_dimensions[cell.column_letter].width or 10
            if isinstance(cell.value, str):
                lines = max(lines, math.ceil(len(cell.value) * 1.1 / max(width - 2, 1)))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 15 * lines


def write_distribution(ws: Worksheet, outcome: SweepOutcome) -> None:
    s, cfg = outcome.summary, outcome.config
    ws.title = "Distribution"
    kept = outcome.committed
    title = (
        f"How bad can it get for the plan we commit to? Its total cost over {cfg.samples:,} samples"
        if kept
        else f"How bad can it get? Total cost over {cfg.samples:,} samples of every range"
    )
    put(ws, 1, 1, title).font = TITLE_FONT
    pct, stats = s.percentiles(), s.stats()
    base_cost = s.base.record.get("total_cost_jpy") if s.base is not None else None
    no_plan = {k: v for k, v in s.statuses.items() if k not in ("optimal", "feasible")}
    rows: list[tuple[str, object, str | None]] = [
        ("design kept", kept.describe(), None) if kept else ("each sample", "fully re-optimised", None),
        ("samples solved", s.solved, WHOLE),
        ("samples with a plan" + (" (the design serves them)" if kept else ""), s.with_plan, WHOLE),
        (
            "samples the design cannot serve" if kept else "samples without a plan",
            ", ".join(f"{n:,} {k}" for k, n in sorted(no_plan.items())) or "none",
            None,
        ),
        ("share of samples without a plan", s.without_plan / s.solved if s.solved else None, PERCENT),
        ("P10 total cost (¥): 10 % of samples cost less", pct["p10"], YEN),
        ("P50 total cost (¥): the median", pct["p50"], YEN),
        ("P90 total cost (¥): 90 % of samples cost less", pct["p90"], YEN),
        ("mean (¥)", stats["mean"], YEN),
        ("lowest (¥)", stats["min"], YEN),
        ("highest (¥)", stats["max"], YEN),
        ("the workbook as it stands (¥)", base_cost, YEN),
    ]
    if s.at_limit_gaps:
        rows.append(
            (
                f"samples stopped by the time limit ({len(s.at_limit_gaps):,}): largest gap",
                max(s.at_limit_gaps),
                PERCENT_FINE,
            )
        )
    r = key_values(ws, rows, first_row=3) + 1
    put(ws, r, 1, "Histogram of total cost (samples with a plan)").font = SECTION_FONT
    hist = s.histogram()
    header = r + 1
    decimals = (
        max(0, min(3, -math.floor(math.log10(max(hist.edges[1] - hist.edges[0], 1.0) / 1e9))))
        if len(hist.edges) > 1
        else 2
    )
    table = [
        [
            f"¥{lo / 1e9:,.{decimals}f}–{hi / 1e9:,.{decimals}f} bn",
            lo,
            hi,
            n,
            n / s.with_plan if s.with_plan else None,
        ]
        for lo, hi, n in zip(hist.edges, hist.edges[1:], hist.counts)
    ]
    cols = [
        Col("total cost"),
        Col("from (¥)", YEN),
        Col("to (¥)", YEN),
        Col("samples", WHOLE),
        Col("share", PERCENT),
    ]
    end = write_table(ws, cols, table, first_row=header, freeze=False)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 52)
    if s.broken:
        put(ws, end + 1, 1, "The rules that break, and how often: the Cannot serve sheet.").font = NOTE_FONT
    if table:
        chart = bar_chart("Samples by total cost", "samples", width=24, height=10)
        chart.gapWidth = 10
        chart.legend = None
        add_table_series(
            chart,
            ws,
            header_row=header,
            first_row=header + 1,
            last_row=end - 1,
            category_col=1,
            first_col=4,
            last_col=4,
        )
        ws.add_chart(chart, f"G{3}")
    print_setup(ws)


def write_frequency(ws: Worksheet, outcome: SweepOutcome) -> None:
    s = outcome.summary
    put(
        ws, 1, 1, f"How often each decision is in the cheapest plan ({s.with_plan:,} samples with a plan)"
    ).font = TITLE_FONT
    r = 3
    for title, counter, what in (
        ("Variants offered", s.offered, "variant"),
        ("Packs developed", s.packs, "pack"),
        ("Developed once and used by several brands", s.shared, "part or pack"),
        ("Parts and packs developed", s.developed, "part or pack"),
    ):
        put(ws, r, 1, title).font = SECTION_FONT
        shares = s.shares(counter)
        r = (
            write_table(
                ws,
                [Col(what), Col("share of samples", PERCENT), Col("samples", WHOLE)],
                [[k, v, counter[k]] for k, v in shares.items()] or [["none", None, None]],
                first_row=r + 1,
                freeze=False,
            )
            + 1
        )
    launches = s.launch_shares()
    if launches:
        years = sorted({y for shares in launches.values() for y in shares})
        put(ws, r, 1, "Launch year of each variant (share of the samples with a plan)").font = SECTION_FONT
        table = [[v, *(shares.get(y) for y in years), sum(shares.values())] for v, shares in launches.items()]
        write_table(
            ws,
            [Col("variant"), *(Col(y, PERCENT) for y in years), Col("offered", PERCENT)],
            table,
            first_row=r + 1,
            freeze=False,
        )
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 40)
    print_setup(ws, landscape=False)
