"""Turn raw workbook tables into a validated `PlanInput`, or report every problem at once.

Checks: required sheets and columns, cell types, numbers that cannot be negative, unique
names, every reference resolved, min <= max, tier prices falling as volume rises, yes/no
and list cells. Rows with nothing in any of the spec's columns are skipped (planners keep
notes beside their data). Cells are read by `checker`, each data sheet by `tables`, the
settings and rules by `settings_sheet`, the programme's sheets by `programme`.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.data import KeiRules, PlanInput, Settings
from optimizer.problems import InputError, Problem
from optimizer.workbook import consistency, programme, tables
from optimizer.workbook import settings_sheet
from optimizer.workbook.checker import Checker, check_columns, close_match, known_rows, names_in, typed_rows, unique
from optimizer.workbook.read import RawSheet, RawWorkbook
from optimizer.workbook.schema import CHANGE_SHEETS, RULES, SETTINGS, SHEET, SHEETS


@dataclass
class Validated:
    plan_input: PlanInput
    warnings: list[Problem]
    futures: tuple[tuple[str, float], ...] = ()  # the futures sheet: (scenario, probability)


def validate(raw: RawWorkbook) -> Validated:
    """Validate every sheet; raise InputError listing every problem found."""
    problems: list[Problem] = []
    warnings: list[Problem] = list(raw.warnings)  # reading's own (hidden rows, sheets, columns)
    ck = Checker(problems, warnings)
    sheets: dict[str, RawSheet] = {}
    for spec in SHEETS:
        sheet = raw.sheets.get(spec.name)
        if sheet is None:
            if spec.required:
                typo = close_match(spec.name, raw.sheets)
                hint = f"The workbook has a sheet {raw.sheets[typo].title!r}: did you mean {spec.name!r}?" if typo else spec.help
                ck.fail(None, None, None, None, f"required sheet {spec.name!r} is missing", hint, title=spec.name)
            continue
        if check_columns(ck, sheet, spec):
            sheets[spec.name] = sheet
    for key, sheet in raw.sheets.items():
        if key not in SHEET:
            typo = close_match(key, [s.name for s in SHEETS if s.name not in raw.sheets])
            if typo:
                ck.fail(sheet, None, None, None, f"sheet {sheet.title!r} is not a sheet of the workbook format; it looks like {typo!r}", f"Rename it to {typo!r}.")

    settings = settings_sheet.key_values(ck, sheets.get("settings"), "setting", SETTINGS)
    rules = settings_sheet.key_values(ck, sheets.get("rules"), "rule", RULES)

    rows = {name: typed_rows(ck, sheets[name], SHEET[name]) for name in sheets if name not in ("settings", "rules", *CHANGE_SHEETS)}
    known = {
        what: names_in(sheets.get(name), SHEET[name], *columns)
        for what, name, columns in (
            ("brand", "brands", ("brand",)),
            ("variant", "variants", ("variant",)),
            ("body_style", "variants", ("body_style",)),
            ("category", "categories", ("category",)),
            ("option", "parts", ("category", "option")),
            ("pack", "packs", ("pack",)),
        )
    }
    brands = [r["brand"] for _, r in rows.get("brands", [])]
    if "brands" in sheets:
        unique(ck, sheets["brands"], [(raw_row, r["brand"]) for raw_row, r in rows["brands"]], "brand", "brand")
        if not brands and not any(p.sheet == sheets["brands"].title for p in problems):
            ck.fail(sheets["brands"], None, None, None, "no brands are listed", "List at least one brand.")

    equity = settings_sheet.equity_shares(ck, sheets.get("settings"), brands)
    variants = tables.variants(ck, sheets.get("variants"), rows.get("variants", []), brands, known["brand"])
    categories = tables.categories(ck, sheets.get("categories"), rows.get("categories", []))
    body_styles = {v.body_style for v in variants}
    parts = tables.parts(ck, sheets.get("parts"), rows.get("parts", []), categories, brands, body_styles, known)
    packs = tables.packs(ck, sheets.get("packs"), rows.get("packs", []))
    plants = tables.plants(ck, sheets.get("plants"), rows.get("plants", []), body_styles, known["body_style"])
    tiers = tables.tiers(ck, sheets.get("tiers"), rows.get("tiers", []), parts, packs, known)
    demand = tables.demand(ck, sheets.get("demand"), rows.get("demand", []), brands, variants, body_styles, known)
    years = programme.years(ck, sheets.get("years"), rows.get("years", []))
    has_years = "years" in sheets and bool(known_rows(sheets["years"], SHEET["years"]))
    programme.launch_windows(ck, sheets.get("variants"), rows.get("variants", []), years, has_years)
    programme.demand_years(ck, sheets.get("demand"), rows.get("demand", []), years, has_years)
    locks = programme.locks(ck, sheets.get("locks"), rows.get("locks", []), variants, categories, parts, packs)
    futures = programme.futures(ck, sheets.get("futures"), rows.get("futures", []), raw)
    consistency.item_keys(ck, sheets, rows.get("parts", []), rows.get("packs", []), known["option"])
    consistency.list_names(ck, sheets, rows.get("brands", []), rows.get("variants", []))
    if "parts" in rows and not any(p.sheet == getattr(sheets.get("settings"), "title", None) for p in problems):
        # rows with a bad cell are left out, which can only raise the least consumption found
        consistency.consumption(ck, sheets, rows["parts"], settings["wh_per_km_per_kg"], variants, categories, parts, packs)

    if problems:
        raise InputError(problems)
    plan_input = PlanInput(
        settings=Settings(**settings, equity=equity),
        rules=KeiRules(**rules),
        brands=tuple(brands),
        variants=tuple(variants),
        categories=tuple(categories),
        parts=tuple(parts),
        packs=tuple(packs),
        plants=tuple(plants),
        tiers=tiers,
        demand=tuple(demand),
        years=years if has_years else (),
        locks=locks,
    )
    return Validated(plan_input, warnings, futures)
