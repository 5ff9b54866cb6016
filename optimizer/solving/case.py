"""A solved case as it passes from solving to analysis and reports: where its input came from,
the input, the outcome, and the same case without cross-brand sharing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from models.data import PlanInput
from optimizer.problems import Problem

if TYPE_CHECKING:  # the solver stack is imported only when a case is solved
    from optimizer.solving.solve import Outcome


@dataclass(frozen=True)
class Source:
    """Where a case's input came from."""

    workbook: Path
    sha256: str
    scenario: str
    # (sheet, record, Excel row, ((column, scenario that set it), ...)): optimizer.workbook.rows
    rows: tuple[tuple[str, str, int, tuple[tuple[str, str], ...]], ...] = ()

    def row_of(self, sheet: str, record: str) -> tuple[int, tuple[tuple[str, str], ...]] | None:
        """The Excel row of a named record and the cells a change set in it, (column, the change
        that set it) — with several futures, a cell each future's scenario set (None: not known)."""
        for s, name, row, changed in self.rows:
            if s == sheet and name.casefold() == record.casefold():
                return row, changed
        return None


@dataclass
class Case:
    source: Source
    plan_input: PlanInput
    outcome: Outcome
    baseline: Outcome | None = None  # the case with cross_brand_sharing = no; None: not solved
    warnings: list[Problem] = field(default_factory=list)
    analysis: object | None = None  # optimizer.analysis.analyse.CaseAnalysis, made with the solve

    @property
    def sharing_saving_jpy(self) -> float | None:
        """Cost without sharing minus cost with it (None when either has no plan)."""
        if (
            self.baseline is None
            or self.outcome.total_cost_jpy is None
            or self.baseline.total_cost_jpy is None
        ):
            return None
        return self.baseline.total_cost_jpy - self.outcome.total_cost_jpy
