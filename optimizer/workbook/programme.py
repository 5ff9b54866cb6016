"""Validation of the programme's sheets and columns: years, launch windows, demand years, locks
and futures. Every problem names its sheet, row, column and value, like the rest of validation."""

from __future__ import annotations

import math

from models.data import Category, Lock, Pack, PartOption, Variant, Year
from optimizer.workbook.checker import convert, did_you_mean, unique
from optimizer.workbook.read import RawRow, RawSheet, RawWorkbook

YES, NO = {"yes", "true", "1", "y"}, {"no", "false", "0", "n"}
NONE = "none"
# The probabilities of the futures must add up to 1 within this.
PROBABILITY_TOLERANCE = 1e-6


def years(ck, sheet: RawSheet | None, rows: list[tuple[RawRow, dict]]) -> tuple[Year, ...]:
    """The years in the order of their rows: unique names, factors above 0 (the schema checks), and
    discount factors that never rise. A years sheet with no rows is no programme (a blank template)."""
    if sheet is None:
        return ()

    unique(ck, sheet, [(row, r["year"]) for row, r in rows], "year", "year")
    out: list[Year] = []
    previous: tuple[RawRow, float] | None = None
    for row, r in rows:
        if previous is not None and r["discount_factor"] > previous[1]:
            ck.fail(
                sheet, row, "discount_factor", r["discount_factor"],
                f"the discount factor rises from {previous[1]:g} (row {previous[0].number}) to {r['discount_factor']:g}",
                "Discount factors never rise from one year to the next (present value: a later yen is worth no more).",
            )
        previous = (row, r["discount_factor"])
        out.append(Year(r["year"], **{k: v for k, v in r.items() if k != "year"}))
    return tuple(out)


def launch_windows(ck, sheet: RawSheet | None, rows: list[tuple[RawRow, dict]], programme: tuple[Year, ...], has_years: bool) -> None:
    """launch_from and launch_by name years of the years sheet, in that order."""
    names = [y.name for y in programme]
    for row, r in rows:
        given = [c for c in ("launch_from", "launch_by") if r.get(c) is not None]
        if not given:
            continue
        if not has_years:
            for c in given:
                ck.fail(sheet, row, c, r[c], "is ignored: without a years sheet the plan is one steady year", "Add a years sheet, or clear the cell.", warn=True)
            continue
        for c in given:
            if r[c] not in names:
                ck.fail(sheet, row, c, r[c], "is not a year of the years sheet", _hint(r[c], names))
        if all(r.get(c) in names for c in ("launch_from", "launch_by")) and names.index(r["launch_from"]) > names.index(r["launch_by"]):
            ck.fail(sheet, row, "launch_from", r["launch_from"], f"launch_from is after launch_by ({r['launch_by']})",
                    "The launch window runs from launch_from to launch_by.", also=("launch_by",))


def demand_years(ck, sheet: RawSheet | None, rows: list[tuple[RawRow, dict]], programme: tuple[Year, ...], has_years: bool) -> None:
    names = [y.name for y in programme]
    for row, r in rows:
        year = r.get("year")
        if year is None:
            continue
        if not has_years:
            ck.fail(sheet, row, "year", year, "names a year, but the workbook has no years sheet",
                    "Add a years sheet, or clear the cell (the row then holds in the one steady year).")
        elif year not in names:
            ck.fail(sheet, row, "year", year, "is not a year of the years sheet", _hint(year, names))


def locks(ck, sheet: RawSheet | None, rows: list[tuple[RawRow, dict]], variants: list[Variant], categories: list[Category],
          parts: list[PartOption], packs: list[Pack]) -> tuple[Lock, ...]:
    """Each lock names a known variant and item, and a choice that item can take. Locks that cannot
    hold together (two packs for one variant, a lock out of the plan beside a lock of its pack) are
    not input errors: as the workbook format says, they are a conflict, diagnosed like any other when
    the plan is solved. A lock written twice is kept once, with a warning."""
    if sheet is None:
        return ()
    variant_names = [v.name for v in variants]
    category = {c.name: c for c in categories}
    out: list[Lock] = []
    seen: dict[tuple[str, str, object], RawRow] = {}
    for row, r in rows:
        variant, item_raw, choice_raw = r["variant"], r["item"], r["choice"]
        if variant not in variant_names:
            ck.fail(sheet, row, "variant", variant, "is not a variant of the variants sheet", _hint(variant, variant_names))
            continue
        item = item_raw.lower() if item_raw.lower() in ("offer", "pack") else item_raw
        choice = _choice(ck, sheet, row, item, choice_raw, category, parts, packs)
        if choice is _BAD:
            continue
        key = (variant, item, choice)
        if key in seen:
            ck.fail(sheet, row, "choice", choice_raw, f"repeats the lock of row {seen[key].number}; it is read once",
                    "Delete one of the two rows.", warn=True)
            continue
        seen[key] = row
        out.append(Lock(variant, item, choice, f"locks row {row.number}"))
    return tuple(out)


_BAD = object()


def _choice(ck, sheet, row, item: str, raw: object, category: dict[str, Category], parts: list[PartOption], packs: list[Pack]):
    """The lock's choice as the model reads it, or _BAD after recording a problem."""

    if item == "offer":
        value, message = convert(raw, "yes/no")
        if message:
            ck.fail(sheet, row, "choice", raw, "for offer the choice is yes or no")
            return _BAD
        return value
    text, message = convert(raw, "name")
    if message:
        ck.fail(sheet, row, "choice", raw, message)
        return _BAD
    if item == "pack":
        names = [p.name for p in packs]
        if text not in names:
            ck.fail(sheet, row, "choice", raw, "is not a pack of the packs sheet", _hint(text, names))
            return _BAD
        return text
    if item not in category:
        ck.fail(sheet, row, "item", item, "is neither offer, pack nor a category of the categories sheet",
                _hint(item, ["offer", "pack", *category]))
        return _BAD
    if text.lower() == NONE:
        return None  # on a required category a conflict like any other (solving says so), not an input error
    options = [p.option for p in parts if p.category == item]
    if text not in options:
        ck.fail(sheet, row, "choice", raw, f"is not an option of category {item}", _hint(text, options + [NONE]))
        return _BAD
    return text


def futures(ck, sheet: RawSheet | None, rows: list[tuple[RawRow, dict]], raw: RawWorkbook) -> tuple[tuple[str, float], ...]:
    """(scenario, probability) of each future: base or a scenario of the scenarios sheet, each once,
    probabilities above 0 (the schema checks) adding up to 1."""
    if sheet is None:
        return ()
    from optimizer.workbook.scenarios import scenario_names  # scenarios imports validate, which imports this

    known = ["base"] + scenario_names(raw)
    out = []
    for row, r in rows:
        name = "base" if r["scenario"].lower() == "base" else r["scenario"]
        if name not in known:
            ck.fail(sheet, row, "scenario", r["scenario"], "is neither base nor a scenario of the scenarios sheet", _hint(name, known))
            continue
        out.append((row, name, r["probability"]))
    unique(ck, sheet, [(row, name) for row, name, _p in out], "scenario", "future")
    total = math.fsum(p for _r, _n, p in out)
    if out and len(out) == len(rows) and abs(total - 1.0) > PROBABILITY_TOLERANCE:
        ck.fail(sheet, None, "probability", round(total, 9), "the probabilities of the futures add up to "
                f"{total:g}, not 1", "Make them add up to 1 (e.g. 0.5, 0.3, 0.2).")
    return tuple((name, p) for _r, name, p in out)


def _hint(name: str, candidates: list[str]) -> str:

    return did_you_mean(name, candidates) or (f"Known: {', '.join(candidates)}." if candidates else "")
