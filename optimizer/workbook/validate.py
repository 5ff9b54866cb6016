"""Turn raw workbook tables into a validated `PlanInput`, or report every problem at once.

Checks: required sheets and columns, cell types, numbers that cannot be negative, unique
names, every reference resolved, min <= max, tier prices falling as volume rises, yes/no
and list cells. Rows with nothing in any of the spec's columns are skipped (planners keep
notes beside their data).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
from dataclasses import dataclass

from models.data import (
    Category,
    DemandRow,
    KeiRules,
    Pack,
    PartOption,
    PlanInput,
    Plant,
    Settings,
    Tier,
    Variant,
)
from optimizer.problems import InputError, Problem
from optimizer.workbook import programme
from optimizer.workbook.convert import clean_name, number_from_text
from optimizer.workbook.limits import column_limit, setting_limit
from optimizer.workbook.schema import (
    LIST,
    NAME,
    NUMBER,
    POSITIVE,
    RULES,
    SETTINGS,
    SHEET,
    SHEETS,
    SIGNED,
    TEXT,
    WHOLE,
    YESNO,
    Column,
    Setting,
    SheetSpec,
)
from optimizer.workbook import consistency
from optimizer.workbook.read import RawRow, RawSheet, RawWorkbook

from models.data import DEMAND_SCOPES

_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}
_MISSING = object()
NUMBERS = (NUMBER, SIGNED, POSITIVE, WHOLE)
RATIOS = ("mip_rel_gap",)  # settings that may be typed as a percentage ("0.01 %")


@dataclass
class Validated:
    plan_input: PlanInput
    warnings: list[Problem]
    futures: tuple[tuple[str, float], ...] = ()  # the futures sheet: (scenario, probability)


def close_match(name: str, candidates) -> str:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return found[0] if found else ""


def _did_you_mean(name: str, candidates) -> str:
    match = close_match(name, candidates)
    return f"Did you mean {match!r}?" if match else ""


class _Checker:
    """Collects problems while converting cells; one per sheet being read."""

    def __init__(self, problems: list[Problem], warnings: list[Problem]):
        self.problems = problems
        self.warnings = warnings

    def fail(
        self, sheet: RawSheet | None, row: RawRow | int | None, column: str | None, value: object, message: str, hint: str = "",
        *, title: str | None = None, warn: bool = False, also: tuple[str, ...] = (),
    ) -> None:
        """Record a problem. Given the RawRow (not just its number), the message also names the
        scenario that set `column` (or one of `also`, the other cells the check read)."""
        number = row.number if isinstance(row, RawRow) else row
        if isinstance(row, RawRow):
            origins = list(dict.fromkeys(row.changed_by[c] for c in (column, *also) if c in row.changed_by))
            if origins:
                message += f" (set by scenario {', '.join(origins)})"
        letter = sheet.letter(column) if sheet is not None and column else ""
        p = Problem(sheet.title if sheet is not None else title, number, column, value, message, hint, letter)
        (self.warnings if warn else self.problems).append(p)

    def cell(self, sheet: RawSheet, row: RawRow, col: Column):
        """The typed value of one cell, or _MISSING after recording a problem."""
        value = row.cells.get(col.name)
        if value is None:
            if col.required:
                self.fail(sheet, row, col.name, None, f"is blank; {col.name} is required", col.help)
                return _MISSING
            return col.default
        converted, message = convert(value, col.kind, col.unit)
        if not message and col.kind in NUMBERS:
            message = column_limit(col.name).problem(converted)
        if message:
            self.fail(sheet, row, col.name, value, message, col.help)
            return _MISSING
        return converted


def convert(value: object, kind: str, unit: str = "", percent: bool = False) -> tuple[object, str]:
    """Convert a cell to `kind`; returns (value, "") or (None, what is wrong). For a number typed as
    text, `unit` ("¥" for money) and `percent` (a ratio) say which marks it may carry."""
    if kind in (NAME, TEXT):
        if isinstance(value, bool) or isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
            if kind == TEXT:
                return value, ""
            return None, "expected a name (text), not " + ("TRUE/FALSE" if isinstance(value, bool) else "a date")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = clean_name(value) if kind == NAME else value
        return text, ""
    if kind == YESNO:
        if isinstance(value, bool):
            return value, ""
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value), ""
        text = str(value).replace("\u00a0", " ").strip().lower()
        if text in _YES:
            return True, ""
        if text in _NO:
            return False, ""
        return None, "expected yes or no (also accepted: true/false, 1/0)"
    if kind == LIST:
        if isinstance(value, bool) or isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
            return None, "expected a comma-separated list of names"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        items = [clean_name(p) for p in str(value).split(",")]
        items = [p for p in items if p]
        if not items or (len(items) == 1 and items[0].lower() == "all"):
            return None, ""
        if any(p.lower() == "all" for p in items):
            return None, "'all' cannot be combined with names; leave the cell blank or write all for no restriction"
        return frozenset(items), ""
    # numbers
    if isinstance(value, bool):
        return None, "expected a number, not TRUE/FALSE"
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return None, "expected a number, not a date (format the cell as Number)"
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        number, message = number_from_text(str(value), unit, percent)
        if message:
            return None, message
    if not math.isfinite(number):
        return None, "expected a finite number"
    if kind == POSITIVE and number <= 0:
        return None, "must be greater than zero"
    if kind in (NUMBER, WHOLE) and number < 0:
        return None, "cannot be negative"
    if kind == WHOLE and not number.is_integer():
        return None, "must be a whole number"
    return number, ""


def _known_rows(sheet: RawSheet, spec: SheetSpec) -> list[RawRow]:
    names = {c.name for c in spec.columns}
    return [r for r in sheet.rows if any(r.cells.get(n) is not None for n in names)]


def _check_columns(ck: _Checker, sheet: RawSheet, spec: SheetSpec) -> bool:
    """Required columns present; unknown columns that look like typos of absent ones. False: skip rows."""
    ok = True
    present = set(sheet.columns)
    known = {c.name for c in spec.columns}
    unknown = [c for c in present if c not in known]
    for col in spec.columns:
        if col.name in present:
            continue
        typo = close_match(col.name, unknown)
        if col.required:
            ok = False
            hint = f"Column {sheet.letter(typo)} is headed {sheet.header[sheet.columns[typo]]!r}: did you mean {col.name!r}?" if typo else col.help
            ck.fail(sheet, 1, col.name, None, f"required column {col.name!r} is missing", hint)
        elif typo:
            ck.fail(
                sheet, 1, typo, sheet.header[sheet.columns[typo]],
                f"column {typo!r} is not a column of {spec.name}; it looks like the optional column {col.name!r}, which would otherwise be ignored",
                f"Rename it to {col.name!r}, or to something clearly different if it holds notes.",
            )
    return ok


def _names_in(sheet: RawSheet | None, spec: SheetSpec, *columns: str) -> set[str] | None:
    """The names (joined with '/') in every data row of a sheet, rows with a bad cell included, so
    that a reference to such a row is not reported as a second, misleading problem. None when the
    sheet is unusable (missing, or a required column is): its references cannot be checked."""
    if sheet is None:
        return None
    out: set[str] = set()
    for row in _known_rows(sheet, spec):
        parts = [convert(row.cells[c], NAME)[0] if row.cells.get(c) is not None else None for c in columns]
        if all(isinstance(p, str) and p for p in parts):
            out.add("/".join(parts))
    return out


def _unique(ck: _Checker, sheet: RawSheet, rows: list[tuple[RawRow, object]], column: str, what: str) -> None:
    seen: dict[object, int] = {}
    for row, key in rows:
        if key in seen:
            shown = "/".join(key) if isinstance(key, tuple) else key
            ck.fail(sheet, row, column, shown, f"{what} {shown!r} appears twice (first in row {seen[key]})", "Names must be unique.")
        else:
            seen[key] = row.number


def validate(raw: RawWorkbook) -> Validated:
    """Validate every sheet; raise InputError listing every problem found."""
    problems: list[Problem] = []
    warnings: list[Problem] = list(raw.warnings)  # reading's own (hidden rows, sheets, columns)
    ck = _Checker(problems, warnings)
    sheets: dict[str, RawSheet] = {}
    for spec in SHEETS:
        sheet = raw.sheets.get(spec.name)
        if sheet is None:
            if spec.required:
                typo = close_match(spec.name, raw.sheets)
                hint = f"The workbook has a sheet {raw.sheets[typo].title!r}: did you mean {spec.name!r}?" if typo else spec.help
                ck.fail(None, None, None, None, f"required sheet {spec.name!r} is missing", hint, title=spec.name)
            continue
        if _check_columns(ck, sheet, spec):
            sheets[spec.name] = sheet
    for key, sheet in raw.sheets.items():
        if key not in SHEET:
            typo = close_match(key, [s.name for s in SHEETS if s.name not in raw.sheets])
            if typo:
                ck.fail(sheet, None, None, None, f"sheet {sheet.title!r} is not a sheet of the workbook format; it looks like {typo!r}", f"Rename it to {typo!r}.")

    settings = _key_values(ck, sheets.get("settings"), "setting", SETTINGS)
    rules = _key_values(ck, sheets.get("rules"), "rule", RULES)

    rows = {name: _typed_rows(ck, sheets[name], SHEET[name]) for name in sheets if name not in ("settings", "rules", "scenarios")}
    known = {
        what: _names_in(sheets.get(name), SHEET[name], *columns)
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
        _unique(ck, sheets["brands"], [(raw_row, r["brand"]) for raw_row, r in rows["brands"]], "brand", "brand")
        if not brands and not any(p.sheet == sheets["brands"].title for p in problems):
            ck.fail(sheets["brands"], None, None, None, "no brands are listed", "List at least one brand.")

    equity = _equity(ck, sheets.get("settings"), brands)
    variants = _variants(ck, sheets.get("variants"), rows.get("variants", []), brands, known["brand"])
    categories = _categories(ck, sheets.get("categories"), rows.get("categories", []))
    body_styles = {v.body_style for v in variants}
    parts = _parts(ck, sheets.get("parts"), rows.get("parts", []), categories, brands, body_styles, known)
    packs = _packs(ck, sheets.get("packs"), rows.get("packs", []))
    plants = _plants(ck, sheets.get("plants"), rows.get("plants", []), body_styles, known["body_style"])
    tiers = _tiers(ck, sheets.get("tiers"), rows.get("tiers", []), parts, packs, known)
    demand = _demand(ck, sheets.get("demand"), rows.get("demand", []), brands, variants, body_styles, known)
    years = programme.years(ck, sheets.get("years"), rows.get("years", []))
    has_years = "years" in sheets and bool(_known_rows(sheets["years"], SHEET["years"]))
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


def _key_values(ck: _Checker, sheet: RawSheet | None, key_col: str, known: tuple[Setting, ...]) -> dict[str, object]:
    values = {s.name: s.default for s in known}
    if sheet is None:
        return values
    by_name = {s.name: s for s in known}
    seen: dict[str, int] = {}
    for row in sheet.rows:
        raw_key = row.cells.get(key_col)
        raw_value = row.cells.get("value")
        if raw_key is None and raw_value is None:
            continue
        if raw_key is None:
            ck.fail(sheet, row.number, key_col, None, f"is blank; which {key_col} is this value for?")
            continue
        name = clean_name(raw_key).lower()
        setting = by_name.get(name)
        if setting is None:
            typo = close_match(name, by_name)
            if typo:
                ck.fail(sheet, row.number, key_col, raw_key, f"unknown {key_col}", f"Did you mean {typo!r}? Known: {', '.join(by_name)}.")
            elif not extra_setting(name):
                ck.fail(sheet, row.number, key_col, raw_key, f"unknown {key_col}; it is ignored", f"Known: {', '.join(by_name)}.", warn=True)
            continue
        if name in seen:
            ck.fail(sheet, row.number, key_col, raw_key, f"{key_col} {name!r} appears twice (first in row {seen[name]})")
            continue
        seen[name] = row.number
        if raw_value is None:
            continue  # blank value: the default
        value, message = convert(raw_value, setting.kind, percent=name in RATIOS)
        if not message and setting.kind in NUMBERS:
            message = setting_limit(name).problem(value)
        if message:
            ck.fail(sheet, row, "value", raw_value, f"{name}: {message}", setting.help)
            continue
        values[name] = value
    return values


def extra_setting(name: str) -> bool:
    """Settings that reports read (not the model): equity shares per brand."""
    return name.startswith("equity_")


def _equity(ck: _Checker, sheet: RawSheet | None, brands: list[str]) -> tuple[tuple[str, float], ...]:
    """`equity_<brand>` settings (read by the reports' cost allocation, docs/settings.md): a number
    >= 0 for every brand, normalised to shares adding up to 1. None given: () (equal shares)."""
    if sheet is None or not brands:
        return ()
    by_lower = {b.lower(): b for b in brands}
    hint = f"Write equity_<brand> with a brand of the brands sheet ({', '.join(brands)}) and its share, e.g. 50."
    given: dict[str, float] = {}
    for row in sheet.rows:
        raw_key = row.cells.get("setting")
        name = clean_name(raw_key) if raw_key is not None else ""
        if not name.lower().startswith("equity_"):
            continue
        brand = by_lower.get(name[len("equity_"):].strip().lower())
        if brand is None:
            ck.fail(sheet, row.number, "setting", raw_key, "names no brand of the brands sheet", hint)
            continue
        if brand in given:
            ck.fail(sheet, row.number, "setting", raw_key, f"equity of {brand} is given twice")
            continue
        raw_value = row.cells.get("value")
        value, message = convert(raw_value, NUMBER, percent=True) if raw_value is not None else (None, "is blank")
        if not message:
            message = setting_limit(name).problem(value)
        if message:
            ck.fail(sheet, row, "value", raw_value, f"{name}: {message}", hint)
            continue
        given[brand] = value
    if not given:
        return ()
    missing = [b for b in brands if b not in given]
    if missing:
        ck.fail(sheet, None, "setting", None, f"equity is given for {', '.join(given)} but not for {', '.join(missing)}", "Give equity_<brand> for every brand, or for none (equal shares).")
        return ()
    total = sum(given.values())
    if total <= 0:
        ck.fail(sheet, None, "setting", None, "every equity_<brand> setting is zero", "Give at least one brand a positive share.")
        return ()
    return tuple((b, given[b] / total) for b in brands)


def _typed_rows(ck: _Checker, sheet: RawSheet, spec: SheetSpec) -> list[tuple[RawRow, dict[str, object]]]:
    out = []
    for row in _known_rows(sheet, spec):
        typed = {c.name: ck.cell(sheet, row, c) for c in spec.columns}
        if all(v is not _MISSING for v in typed.values()):
            out.append((row, typed))
    return out


def _variants(ck, sheet, rows, brands, known_brands) -> list[Variant]:
    out = []
    for row, r in rows:
        if known_brands is not None and r["brand"] not in known_brands:
            ck.fail(sheet, row, "brand", r["brand"], "is not a brand of the brands sheet", _did_you_mean(r["brand"], brands) or f"Brands: {', '.join(brands)}.")
        if r["min_units"] > r["max_units"]:
            ck.fail(sheet, row, "min_units", r["min_units"], f"min_units is above max_units ({r['max_units']:,.0f})", "min_units must not exceed max_units.", also=("max_units",))
        out.append(Variant(name=r["variant"], **{k: v for k, v in r.items() if k != "variant"}))
    if sheet is not None:
        _unique(ck, sheet, [(row, r["variant"]) for row, r in rows], "variant", "variant")
        if not rows and not any(p.sheet == sheet.title for p in ck.problems):
            ck.fail(sheet, None, None, None, "no variants are listed", "List at least one variant.")
    return out


def _categories(ck, sheet, rows) -> list[Category]:
    if sheet is not None:
        _unique(ck, sheet, [(row, r["category"]) for row, r in rows], "category", "category")
    return [Category(r["category"], r["required"], r["shared"]) for _, r in rows]


def _parts(ck, sheet, rows, categories, brands, body_styles, known) -> list[PartOption]:
    names = [c.name for c in categories]
    out = []
    for row, r in rows:
        if known["category"] is not None and r["category"] not in known["category"]:
            ck.fail(sheet, row, "category", r["category"], "is not a category of the categories sheet", _did_you_mean(r["category"], names) or f"Categories: {', '.join(names)}.")
        if known["brand"] is not None and r["brands"] is not None:
            for b in sorted(r["brands"] - known["brand"]):
                ck.fail(sheet, row, "brands", b, "is not a brand of the brands sheet", _did_you_mean(b, brands) or f"Brands: {', '.join(brands)}.")
        if r["body_styles"] is not None and known["body_style"] is not None:
            for st in sorted(r["body_styles"] - known["body_style"]):
                ck.fail(sheet, row, "body_styles", st, "no variant has this body style, so the option fits none of them through it", _did_you_mean(st, body_styles), warn=True)
        out.append(PartOption(**r))
    if sheet is not None:
        _unique(ck, sheet, [(row, (r["category"], r["option"])) for row, r in rows], "option", "option")
    return out


def _packs(ck, sheet, rows) -> list[Pack]:
    if sheet is not None:
        _unique(ck, sheet, [(row, r["pack"]) for row, r in rows], "pack", "pack")
    return [Pack(name=r["pack"], **{k: v for k, v in r.items() if k != "pack"}) for _, r in rows]


def _plants(ck, sheet, rows, body_styles, known_styles) -> list[Plant]:
    out = []
    for row, r in rows:
        if r["body_styles"] is not None and known_styles is not None:
            for st in sorted(r["body_styles"] - known_styles):
                ck.fail(sheet, row, "body_styles", st, "no variant has this body style", _did_you_mean(st, body_styles), warn=True)
        out.append(Plant(name=r["plant"], **{k: v for k, v in r.items() if k != "plant"}))
    if sheet is not None:
        _unique(ck, sheet, [(row, r["plant"]) for row, r in rows], "plant", "plant")
    return out


def _tiers(ck, sheet, rows, parts, packs, known) -> dict[str, tuple[Tier, ...]]:
    list_price = {p.key: p.unit_cost_jpy for p in parts}
    list_price.update((pack.name, pack.unit_cost_jpy) for pack in packs)
    refs_ok = known["option"] is not None and known["pack"] is not None
    by_item: dict[str, list[tuple[RawRow, Tier]]] = {}
    for row, r in rows:
        item = r["item"]
        if refs_ok and item not in known["option"] | known["pack"]:
            hint = _did_you_mean(item, list_price) or "Write a pack name, or category/option for a part."
            ck.fail(sheet, row, "item", item, "is neither a pack nor a category/option of the parts sheet", hint)
            continue
        by_item.setdefault(item, []).append((row, Tier(r["min_units"], r["unit_cost_jpy"])))
    tiers: dict[str, tuple[Tier, ...]] = {}
    for item, entries in by_item.items():
        entries.sort(key=lambda e: e[1].min_units)
        prev_price, prev_where = list_price.get(item, math.inf), "its list price"
        prev_min = None
        for row, tier in entries:
            if prev_min is not None and tier.min_units == prev_min:
                ck.fail(sheet, row, "min_units", tier.min_units, f"{item} has two tiers from {tier.min_units:,.0f} units")
            elif tier.unit_cost_jpy > prev_price:
                ck.fail(
                    sheet, row, "unit_cost_jpy", tier.unit_cost_jpy,
                    f"{item}'s price rises to ¥{tier.unit_cost_jpy:,.0f} at {tier.min_units:,.0f} units, above ¥{prev_price:,.0f} ({prev_where})",
                    "Tier prices must fall as volume rises (all-units discounts).",
                    also=("min_units",),
                )
            prev_price, prev_min, prev_where = tier.unit_cost_jpy, tier.min_units, f"row {row.number}"
        tiers[item] = tuple(t for _, t in entries)
    return tiers


def _demand(ck, sheet, rows, brands, variants, body_styles, known) -> list[DemandRow]:
    out = []
    names = {"brand": brands, "body_style": sorted(body_styles), "variant": [v.name for v in variants]}
    for row, r in rows:
        scope = r["scope"].lower()
        if scope not in DEMAND_SCOPES:
            ck.fail(sheet, row, "scope", r["scope"], "is not a scope", f"Use one of: {', '.join(DEMAND_SCOPES)}.")
            continue
        name = r["name"] or ""
        if scope == "total":
            name = ""
        elif not name:
            ck.fail(sheet, row, "name", None, f"is blank; which {scope} does this row bound?")
            continue
        elif known[scope] is not None and name not in known[scope]:
            ck.fail(sheet, row, "name", name, f"is not a {scope} of the workbook", _did_you_mean(name, names[scope]) or f"Known: {', '.join(names[scope])}.")
            continue
        lo, hi = r["min_units"], r["max_units"]
        if lo is None and hi is None:
            ck.fail(sheet, row, "min_units", None, "both min_units and max_units are blank", "Give a minimum, a maximum or both.")
            continue
        if lo is not None and hi is not None and lo > hi:
            ck.fail(sheet, row, "min_units", lo, f"min_units is above max_units ({hi:,.0f})", also=("max_units",))
            continue
        out.append(DemandRow(scope, name, lo, hi, f"demand row {row.number}", r.get("year")))
    return out
