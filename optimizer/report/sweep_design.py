"""Sheets of a sweep that keeps a design (--design) or meets cases without a plan: the design kept,
and the rules that break where a case has no plan, with how often each breaks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.worksheet.worksheet import Worksheet

from optimizer.report.style import (
    NOTE_FONT,
    PERCENT,
    TITLE_FONT,
    WHOLE,
    Col,
    paragraphs,
    print_setup,
    put,
    write_table,
)

if TYPE_CHECKING:
    from optimizer.sweeps.run import SweepOutcome


def write_cannot_serve(ws: Worksheet, outcome: SweepOutcome) -> None:
    """Each rule that breaks in samples without a plan: in how many, their share, and the sentence
    of the first sample that breaks it (a sample can break several)."""
    from optimizer.report.sweep_sheets import wrap_columns

    s = outcome.summary
    kept = outcome.committed is not None
    title = (
        f"Where the design cannot serve: {s.without_plan:,} of {s.solved:,} samples, and the rules that break"
        if kept
        else f"Samples without a plan: {s.without_plan:,} of {s.solved:,}, and the rules that break"
    )
    put(ws, 1, 1, title).font = TITLE_FONT
    note = (
        "A rule is counted once in each sample it breaks in; a sample may break several. Figures are "
        "taken out of the rule's name (they differ from sample to sample): the example gives one "
        "sample's sentence."
    )
    put(ws, 2, 1, note).font = NOTE_FONT
    rows = [[rule, n, share, example] for rule, n, share, example in s.broken_shares()]
    write_table(
        ws,
        [Col("rule that breaks", width=60), Col("samples", WHOLE), Col("share of samples", PERCENT),
         Col("example (the first sample breaking it)", width=90)],
        rows,
        first_row=4,
    )
    wrap_columns(ws, [1, 4], first_row=5)
    print_setup(ws, title_rows="4:4")


def write_design(ws: Worksheet, outcome: SweepOutcome) -> None:
    """The design every case keeps, and the report it comes from."""
    from optimizer.report.sweep_sheets import wrap_columns

    c = outcome.committed
    put(ws, 1, 1, "The design every case keeps").font = TITLE_FONT
    what = "plan solve --robust: the design common to every future" if c.kind == "robust" else "plan solve"
    cost = "" if c.cost_jpy is None else (
        f", {'expected total cost' if c.kind == 'robust' else 'total cost'} ¥{c.cost_jpy / 1e9:,.2f} bn")
    texts = [f"From the report {c.report} ({what}; {c.status}{cost})."]
    if c.workbook is not None:
        same = c.workbook_sha256 == outcome.inputs.raw.sha256
        texts.append(f"It was written from {c.workbook}: " + (
            "this workbook as it is now."
            if same
            else "another version than the workbook swept (its SHA-256 differs)."))
    texts.append("Variants not listed are not offered. Units, plants and lines are re-planned in every case.")
    years = any(choice.launch_year for choice in c.design.offered.values())
    cols = [Col("variant"), Col("pack"), *([Col("launch year")] if years else []), Col("options", width=90)]
    r = paragraphs(ws, 2, texts, columns=len(cols), font=NOTE_FONT) + 1
    rows = []
    for name, choice in c.design.offered.items():
        options = ", ".join(f"{cat}: {o}" for cat, o in choice.options.items())
        rows.append([name, choice.pack] + ([choice.launch_year] if years else []) + [options])
    write_table(ws, cols, rows, first_row=r)
    wrap_columns(ws, [len(cols)], first_row=r + 1)
    print_setup(ws, title_rows=f"{r}:{r}")
