"""Checks across sheets once every cell is typed: names that would mean two things, and figures that
break the spec's formulas for some allowed choice.

- Items: the tiers sheet, the reports and the JSON name an option `category/option` and a pack by
  its name, so two options whose keys read the same (category `a/b` with option `c`, category `a`
  with option `b/c`), or a pack named like an option, would merge two items' volumes and costs.
- List names: a brand or body style is listed in comma-separated cells where blank or `all` means
  every one, so a name `all` or a name with a comma could never be listed.
- Consumption: range = 1000 × usable_kwh / consumption means something only while consumption is
  above zero; a saver large enough to take it to zero or below would make every range target
  "met". Refused when some allowed choice of a variant (options its body style and brand allow, a
  pack its bay takes) gets there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.data import Category, Pack, PartOption, Variant
from models.plan import per_category_extreme
from optimizer.workbook.read import RawRow, RawSheet

if TYPE_CHECKING:
    from optimizer.workbook.checker import Checker

Rows = list[tuple[RawRow, dict[str, object]]]


def item_keys(
    ck: Checker, sheets: dict[str, RawSheet], parts: Rows, packs: Rows, part_keys: set[str] | None,
) -> None:
    """Every option key `category/option` and every pack name names one item only."""
    first: dict[str, tuple[str, str, int | None]] = {}
    for row, r in parts:
        key, pair = f"{r['category']}/{r['option']}", (r["category"], r["option"])
        seen = first.setdefault(key, (*pair, row.number))
        if seen[:2] != pair:
            ck.fail(
                sheets["parts"], row, "option", r["option"],
                f"category {r['category']!r} with option {r['option']!r} reads {key!r}, as category "
                f"{seen[0]!r} with option {seen[1]!r} does (row {seen[2]}), so the tiers sheet and the "
                "reports could not tell the two options apart",
                "Rename one of them; it is the '/' inside a category or option name that makes the two "
                "read alike.",
                also=("category",),
            )
    for row, r in packs:
        if part_keys is not None and r["pack"] in part_keys:
            ck.fail(
                sheets["packs"], row, "pack", r["pack"],
                f"has the same name as the part option {r['pack']!r}, so a tier for it would be ambiguous",
                "Rename the pack.",
            )


def list_names(ck: Checker, sheets: dict[str, RawSheet], brands: Rows, variants: Rows) -> None:
    """Brands and body styles can be written in a list cell (parts' brands and body_styles, plants'
    body_styles): no `all`, no comma."""
    for sheet, rows, column, lists in (
        ("brands", brands, "brand", "parts' brands column"),
        ("variants", variants, "body_style", "the body_styles columns of parts and plants"),
    ):
        what = column.replace("_", " ")
        for row, r in rows:
            name = r[column]
            if name.lower() == "all":
                why = f"'all' in {lists} means every {what}, so this one could never be listed alone"
            elif "," in name:
                parts = len(name.split(","))
                why = f"{lists} separate names by commas, so this one would read as {parts} names"
            else:
                continue
            ck.fail(sheets[sheet], row, column, name, why, f"Rename the {what}.")


def consumption(
    ck: Checker, sheets: dict[str, RawSheet], parts: Rows, k: float,
    variants: list[Variant], categories: list[Category], options: list[PartOption], packs: list[Pack],
) -> None:
    """No allowed choice of a variant takes its consumption to zero or below. One problem per saver
    (the option with the most negative wh_per_km in the choice), naming every variant it affects."""
    row_of = {(r["category"], r["option"]): row for row, r in parts}
    affected: dict[tuple[str, str], list[str]] = {}
    detail: dict[tuple[str, str], str] = {}
    for v in variants:
        worst = _least_consumption(v, k, categories, options, packs)
        if worst is None or worst[0] > 0:
            continue
        total, savers, pack = worst
        saver = min(savers, key=lambda o: o.wh_per_km)
        key = (saver.category, saver.option)
        affected.setdefault(key, []).append(v.name)
        named = " and ".join(f"{o.key} ({o.wh_per_km:+,g} Wh/km)" for o in savers)
        detail.setdefault(key, f"with {named} and pack {pack.name}, variant {v.name} uses {total:,.1f} Wh/km")
    for key, names in affected.items():
        others = ", ".join(names[1:])
        also = f" ({others} also go{'es' if len(names) == 2 else ''} to zero or below)" if others else ""
        row = row_of[key]
        ck.fail(
            sheets["parts"], row, "wh_per_km", row.cells.get("wh_per_km"),
            f"{detail[key]}{also}: consumption must stay above zero (range = 1000 × usable_kwh / "
            "consumption would otherwise call any range target met), so plan refuses a saver that can "
            "take it there",
            "Check the sign and size of wh_per_km: a saver such as a heat pump takes a few Wh/km off, "
            "e.g. -8.",
        )


def _least_consumption(
    v: Variant, k: float, categories: list[Category], options: list[PartOption], packs: list[Pack],
) -> tuple[float, list[PartOption], Pack] | None:
    """The least consumption an allowed choice reaches, with the savers in it and its pack; None
    when the variant can take no choice at all (a required category without an allowed option, or
    no pack its bay takes: reported elsewhere)."""
    allowed = {c.name: [o for o in options if o.category == c.name and o.allowed_for(v)] for c in categories}
    required = {c.name for c in categories if c.required}
    fitting = [p for p in packs if p.length_mm <= v.pack_bay_mm]
    if not fitting or any(not allowed[c] for c in required):
        return None

    def adds(o: PartOption) -> float:
        return k * o.mass_kg + o.wh_per_km

    least = per_category_extreme(allowed, lambda c: c in required, adds)
    savers = [min(allowed[c], key=adds) for c, x in least.items() if x < 0]
    pack = min(fitting, key=lambda p: p.mass_kg)
    return v.base_wh_per_km + k * (v.glider_mass_kg + pack.mass_kg) + sum(least.values()), savers, pack
