"""What a sweep's cases add up to: the tornado (each uncertainty's swing of total cost and the
decisions that change at each end) and the Monte Carlo distribution (P10/P50/P90, a histogram,
how often each variant, pack and shared part is in the plan and each variant launches in each
year; the cases without a plan and the rules that break in them, how often each).

Summaries are fed one results row at a time and keep only what they show, so a sweep of any size
is summarised in flat memory (plus one number and one line per case for the Cases sheet).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from optimizer.sweeps.cases import CaseDef
from optimizer.sweeps.ranges import Ranges, Uncertainty
from optimizer.sweeps.results import Row

HAS_PLAN = ("optimal", "feasible")
UNITS_TOLERANCE = 1e-3  # a variant's units a year that move by less than this share are unchanged


@dataclass(frozen=True)
class CaseLine:
    """One line of the Cases sheet."""

    case: int
    label: str
    values: dict[str, list[float]]
    status: str
    total_cost_jpy: float | None
    gap: float | None
    seconds: float | None
    key: str

    @staticmethod
    def of(row: Row) -> CaseLine:
        r = row.record
        return CaseLine(
            row.case,
            row.label,
            row.values,
            r["status"],
            r.get("total_cost_jpy"),
            r.get("gap"),
            r.get("seconds"),
            row.key,
        )


def decision_changes(base: dict, other: dict) -> dict[str, list[str]]:
    """What the plan of `other` decides differently from `base` (two plan records): variants
    offered or dropped, units a year, a variant's pack, parts and packs developed, developments
    shared by brands, launch years (with a years sheet)."""
    out: dict[str, list[str]] = {
        "offers": [],
        "units": [],
        "packs": [],
        "developed": [],
        "shared parts": [],
        "launch years": [],
    }
    if base.get("status") not in HAS_PLAN or other.get("status") not in HAS_PLAN:
        return out
    b_off, o_off = base["offered"], other["offered"]
    out["offers"] = [f"+{v}" for v in o_off if v not in b_off] + [f"-{v}" for v in b_off if v not in o_off]
    out["units"] = [
        f"{v}: {b_off[v]:,.0f} -> {u:,.0f}"
        for v, u in o_off.items()
        if v in b_off and abs(u - b_off[v]) > UNITS_TOLERANCE * max(1.0, b_off[v])
    ]
    out["packs"] = [
        f"{v}: {base['packs'][v]} -> {p}"
        for v, p in other["packs"].items()
        if v in base["packs"] and base["packs"][v] != p
    ]
    for kind, b, o in (
        ("developed", base["developed"], other["developed"]),
        ("shared parts", base["shared"], other["shared"]),
    ):
        out[kind] = [f"+{x}" for x in o if x not in b] + [f"-{x}" for x in b if x not in o]
    b_launch, o_launch = base.get("launch") or {}, other.get("launch") or {}
    out["launch years"] = [
        f"{v}: {b_launch[v]} -> {t}" for v, t in o_launch.items() if v in b_launch and b_launch[v] != t
    ]
    return out


@dataclass(frozen=True)
class End:
    """A tornado bar's end: the uncertainty at its low or its high."""

    values: tuple[float, ...]
    status: str | None  # None: not solved (yet)
    total_cost_jpy: float | None
    delta_jpy: float | None  # against the workbook as it stands
    changes: dict[str, list[str]]
    broken: tuple[str, ...] = ()  # without a plan: the rules that break, in this end's sentences


@dataclass(frozen=True)
class Bar:
    uncertainty: Uncertainty
    low: End
    high: End

    @property
    def swing_jpy(self) -> float | None:
        """|cost at high - cost at low|; None when an end has no plan."""
        if self.low.total_cost_jpy is None or self.high.total_cost_jpy is None:
            return None
        return abs(self.high.total_cost_jpy - self.low.total_cost_jpy)


class TornadoSummary:
    def __init__(self, ranges: Ranges, cases: list[CaseDef]):
        self.ranges = ranges
        self.cases = cases
        self.rows: dict[int, Row] = {}

    def add(self, row: Row) -> None:
        self.rows[row.case] = row

    @property
    def base(self) -> Row | None:
        return self.rows.get(0)

    def lines(self) -> list[CaseLine]:
        return [CaseLine.of(self.rows[c.index]) for c in self.cases if c.index in self.rows]

    def bars(self) -> list[Bar]:
        """Widest swing first; ends without a plan last."""
        base = self.base.record if self.base is not None else None
        base_cost = base.get("total_cost_jpy") if base else None
        by_end = {(c.uncertainty, c.kind): c for c in self.cases if c.uncertainty is not None}
        bars = []
        for u in self.ranges.uncertainties:
            ends = []
            for kind, q in (("low", 0.0), ("high", 1.0)):
                row = self.rows.get(by_end[(u.name, kind)].index)
                rec = row.record if row is not None else None
                cost = rec.get("total_cost_jpy") if rec else None
                ends.append(
                    End(
                        u.values_at(q),
                        rec["status"] if rec else None,
                        cost,
                        cost - base_cost if cost is not None and base_cost is not None else None,
                        decision_changes(base, rec) if base and rec else {},
                        tuple((rec.get("broken") or {}).values()) if rec else (),
                    )
                )
            bars.append(Bar(u, *ends))
        return sorted(bars, key=lambda b: (b.swing_jpy is None, -(b.swing_jpy or 0.0)))


@dataclass
class Histogram:
    edges: list[float]
    counts: list[int]


class MonteCarloSummary:
    def __init__(self, ranges: Ranges, samples: int, seed: int):
        self.ranges, self.samples, self.seed = ranges, samples, seed
        self.base: Row | None = None
        self.costs = array("d")
        self.statuses: Counter = Counter()
        self.offered: Counter = Counter()
        self.packs: Counter = Counter()
        self.shared: Counter = Counter()
        self.developed: Counter = Counter()
        self.launches: Counter = Counter()  # (variant, year) -> samples it launches in that year
        self.broken: Counter = Counter()  # rule -> samples without a plan that break it
        self.example: dict[str, tuple[int, str]] = {}  # rule -> (the first case breaking it, its sentence)
        self.at_limit_gaps = array("d")  # gap of each sample stopped by its time limit
        self._lines: dict[int, CaseLine] = {}

    def add(self, row: Row) -> None:
        self._lines[row.case] = CaseLine.of(row)
        if row.case == 0:
            self.base = row
            return
        r = row.record
        self.statuses[r["status"]] += 1
        if r["status"] not in HAS_PLAN:
            self._add_broken(row)
            return
        self.costs.append(r["total_cost_jpy"])
        if r["status"] == "feasible":
            self.at_limit_gaps.append(r.get("gap") or 0.0)
        self.offered.update(list(r["offered"]))  # the variants, not their units
        self.packs.update(set(r["packs"].values()))
        self.shared.update(r["shared"])
        self.developed.update(r["developed"])
        self.launches.update((r.get("launch") or {}).items())

    def _add_broken(self, row: Row) -> None:
        """The rules a sample without a plan breaks, each with the sentence of the first sample
        (by number, so the same whatever order cases finish in) that breaks it."""
        broken = row.record.get("broken") or {}
        self.broken.update(broken.keys())
        for rule, sentence in broken.items():
            if rule not in self.example or row.case < self.example[rule][0]:
                self.example[rule] = (row.case, sentence)

    @property
    def without_plan(self) -> int:
        return self.solved - self.with_plan

    def launch_shares(self) -> dict[str, dict[str, float]]:
        """Per variant, the share of the samples with a plan in which it launches in each year."""
        out: dict[str, dict[str, float]] = {}
        for (variant, year), n in sorted(self.launches.items()):
            out.setdefault(variant, {})[year] = n / self.with_plan
        return out

    def broken_shares(self) -> list[tuple[str, int, float, str]]:
        """(rule, samples, share of the samples solved, the first sample's sentence), most frequent first."""
        return [
            (rule, n, n / self.solved, f"{_case_name(self.example[rule][0])}: {self.example[rule][1]}")
            for rule, n in sorted(self.broken.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    @property
    def with_plan(self) -> int:
        return len(self.costs)

    @property
    def solved(self) -> int:
        return sum(self.statuses.values())

    def lines(self) -> list[CaseLine]:
        return [self._lines[i] for i in sorted(self._lines)]

    def percentiles(self) -> dict[str, float | None]:
        if not self.costs:
            return {"p10": None, "p50": None, "p90": None}
        p10, p50, p90 = np.percentile(np.frombuffer(self.costs, dtype=float), [10, 50, 90])
        return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}

    def stats(self) -> dict[str, float | None]:
        if not self.costs:
            return {"mean": None, "min": None, "max": None}
        costs = np.frombuffer(self.costs, dtype=float)
        # fsum: exact, so the mean does not depend on the order cases finished in
        mean = math.fsum(self.costs) / len(self.costs)
        return {"mean": mean, "min": float(costs.min()), "max": float(costs.max())}

    def histogram(self, target_bins: int = 15) -> Histogram:
        if not self.costs:
            return Histogram([], [])
        costs = np.frombuffer(self.costs, dtype=float)
        edges = nice_edges(float(costs.min()), float(costs.max()), target_bins)
        counts, _ = np.histogram(costs, bins=edges)
        return Histogram(edges, [int(c) for c in counts])

    def shares(self, counter: Counter) -> dict[str, float]:
        """Share of the samples with a plan that have each item, most frequent first."""
        n = self.with_plan
        return {k: c / n for k, c in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))} if n else {}


def _case_name(case: int) -> str:
    return "the workbook as it stands" if case == 0 else f"sample {case}"


def nice_edges(low: float, high: float, target_bins: int) -> list[float]:
    """Bin edges at round amounts (1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    if high <= low:
        step = max(abs(low) * 1e-3, 1.0)
        return [low - step / 2, low + step / 2]
    raw = (high - low) / target_bins
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] < high:
        edges.append(start + len(edges) * step)
    if len(edges) < 2:
        edges.append(start + step)
    return edges


@dataclass
class SweepTotals:
    """How the run went: cases in the sweep, solved now, taken from the results file."""

    cases: int = 0
    solved_now: int = 0
    resumed: int = 0
    seconds: float = 0.0
    workers: str = ""
    notes: list[str] = field(default_factory=list)
