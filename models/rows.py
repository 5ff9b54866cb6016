"""Constraint families and what they mean to a planner.

Every family of rows is declared once through `RuleBook.add`, with a function that says what one
of its rows means in the workbook's names (`Rule`). The elastic model (for diagnosing a workbook
with no plan) gives each row of a family a planner can change (`RELAXABLE`) a slack on each bound,
measured relative to the rule's own size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pyomo.core as pyo  # modelling only: pyomo.environ would also load every solver plugin (+0.2 s a run)

# Families a planner can change, with the unit their slack is measured in.
RELAXABLE: dict[str, str] = {
    "must_offer": "offer",
    "lock": "choice",
    "min_units": "units a year",
    "max_units": "units a year",
    "range_target": "Wh/km",
    "min_power": "kW",
    "power_cap": "kW",
    "max_height": "mm",
    "max_length": "mm",
    "max_width": "mm",
    "max_seats": "seats",
    "max_payload": "kg",
    "unit_cost_ceiling": "million ¥",
    "plant_capacity": "units a year",
    "demand": "units a year",
}

# A row: (lower bound or None, linear expression, upper bound or None).
Rows = dict[object, tuple]


@dataclass(frozen=True)
class Rule:
    """What one constraint means to a planner, in the workbook's names."""

    kind: str  # e.g. "range target", "plant capacity"
    sheet: str  # where the planner changes it
    subject: str  # the workbook name it is about
    text: str  # a sentence
    year: str = ""  # the year it holds in ("": the steady year, or every year)
    future: str = ""  # the future it belongs to ("": the one case, or every future)


@dataclass(frozen=True)
class Slack:
    """A way to break one planner-level rule in the elastic model."""

    family: str  # a key of RELAXABLE
    key: object  # the constraint's index (workbook names)
    side: str  # "lower" (raise the bound's shortfall) or "upper" (the excess)
    reference: float  # the rule's own magnitude; slack / reference is the relative violation


class RuleBook:
    """Adds constraint families to a Pyomo model and remembers what each row means."""

    def __init__(self, model: pyo.ConcreteModel, elastic: bool):
        self.m = model
        self.elastic = elastic
        self.slacks: dict[int, Slack] = {}  # id(slack VarData) -> what it relaxes
        self._meaning: dict[str, Callable[[object], Rule]] = {}

    def add(
        self, name: str, rows: Rows, meaning: Callable[[object], Rule],
        reference: Callable[[object], float] | None = None,
    ) -> None:
        """One constraint per key: rows[key] = (lower, body, upper); meaning(key) says what it is.
        In the elastic model a relaxable family gets a slack on each bounded side."""
        if not rows:
            return
        if self.elastic and name in RELAXABLE:
            sides = [
                (k, side) for k, (lo, _b, hi) in rows.items()
                for side, bound in (("lower", lo), ("upper", hi)) if bound is not None
            ]
            slack = pyo.Var([_flat(k) + (side,) for k, side in sides], domain=pyo.NonNegativeReals)
            self.m.add_component(f"{name}_slack", slack)
            for k, side in sides:
                var = slack[_flat(k) + (side,)]
                self.slacks[id(var)] = Slack(name, k, side, abs(reference(k)) if reference else 1.0)
                lo, body, hi = rows[k]  # a row bounded on both sides gets both slacks in its body
                rows[k] = (lo, body + var if side == "lower" else body - var, hi)
        self.m.add_component(
            name, pyo.Constraint(list(rows), rule=lambda _m, *idx: rows[idx if len(idx) > 1 else idx[0]])
        )
        self._meaning[name] = meaning

    def rule(self, con) -> Rule:
        """The planner's meaning of a constraint (ConstraintData) of this model."""
        return self._meaning[con.parent_component().local_name](con.index())

    def slack_vars(self):
        for comp in self.m.component_objects(pyo.Var):
            if comp.local_name.endswith("_slack"):
                yield from comp.values()


def _flat(key: object) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def linear_signature(lo, terms: list[tuple[float, object]], hi) -> tuple:
    """A row's identity, to drop a row that another future or year repeats exactly."""
    return (lo, hi, tuple(sorted((id(var), round(coef, 12)) for coef, var in terms if coef)))


def bounds_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"between {lo:,.0f} and {hi:,.0f}"
    if lo is not None:
        return f"at least {lo:,.0f}"
    return f"at most {hi:,.0f}"
