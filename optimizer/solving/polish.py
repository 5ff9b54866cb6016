"""Improve a plan by local search beside HiGHS's tree search once the tree stops paying.

On large workbooks HiGHS spends the first third of the time limit at the root node and then
explores a few hundred nodes that barely move the bound (large, seed 1: the bound rose 0.03 %
between 30 and 60 s while the gap stayed at 2.4 %), and its plan at the limit is not its best
(a 4-minute run found one 0.6 % cheaper). Once the bound stalls, the second core buys more as a
large neighbourhood search around the plan in hand: free a few categories across all variants
(which options to develop and share) or a few variants entirely (their parts, pack and whether
they are offered), fix every other choice at the plan's, and let HiGHS solve that much smaller
MIP, starting from the plan. Units, plants, lines, developments and volume tiers stay free in
every neighbourhood, so each sub-plan is a whole plan of the workbook.

The tree search is never stopped for it: it runs to the limit (or to the gap) in its own thread
while the local search runs in another, so a bound that still rises late is kept (large, seed 3:
after an earlier rule had stopped the tree at 37 s, HiGHS alone raised the bound by ¥3.1 bn).
The bound reported is the tree's; the plan is the better of the two.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

import numpy as np

from models.build import SCALE_JPY, PlatformModel
from optimizer.solving.highs_bridge import Compiled, run_highs

# The tree search is judged from this share of the time limit on, over a trailing window of
# WINDOW_SHARE of the limit: if its bound rose by less than STALL_FRACTION of the gap that is left,
# the tree alone cannot close the gap, and local search starts beside it.
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
    """Called by HiGHS's progress callback with (seconds, plan cost, bound); says True, from then
    on, once the tree search's bound has stalled (see the module's docstring)."""

    def __init__(self, time_limit_s: float):
        self.limit = time_limit_s
        self.window = WINDOW_SHARE * time_limit_s
        self.samples: deque[tuple[float, float]] = deque()
        self.stalled_at: float | None = None

    def __call__(self, seconds: float, objective: float, bound: float) -> bool:
        if self.stalled_at is not None:
            return True
        if not (math.isfinite(objective) and math.isfinite(bound)):
            return False
        if self.samples and seconds - self.samples[-1][0] < 0.25:
            return False
        self.samples.append((seconds, bound))
        while len(self.samples) > 1 and self.samples[1][0] <= seconds - self.window:
            self.samples.popleft()
        if seconds < JUDGE_FROM_SHARE * self.limit or self.samples[0][0] > seconds - self.window:
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
    stop: threading.Event | None = None,
) -> Polished:
    """Local search from the plan `values` (cost `objective`, in model units) for `seconds`;
    stops early once the cost is at most `stop_below` (the bound plus the gap target), or when a
    neighbourhood that frees every choice has been solved to `mip_rel_gap` (small workbooks), or
    at once when `stop` is set (the tree search beside it has ended)."""
    stop = stop or threading.Event()
    started = time.perf_counter()
    by_variant, by_category, choices = _choice_columns(pm, compiled)
    kinds = [
        ("categories", sorted(by_category), START_CATEGORIES),
        ("variants", sorted(by_variant), START_VARIANTS),
    ]
    kinds = [[name, keys, min(size, len(keys))] for name, keys, size in kinds if keys]

    rng = random.Random(0)
    sub_limit = max(SUB_MIN_S, SUB_SHARE * time_limit_s)
    x, best = values.copy(), objective
    tried = improved = 0
    while kinds and best > stop_below and not stop.is_set():
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
        run = run_highs(compiled, time_limit_s=limit, mip_rel_gap=mip_rel_gap, start=x, fix=fix,
                        stop_when=lambda *_progress: stop.is_set())
        tried += 1
        if run.has_solution and run.objective < best - 1e-9 * max(1.0, abs(best)):
            improved += 1
            log(f"local search: {name} {', '.join(chosen)} freed: "
                f"cost ¥{best * SCALE_JPY / 1e9:,.3f} bn → ¥{run.objective * SCALE_JPY / 1e9:,.3f} bn")
            x, best = run.values.copy(), run.objective
        if run.optimal and not fix:
            break  # that was the whole model: nothing left to find
        if run.optimal and run.seconds < 0.3 * limit:
            kind[2] = min(len(keys), size + 1)
        elif not run.optimal:
            kind[2] = max(1, size - 1)
    return Polished(x, best, tried, improved, time.perf_counter() - started)


def _choice_columns(pm: PlatformModel,
                    compiled: Compiled) -> tuple[dict[str, list[int]], dict[str, list[int]], list[int]]:
    """The design's yes/no columns a neighbourhood frees, by variant (offer, parts, pack) and by
    category (parts), and all of them: (by variant, by category, every choice column)."""
    m, col = pm.m, compiled.col_of
    by_variant: dict[str, list[int]] = {
        v: [col[id(m.offer[v])]] for v in pm.offer_idx if id(m.offer[v]) in col
    }
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
    return by_variant, by_category, choices


class LocalSearchBeside:
    """The local search in a thread beside the tree search: `start` it with the tree's plan when
    its bound stalls; `finish` stops it (the tree has ended) and gives the better plan found."""

    def __init__(self, pm: PlatformModel, compiled: Compiled, limit: float, gap_target: float, log):
        self.pm, self.compiled, self.limit, self.gap_target, self.log = pm, compiled, limit, gap_target, log
        self.stop = threading.Event()
        self.started_at: float | None = None
        self.result: Polished | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._clock = time.perf_counter()

    def start(self, at_s: float, values: np.ndarray, objective: float, bound: float) -> None:
        self.started_at = at_s
        # a plan at most this dear is within the gap target of the bound:
        # (cost - bound) / cost <= gap
        within_gap = bound / (1.0 - self.gap_target) if self.gap_target < 1 else float("inf")
        seconds = self.limit - (time.perf_counter() - self._clock)
        self.log(f"the bound stalled at ¥{bound * SCALE_JPY / 1e9:,.3f} bn after {at_s:.0f} s (plan "
                 f"¥{objective * SCALE_JPY / 1e9:,.3f} bn); "
                 f"local search beside the tree search for {seconds:.0f} s")

        def work() -> None:
            try:
                self.result = polish(self.pm, self.compiled, values, objective, seconds=seconds,
                                     time_limit_s=self.limit, stop_below=within_gap,
                                     mip_rel_gap=min(1e-4, self.gap_target), log=self.log, stop=self.stop)
            except BaseException as error:  # raised again by finish(), in the caller's thread
                self._error = error

        self._thread = threading.Thread(target=work, name="plan-local-search", daemon=True)
        self._thread.start()

    def best_below(self, cost: float) -> float | None:
        """The local search's plan cost when it beats `cost` (read by the tree's callback)."""
        result = self.result
        return result.objective if result is not None and result.objective < cost else None

    def finish(self) -> Polished | None:
        if self._thread is None:
            return None
        self.stop.set()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.result
