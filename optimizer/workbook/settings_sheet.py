"""The settings and rules sheets: one value per named key, with defaults, and the equity shares
that the reports' cost allocation reads."""

from __future__ import annotations

from optimizer.workbook.checker import NUMBERS, RATIOS, Checker, close_match, convert
from optimizer.workbook.convert import clean_name
from optimizer.workbook.limits import setting_limit
from optimizer.workbook.read import RawSheet
from optimizer.workbook.schema import NUMBER, Setting


def key_values(ck: Checker, sheet: RawSheet | None, key_col: str, known: tuple[Setting, ...]) -> dict[str, object]:
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


def equity_shares(ck: Checker, sheet: RawSheet | None, brands: list[str]) -> tuple[tuple[str, float], ...]:
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
