"""The cases of a sweep: which quantile each uncertainty takes, the key that names a case's inputs,
and the validated input a worker solves.

A case is the base input plus changes. Here the changes are the ranges at chosen quantiles,
applied to the raw workbook and validated like any workbook (so every case passes every rule
before it is solved); what a case then computes is the job's business (optimizer.sweeps.jobs),
not the executor's. Cases are made one at a time from their index, so a sweep of 10,000 cases
never holds them all, and a seeded sample is the same whatever order cases are made or solved in.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from typing import Iterator

import numpy as np

from models.data import PlanInput
from optimizer.problems import InputError, Problem
from optimizer.sweeps.ranges import Ranges, apply_quantiles, read_ranges
from optimizer.workbook.read import RawWorkbook
from optimizer.workbook.validate import validate

TORNADO, MONTE_CARLO, PARETO = "tornado", "monte-carlo", "pareto"
BASE_LABEL = "workbook as it stands"
KEPT_INPUTS = 500  # validated inputs kept from the check for sending (tens of kB each)
# Bump when what a results row means changes, so that --resume never reuses an older meaning.
KEY_VERSION = 1


@dataclass(frozen=True)
class CaseDef:
    """One case of a sweep: its place, its name and each uncertainty's quantile (None: as in the
    workbook). Tornado ends use 0 (every row at its low) and 1 (at its high)."""

    index: int
    label: str
    kind: str  # "base", "low", "high" or "sample"
    quantiles: tuple[float | None, ...]
    uncertainty: str | None = None  # the one a tornado end moves
    epsilon: float | None = None  # a Pareto front's point: its bound (developments, or a range target)


@dataclass(frozen=True)
class SweepInputs:
    """What every case of a sweep starts from: the raw workbook (scenario applied), its ranges, and
    the solve options that are part of every case's inputs."""

    raw: RawWorkbook
    scenario: str
    ranges: Ranges
    time_limit_s: float | None
    mip_rel_gap: float | None

    def values(self, case: CaseDef) -> dict[str, tuple[float, ...]]:
        """Each moved uncertainty's value per row (its cells' new values, or factors, or addends)."""
        return {
            u.name: u.values_at(q)
            for u, q in zip(self.ranges.uncertainties, case.quantiles)
            if q is not None
        }

    def key(self, case: CaseDef, compute: str) -> str:
        """A hash of everything the case's answer depends on: the workbook file, the scenario, the
        values the ranges take, the solve options, what is computed and plan's version."""
        payload = [
            KEY_VERSION,
            _version(),
            self.raw.sha256,
            self.scenario,
            compute,
            self.time_limit_s,
            self.mip_rel_gap,
            sorted([name, list(v)] for name, v in self.values(case).items()),
        ]
        return hashlib.sha256(json.dumps(payload, allow_nan=False).encode()).hexdigest()

    def plan_input(self, case: CaseDef) -> PlanInput:
        """The case's validated input. Raises InputError naming the case."""
        try:
            return validate(apply_quantiles(self.raw, self.ranges, case.quantiles)).plan_input
        except InputError as err:
            raise InputError([_in_case(p, case) for p in err.problems]) from None


def tornado_cases(ranges: Ranges, base_label: str = BASE_LABEL) -> list[CaseDef]:
    """The workbook as it stands, then each uncertainty at its low and at its high."""
    k = len(ranges.uncertainties)
    out = [CaseDef(0, base_label, "base", (None,) * k)]
    for i, u in enumerate(ranges.uncertainties):
        for end, q in (("low", 0.0), ("high", 1.0)):
            quantiles = tuple(q if j == i else None for j in range(k))
            out.append(CaseDef(len(out), f"{u.name} at its {end}", end, quantiles, u.name))
    return out


def monte_carlo_case(ranges: Ranges, seed: int, index: int, base_label: str = BASE_LABEL) -> CaseDef:
    """Case 0 is the workbook as it stands; case i >= 1 is sample i, every uncertainty drawn
    together. Sample i's draws depend on the seed and i alone (not on other samples, the number
    of workers or the order cases finish in)."""
    k = len(ranges.uncertainties)
    if index == 0:
        return CaseDef(0, base_label, "base", (None,) * k)
    draws = np.random.default_rng([seed, index]).random(k)
    return CaseDef(index, f"sample {index}", "sample", tuple(float(q) for q in draws))


def monte_carlo_cases(
    ranges: Ranges, seed: int, samples: int, base_label: str = BASE_LABEL
) -> Iterator[CaseDef]:
    return (monte_carlo_case(ranges, seed, i, base_label) for i in range(samples + 1))


def check_cases(
    inputs: SweepInputs, cases: Iterator[CaseDef], *, shown: int = 3, keep: dict[int, PlanInput] | None = None
) -> int:
    """Validate every case before any is solved. Raises InputError with the problems of the first
    `shown` failing cases and a count; returns the number of cases checked. `keep` gets the
    validated inputs of the first KEPT_INPUTS cases (by case number), so that they are not made
    again when they are sent; the others are (memory stays flat however many cases)."""
    problems: list[Problem] = []
    failing = checked = 0
    for case in cases:
        checked += 1
        try:
            inp = inputs.plan_input(case)
            if keep is not None and len(keep) < KEPT_INPUTS:
                keep[case.index] = inp
        except InputError as err:
            failing += 1
            if failing <= shown:
                problems += [p for p in err.problems if p not in problems]
    if failing > shown:
        problems.append(
            Problem(
                "ranges",
                None,
                None,
                None,
                f"{failing} of {checked} cases break the workbook's rules (the first {shown} are listed)",
                "Narrow the ranges that the listed problems name.",
            )
        )
    if problems:
        raise InputError(problems)
    return checked


def check_ranges(raw: RawWorkbook) -> Ranges:
    """The ranges sheet read, and each range at its low and at its high validated like a workbook
    (what `plan validate` checks). Raises InputError."""
    ranges = read_ranges(raw)
    inputs = SweepInputs(raw, "base", ranges, None, None)
    check_cases(inputs, iter(tornado_cases(ranges)[1:]), shown=len(ranges.uncertainties) * 2)
    return ranges


def _in_case(p: Problem, case: CaseDef) -> Problem:
    where = case.label
    return Problem(p.sheet, p.row, p.column, p.value, f"{where}: {p.message}", p.hint, p.letter)


@functools.cache
def _version() -> str:
    """plan's installed version, read once per process (reading package metadata takes ~2 ms, and
    every case's key holds it)."""
    try:
        return metadata.version("kei-plan")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown"
