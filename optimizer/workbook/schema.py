"""Every sheet and column of the planner's workbook (described in docs/workbook.md), as data.

Validation, the blank template and typo hints all read this one table, so a column added
here is read, checked and documented at once.
"""

from __future__ import annotations

from dataclasses import dataclass

# Value kinds a cell may hold.
NAME = "name"  # trimmed text, compared exactly
TEXT = "text"  # free text (body_style)
NUMBER = "number"  # a number >= 0
SIGNED = "signed"  # a number that may be negative
POSITIVE = "positive"  # a number > 0
WHOLE = "whole"  # a whole number >= 0
YESNO = "yes/no"
LIST = "list"  # comma-separated names; blank or "all": no restriction


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = True
    default: object = None
    help: str = ""
    ref: str | None = None  # sheet whose names this column must use (drop-downs in the template)
    unit: str = ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool = True
    help: str = ""

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Setting:
    """A row of a two-column sheet (settings, rules)."""

    name: str
    kind: str
    default: object
    help: str


SETTINGS = (
    Setting("lifecycle_years", POSITIVE, 6.0, "Years of production: every per-unit cost is paid lifecycle_years × units per year."),
    Setting("wh_per_km_per_kg", NUMBER, 0.05, "Extra consumption (Wh/km) per kg of vehicle mass."),
    Setting("time_limit_s", POSITIVE, 60.0, "Solver time limit in seconds; at the limit the best plan found is kept."),
    Setting("mip_rel_gap", NUMBER, 0.001, "Relative optimality gap at which the solver may stop (0.001 = 0.1 %)."),
    Setting("integer_units", YESNO, False, "yes: units per year are whole numbers."),
    Setting(
        "cross_brand_sharing",
        YESNO,
        True,
        "no: the brands share nothing they develop; every option and pack is developed once per brand that uses it.",
    ),
)

RULES = (
    Setting("max_length_mm", NUMBER, 3400.0, "Kei rule: overall length (mm)."),
    Setting("max_width_mm", NUMBER, 1480.0, "Kei rule: overall width (mm)."),
    Setting("max_height_mm", NUMBER, 2000.0, "Kei rule: overall height (mm)."),
    Setting("max_seats", NUMBER, 4.0, "Kei rule: seating capacity."),
    Setting("max_payload_kg", NUMBER, 350.0, "Kei rule: rated payload (kg)."),
    Setting("max_power_kw", NUMBER, 47.0, "Industry's voluntary power cap for kei cars (kW)."),
)

SHEETS = (
    SheetSpec(
        "settings",
        (
            Column("setting", NAME, help="Name of a setting: " + ", ".join(s.name for s in SETTINGS) + "."),
            Column("value", TEXT, help="Its value; a missing setting takes its default."),
        ),
        required=False,
        help="Solver and model settings; missing ones take their defaults.",
    ),
    SheetSpec(
        "brands",
        (Column("brand", NAME, help="A brand of the joint venture (unique)."),),
        help="The brands that sell the platform's variants.",
    ),
    SheetSpec(
        "variants",
        (
            Column("variant", NAME, help="Unique name of a vehicle the joint venture could sell."),
            Column("brand", NAME, ref="brands", help="The brand that sells it (a brand of the brands sheet)."),
            Column("body_style", NAME, help="Free text, e.g. hatchback, van, wagon; parts and plants refer to it."),
            Column("length_mm", NUMBER, unit="mm", help="Body length before platform parts add to it (mm)."),
            Column("width_mm", NUMBER, unit="mm", help="Body width (mm)."),
            Column("height_mm", NUMBER, unit="mm", help="Body height before parts and pack add to it (mm)."),
            Column("seats", WHOLE, help="Seating capacity."),
            Column("payload_kg", NUMBER, False, 0.0, unit="kg", help="Rated load (kg); blank = 0."),
            Column("glider_mass_kg", NUMBER, unit="kg", help="Mass of body and interior without parts and pack (kg)."),
            Column("base_wh_per_km", POSITIVE, unit="Wh/km", help="Consumption at zero mass: aerodynamics and rolling (Wh/km)."),
            Column("range_target_km", NUMBER, unit="km", help="Least range the variant must reach (km)."),
            Column("min_power_kw", NUMBER, False, 0.0, unit="kW", help="Least motor power it needs (kW); blank = 0."),
            Column("pack_bay_mm", NUMBER, unit="mm", help="Longest pack the floor can take (mm)."),
            Column("max_unit_cost_jpy", NUMBER, False, None, unit="¥", help="Ceiling on its list unit cost, set by competitors' prices (¥); blank = none."),
            Column("top_hat_dev_cost_jpy", NUMBER, False, 0.0, unit="¥", help="One-time cost of its own styling and body, paid if offered (¥)."),
            Column("top_hat_unit_cost_jpy", NUMBER, False, 0.0, unit="¥", help="Per-unit cost of its own body and trim (¥)."),
            Column("min_units", NUMBER, unit="units/yr", help="Least units a year if offered."),
            Column("max_units", NUMBER, unit="units/yr", help="Most units a year if offered."),
            Column("must_offer", YESNO, False, False, help="yes: the variant must be offered."),
            Column("launch_from", NAME, False, None, ref="years", help="With a years sheet: the earliest year it may launch in; blank = the first year."),
            Column("launch_by", NAME, False, None, ref="years", help="With a years sheet: the latest year it may launch in if offered; blank = the last year."),
        ),
        help="One row per vehicle the joint venture could sell (a body style under one brand).",
    ),
    SheetSpec(
        "categories",
        (
            Column("category", NAME, help="Unique part category, e.g. motor, inverter, exterior_styling."),
            Column("required", YESNO, False, True, help="yes: every offered variant takes exactly one option; no: at most one."),
            Column("shared", YESNO, False, True, help="yes: one development serves every brand; no: each brand using an option pays its development."),
        ),
        help="Platform part categories.",
    ),
    SheetSpec(
        "parts",
        (
            Column("category", NAME, ref="categories", help="A category of the categories sheet."),
            Column("option", NAME, help="Option name; (category, option) is unique."),
            Column("dev_cost_jpy", NUMBER, unit="¥", help="One-time development and tooling cost (¥)."),
            Column("unit_cost_jpy", NUMBER, unit="¥", help="List price per unit, below the first volume tier (¥)."),
            Column("mass_kg", NUMBER, False, 0.0, unit="kg", help="Mass added to the vehicle (kg)."),
            Column("power_kw", NUMBER, False, 0.0, unit="kW", help="Motor power the option provides (kW)."),
            Column("wh_per_km", SIGNED, False, 0.0, unit="Wh/km", help="Added consumption (Wh/km); negative for savers such as a heat pump."),
            Column("height_mm", NUMBER, False, 0.0, unit="mm", help="Added to the variant's height (mm)."),
            Column("length_mm", NUMBER, False, 0.0, unit="mm", help="Added to the variant's length (mm)."),
            Column("body_styles", LIST, False, None, help="Comma-separated body styles it fits; blank or all = every one."),
            Column("brands", LIST, False, None, ref="brands", help="Comma-separated brands that may use it; blank or all = every brand."),
        ),
        help="The options of each part category.",
    ),
    SheetSpec(
        "packs",
        (
            Column("pack", NAME, help="Unique battery pack design."),
            Column("usable_kwh", POSITIVE, unit="kWh", help="Usable energy (kWh)."),
            Column("mass_kg", NUMBER, unit="kg", help="Pack mass (kg)."),
            Column("height_mm", NUMBER, False, 0.0, unit="mm", help="Floor height the pack adds to the vehicle (mm)."),
            Column("length_mm", NUMBER, unit="mm", help="Pack length; must not exceed the variant's pack_bay_mm (mm)."),
            Column("dev_cost_jpy", NUMBER, unit="¥", help="One-time development cost (¥)."),
            Column("unit_cost_jpy", NUMBER, unit="¥", help="List price per pack (¥)."),
        ),
        help="Battery pack designs.",
    ),
    SheetSpec(
        "tiers",
        (
            Column("item", NAME, help="A pack name, or category/option for a part."),
            Column("min_units", NUMBER, unit="units/yr", help="Annual volume of the item from which this tier's price applies."),
            Column("unit_cost_jpy", NUMBER, unit="¥", help="Price of every unit once the volume reaches min_units (all-units discount, ¥)."),
        ),
        required=False,
        help="Volume discounts (optional): prices must fall as volume rises.",
    ),
    SheetSpec(
        "plants",
        (
            Column("plant", NAME, help="Unique plant name."),
            Column("capacity_units", NUMBER, unit="units/yr", help="Units a year over all variants built there."),
            Column("assembly_cost_jpy", NUMBER, False, 0.0, unit="¥", help="Assembly cost per unit built there (¥)."),
            Column("line_cost_jpy", NUMBER, False, 0.0, unit="¥", help="One-time cost for each body style the plant is set up to build (¥)."),
            Column("body_styles", LIST, False, None, help="Comma-separated body styles it can build; blank or all = every one."),
        ),
        help="Assembly plants.",
    ),
    SheetSpec(
        "demand",
        (
            Column("scope", NAME, help="total, brand, body_style or variant."),
            Column("name", NAME, False, "", help="The brand, body style or variant; blank for total."),
            Column("min_units", NUMBER, False, None, unit="units/yr", help="Least annual units over the scope; blank = none."),
            Column("max_units", NUMBER, False, None, unit="units/yr", help="Most annual units over the scope; blank = none."),
            Column("year", NAME, False, None, ref="years", help="With a years sheet: the row holds in this year only, as written; blank = every year, scaled by its demand_factor."),
        ),
        required=False,
        help="Bounds on annual units over a scope (optional).",
    ),
    SheetSpec(
        "rules",
        (
            Column("rule", NAME, help="Name of a kei rule: " + ", ".join(r.name for r in RULES) + "."),
            Column("value", TEXT, help="Its limit; a missing rule takes its default."),
        ),
        required=False,
        help="Kei rules; missing ones take their legal or customary defaults.",
    ),
    SheetSpec(
        "scenarios",
        (
            Column("scenario", NAME, help="Scenario name; rows with the same name form it."),
            Column("sheet", NAME, help="The sheet to change."),
            Column("match", TEXT, False, "", help="column=value to pick rows, blank or * for all rows; for settings and rules, the setting or rule name."),
            Column("column", NAME, help="The column to change (for settings and rules: value)."),
            Column("op", NAME, help="set, multiply or add."),
            Column("value", TEXT, help="The operand."),
        ),
        required=False,
        help="Named what-if cases; the base case is the workbook as it stands.",
    ),
)

SHEETS += (
    SheetSpec(
        "locks",
        (
            Column("variant", NAME, ref="variants", help="A variant of the variants sheet."),
            Column("item", NAME, help="offer, pack, or a category of the categories sheet."),
            Column("choice", TEXT, help="For offer: yes or no; for pack: a pack; for a category: one of its options, or none (an optional category left out)."),
        ),
        required=False,
        help="Choices the planners have already made (optional); a lock on a pack or category also means the variant is offered.",
    ),
    SheetSpec(
        "years",
        (
            Column("year", NAME, help="The year's name, e.g. 2027 (unique); rows in programme order."),
            Column("demand_factor", POSITIVE, False, 1.0, help="Multiplies every variant's min_units and max_units, and every demand row without a year, that year."),
            Column("capacity_factor", POSITIVE, False, 1.0, help="Multiplies every plant's capacity_units that year."),
            Column("pack_cost_factor", POSITIVE, False, 1.0, help="Multiplies every pack's unit_cost_jpy and its tier prices that year (the battery price path)."),
            Column("part_cost_factor", POSITIVE, False, 1.0, help="Multiplies every option's unit_cost_jpy and its tier prices that year."),
            Column("ceiling_factor", POSITIVE, False, 1.0, help="Multiplies every variant's max_unit_cost_jpy that year (competitors' prices moving)."),
            Column("discount_factor", POSITIVE, False, 1.0, help="Multiplies every cost paid that year (present value); never higher than the year before."),
        ),
        required=False,
        help="The programme year by year (optional): without it the plan is one steady year paid lifecycle_years times.",
    ),
    SheetSpec(
        "futures",
        (
            Column("scenario", NAME, help="base, or a scenario of the scenarios sheet (unique)."),
            Column("probability", POSITIVE, help="Its probability; the probabilities add up to 1."),
        ),
        required=False,
        help="The futures one plan must stand in, for plan solve --robust (optional).",
    ),
)

SHEET = {s.name: s for s in SHEETS}
LOCK_ITEMS = ("offer", "pack")
SCENARIO_OPS = ("set", "multiply", "add")
DEMAND_SCOPES = ("total", "brand", "body_style", "variant")
