"""Generate planning workbooks of a chosen size for benchmarks, following the workbook
format (docs/workbook.md) and nothing else.

    python -m benchmarks.generate --size medium --seed 1 --out medium.xlsx
    python -m benchmarks.generate --variants 24 --categories 30 --options 6 --packs 10 \\
        --tiers 2 --plants 3 --demand 10 --seed 1 --out big.xlsx
    python -m benchmarks.generate --size example --out kei.xlsx   (copies inputs/kei-jv.xlsx)

What the data look like (every number is drawn from a seeded `random.Random`, so a size and
a seed always give the same workbook):
- two brands (Honda, Mitsubishi), body styles hatchback / van / wagon, grades (base, LR,
  urban, premium, ...) of each; kei dimensions (3,370-3,385 mm long before bumpers, 1,475 mm
  wide, 1,540-1,950 mm high), curb masses 1,050-1,200 kg, consumption 105-130 Wh/km,
  range targets 150-200 km, minimum power 30-47 kW;
- part categories from a catalogue of 30 real platform modules (body structure, motor,
  inverter, HVAC, wheels, styling, ...); unit costs, masses and development costs are scaled
  so that a variant's parts cost about ¥850k, weigh about 560 kg and the whole set takes
  about ¥22 bn to develop, whatever the number of categories;
- options per category are trade-offs, not clones: a universal standard, a cheap-to-develop
  carry-over that costs more per unit, a lightweight or efficient one that costs more to
  develop and per unit but saves pack energy, body-style-tailored ones that are cheaper per
  unit but need their own development, a heavier value design ...; so whether to share a
  design or tailor it depends on the volumes — which is what makes the plan a platform plan;
- styling-type categories are unshared (each brand pays its own tooling) with brand-only
  options; one or two optional categories hold efficiency add-ons;
- packs 16-30 kWh in two chemistries (NMC: lighter, shorter, dearer; LFP: heavier, longer,
  cheaper), long packs do not fit van bays;
- all-units volume tiers (prices falling 3-5 % a step) on packs and on the dearer parts;
- plants with body-style restrictions, capacity below the sum of all variants' maxima,
  line costs per body style; demand rows for the total, each brand, each body style, and
  single variants (alternately a committed minimum — a fleet contract — and a cap).

Feasibility is built in, not hoped for: option 0 of every category fits every variant
(universal, no height, ≤ 10 mm of length, a 47 kW motor), every range target is met by
option 0s and some pack that fits the bay, unit cost ceilings are set above that reference
configuration's list cost, and demand minimums are eased (not needed for seeds 1-20 of the
named sizes) until every variant offered with that configuration can meet them within plant
capacities — `witness_plan` returns that plan, and the smoke test checks it with
`models.plan.evaluate`.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

BRANDS = ["Honda", "Mitsubishi", "Nissan", "Suzuki"]
STYLES = ["hatchback", "van", "wagon"]
SHORT = {"hatchback": "hatch", "wagon": "wagon", "van": "van"}
GRADES = ["", "LR", "urban", "premium", "fleet", "outdoor", "sport", "eco"]
PLANTS = ["Mizushima", "Suzuka", "Yachiyo", "Okazaki", "Sayama", "Kurashiki"]
PLANT_STYLES = [None, "hatchback, van", "van, wagon", "hatchback, wagon", None, "hatchback, van"]

K_MASS = 0.05  # wh_per_km_per_kg written to settings
PARTS_UNIT_JPY = 850_000  # list cost of a variant's parts (standard options), excluding pack and top hat
PARTS_MASS_KG = 560.0
PARTS_DEV_JPY = 22e9


@dataclass(frozen=True)
class Size:
    variants: int
    categories: int
    options: int  # per category
    packs: int
    tiers: int  # tiers per tiered item
    plants: int
    demand: int  # demand rows
    brands: int = 2
    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.001
    years: int = 0  # a years sheet with this many years (0: one steady year)
    futures: int = 0  # a futures sheet with this many futures, base first (0: none)


SIZES: dict[str, Size] = {
    "small": Size(variants=4, categories=6, options=3, packs=4, tiers=1, plants=2, demand=3),
    "medium": Size(variants=12, categories=15, options=5, packs=8, tiers=2, plants=2, demand=8),
    "large": Size(variants=24, categories=30, options=6, packs=10, tiers=2, plants=3, demand=12),
}
NAMED = ["example", *SIZES]


def example_path() -> Path:
    """The bundled example workbook (it may not exist yet in a fresh checkout)."""
    return Path(__file__).resolve().parent.parent / "inputs" / "kei-jv.xlsx"


# ----------------------------------------------------------------------------- catalogue
# name, mass kg, unit ¥k, dev ¥bn, traits
#   structure: options per body style; power: motors; unshared: brand styling;
#   optional: not required; wh: options may save energy; height/length: options add to them
CATALOGUE: list[tuple[str, float, float, float, frozenset[str]]] = [
    ("body_structure", 210, 140, 7.0, frozenset({"structure"})),
    ("motor", 43, 115, 2.0, frozenset({"power"})),
    ("exterior_styling", 20, 40, 1.5, frozenset({"unshared", "length"})),
    ("inverter", 12, 80, 1.3, frozenset({"wh"})),
    ("hvac", 20, 55, 1.0, frozenset({"wh", "roof"})),
    ("wheels_tyres", 52, 30, 0.15, frozenset({"wh", "height"})),
    ("interior", 50, 90, 1.4, frozenset()),
    ("front_suspension", 36, 30, 0.8, frozenset()),
    ("rear_suspension", 30, 22, 0.6, frozenset()),
    ("brakes", 24, 22, 0.4, frozenset()),
    ("obc", 7, 30, 0.35, frozenset()),
    ("aero_package", 4, 8, 0.3, frozenset({"optional", "wh"})),
    ("reduction_gear", 18, 28, 0.6, frozenset({"wh"})),
    ("low_voltage", 10, 12, 0.1, frozenset()),
    ("lighting", 8, 25, 0.6, frozenset({"unshared"})),
    ("steering", 15, 25, 0.5, frozenset()),
    ("seats", 35, 45, 0.7, frozenset()),
    ("battery_thermal", 10, 25, 0.6, frozenset({"wh"})),
    ("infotainment", 6, 40, 0.9, frozenset({"unshared"})),
    ("dc_fast_charge", 6, 35, 0.5, frozenset({"optional"})),
    ("glazing", 25, 20, 0.3, frozenset({"wh"})),
    ("rear_styling", 12, 25, 0.8, frozenset({"unshared", "length"})),
    ("door_modules", 20, 30, 0.6, frozenset()),
    ("wiring_harness", 15, 35, 0.5, frozenset()),
    ("airbags", 8, 25, 0.4, frozenset()),
    ("vehicle_control_unit", 2, 20, 0.9, frozenset()),
    ("adas_sensors", 3, 35, 1.2, frozenset()),
    ("cockpit_module", 12, 30, 0.7, frozenset({"unshared"})),
    ("acoustic_package", 10, 10, 0.2, frozenset()),
    ("roof_module", 15, 15, 0.3, frozenset({"height"})),
]

# Generic option archetypes: label, body styles (None: all), dev ×, unit ×, mass ×, wh saved
ARCHETYPES: list[tuple[str, str | None, float, float, float, float]] = [
    ("standard", None, 1.00, 1.000, 1.00, 0.0),
    ("carry-over", None, 0.35, 1.045, 1.08, 0.0),
    ("lightweight", None, 1.50, 1.060, 0.80, 1.5),
    ("hatch-tailored", "hatchback", 0.80, 0.960, 0.97, 0.0),
    ("tall-tailored", "van, wagon", 0.90, 0.970, 0.98, 0.0),
    ("value", None, 1.30, 0.975, 1.10, 0.0),
    ("van-tailored", "van", 0.65, 0.950, 1.02, 0.0),
    ("high-efficiency", None, 1.70, 1.100, 0.95, 3.0),
    ("wagon-tailored", "wagon", 0.75, 0.960, 0.98, 0.0),
]
STRUCTURES: list[tuple[str, str | None, float, float, float]] = [
    ("universal underbody", None, 1.00, 1.05, 1.06),
    ("hatch underbody", "hatchback", 0.75, 0.97, 0.96),
    ("tall underbody", "van, wagon", 0.85, 1.00, 1.00),
    ("cab-over van underbody", "van", 0.60, 0.95, 1.02),
    ("wagon underbody", "wagon", 0.70, 0.97, 0.99),
    ("light hatch underbody", "hatchback", 1.10, 1.02, 0.88),
    ("light tall underbody", "van, wagon", 1.20, 1.04, 0.90),
]
# kW, dev ×, unit ×, mass ×, wh saved
MOTORS = [(47, 1.0, 1.00, 1.00, 0.0), (39, 0.8, 0.88, 0.92, 0.0), (30, 0.4, 0.80, 0.86, 0.0),
          (43, 0.9, 0.94, 0.96, 0.0), (35, 0.7, 0.84, 0.90, 0.0), (47, 1.4, 1.08, 0.95, 2.5)]


def _categories(n: int) -> list[tuple[str, float, float, float, frozenset[str]]]:
    cats = list(CATALOGUE[:n])
    for i in range(len(cats), n):  # beyond the catalogue: more generic modules
        base = CATALOGUE[6 + i % 20]
        cats.append((f"{base[0]}_{i + 1}", base[1], base[2], base[3], base[4] - {"unshared", "optional"}))
    return cats


# ----------------------------------------------------------------------------- generator
def generate(size: Size, seed: int = 1) -> dict[str, list[dict]]:
    """The workbook as tables: sheet -> rows (dicts column -> value; None is a blank cell)."""
    # the data depend on the seed and the size knobs only, not on the solver settings written
    rng = random.Random(f"kei-bench/{seed}/{replace(size, time_limit_s=60.0, mip_rel_gap=0.001, years=0, futures=0)}")
    brands = BRANDS[: max(1, min(size.brands, len(BRANDS)))]

    def jit(lo: float = 0.92, hi: float = 1.08) -> float:
        return rng.uniform(lo, hi)

    # --- categories and options
    cats = _categories(size.categories)
    required = [c for c in cats if "optional" not in c[4]]
    scale_u = PARTS_UNIT_JPY / sum(c[2] * 1000 for c in required)
    scale_m = PARTS_MASS_KG / sum(c[1] for c in required)
    scale_d = PARTS_DEV_JPY / sum(c[3] * 1e9 for c in cats)
    categories, parts = [], []
    tiered: list[tuple[str, float]] = []  # (item, list price)
    for name, mass, unit_k, dev_bn, traits in cats:
        u0, m0, d0 = unit_k * 1000 * scale_u, mass * scale_m, dev_bn * 1e9 * scale_d
        categories.append({"category": name, "required": "no" if "optional" in traits else "yes",
                           "shared": "no" if "unshared" in traits else "yes"})
        for row in _options(name, traits, size.options, u0, m0, d0, brands, rng, jit):
            parts.append(row)
            if u0 >= 40_000 * scale_u and row["unit_cost_jpy"] > 0:
                tiered.append((f"{name}/{row['option']}", row["unit_cost_jpy"]))

    # --- packs: capacity levels in two chemistries
    packs = _packs(size.packs, rng, jit)
    tiered += [(p["pack"], p["unit_cost_jpy"]) for p in packs]

    # --- variants
    ref = {c[0]: next(p for p in parts if p["category"] == c[0]) for c in cats if "optional" not in c[4]}
    ref_mass = sum(p["mass_kg"] for p in ref.values())
    ref_wh = sum(p.get("wh_per_km") or 0.0 for p in ref.values())
    ref_unit = sum(p["unit_cost_jpy"] for p in ref.values())
    ref_len = sum(p.get("length_mm") or 0.0 for p in ref.values())
    mid_pack = min(packs, key=lambda p: abs(p["usable_kwh"] - 22))
    # every brand's hatchback first, then the lead brand's other styles, then the others'
    combos = sorted(((b, st) for b in range(len(brands)) for st in range(len(STYLES))),
                    key=lambda bs: (0 if bs[1] == 0 else 1 + min(bs[0], 1), bs[0], bs[1]))
    variants = []
    for i in range(size.variants):
        brand_i, style_i = combos[i % len(combos)]
        style, brand = STYLES[style_i], brands[brand_i]
        grade_i = i // (len(brands) * len(STYLES))
        grade = GRADES[grade_i % len(GRADES)] + (str(grade_i // len(GRADES) + 1) if grade_i >= len(GRADES) else "")
        name = f"{brand} {SHORT[style]}" + (f" {grade}" if grade else "")
        variants.append(_variant(name, brand, brand_i, style, grade, i, size, rng, jit))

    # glider mass, base consumption, range target, reference pack and cost ceiling
    for v in variants:
        curb, cons = v.pop("_curb"), v.pop("_cons")
        v["length_mm"] = min(v["length_mm"], 3400 - ref_len - 5)
        v["glider_mass_kg"] = round(max(150.0, curb - ref_mass - mid_pack["mass_kg"]))
        v["base_wh_per_km"] = round(cons - K_MASS * curb - ref_wh, 1)
        fitting = [p for p in packs if p["length_mm"] <= v["pack_bay_mm"] and v["height_mm"] + p["height_mm"] <= 2000]
        assert fitting, v

        def rng_km(p: dict) -> float:
            mass = v["glider_mass_kg"] + ref_mass + p["mass_kg"]
            return 1000 * p["usable_kwh"] / (v["base_wh_per_km"] + K_MASS * mass + ref_wh)

        top = max(fitting, key=rng_km)
        if rng_km(top) < 156:  # too thirsty for any fitting pack: lower the base load until 156 km is reachable
            mass = v["glider_mass_kg"] + ref_mass + top["mass_kg"]
            consumption = v["base_wh_per_km"] + K_MASS * mass + ref_wh
            v["base_wh_per_km"] = round(v["base_wh_per_km"] - (consumption - 1000 * top["usable_kwh"] / 156) - 0.1, 1)
        best = rng_km(top)
        v["range_target_km"] = float(min(v["range_target_km"], math.floor(best * 0.985)))
        ok = [p for p in fitting if rng_km(p) >= v["range_target_km"]]
        ref_pack = min(ok, key=lambda p: p["unit_cost_jpy"])
        if v.pop("_ceiling"):
            ref_cost = v["top_hat_unit_cost_jpy"] + ref_unit + ref_pack["unit_cost_jpy"]
            v["max_unit_cost_jpy"] = math.ceil(ref_cost * rng.uniform(1.0, 1.05) / 1000) * 1000

    # --- tiers (all-units, falling prices)
    total_max = sum(v["max_units"] for v in variants)
    expected = 0.6 * total_max
    fractions = {1: [0.4], 2: [0.25, 0.55], 3: [0.2, 0.4, 0.7]}.get(size.tiers) or [
        0.15 + 0.7 * j / max(1, size.tiers - 1) for j in range(size.tiers)
    ]
    tiers = []
    if size.tiers > 0:
        for item, price in tiered:
            p = price
            for f in fractions:
                p = p * rng.uniform(0.95, 0.97)
                tiers.append({"item": item, "min_units": int(round(expected * f * jit(0.85, 1.15), -3)) or 1000,
                              "unit_cost_jpy": float(round(p, -1))})

    # --- plants: capacity below the sum of maxima; every body style buildable by plant 0
    n_k = max(1, size.plants)
    weights = [rng.uniform(1.0, 1.4) if k == 0 else rng.uniform(0.6, 1.0) for k in range(n_k)]
    capacity = 0.8 * total_max
    plants = [
        {"plant": PLANTS[k % len(PLANTS)] + (f" {k // len(PLANTS) + 1}" if k >= len(PLANTS) else ""),
         "capacity_units": int(round(capacity * weights[k] / sum(weights), -3)),
         "assembly_cost_jpy": int(round(rng.uniform(88_000, 110_000), -3)),
         "line_cost_jpy": round(rng.uniform(3.5e9, 5.0e9), -8),
         "body_styles": PLANT_STYLES[k % len(PLANT_STYLES)] if k else None}
        for k in range(n_k)
    ]

    # --- demand rows, eased until the witness plan (every variant offered with its reference
    # configuration) can meet them within plant capacities
    demand = _demand(size.demand, variants, brands, total_max, capacity, rng)
    for _ in range(8):
        if witness_units(variants, plants, demand) is not None:
            break
        for d in demand:
            if d["min_units"]:
                d["min_units"] = int(round(d["min_units"] * 0.9, -2))
    else:
        raise RuntimeError(f"no witness plan for {size} seed {seed}")

    settings = [
        {"setting": "lifecycle_years", "value": 6},
        {"setting": "wh_per_km_per_kg", "value": K_MASS},
        {"setting": "time_limit_s", "value": size.time_limit_s},
        {"setting": "mip_rel_gap", "value": size.mip_rel_gap},
        {"setting": "integer_units", "value": "no"},
        {"setting": "cross_brand_sharing", "value": "yes"},
    ]
    rules = [{"rule": r, "value": v} for r, v in (
        ("max_length_mm", 3400), ("max_width_mm", 1480), ("max_height_mm", 2000),
        ("max_seats", 4), ("max_payload_kg", 350), ("max_power_kw", 47))]
    scenarios = [
        {"scenario": "battery-up-20", "sheet": "packs", "match": "", "column": "unit_cost_jpy", "op": "multiply", "value": 1.2},
        {"scenario": "no-sharing", "sheet": "settings", "match": "cross_brand_sharing", "column": "value", "op": "set", "value": "no"},
    ]
    about = [{"about": line} for line in (
        "Synthetic benchmark workbook written by benchmarks/generate.py (not real data).",
        f"seed {seed}; size {asdict(size)}",
        "Option 0 of every category fits every variant; range targets are reachable with option 0s and a fitting pack.",
    )]
    tables = {
        "settings": settings, "brands": [{"brand": b} for b in brands], "variants": variants,
        "categories": categories, "parts": parts, "packs": packs, "tiers": tiers, "plants": plants,
        "demand": demand, "rules": rules, "scenarios": scenarios, "about": about,
    }
    if size.years:
        tables["years"] = programme_years(size.years)
    if size.futures:
        scenarios += FUTURE_SCENARIOS
        tables["futures"] = futures_rows(size.futures)
    return tables


# A programme the witness plan (scaled by each year's demand factor, launched in the first year)
# always obeys: demand never above the steady year's, capacity as written, costs only falling.
DEMAND_PATH = [0.7, 0.9, 1.0, 1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6]


def programme_years(n: int) -> list[dict]:
    return [
        {"year": str(2027 + i), "demand_factor": DEMAND_PATH[i % len(DEMAND_PATH)], "pack_cost_factor": round(0.94 ** (i + 1), 4),
         "part_cost_factor": round(0.99 ** (i + 1), 4), "discount_factor": round(1.06 ** -i, 4)}
        for i in range(n)
    ]


# Futures beside the base case: each changes values only, never a design rule the witness needs
# (ceilings, ranges), so that one design can serve them all.
FUTURE_SCENARIOS = [
    {"scenario": "demand-down", "sheet": "demand", "match": "", "column": "min_units", "op": "multiply", "value": 0.85},
    {"scenario": "parts-up", "sheet": "parts", "match": "", "column": "dev_cost_jpy", "op": "multiply", "value": 1.3},
    {"scenario": "assembly-up", "sheet": "plants", "match": "", "column": "assembly_cost_jpy", "op": "multiply", "value": 1.25},
    {"scenario": "lines-up", "sheet": "plants", "match": "", "column": "line_cost_jpy", "op": "multiply", "value": 1.5},
    {"scenario": "top-hats-up", "sheet": "variants", "match": "", "column": "top_hat_dev_cost_jpy", "op": "multiply", "value": 1.3},
    {"scenario": "pack-dev-up", "sheet": "packs", "match": "", "column": "dev_cost_jpy", "op": "multiply", "value": 1.3},
]
FUTURE_NAMES = ["base", "no-sharing"] + [f["scenario"] for f in FUTURE_SCENARIOS]


def futures_rows(n: int) -> list[dict]:
    """n futures, base first at 40 % and the others sharing the rest equally (1 future: base at 1)."""
    names = FUTURE_NAMES[:n]
    rest = 0.6 / (len(names) - 1) if len(names) > 1 else 0.0
    return [{"scenario": name, "probability": 1.0 if len(names) == 1 else 0.4 if i == 0 else rest} for i, name in enumerate(names)]


def _options(name, traits, n, u0, m0, d0, brands, rng, jit) -> list[dict]:
    rows: list[dict] = []

    def add(option, dev, unit, mass, *, power=0.0, wh=0.0, height=0.0, length=0.0, styles=None, brand=None):
        rows.append({
            "category": name, "option": option, "dev_cost_jpy": float(round(dev, -6)),
            "unit_cost_jpy": float(round(unit, -2)), "mass_kg": round(mass, 1),
            "power_kw": power or None, "wh_per_km": round(wh, 1) or None,
            "height_mm": height or None, "length_mm": length or None,
            "body_styles": styles, "brands": brand,
        })

    if "structure" in traits:
        for j in range(n):
            label, styles, fd, fu, fm = STRUCTURES[j % len(STRUCTURES)]
            label += f" {j // len(STRUCTURES) + 1}" if j >= len(STRUCTURES) else ""
            k = 1.0 if j == 0 else jit()
            add(label, d0 * fd * k, u0 * fu * (1.0 if j == 0 else jit(0.98, 1.02)), m0 * fm, styles=styles)
        return rows
    if "power" in traits:
        for j in range(n):
            kw, fd, fu, fm, saved = MOTORS[j % len(MOTORS)]
            label = f"EM{kw} {kw} kW" + (" high-efficiency" if saved else "") + (f" {j // len(MOTORS) + 1}" if j >= len(MOTORS) else "")
            k = 1.0 if j == 0 else jit()
            add(label, d0 * fd * k, u0 * fu * (1.0 if j == 0 else jit(0.98, 1.02)), m0 * fm, power=kw, wh=-saved * jit())
        return rows
    if "unshared" in traits:
        # option 0: a badge-engineered common design any brand may use (each brand still pays
        # its own tooling: the category is unshared); then designs of each brand
        add(f"common {name.replace('_', ' ')}", d0 * 0.6, u0 * 1.02, m0, length=10 if "length" in traits else 0.0)
        j = 1
        while len(rows) < n:
            b = brands[(j - 1) % len(brands)]
            kind = (j - 1) // len(brands)
            styles = [None, "van, wagon", "hatchback", "wagon"][kind % 4]
            label = f"{b} {name.replace('_', ' ')}" + {None: "", "van, wagon": " tall", "hatchback": " hatch", "wagon": " wagon"}[styles]
            label += f" {kind // 4 + 1}" if kind >= 4 else ""
            length = round(rng.uniform(10, 25)) if "length" in traits else 0.0
            add(label, d0 * jit(0.8, 1.2) * (0.8 if styles else 1.0), u0 * jit(0.94, 0.99), m0 * jit(0.95, 1.05),
                length=length, styles=styles, brand=b)
            j += 1
        return rows
    if "optional" in traits:
        for j in range(n):
            saved = (rng.uniform(1.5, 4.0) if "wh" in traits else 0.0)
            add(f"{name.replace('_', ' ')} {chr(ord('A') + j % 26)}{j // 26 or ''}", d0 * jit(0.7, 1.3),
                u0 * jit(0.8, 1.3), m0 * jit(0.7, 1.3), wh=-saved)
        return rows
    for j in range(n):
        label, styles, fd, fu, fm, saved = ARCHETYPES[j % len(ARCHETYPES)]
        label += f" {j // len(ARCHETYPES) + 1}" if j >= len(ARCHETYPES) else ""
        first = j == 0
        wh = -saved * jit(0.7, 1.3) if ("wh" in traits and saved) else 0.0
        height = 0.0
        if "height" in traits and not first:
            height = rng.choice([0, 10, 20, 29])
        if "roof" in traits and label.startswith("van-tailored"):
            label, height, wh = "roof module (van)", 45.0, -rng.uniform(5, 8)
        if name == "hvac" and label.startswith("high-efficiency"):
            label, wh = "heat pump", -rng.uniform(5, 8)
        add(f"{label} {name.replace('_', ' ')}", d0 * fd * (1.0 if first else jit()),
            u0 * fu * (1.0 if first else jit(0.985, 1.015)), m0 * fm * (1.0 if first else jit(0.97, 1.03)),
            wh=wh, height=height, styles=styles)
    return rows


def _packs(n: int, rng, jit) -> list[dict]:
    levels_n = max(1, math.ceil(n / 2))
    levels = [16 + 14 * i / (levels_n - 1) for i in range(levels_n)] if levels_n >= 3 else [20.0, 25.0][:levels_n]
    out = []
    for kwh in levels:
        for chem in ("NMC", "LFP"):
            if len(out) == n:
                break
            kwh_r = round(kwh * 2) / 2
            if chem == "NMC":
                mass, length, height, price = 12 + 6.1 * kwh_r, 1000 + 31 * kwh_r, 25, 16_500 * kwh_r + 25_000
            else:
                mass, length, height, price = 15 + 7.6 * kwh_r, 1050 + 34 * kwh_r, 30, 13_500 * kwh_r + 30_000
            out.append({
                "pack": f"{kwh_r:g} kWh {chem}", "usable_kwh": kwh_r, "mass_kg": round(mass * jit(0.98, 1.02)),
                "height_mm": height, "length_mm": round(length, -1), "dev_cost_jpy": round(rng.uniform(2.5e9, 3.5e9), -8),
                "unit_cost_jpy": float(round(price * jit(0.97, 1.03), -3)),
            })
    return out


def _variant(name, brand, brand_i, style, grade, i, size, rng, jit) -> dict:
    lead = 1.0 if brand_i == 0 else rng.uniform(0.35, 0.6)
    if style == "hatchback":
        length, height, seats, payload = rng.randint(3370, 3385), rng.randint(1540, 1660), 4, None
        curb, cons, target, power, bay = rng.uniform(1040, 1100), rng.uniform(106, 118), rng.uniform(170, 185), rng.choice([30, 39]), rng.choice([1950, 2000])
        units = rng.uniform(20_000, 40_000)
    elif style == "wagon":
        length, height, seats, payload = rng.randint(3370, 3385), rng.randint(1720, 1790), 4, None
        curb, cons, target, power, bay = rng.uniform(1140, 1200), rng.uniform(120, 128), rng.uniform(170, 190), rng.choice([39, 43, 47]), rng.choice([1950, 2000])
        units = rng.uniform(10_000, 25_000)
    else:
        seats = rng.choice([2, 4])
        length, height, payload = rng.randint(3375, 3385), rng.randint(1880, 1935), 350 if seats == 2 else 300
        curb, cons, target, power, bay = rng.uniform(1090, 1150), rng.uniform(118, 126), rng.uniform(150, 165), 30, rng.choice([1800, 1850])
        units = rng.uniform(4_000, 12_000)
    top_dev = rng.uniform(1.5e9, 3.0e9)
    ceiling = rng.random() < 0.6
    if grade == "LR":
        target, power, units, top_dev = target + 25, 47, units * 0.4, top_dev * 0.4
    elif grade == "urban":
        target, power, units, top_dev = target - 20, 30, units * 0.6, top_dev * 0.5
    elif grade == "premium":
        target, power, units, top_dev, ceiling = target + 10, max(power, 43), units * 0.3, top_dev * 0.5, False
    elif grade == "fleet":
        target, power, units, top_dev = min(target, 160), 30, units * 0.5, top_dev * 0.4
    elif grade:
        target, units, top_dev = target + rng.uniform(-15, 15), units * rng.uniform(0.3, 0.6), top_dev * rng.uniform(0.3, 0.6)
    max_units = max(2000, int(round(units * lead, -3)))
    return {
        "variant": name, "brand": brand, "body_style": style,
        "length_mm": length, "width_mm": 1475, "height_mm": height, "seats": seats, "payload_kg": payload,
        "glider_mass_kg": None, "base_wh_per_km": None,
        "range_target_km": float(round(min(200, max(150, target)))), "min_power_kw": power, "pack_bay_mm": bay,
        "max_unit_cost_jpy": None, "top_hat_dev_cost_jpy": float(round(top_dev, -7)),
        "top_hat_unit_cost_jpy": float(round(rng.uniform(250_000, 330_000), -3)),
        "min_units": int(round(max_units * rng.uniform(0.3, 0.5), -2)), "max_units": max_units,
        "must_offer": "yes" if i == 0 else "no",
        "_curb": curb, "_cons": cons, "_ceiling": ceiling,
    }


def _demand(n: int, variants: list[dict], brands: list[str], total_max: float, capacity: float, rng) -> list[dict]:
    rows: list[dict] = [{"scope": "total", "name": None, "min_units": int(round(min(0.55 * total_max, 0.7 * capacity), -3)), "max_units": None}]
    for b in brands:
        s = sum(v["max_units"] for v in variants if v["brand"] == b)
        rows.append({"scope": "brand", "name": b, "min_units": int(round(0.4 * s, -3)), "max_units": None})
    for st in STYLES:
        s = sum(v["max_units"] for v in variants if v["body_style"] == st)
        if s:
            rows.append({"scope": "body_style", "name": st, "min_units": int(round(0.3 * s, -3)),
                         "max_units": int(round(0.8 * s, -3)) if st != "hatchback" else None})
    pool = [v for v in variants if v["must_offer"] != "yes"]
    rng.shuffle(pool)
    for j, v in enumerate(pool):  # alternately a committed minimum (a fleet contract) and a cap
        if j % 2 == 0:
            rows.append({"scope": "variant", "name": v["variant"], "min_units": v["min_units"], "max_units": None})
        else:
            rows.append({"scope": "variant", "name": v["variant"], "min_units": None,
                         "max_units": int(round(max(v["min_units"], 0.8 * v["max_units"]), -2))})
    return rows[: max(0, n)]


# ----------------------------------------------------------------------------- witness
def _styles(cell) -> set[str] | None:
    return None if not cell else {x.strip() for x in str(cell).split(",")}


def witness_units(variants: list[dict], plants: list[dict], demand: list[dict]) -> dict[str, dict[str, float]] | None:
    """Units a year of every variant, split over plants, meeting min/max units, plant
    capacities and body styles and every demand row (an LP: scipy's HiGHS); None if none exists."""
    from scipy.optimize import linprog

    cols = [(v["variant"], k["plant"]) for v in variants for k in plants
            if _styles(k["body_styles"]) is None or v["body_style"] in _styles(k["body_styles"])]
    a_ub, b_ub = [], []

    def row(coef: dict, lo, hi) -> None:
        vec = [coef.get(c, 0.0) for c in cols]
        if hi is not None:
            a_ub.append(vec)
            b_ub.append(hi)
        if lo is not None:
            a_ub.append([-x for x in vec])
            b_ub.append(-lo)

    for v in variants:
        row({c: 1.0 for c in cols if c[0] == v["variant"]}, v["min_units"], v["max_units"])
    for k in plants:
        row({c: 1.0 for c in cols if c[1] == k["plant"]}, None, k["capacity_units"])
    scope_of = {"total": lambda v, n: True, "brand": lambda v, n: v["brand"] == n,
                "body_style": lambda v, n: v["body_style"] == n, "variant": lambda v, n: v["variant"] == n}
    for d in demand:
        names = {v["variant"] for v in variants if scope_of[d["scope"]](v, d["name"])}
        row({c: 1.0 for c in cols if c[0] in names}, d["min_units"], d["max_units"])
    res = linprog([1.0] * len(cols), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    out: dict[str, dict[str, float]] = {}
    for (v, k), x in zip(cols, res.x):
        if x > 1e-6:
            out.setdefault(v, {})[k] = float(x)
    return out


def witness_plan(tables: dict[str, list[dict]]) -> dict[str, dict]:
    """A plan that obeys every rule of a generated workbook: every variant offered with option 0
    of every required category and the cheapest pack that reaches its range, units from
    `witness_units`. Returned as plain data: variant -> {units, pack, options, plants}."""
    parts, packs = tables["parts"], tables["packs"]
    k_mass = next(r["value"] for r in tables["settings"] if r["setting"] == "wh_per_km_per_kg")
    first = {}
    for p in parts:
        first.setdefault(p["category"], p)
    ref = [first[c["category"]] for c in tables["categories"] if c["required"] == "yes"]
    units = witness_units(tables["variants"], tables["plants"], tables["demand"])
    assert units is not None
    plan = {}
    for v in tables["variants"]:
        mass = v["glider_mass_kg"] + sum(p["mass_kg"] for p in ref)
        wh = v["base_wh_per_km"] + sum(p["wh_per_km"] or 0.0 for p in ref)
        ok = [p for p in packs if p["length_mm"] <= v["pack_bay_mm"] and v["height_mm"] + p["height_mm"] <= 2000
              and 1000 * p["usable_kwh"] / (wh + k_mass * (mass + p["mass_kg"])) >= v["range_target_km"]]
        pack = min(ok, key=lambda p: p["unit_cost_jpy"])
        split = units[v["variant"]]
        plan[v["variant"]] = {"units": sum(split.values()), "pack": pack["pack"], "plants": split,
                              "options": {p["category"]: p["option"] for p in ref}}
    return plan


# ----------------------------------------------------------------------------- writing
def write(tables: dict[str, list[dict]], path: str | Path) -> Path:
    """Write the tables as an .xlsx workbook (row 1: column names)."""
    from openpyxl import Workbook

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    for sheet, rows in tables.items():
        ws = wb.create_sheet(sheet)
        cols = list(dict.fromkeys(k for r in rows for k in r)) or (["item", "min_units", "unit_cost_jpy"] if sheet == "tiers" else [])
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
    wb.save(path)
    return path


def size_of(name: str, **overrides) -> Size:
    base = SIZES[name] if name in SIZES else SIZES["medium"]
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def make(size: str, seed: int, out: str | Path, **overrides) -> Path | None:
    """Write the workbook of a named size (with knob overrides) to `out`; for `example` copy the
    bundled workbook, or return None when it is not there."""
    out = Path(out)
    if size == "example":
        src = example_path()
        if not src.exists():
            return None
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out)
        return out
    return write(generate(size_of(size, **overrides), seed), out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="medium", help=f"named size: {', '.join(NAMED)}, or 'custom' (medium's knobs as the base)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    for knob in ("variants", "categories", "options", "packs", "tiers", "plants", "demand", "brands", "years", "futures"):
        ap.add_argument(f"--{knob}", type=int)
    ap.add_argument("--time-limit", dest="time_limit_s", type=float, help="time_limit_s written to settings")
    ap.add_argument("--gap", dest="mip_rel_gap", type=float, help="mip_rel_gap written to settings")
    args = ap.parse_args(argv)
    if args.size not in NAMED and args.size != "custom":
        ap.error(f"unknown size {args.size!r}; choose {', '.join(NAMED)} or custom")
    knobs = {k: getattr(args, k) for k in ("variants", "categories", "options", "packs", "tiers", "plants", "demand", "brands", "years",
                                           "futures", "time_limit_s", "mip_rel_gap")}
    written = make(args.size, args.seed, args.out, **knobs)
    if written is None:
        print(f"generate: the example workbook {example_path()} does not exist yet", file=sys.stderr)
        return 1
    print(f"generate: wrote {written}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
