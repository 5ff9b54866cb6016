"""Demand rows, in each future and year: the units summed over a row's scope stay within its bounds.
A row without a year holds in every year, scaled by that year's demand factor; a row with a year
holds in that year only, as written. A row none of the offerable variants serves holds trivially
or, with a positive minimum, is one of the static conflicts."""

from __future__ import annotations

from models.rows import Rule, bounds_text

if False:  # pragma: no cover - typing only
    from models.build import PlatformModel


def demand_rows(pm: "PlatformModel"):
    """(future, row, year name, min, max, covered units) for every demand row that holds that year."""
    for fut in pm.futures:
        for d in fut.inp.demand:
            for t in (y.name for y in pm.periods):
                bounds = d.bounds_in(pm.year(fut.name, t))
                if bounds is None or (bounds[0] is None and bounds[1] is None):
                    continue
                covered = [pm.m.units[fut.name, v, t] for v, vc in pm.choices.items()
                           if d.covers(vc.variant) and (fut.name, v, t) in pm.m.units]
                yield fut.name, d, t, bounds[0], bounds[1], covered


def define_demand(pm: "PlatformModel") -> None:
    rows, row_of = {}, {}
    for f, d, t, lo, hi, covered in demand_rows(pm):
        if covered:
            rows[(f, d.label, t)] = (lo, sum(covered), hi)
            row_of[(f, d.label, t)] = (d, lo, hi)

    def meaning(k) -> Rule:
        """The row's units stay within its bounds in its year (or every year)."""
        d, lo, hi = row_of[k]
        when = f" in {k[2]}" if k[2] else " a year"
        return Rule("demand", "demand", d.title, f"{k[1]} ({d.title}): {bounds_text(lo, hi)} units{when}",
                    year=k[2], future=k[0])

    pm.add(
        "demand", rows, meaning,
        lambda k: max(row_of[k][1] or 0.0, row_of[k][2] or 0.0, 1.0),
    )
