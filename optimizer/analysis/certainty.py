"""How sure a figure is. A solve stopped by its time limit (status feasible) has a plan and a bound
but no proof; one that reached its gap target (optimal) is proven to within that target. A figure
computed from such solves — the saving from sharing, a scenario's difference from the base case,
a brand's Shapley share — is then only known to lie in the range the bounds allow, and the report
and the JSON must say so where they show it.

With the cheapest plan's cost C* between bound B and plan cost C for each solve, the saving from
sharing N* − S* lies between N_B − S and N − S_B, and a difference between two cases likewise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimizer.solving.case import Case

OPTIMAL = "optimal"  # optimizer.solving.solve.OPTIMAL, without importing the solver stack
# A proven figure is shown with its range too when the range is wider than this share of the
# figure and of the costs it comes from (a loose gap target: proven to the target, not to the figure).
MATERIAL_WIDTH = 0.1
MATERIAL_OF_SCALE = 0.001


@dataclass(frozen=True)
class Bracket:
    """A figure computed from the plans found, and the range the solvers' bounds allow for it."""

    value: float
    low: float | None  # None: no bound known on that side
    high: float | None
    proven: bool  # every solve it rests on reached its gap target
    scale: float = 0.0  # the size of the costs it is computed from (a difference of two costs)

    @property
    def certain(self) -> bool:
        """Proven, and its range narrow beside the figure or the costs it comes from."""
        if not self.proven or self.low is None or self.high is None:
            return False
        return self.high - self.low <= max(MATERIAL_WIDTH * abs(self.value), MATERIAL_OF_SCALE * self.scale)


def _solved(o) -> bool:
    return o is not None and o.total_cost_jpy is not None


def cost_bracket(outcome) -> Bracket | None:
    """The cheapest plan's cost: at most the plan found, at least the bound."""
    if not _solved(outcome):
        return None
    total = outcome.total_cost_jpy
    return Bracket(total, outcome.best_bound_jpy, total, outcome.status == OPTIMAL, abs(total))


def difference(this: Bracket | None, base: Bracket | None) -> Bracket | None:
    """this − base, for two figures each known within its own range."""
    if this is None or base is None:
        return None
    low = None if this.low is None or base.high is None else this.low - base.high
    high = None if this.high is None or base.low is None else this.high - base.low
    scale = max(this.scale, base.scale, abs(this.value), abs(base.value))
    return Bracket(this.value - base.value, low, high, this.proven and base.proven, scale)


def saving_bracket(case: Case) -> Bracket | None:
    """What cross-brand sharing saves: the cheapest plan without it minus the cheapest with it."""
    o, alone = case.outcome, case.baseline
    if not _solved(o) or not _solved(alone):
        return None
    if alone is o:  # the workbook shares nothing: there is no saving, and nothing to prove
        return Bracket(0.0, 0.0, 0.0, True, abs(o.total_cost_jpy))
    return difference(cost_bracket(alone), cost_bracket(o))


def share_bracket(case: Case) -> Bracket | None:
    """The saving as a share of the cost without sharing, 1 − S*/N*."""
    saving, alone = saving_bracket(case), case.baseline
    if saving is None or not alone.total_cost_jpy:
        return None
    if alone is case.outcome:
        return Bracket(0.0, 0.0, 0.0, True, 1.0)
    s, s_bound = case.outcome.total_cost_jpy, case.outcome.best_bound_jpy
    n, n_bound = alone.total_cost_jpy, alone.best_bound_jpy
    low = 1 - s / n_bound if n_bound else None
    high = 1 - s_bound / n if s_bound is not None else None
    return Bracket(saving.value / n, low, high, saving.proven, 1.0)


def signed_yen(x: float) -> str:
    """Yen in a sentence, with its sign: ¥1.23 bn, −¥456.7 M."""
    sign = "−" if x < 0 else ""
    a = abs(x)
    if a >= 1e9:
        return f"{sign}¥{a / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"{sign}¥{a / 1e6:,.1f} M"
    return f"{sign}¥{a:,.0f}"


def percent(share: float | None) -> str:
    """A share as a percentage with two significant digits and at most three decimals, so that a
    gap of 0.002 % is never shown as 0.00 %: 0.002%, 0.010%, 1.4%, 81%."""
    if share is None or not math.isfinite(share):
        return "—"
    pct = 100 * share
    if pct == 0:
        return "0%"
    decimals = min(3, max(0, 1 - math.floor(math.log10(abs(pct)))))
    return ("−" if pct < 0 else "") + f"{abs(pct):,.{decimals}f}%"


def between(b: Bracket, fmt=signed_yen) -> str:
    """'between ¥20.49 bn and ¥27.30 bn' (one side missing: 'at most ...' / 'at least ...')."""
    if b.low is not None and b.high is not None:
        return f"between {fmt(b.low)} and {fmt(b.high)}"
    if b.high is not None:
        return f"at most {fmt(b.high)} (no lower bound)"
    if b.low is not None:
        return f"at least {fmt(b.low)} (no upper bound)"
    return "unknown (no bound)"


def why_unproven(case: Case) -> str:
    """Which solves the saving from sharing rests on are not proven, and how far from proof."""
    parts = []
    for name, o in (("the plan with sharing", case.outcome), ("the plan without sharing", case.baseline)):
        if o is not None and o.status != OPTIMAL:
            parts.append(
                f"{name} stopped at its time limit "
                + (f"{percent(o.gap)} from proven" if o.gap is not None else "with no bound")
            )
    return "not proven: " + " and ".join(parts) if parts else "proven only to the gap target"


def caveat(b: Bracket | None, what: str, fmt=signed_yen) -> str:
    """The words that go next to a figure that is not certain ('' when it is)."""
    if b is None or b.certain:
        return ""
    why = "not proven" if not b.proven else "proven only to the gap target"
    return f"{why}: {what} is {between(b, fmt)}"
