"""Figures as messages show them: rounded for a reader, and safe for a figure that is not known
(a gap without a bound, a cost without a plan), which reads "unknown" instead of raising."""

from __future__ import annotations

import math

UNKNOWN = "unknown"


def yen(x: float | None) -> str:
    """'¥1,234,567' (whole yen)."""
    return UNKNOWN if x is None else f"¥{x:,.0f}"


def share(x: float | None) -> str:
    """A fraction as a percentage with three significant digits: '1.83 %', '0.002 %', '0 %'."""
    if x is None or not math.isfinite(x):
        return UNKNOWN
    if x == 0:
        return "0 %"
    if abs(x) < 1e-5:
        return "< 0.001 %" if x > 0 else "> -0.001 %"
    return f"{float(f'{x * 100:.3g}'):,g} %"


def duration(x: float | None) -> str:
    """'59 s', '7.5 s', '0.05 s', '3.4 ms': whole seconds from 10 s on, else two significant digits
    (in milliseconds below 0.01 s, so that no figure carries a long tail of decimals)."""
    if x is None or not math.isfinite(x):
        return f"{UNKNOWN} s" if x is None else f"{x} s"
    if abs(x) >= 10:
        return f"{x:,.0f} s"
    if 0 < abs(x) < 0.01:
        return f"{float(f'{1000 * x:.2g}'):g} ms"
    return f"{float(f'{x:.2g}'):g} s"


def horizon(inp) -> str:
    """What the total cost counts, for a sentence: 'over 6 years', or over a programme its years
    in present value ('over 2027–2032 (present value)')."""
    if inp.years:
        return f"over {inp.years[0].name}–{inp.years[-1].name} (present value)"
    return f"over {inp.settings.lifecycle_years:g} years"


def units_per(inp) -> str:
    """How a plan's units are counted: 'units a year', or over a programme 'units over 2027–2032'."""
    return f"units over {inp.years[0].name}–{inp.years[-1].name}" if inp.years else "units a year"
