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
    """'59 s', '7.5 s', '0.05 s': whole seconds from 10 s on, else two significant digits."""
    if x is None or not math.isfinite(x):
        return f"{UNKNOWN} s" if x is None else f"{x} s"
    if abs(x) >= 10:
        return f"{x:,.0f} s"
    return f"{float(f'{x:.2g}'):g} s"
