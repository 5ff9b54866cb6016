"""Progress of a sweep on standard error: a bar with the rate and the time left on a terminal
(tqdm: one small pure-Python package that draws to standard error, estimates the time left from
the cases of this run and redraws in place), and a plain line every few seconds elsewhere (a CI
log, a captured pipe), where a redrawn bar would be noise."""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

from optimizer.sweeps.results import Row

LINE_EVERY_S = 10.0


class Progress:
    def __init__(
        self, say: Callable[[str], None], stream: TextIO | None = None, *, bar: bool | None = None
    ):
        self.say = say
        self.stream = stream or sys.stderr
        self.bar_wanted = self.stream.isatty() if bar is None else bar
        self.bar = None
        self.total = self.done = self.first = 0
        self.started = self.last_line = 0.0
        self.no_plan = 0

    def start(self, total: int, done: int, workers: str) -> None:
        self.total, self.done, self.first = total, done, done
        self.started = self.last_line = time.monotonic()
        if self.bar_wanted:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                initial=done,
                unit="case",
                file=self.stream,
                dynamic_ncols=True,
                smoothing=0.05,
                desc="sweep",
            )

    def resize(self, total: int) -> None:
        """The sweep needs `total` cases after all (a Pareto front learns its size as it goes)."""
        self.total = total
        if self.bar is not None:
            self.bar.total = total
            self.bar.refresh()

    def advance(self, row: Row, count: int = 1) -> None:
        self.done += count
        if row.record.get("status") not in ("optimal", "feasible"):
            self.no_plan += count
        if self.bar is not None:
            self.bar.update(count)
            if self.no_plan:
                self.bar.set_postfix_str(f"{self.no_plan} without a plan", refresh=False)
            return
        now = time.monotonic()
        if now - self.last_line >= LINE_EVERY_S or self.done == self.total:
            self.last_line = now
            self.say(self.line(now))

    def line(self, now: float) -> str:
        elapsed = now - self.started
        new = self.done - self.first
        share = self.done / max(self.total, 1)
        text = f"sweep: {self.done:,} of {self.total:,} cases done ({share:.0%}), {_duration(elapsed)}"
        if new and self.done < self.total:
            text += f", about {_duration(elapsed / new * (self.total - self.done))} left"
        if self.no_plan:
            text += f"; {self.no_plan:,} without a plan"
        return text

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, s = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
