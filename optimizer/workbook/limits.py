"""The largest number plan accepts in each kind of cell.

Every bound is far beyond anything a vehicle programme holds (a kei car is 3.4 m long, ~1,000 kg,
¥2 million; a whole programme costs under ¥1 trillion), and close enough that the model stays
numerically sound: it works in millions of yen (models.build.SCALE_JPY), so a per-unit price
of ¥100 million is a coefficient of 100 beside parts of 0.05, and units of 10 million a year are a
big-M that HiGHS's tolerances (1e-6 on a yes/no) turn into at most 10 stray units, which the check
after solving catches. Past such bounds HiGHS treats coefficients as infinite (1e15 kWh gave
"unknown", 1e308 a false "infeasible") or mixes magnitudes its tolerances cannot separate (an
unused option at ¥1e13 a unit left a variant 0.001 units under its minimum).

The kind of a column is read from its name, by the workbook's own convention (money `_jpy`,
lengths `_mm`, ...), so a column added to the schema gets its bound without being listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.workbook.schema import NUMBER, POSITIVE, SIGNED


@dataclass(frozen=True)
class Limit:
    what: str  # the kind of number, as a message names it
    most: float
    unit: str  # as the message shows a value: "¥" goes before it, anything else after
    least_positive: float = 0.0  # a value above 0 must be at least this (0: no such floor)
    why: str = "no real programme comes near it, and the solver cannot compute exactly with numbers beyond it"

    def show(self, x: float) -> str:
        text = f"{x:,.0f}" if float(x).is_integer() else f"{x:,g}"
        return f"¥{text}" if self.unit == "¥" else f"{text} {self.unit}".rstrip()

    def accepted(self, kind: str = NUMBER) -> str:
        """The range accepted for a column of `kind`, as the template's header help states it."""
        if kind == POSITIVE:
            return f"above {self.show(0)}, up to {self.show(self.most)}"
        low = self.show(-self.most) if kind == SIGNED else self.show(0)
        if self.least_positive:
            return f"{low} (none), or {self.show(self.least_positive)} to {self.show(self.most)}"
        return f"{low} to {self.show(self.most)}"

    def problem(self, value: float) -> str:
        """'' when the value is within the limit; else the message, with the range accepted."""
        low = -self.most if value < 0 else 0.0
        if abs(value) > self.most:
            side = "below" if value < 0 else "above"
            span = f"{self.show(-self.most)} to " if value < 0 else "up to "
            span += self.show(self.most)
            return f"is {side} what plan accepts for {self.what} ({span}): {self.why}"
        if low == 0.0 and 0 < value < self.least_positive:
            return (
                f"is too small to be meant: plan accepts {self.what} of 0 (none) or from "
                f"{self.show(self.least_positive)} up to {self.show(self.most)}"
            )
        return ""


ONE_TIME_MONEY = Limit("one-time money", 1e13, "¥")
MONEY_PER_UNIT = Limit("money per unit", 1e8, "¥")
UNITS = Limit("units a year", 1e7, "units a year")
PLAIN = Limit("a number in this column", 1e6, "")
BY_SUFFIX = (
    ("wh_per_km", Limit("consumption", 1e4, "Wh/km")),
    ("_kwh", Limit("energy", 1e4, "kWh")),
    ("_kw", Limit("power", 1e4, "kW")),
    ("_mm", Limit("lengths", 1e5, "mm")),
    ("_kg", Limit("masses", 1e5, "kg")),
    ("_km", Limit("range", 1e5, "km", least_positive=1.0)),  # divides the pack's energy in the range rule
    ("_units", UNITS),
    ("_factor", Limit("a year's factor", 1e3, "", why="a year's figures move by far less than a thousandfold")),
)
# Money paid once (developments, lines); every other `_jpy` column is paid per unit.
ONE_TIME = ("dev_cost_jpy", "line_cost_jpy")
SETTINGS = {
    "lifecycle_years": Limit("lifecycle_years", 100, "years"),
    "wh_per_km_per_kg": Limit("wh_per_km_per_kg", 10, "Wh/km per kg"),
    "time_limit_s": Limit("time_limit_s", 1e7, "s", why="that is 115 days"),
    "mip_rel_gap": Limit("mip_rel_gap", 1.0, "(100 %)", why="it is a ratio, and 1 already accepts any plan"),
    "equity": Limit("an equity share", 1e12, "", why="shares or percentages never need more"),
}


def column_limit(name: str) -> Limit:
    """The limit of a numeric column (or a kei rule) from its name."""
    if name.endswith("_jpy"):
        return ONE_TIME_MONEY if name.endswith(ONE_TIME) else MONEY_PER_UNIT
    for suffix, limit in BY_SUFFIX:
        if name.endswith(suffix):
            return limit
    return PLAIN


def setting_limit(name: str) -> Limit:
    return SETTINGS["equity"] if name.startswith("equity_") else SETTINGS.get(name) or column_limit(name)
