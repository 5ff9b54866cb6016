"""Programmes compared year by year (cases with a years sheet): each case's launch year per variant,
its units, what it pays and what that counts in present value in each year, against the base case.

Like optimizer.report.compare it works only from what the reports embed: the launch years from the
plan JSON, the yearly figures from the KPIs (optimizer.analysis.kpis.programme_kpis).
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.report.compare import CaseData, Comparison

NOT_OFFERED = "not offered"
NO_PLAN = "no plan"


@dataclass(frozen=True)
class YearRow:
    """One case's figure in each year and over the programme, and its difference from the base case."""

    case: str
    values: tuple[float | None, ...]
    total: float | None
    deltas: tuple[float | None, ...]  # this − base; None for the base case or a figure missing
    total_delta: float | None


@dataclass(frozen=True)
class YearsComparison:
    years: tuple[str, ...]  # the base case's (else the first programme's) years
    variants: tuple[str, ...]  # offered in some case
    launches: tuple[tuple[str, ...], ...]  # a row a case: each variant's launch year, or why none
    units: tuple[YearRow, ...]
    paid: tuple[YearRow, ...]  # yen paid in the year
    present_value: tuple[YearRow, ...]  # what the year counts in the total cost
    notes: tuple[str, ...]
    base: int  # the row of the base case


def compare_years(cmp: Comparison) -> YearsComparison | None:
    """The cases' programmes side by side; None when no case has a years sheet."""
    programmes = [c for c in cmp.cases if c.plan.get("years")]
    if not programmes:
        return None
    base = cmp.base_case
    years = tuple(base.plan.get("years") or programmes[0].plan["years"])
    notes = [
        f"{c.label} covers {_span(c.plan.get('years'))}, not {_span(years)}: only the years in common are compared."
        for c in cmp.cases if tuple(c.plan.get("years") or ()) != years
    ]
    variants = tuple(dict.fromkeys(
        v for c in cmp.cases for v, x in c.plan.get("variants", {}).items() if x.get("offered")
    ))
    launches = tuple(tuple(_launch(c, v) for v in variants) for c in cmp.cases)

    def rows(key: str, total_of) -> tuple[YearRow, ...]:
        base_values, base_total = _values(base, key, years), total_of(base)
        out = []
        for i, c in enumerate(cmp.cases):
            values, total = _values(c, key, years), total_of(c)
            deltas = tuple(None if i == cmp.base else _minus(v, b) for v, b in zip(values, base_values))
            out.append(YearRow(c.label, values, total, deltas, None if i == cmp.base else _minus(total, base_total)))
        return tuple(out)

    def summed(key: str):
        return lambda c: None if any(v is None for v in _values(c, key, years)) else sum(_values(c, key, years))

    return YearsComparison(
        years, variants, launches,
        units=rows("units_by_year", summed("units_by_year")),
        paid=rows("cost_paid_by_year_jpy", summed("cost_paid_by_year_jpy")),
        present_value=rows("cost_present_value_by_year_jpy", lambda c: c.kpis.get("total_cost_jpy")
                           if c.kpis.get("cost_present_value_by_year_jpy") else None),
        notes=tuple(notes), base=cmp.base,
    )


def _launch(case: CaseData, variant: str) -> str:
    if not case.has_plan:
        return NO_PLAN
    v = case.plan.get("variants", {}).get(variant) or {}
    return str(v.get("launch_year") or "—") if v.get("offered") else NOT_OFFERED


def _values(case: CaseData, key: str, years: tuple[str, ...]) -> tuple[float | None, ...]:
    found = (case.kpis.get(key) or {}) if case.has_plan else {}
    return tuple(found.get(y) for y in years)


def _minus(this: float | None, base: float | None) -> float | None:
    return None if this is None or base is None else this - base


def _span(years) -> str:
    return f"{years[0]}–{years[-1]}" if years else "no years (a steady year)"
