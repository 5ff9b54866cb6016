"""Small workbooks for tests, built as plain tables so each test changes only what it is about."""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl

BASE: dict[str, list[dict]] = {
    "settings": [{"setting": "mip_rel_gap", "value": 1e-9}, {"setting": "time_limit_s", "value": 30}],
    "brands": [{"brand": "Honda"}, {"brand": "Mitsubishi"}],
    "variants": [
        dict(variant="H-hatch", brand="Honda", body_style="hatchback", length_mm=3395, width_mm=1475, height_mm=1545, seats=4,
             payload_kg=None, glider_mass_kg=800, base_wh_per_km=40, range_target_km=180, min_power_kw=40, pack_bay_mm=2000,
             max_unit_cost_jpy=1.6e6, top_hat_dev_cost_jpy=5e9, top_hat_unit_cost_jpy=4e5, min_units=20000, max_units=50000, must_offer="yes"),
        dict(variant="M-hatch", brand="Mitsubishi", body_style="hatchback", length_mm=3395, width_mm=1475, height_mm=1545, seats=4,
             payload_kg=None, glider_mass_kg=800, base_wh_per_km=40, range_target_km=180, min_power_kw=40, pack_bay_mm=2000,
             max_unit_cost_jpy=None, top_hat_dev_cost_jpy=4e9, top_hat_unit_cost_jpy=4e5, min_units=5000, max_units=15000, must_offer="no"),
        dict(variant="H-van", brand="Honda", body_style="van", length_mm=3395, width_mm=1475, height_mm=1900, seats=2,
             payload_kg=350, glider_mass_kg=850, base_wh_per_km=48, range_target_km=150, min_power_kw=30, pack_bay_mm=1800,
             max_unit_cost_jpy=None, top_hat_dev_cost_jpy=4e9, top_hat_unit_cost_jpy=3.5e5, min_units=5000, max_units=10000, must_offer="no"),
    ],
    "categories": [
        dict(category="motor", required="yes", shared="yes"),
        dict(category="styling", required="yes", shared="no"),
        dict(category="fastcharge", required="no", shared="yes"),
    ],
    "parts": [
        dict(category="motor", option="m39", dev_cost_jpy=3e9, unit_cost_jpy=150000, mass_kg=55, power_kw=39),
        dict(category="motor", option="m47", dev_cost_jpy=3.5e9, unit_cost_jpy=170000, mass_kg=60, power_kw=47),
        dict(category="styling", option="honda", dev_cost_jpy=1e9, unit_cost_jpy=50000, mass_kg=20, brands="Honda"),
        dict(category="styling", option="mitsu", dev_cost_jpy=1e9, unit_cost_jpy=50000, mass_kg=20, brands="Mitsubishi"),
        dict(category="fastcharge", option="chademo", dev_cost_jpy=5e8, unit_cost_jpy=40000, mass_kg=10),
    ],
    "packs": [
        dict(pack="P20", usable_kwh=20, mass_kg=140, height_mm=30, length_mm=1700, dev_cost_jpy=2e9, unit_cost_jpy=320000),
        dict(pack="P25", usable_kwh=25, mass_kg=170, height_mm=30, length_mm=1900, dev_cost_jpy=2.2e9, unit_cost_jpy=390000),
    ],
    "tiers": [dict(item="P20", min_units=40000, unit_cost_jpy=300000), dict(item="motor/m39", min_units=30000, unit_cost_jpy=140000)],
    "plants": [
        dict(plant="Mizushima", capacity_units=60000, assembly_cost_jpy=90000, line_cost_jpy=8e9, body_styles=None),
        dict(plant="Yachiyo", capacity_units=30000, assembly_cost_jpy=100000, line_cost_jpy=5e9, body_styles="van, hatchback"),
    ],
    "demand": [dict(scope="total", name=None, min_units=30000, max_units=None), dict(scope="brand", name="Mitsubishi", min_units=5000, max_units=None)],
    "rules": [{"rule": "max_power_kw", "value": 47}],
    "scenarios": [
        dict(scenario="dear-packs", sheet="packs", match="*", column="unit_cost_jpy", op="multiply", value=1.2),
        dict(scenario="no-sharing", sheet="settings", match="cross_brand_sharing", column="value", op="set", value="no"),
    ],
}


# The optional sheets of a programme, for tests about them (not in BASE: every other test stays a
# steady-year case).
PROGRAMME: dict[str, list[dict]] = {
    "years": [dict(year=2027, demand_factor=0.6, discount_factor=1.0), dict(year=2028, pack_cost_factor=0.9, discount_factor=0.95)],
    "locks": [dict(variant="H-hatch", item="pack", choice="P20")],
    "futures": [dict(scenario="base", probability=0.5), dict(scenario="dear-packs", probability=0.5)],
}


def programme(**changes: list[dict] | None) -> dict[str, list[dict]]:
    """BASE with a years, a locks and a futures sheet (see PROGRAMME), then `changes` as in tables()."""
    return tables(**{**copy.deepcopy(PROGRAMME), **changes})


def tables(**changes: list[dict] | None) -> dict[str, list[dict]]:
    """A deep copy of BASE with whole sheets replaced (None removes the sheet)."""
    out = copy.deepcopy(BASE)
    for sheet, rows in changes.items():
        if rows is None:
            out.pop(sheet, None)
        else:
            out[sheet] = rows
    return out


def write(tbl: dict[str, list[dict]], path: Path, headers: dict[str, list[str]] | None = None) -> Path:
    """Write tables as sheets: row 1 the union of the rows' keys (or `headers[sheet]`)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, rows in tbl.items():
        ws = wb.create_sheet(sheet)
        cols = (headers or {}).get(sheet) or list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
    wb.save(path)
    return Path(path)
