"""The validated input of a plan: plain typed objects, no Excel, no Pyomo.

The optimizer package turns a workbook into a `PlanInput`; the formulation and the
plan evaluation read only this. Names are the workbook's own, already trimmed.

Time: a workbook without a `years` sheet is one steady year paid `lifecycle_years` times; it is
represented as a programme of one period, `STEADY` (named ""), whose production is weighted by
`lifecycle_years` and whose one-time costs by 1. With a `years` sheet every year is a period
weighted by its discount factor. The model and the evaluation only ever loop over `periods`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Sequence


@dataclass(frozen=True)
class Settings:
    lifecycle_years: float = 6.0
    wh_per_km_per_kg: float = 0.05
    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.001
    integer_units: bool = False
    cross_brand_sharing: bool = True
    # Reports only (docs/settings.md): each brand's equity share, from `equity_<brand>` settings,
    # normalised to add up to 1; empty: equal shares.
    equity: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class KeiRules:
    max_length_mm: float = 3400.0
    max_width_mm: float = 1480.0
    max_height_mm: float = 2000.0
    max_seats: float = 4.0
    max_payload_kg: float = 350.0
    max_power_kw: float = 47.0


@dataclass(frozen=True)
class Variant:
    name: str
    brand: str
    body_style: str
    length_mm: float
    width_mm: float
    height_mm: float
    seats: float
    payload_kg: float
    glider_mass_kg: float
    base_wh_per_km: float
    range_target_km: float
    min_power_kw: float
    pack_bay_mm: float
    max_unit_cost_jpy: float | None
    top_hat_dev_cost_jpy: float
    top_hat_unit_cost_jpy: float
    min_units: float
    max_units: float
    must_offer: bool
    launch_from: str | None = None  # with a years sheet: earliest launch year (None: the first)
    launch_by: str | None = None  # latest launch year if offered (None: the last)


@dataclass(frozen=True)
class Category:
    name: str
    required: bool = True
    shared: bool = True


@dataclass(frozen=True)
class PartOption:
    category: str
    option: str
    dev_cost_jpy: float
    unit_cost_jpy: float
    mass_kg: float = 0.0
    power_kw: float = 0.0
    wh_per_km: float = 0.0
    height_mm: float = 0.0
    length_mm: float = 0.0
    body_styles: frozenset[str] | None = None  # None: fits every body style
    brands: frozenset[str] | None = None  # None: every brand may use it

    @property
    def key(self) -> str:
        """The name the tiers sheet and the reports use: `category/option`."""
        return f"{self.category}/{self.option}"

    def allowed_for(self, variant: Variant) -> bool:
        return (self.body_styles is None or variant.body_style in self.body_styles) and (
            self.brands is None or variant.brand in self.brands
        )


@dataclass(frozen=True)
class Pack:
    name: str
    usable_kwh: float
    mass_kg: float
    height_mm: float
    length_mm: float
    dev_cost_jpy: float
    unit_cost_jpy: float

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class Tier:
    """All-units discount: from `min_units` a year on, every unit costs `unit_cost_jpy`."""

    min_units: float
    unit_cost_jpy: float


@dataclass(frozen=True)
class Plant:
    name: str
    capacity_units: float
    assembly_cost_jpy: float = 0.0
    line_cost_jpy: float = 0.0
    body_styles: frozenset[str] | None = None

    def builds(self, body_style: str) -> bool:
        return self.body_styles is None or body_style in self.body_styles


DEMAND_SCOPES = ("total", "brand", "body_style", "variant")


@dataclass(frozen=True)
class DemandRow:
    scope: str  # one of DEMAND_SCOPES
    name: str  # "" for total
    min_units: float | None
    max_units: float | None
    label: str  # how a planner finds the row, e.g. "demand row 4"
    year: str | None = None  # with a years sheet: the row holds in this year only, as written

    def covers(self, variant: Variant) -> bool:
        if self.scope == "total":
            return True
        if self.scope == "brand":
            return variant.brand == self.name
        if self.scope == "body_style":
            return variant.body_style == self.name
        return variant.name == self.name

    @property
    def title(self) -> str:
        return "total" if self.scope == "total" else f"{self.scope} {self.name}"

    def bounds_in(self, year: "Year") -> tuple[float | None, float | None] | None:
        """(min, max) units the row asks for in `year`, or None when it does not hold then: a row
        without a year holds every year, scaled by the year's demand factor."""
        if self.year is None:
            f = year.demand_factor
            return (
                None if self.min_units is None else self.min_units * f,
                None if self.max_units is None else self.max_units * f,
            )
        return (self.min_units, self.max_units) if self.year == year.name else None


@dataclass(frozen=True)
class Year:
    """One year of the programme and how its inputs move (the years sheet); all factors are > 0."""

    name: str
    demand_factor: float = 1.0
    capacity_factor: float = 1.0
    pack_cost_factor: float = 1.0
    part_cost_factor: float = 1.0
    ceiling_factor: float = 1.0
    discount_factor: float = 1.0


STEADY = Year("")  # the single period of a workbook without a years sheet


LOCK_ITEMS = ("offer", "pack")  # besides a category name


@dataclass(frozen=True)
class Lock:
    """A choice the planners have already made (the locks sheet)."""

    variant: str
    item: str  # "offer", "pack", or a category name
    choice: bool | str | None  # offer: yes/no; pack: a pack; category: an option, None for `none`
    label: str  # how a planner finds the row, e.g. "locks row 3"

    @property
    def text(self) -> str:
        """The lock in a planner's words: 'the lock of pack P on variant V (locks row 3)'."""
        if self.item == "offer":
            what = "offer" if self.choice else "not offer"
            return f"the lock to {what} variant {self.variant} ({self.label})"
        shown = "none" if self.choice is None else self.choice
        kind = "pack" if self.item == "pack" else f"{self.item} option"
        return f"the lock of {kind} {shown} on variant {self.variant} ({self.label})"


def lock_contradictions(locks: Sequence[Lock], required: Callable[[str], bool]) -> list[str]:
    """Why a variant's locks cannot hold together, in a planner's words: a lock out of the plan
    beside any other lock of it, two choices for one item, `none` on a required category."""
    out = []
    for i, a in enumerate(locks):
        for b in locks[i + 1:]:
            out_of_plan = (a.item == "offer" and not a.choice) != (b.item == "offer" and not b.choice)
            if out_of_plan or (a.item == b.item and a.choice != b.choice):
                out.append(f"{a.text} and {b.text} cannot both hold")
        if a.item not in ("offer", "pack") and a.choice is None and required(a.item):
            out.append(
                f"{a.text} cannot hold: every offered variant takes an option of the required category "
                f"{a.item}"
            )
    return out


@dataclass(frozen=True)
class PlanInput:
    settings: Settings
    rules: KeiRules
    brands: tuple[str, ...]
    variants: tuple[Variant, ...]
    categories: tuple[Category, ...]
    parts: tuple[PartOption, ...]
    packs: tuple[Pack, ...]
    plants: tuple[Plant, ...]
    tiers: dict[str, tuple[Tier, ...]] = field(default_factory=dict)  # item key -> ascending
    demand: tuple[DemandRow, ...] = ()
    years: tuple[Year, ...] = ()  # empty: one steady year paid lifecycle_years times
    locks: tuple[Lock, ...] = ()

    @property
    def periods(self) -> tuple[Year, ...]:
        """The programme's periods in order: its years, or the one steady year."""
        return self.years or (STEADY,)

    def production_weight(self, year: Year) -> float:
        """What a year's production cost counts in the total: its discount factor, or
        lifecycle_years for the steady year."""
        return year.discount_factor if self.years else self.settings.lifecycle_years

    @staticmethod
    def one_time_weight(year: Year) -> float:
        """What a one-time cost paid in that year counts in the total (present value)."""
        return year.discount_factor

    def launch_window(self, v: Variant) -> tuple[Year, ...]:
        """The years in which v may launch (the steady year without a years sheet)."""
        names = [y.name for y in self.periods]
        first = names.index(v.launch_from) if v.launch_from in names else 0
        last = names.index(v.launch_by) if v.launch_by in names else len(names) - 1
        return self.periods[first:last + 1]

    # Lookups by name, each table indexed once (a frozen dataclass may still fill its own __dict__):
    # the model asks them hundreds of thousands of times on a large workbook.
    @cached_property
    def _index(self) -> dict[str, dict]:
        options: dict[str, list[PartOption]] = {}
        for p in self.parts:
            options.setdefault(p.category, []).append(p)
        return {
            "variant": {v.name: v for v in self.variants},
            "category": {c.name: c for c in self.categories},
            "part": {p.key: p for p in self.parts},
            "pack": {p.name: p for p in self.packs},
            "options": options,
        }

    def options_of(self, category: str) -> list[PartOption]:
        return list(self._index["options"].get(category, ()))

    def variant(self, name: str) -> Variant:
        return self._index["variant"][name]

    def category(self, name: str) -> Category:
        return self._index["category"][name]

    def part(self, key: str) -> PartOption:
        return self._index["part"][key]

    def pack(self, name: str) -> Pack:
        return self._index["pack"][name]


@dataclass(frozen=True)
class Future:
    """One of the futures a robust plan must stand in: the workbook under one scenario."""

    name: str  # "base" or a scenario name; "" for the one case of a plain solve
    probability: float
    inp: PlanInput
