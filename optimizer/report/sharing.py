"""The Sharing sheet: what is developed once for both brands, who uses it, what it saves."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from optimizer.analysis.certainty import between, saving_bracket, why_unproven
from optimizer.analysis.sharing import Sharing
from optimizer.report.style import (
    NOTE_FONT,
    PERCENT,
    SECTION_FONT,
    TITLE_FONT,
    UNITS,
    WARNING_FONT,
    YEN,
    Col,
    key_values,
    paragraphs,
    print_setup,
    put,
    widen,
    write_table,
)
from optimizer.solving.case import Case

COLUMNS = [
    Col("category"), Col("option or pack", width=26), Col("developed for"), Col("development (¥)", YEN),
    Col("serves both brands"), Col("brands using it"), Col("variants using it", width=60),
]


def write_sharing(ws: Worksheet, s: Sharing, case: Case) -> None:
    saving_jpy, saving = case.sharing_saving_jpy, saving_bracket(case)
    put(ws, 1, 1, "Sharing: what the brands develop once and use together").font = TITLE_FONT
    rows = [
        ("parts and packs developed", s.distinct_parts, UNITS),
        ("same choices, each brand alone", s.parts_if_alone, UNITS),
        ("in the plan without sharing", s.parts_without_sharing_plan, UNITS),
        ("development (parts, packs, top hats) (¥)", s.development_jpy, YEN),
        ("of which serves both brands (¥)", s.development_shared_jpy, YEN),
        ("share serving both brands", s.shared_share, PERCENT),
        ("saving from sharing (¥)" if saving is None or saving.certain else "saving from sharing (¥, not proven)", saving_jpy, YEN),
    ]
    r = key_values(ws, rows, first_row=3)
    if saving is not None and not saving.certain:
        doubt = f"{why_unproven(case)}: the saving is {between(saving)}, and the plan without sharing may not be the cheapest one."
        r = paragraphs(ws, r, [doubt[0].upper() + doubt[1:]], columns=len(COLUMNS), font=WARNING_FONT)
    put(ws, r, 1, "'Developed for' a brand: a category with shared = no (brand-distinct styling), paid once per brand using it.").font = NOTE_FONT
    put(ws, r + 2, 1, "Options and packs developed").font = SECTION_FONT
    table = [
        [i.category, i.option, i.developed_for, i.dev_cost_jpy, "yes" if i.serves_several_brands else "no", ", ".join(i.brands), ", ".join(i.variants)]
        for i in s.items
    ]
    first = r + 3
    write_table(ws, COLUMNS, table, first_row=first)
    widen(ws, "A", 30)
    print_setup(ws)
