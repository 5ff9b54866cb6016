"""The validated input of a plan: plain typed objects, no Excel, no Pyomo.

The optimizer package turns a workbook into a `PlanInput`; the formulation and the
plan evaluation read only this. Names are the workbook's own, already trimmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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

    def options_of(self, category: str) -> list[PartOption]:
        return [p for p in self.parts if p.category == category]

    def variant(self, name: str) -> Variant:
        return next(v for v in self.variants if v.name == name)

    def category(self, name: str) -> Category:
        return next(c for c in self.categories if c.name == name)

    def part(self, key: str) -> PartOption:
        return next(p for p in self.parts if p.key == key)

    def pack(self, name: str) -> Pack:
        return next(p for p in self.packs if p.name == name)
