"""A plan: the decisions, as a planner reads them (no Pyomo, no Excel).

A plan is the design (which variants are offered, each one's options, pack and launch year) and,
for each period of the programme, the units each variant builds at each plant. Without a years
sheet there is one period, the steady year (named ""). `models.evaluate` computes every figure of a
plan by the spec's formulas; a robust plan is one `Plan` per future sharing one design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from models.data import PartOption, Tier

# A volume within this relative distance below a tier threshold counts as reaching it: the
# solver works to a feasibility tolerance of about 1e-7 and units are rounded to 1e-4.
TIER_TOLERANCE = 1e-6
# Absolute tolerance (in the rule's own unit) before a rule counts as broken when checking a plan.
RULE_TOLERANCE = 1e-4


@dataclass
class VariantPlan:
    offered: bool
    pack: str | None = None
    options: dict[str, str] = field(default_factory=dict)  # category -> option
    built: dict[str, dict[str, float]] = field(default_factory=dict)  # period -> plant -> units that year
    launch_year: str | None = None  # with a years sheet: the year it starts selling

    @classmethod
    def steady(cls, pack: str | None, options: dict[str, str], plants: dict[str, float]) -> VariantPlan:
        """An offered variant of a workbook without a years sheet (plants: units a year by plant)."""
        return cls(True, pack, dict(options), {"": dict(plants)})

    @property
    def units(self) -> float:
        """Units over the programme (units a year without a years sheet)."""
        return float(sum(sum(split.values()) for split in self.built.values()))

    @property
    def plants(self) -> dict[str, float]:
        """Units by plant over the programme."""
        out: dict[str, float] = {}
        for split in self.built.values():
            for plant, units in split.items():
                out[plant] = out.get(plant, 0.0) + units
        return out

    def units_in(self, period: str) -> float:
        return float(sum(self.built.get(period, {}).values()))


@dataclass
class Plan:
    variants: dict[str, VariantPlan]

    def offered(self) -> list[str]:
        return [name for name, vp in self.variants.items() if vp.offered]

    def design(self) -> Design:
        return Design({
            name: DesignChoice(vp.pack, dict(vp.options), vp.launch_year)
            for name, vp in self.variants.items() if vp.offered
        })


@dataclass(frozen=True)
class DesignChoice:
    pack: str | None
    options: dict[str, str]
    launch_year: str | None


@dataclass(frozen=True)
class Design:
    """What a robust plan commits to in every future: the offered variants and their choices."""

    offered: dict[str, DesignChoice]


def price_at(list_price: float, tiers: tuple[Tier, ...], volume: float) -> tuple[float, float | None]:
    """All-units price: that of the highest tier whose threshold the volume reaches."""
    price, reached = list_price, None
    for tier in tiers:
        if volume >= tier.min_units - TIER_TOLERANCE * max(1.0, tier.min_units):
            price, reached = tier.unit_cost_jpy, tier.min_units
    return price, reached


def per_category_extreme(
    options: dict[str, list[PartOption]], required: Callable[[str], bool],
    measure: Callable[[PartOption], float], pick=min,
) -> dict[str, float]:
    """Per category, the least (or with pick=max the most) an allowed option adds to a measure;
    an optional category may take no option and so counts 0 as a choice. Measures add up over
    categories, so the sum is the least (most) a variant's options can reach together. A required
    category with nothing allowed counts 0 (such a variant can never be offered anyway)."""
    return {
        c: pick([measure(o) for o in opts] + ([] if required(c) else [0.0]), default=0.0)
        for c, opts in options.items()
    }
