"""Independent solves side by side in one process, for the own optima and bets of `--robust`.

A MIP in HiGHS keeps about one core busy (threads=2 alone changes nothing for a MIP), and HiGHS
solves outside Python's lock, so two solves in two threads take about the time of one on a 2-core
machine (the example's base and price-war futures: 6.6 s one after the other, 3.7 s side by side),
with no process to start and nothing to send. Building a model and handing it over are Python
(Pyomo) and take a lock: Pyomo is not written for threads, and those steps are short beside the
solve.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Callable, Sequence, TypeVar

from optimizer.solving import highs_bridge

T = TypeVar("T")

# Solves run at once: one per core, at most two (a MIP's own helper threads want the rest).
SIDE_BY_SIDE = max(1, min(2, os.cpu_count() or 1))
# Held while a Pyomo model is built, fixed or handed over to HiGHS.
PYOMO = threading.RLock()


def workers_here() -> int:
    """Solves this process may run at once: one in a sweep's worker (it has one core, and HiGHS
    one thread: highs_bridge.THREADS), else SIDE_BY_SIDE."""
    return 1 if highs_bridge.THREADS == 1 else SIDE_BY_SIDE


def side_by_side(jobs: Sequence[Callable[[], T]], workers: int | None = None) -> list[T]:
    """Each job's result, in order. Ctrl-C (or any error) cancels the solves still running,
    waits for them and goes on up: no HiGHS thread outlives the call."""
    workers = workers_here() if workers is None else workers
    if workers <= 1 or len(jobs) <= 1:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plan-solve") as pool:
        running = [pool.submit(job) for job in jobs]
        try:
            return [future.result() for future in running]
        except BaseException:
            highs_bridge.CANCEL.set()
            for future in running:
                future.cancel()
            wait(running)
            highs_bridge.CANCEL.clear()
            raise
