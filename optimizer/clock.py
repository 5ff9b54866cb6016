"""The command's time limit as one deadline that every phase draws on.

`plan solve --time-limit T` promises to finish within T (and a small margin): the clock starts
when the `optimizer` package is imported — the first thing the `plan` command does — so reading
the workbook, building the model, the solves, the analysis and the report all count. Each phase
asks how much is left and takes its share; a phase that cannot fit is skipped with a warning.
"""

from __future__ import annotations

import time

import optimizer

# What writing the report and the JSON takes at most on the largest benchmark workbooks (measured
# 0.25 s on large and on medium with 6 years, a loaded 2-core machine).
REPORT_RESERVE_S = 0.5


class Deadline:
    def __init__(self, limit_s: float, started: float | None = None):
        self.started = optimizer.STARTED if started is None else started
        self.at = self.started + limit_s

    @classmethod
    def from_now(cls, limit_s: float) -> Deadline:
        return cls(limit_s, time.monotonic())

    def left(self, reserve_s: float = 0.0) -> float:
        """Seconds left before the deadline, keeping `reserve_s` for what comes after."""
        return max(0.0, self.at - reserve_s - time.monotonic())

    def share(self, fraction: float, reserve_s: float = 0.0, floor_s: float = 0.0) -> float:
        return max(floor_s, fraction * self.left(reserve_s))
