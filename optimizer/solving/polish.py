"""Improve a plan by local search when HiGHS's tree search has stopped paying.

On large workbooks HiGHS spends the first third of the time limit at the root node and then
explores a few hundred nodes that barely move the bound (large, seed 1: the bound rose 0.03 %
between 30 and 60 s while the gap stayed at 2.4 %), and its plan at the limit is not its best
(a 4-minute run found one 0.6 % cheaper). Once the bound stalls, the rest of the time limit buys
more as a large neighbourhood search around the plan in hand: free a few categories across all
variants (which options to develop and share) or a few variants entirely (their parts, pack
and whether they are offered), fix every other choice at the plan's, and let HiGHS solve that
much smaller MIP, starting from the plan. Units, plants, lines, developments and volume tiers
stay free in every neighbourhood, so each sub-plan is a whole plan of the workbook.

The tree search keeps running as long as its bound makes progress (StallWatch); the bound it
reached is the bound reported.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

import numpy as np

from models.build import SCALE_JPY, PlatformModel
from optimizer.solving.highs_bridge import Compiled, run_highs

# The tree search is judged from this share of the time limit on, and only over a trailing window
# of WINDOW_SHARE of the limit that lies wholly past the root node: the root's cut rounds move
# the bound in a few late steps, so a window that holds them says nothing about the tree. If over
# such a window the bound rose by less than STALL_FRACTION of the gap that is left, the remaining
# time cannot close the gap.
JUDGE_FROM_SHARE = 0.5
WINDOW_SHARE = 0.25
STALL_FRACTION = 0.05
# Each neighbourhood's MIP gets this share of the time limit (at least SUB_MIN_S).
SUB_SHARE = 0.05
SUB_MIN_S = 1.0
# Neighbourhood sizes start here and adapt: grow after a quick proof, shrink after a timeout.
START_CATEGORIES = 4
START_VARIANTS = 5


class StallWatch:
    """Called by HiGHS's progress callback with (seconds, plan cost, bound, nodes); says True when
    the tree search should stop: it has left the root, and over a whole window since then its
    bound has risen by less than STALL_FRACTION of the gap. Without the root rule a window that
    held the root's cut rounds could stop the tree right after the root, before any evidence."""

    def __init__(self, time_limit_s: float):
        self.limit = time_limit_s
        self.window = WINDOW_SHARE * time_limit_s
        self.samples: deque[tuple[float, float]] = deque()
        self.tree_from: float | None = None  # when the first node past the root was counted
        self.stalled_at: float | None = None

    def __call__(self, seconds: float, objective: float, bound: float, nodes: int) -> bool:
        if self.stalled_at is not None:
            return True
        if self.tree_from is None and nodes > 0:
            self.tree_from = seconds
        if self.tree_from is None or not (math.isfinite(objective) and math.isfinite(bound)):
            return False
        if self.samples and seconds - self.samples[-1][0] < 0.25:
            return False
        self.samples.append((seconds, bound))
        while len(self.samples) > 1 and self.samples[1][0] <= seconds - self.window:
            self.samples.popleft()
        oldest = self.samples[0][0]
        if seconds < JUDGE_FROM_SHARE * self.limit or oldest > seconds - self.window or oldest < self.tree_from:
            return False
        if bound - self.samples[0][1] < STALL_FRACTION * max(0.0, objective - bound):
            self.stalled_at = seconds
            return True
        return False


@dataclass
class Polished:
    values: np.ndarray
    objective: float
    neighbourhoods: int
    improvements: int
    seconds: float


def polish(
    pm: PlatformModel,
    compiled: Compiled,
    values: np.ndarray,
    objective: float,
    *,
    seconds: float,
    time_limit_s: float,
    stop_below: float,
    mip_rel_gap: float = 1e-4,
    log: Callable[[str], None] = lambda _text: None,
) -> Polished:
    """Local search from the plan `values` (cost `objective`, in model units) for `seconds`;
    stops early once the cost is at most `stop_below` (the bound plus the gap target), or when a
    neighbourhood that frees every choice has been solved to `mip_rel_gap` (small workbooks)."""
    started = time.perf_counter()
    m, col = pm.m, compiled.col_of
    by_variant: dict[str, list[int]] = {v: [col[id(m.offer[v])]] for v in pm.offer_idx if id(m.offer[v]) in col}
    by_category: dict[str, list[int]] = {}
    for i in pm.use_idx:
        j = col.get(id(m.use[i]))
        if j is not None:
            by_variant.setdefault(i[0], []).append(j)
            by_category.setdefault(i[1], []).append(j)
    for i in pm.pack_idx:
        j = col.get(id(m.pack[i]))
        if j is not None:
            by_variant.setdefault(i[0], []).append(j)
    choices = sorted({j for cols in by_variant.values() for j in cols})
    kinds = [("categories", sorted(by_category), START_CATEGORIES), ("variants", sorted(by_variant), START_VARIANTS)]
    kinds = [[name, keys, min(size, len(keys))] for name, keys, size in kinds if keys]

    rng = random.Random(0)
    sub_limit = max(SUB_MIN_S, SUB_SHARE * time_limit_s)
    x, best = values.copy(), objective
    tried = improved = 0
    while kinds and best > stop_below:
        left = seconds - (time.perf_counter() - started)
        if left < 0.2:
            break
        kind = kinds[tried % len(kinds)]
        name, keys, size = kind
        chosen = rng.sample(keys, size)
        source = by_category if name == "categories" else by_variant
        free = {j for key in chosen for j in source[key]}
        fix = {j: float(round(x[j])) for j in choices if j not in free}
        limit = min(sub_limit, left)
        run = run_highs(compiled, time_limit_s=limit, mip_rel_gap=mip_rel_gap, start=x, fix=fix)
        tried += 1
        if run.has_solution and run.objective < best - 1e-9 * max(1.0, abs(best)):
            improved += 1
            log(f"local search: {name} {', '.join(chosen)} freed: cost ¥{best * SCALE_JPY / 1e9:,.3f} bn → ¥{run.objective * SCALE_JPY / 1e9:,.3f} bn")
            x, best = run.values.copy(), run.objective
        if run.optimal and not fix:
            break  # that was the whole model: nothing left to find
        if run.optimal and run.seconds < 0.3 * limit:
            kind[2] = min(len(keys), size + 1)
        elif not run.optimal:
            kind[2] = max(1, size - 1)
    return Polished(x, best, tried, improved, time.perf_counter() - started)
