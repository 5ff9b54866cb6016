"""One function per data sheet: its typed rows turned into the model's records, with the
references to other sheets checked (a brand, category, body style or item that exists)."""

from __future__ import annotations

import math

from models.data import DEMAND_SCOPES, Category, DemandRow, Pack, PartOption, Plant, Tier, Variant
from optimizer.workbook.checker import did_you_mean, unique
from optimizer.workbook.read import RawRow


def variants(ck, sheet, rows, brands, known_brands) -> list[Variant]:
    out = []
    for row, r in rows:
        if known_brands is not None and r["brand"] not in known_brands:
            ck.fail(sheet, row, "brand", r["brand"], "is not a brand of the brands sheet", did_you_mean(r["brand"], brands) or f"Brands: {', '.join(brands)}.")
        if r["min_units"] > r["max_units"]:
            ck.fail(sheet, row, "min_units", r["min_units"], f"min_units is above max_units ({r['max_units']:,.0f})", "min_units must not exceed max_units.", also=("max_units",))
        out.append(Variant(name=r["variant"], **{k: v for k, v in r.items() if k != "variant"}))
    if sheet is not None:
        unique(ck, sheet, [(row, r["variant"]) for row, r in rows], "variant", "variant")
        if not rows and not any(p.sheet == sheet.title for p in ck.problems):
            ck.fail(sheet, None, None, None, "no variants are listed", "List at least one variant.")
    return out


def categories(ck, sheet, rows) -> list[Category]:
    if sheet is not None:
        unique(ck, sheet, [(row, r["category"]) for row, r in rows], "category", "category")
    return [Category(r["category"], r["required"], r["shared"]) for _, r in rows]


def parts(ck, sheet, rows, categories, brands, body_styles, known) -> list[PartOption]:
    names = [c.name for c in categories]
    out = []
    for row, r in rows:
        if known["category"] is not None and r["category"] not in known["category"]:
            ck.fail(sheet, row, "category", r["category"], "is not a category of the categories sheet", did_you_mean(r["category"], names) or f"Categories: {', '.join(names)}.")
        if known["brand"] is not None and r["brands"] is not None:
            for b in sorted(r["brands"] - known["brand"]):
                ck.fail(sheet, row, "brands", b, "is not a brand of the brands sheet", did_you_mean(b, brands) or f"Brands: {', '.join(brands)}.")
        if r["body_styles"] is not None and known["body_style"] is not None:
            for st in sorted(r["body_styles"] - known["body_style"]):
                ck.fail(sheet, row, "body_styles", st, "no variant has this body style, so the option fits none of them through it", did_you_mean(st, body_styles), warn=True)
        out.append(PartOption(**r))
    if sheet is not None:
        unique(ck, sheet, [(row, (r["category"], r["option"])) for row, r in rows], "option", "option")
    return out


def packs(ck, sheet, rows) -> list[Pack]:
    if sheet is not None:
        unique(ck, sheet, [(row, r["pack"]) for row, r in rows], "pack", "pack")
    return [Pack(name=r["pack"], **{k: v for k, v in r.items() if k != "pack"}) for _, r in rows]


def plants(ck, sheet, rows, body_styles, known_styles) -> list[Plant]:
    out = []
    for row, r in rows:
        if r["body_styles"] is not None and known_styles is not None:
            for st in sorted(r["body_styles"] - known_styles):
                ck.fail(sheet, row, "body_styles", st, "no variant has this body style", did_you_mean(st, body_styles), warn=True)
        out.append(Plant(name=r["plant"], **{k: v for k, v in r.items() if k != "plant"}))
    if sheet is not None:
        unique(ck, sheet, [(row, r["plant"]) for row, r in rows], "plant", "plant")
    return out


def tiers(ck, sheet, rows, parts, packs, known) -> dict[str, tuple[Tier, ...]]:
    list_price = {p.key: p.unit_cost_jpy for p in parts}
    list_price.update((pack.name, pack.unit_cost_jpy) for pack in packs)
    refs_ok = known["option"] is not None and known["pack"] is not None
    by_item: dict[str, list[tuple[RawRow, Tier]]] = {}
    for row, r in rows:
        item = r["item"]
        if refs_ok and item not in known["option"] | known["pack"]:
            hint = did_you_mean(item, list_price) or "Write a pack name, or category/option for a part."
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


def demand(ck, sheet, rows, brands, variants, body_styles, known) -> list[DemandRow]:
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
            ck.fail(sheet, row, "name", name, f"is not a {scope} of the workbook", did_you_mean(name, names[scope]) or f"Known: {', '.join(names[scope])}.")
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
