"""Seeded generator of small random workbooks that follow the workbook format
(docs/workbook.md), written from that description alone.

`make_case(seed)` returns a `Case`: plain dicts/lists describing the workbook
*as a planner typed it* -- a key that is absent from a row dict is a blank cell
(the spec's default applies).  `write_workbook(case, path)` writes it with
openpyxl.  The brute-force oracle (`bruteforce.py`) reads the `Case`, never the
file, so a reader bug in `plan` shows up as a disagreement.

Cases are small enough to enumerate: 1-3 variants, 1-3 categories of 1-3
options, 1-3 packs, 1-2 plants, and at most `MAX_CONFIGS` option/pack
combinations per variant.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from itertools import product
from typing import Any

BRAND_NAMES = ["Aoi", "Beni"]
STYLE_NAMES = ["hatchback", "van", "wagon"]
MAX_CONFIGS = 36  # option x pack combinations per variant (before rules)

DEFAULT_SETTINGS = {
    "lifecycle_years": 6,
    "wh_per_km_per_kg": 0.05,
    "time_limit_s": 60,
    "mip_rel_gap": 0.001,
    "integer_units": False,
    "cross_brand_sharing": True,
}
DEFAULT_RULES = {
    "max_length_mm": 3400,
    "max_width_mm": 1480,
    "max_height_mm": 2000,
    "max_seats": 4,
    "max_payload_kg": 350,
    "max_power_kw": 47,
}


@dataclass
class Case:
    seed: int
    settings: dict[str, Any]          # settings written (absent -> default)
    brands: list[str]
    variants: list[dict]
    categories: list[dict]
    parts: list[dict]
    packs: list[dict]
    plants: list[dict]
    tiers: list[dict] | None = None   # None: no tiers sheet
    demand: list[dict] | None = None  # None: no demand sheet
    rules: dict[str, Any] | None = None  # None: no rules sheet (all defaults)
    quirks: dict[str, Any] = field(default_factory=dict)  # how cells are spelled
    notes: list[str] = field(default_factory=list)        # what the generator did

    # -- resolved views (spec defaults applied) used by the oracle and tests
    def setting(self, name: str):
        return self.settings.get(name, DEFAULT_SETTINGS[name])

    def rule(self, name: str):
        return (self.rules or {}).get(name, DEFAULT_RULES[name])


# ----------------------------------------------------------------------------
# generation
# ----------------------------------------------------------------------------

def _round(x: float, step: float) -> int:
    return int(round(x / step) * step)


def _config_stats(case: Case, v: dict):
    """(range_km, list_unit_cost, options, pack) of every option/pack
    combination of a variant, ignoring every other rule."""
    k = case.setting("wh_per_km_per_kg")
    per_cat = []
    for c in case.categories:
        opts = [p for p in case.parts if p["category"] == c["category"]]
        choices = list(opts)
        if not c.get("required", True):
            choices.append(None)
        per_cat.append(choices)
    out = []
    for combo in product(*per_cat):
        opts = [o for o in combo if o is not None]
        for pk in case.packs:
            mass = v["glider_mass_kg"] + sum(o.get("mass_kg", 0) for o in opts) + pk["mass_kg"]
            cons = v["base_wh_per_km"] + k * mass + sum(o.get("wh_per_km", 0) for o in opts)
            rng_km = 1000.0 * pk["usable_kwh"] / cons
            cost = v.get("top_hat_unit_cost_jpy", 0) + sum(o["unit_cost_jpy"] for o in opts) + pk["unit_cost_jpy"]
            out.append((rng_km, cost, opts, pk))
    return out


def _all_choices(m, i):
    """Every (options, pack) of variant i in the oracle model m, allowed or not."""
    v = m.variants[i]
    per_cat = []
    for c in m.categories:
        ch = [o for (cat, o), p in m.parts.items() if cat == c["name"] and m.option_allowed(v, p)]
        if not c["required"]:
            ch.append(None)
        per_cat.append(ch)
    for combo in product(*per_cat):
        opts = {c["name"]: o for c, o in zip(m.categories, combo) if o is not None}
        for pk in m.packs:
            yield opts, pk


def _nudge_range_targets(case: Case) -> None:
    """Keep every option/pack combination clearly on one side of its range target
    (relative margin > 1e-5), so float rounding cannot decide feasibility."""
    k = case.setting("wh_per_km_per_kg")
    for v in case.variants:
        for _ in range(100):
            bad = False
            for rng_km, _c, opts, pk in _config_stats(case, v):
                mass = v["glider_mass_kg"] + sum(o.get("mass_kg", 0) for o in opts) + pk["mass_kg"]
                cons = v["base_wh_per_km"] + k * mass + sum(o.get("wh_per_km", 0) for o in opts)
                if abs(1000.0 * pk["usable_kwh"] - v["range_target_km"] * cons) < 1e-5 * 1000.0 * pk["usable_kwh"]:
                    bad = True
                    break
            if not bad:
                break
            v["range_target_km"] = round(v["range_target_km"] - 0.3, 1)


def make_case(seed: int) -> Case:
    rng = random.Random(seed * 7919 + 17)
    notes: list[str] = []

    # ---- settings
    settings: dict[str, Any] = {"mip_rel_gap": 1e-9}
    if rng.random() < 0.5:
        settings["lifecycle_years"] = rng.choice([5, 6, 8, 10])
    if rng.random() < 0.3:
        settings["wh_per_km_per_kg"] = rng.choice([0.04, 0.05, 0.06])
    r = rng.random()
    if r < 0.3:
        settings["integer_units"] = True
    elif r < 0.5:
        settings["integer_units"] = False
    r = rng.random()
    if r < 0.35:
        settings["cross_brand_sharing"] = False
    elif r < 0.55:
        settings["cross_brand_sharing"] = True
    if rng.random() < 0.3:
        settings["time_limit_s"] = 120

    brands = BRAND_NAMES[: (2 if rng.random() < 0.65 else 1)]
    styles = rng.sample(STYLE_NAMES, 2 if rng.random() < 0.55 else 1)

    # ---- categories and parts
    cat_pool = ["inverter", "styling", "heat_pump"]
    n_extra = rng.choice([0, 1, 1, 2])
    cat_names = ["motor"] + rng.sample(cat_pool, n_extra)
    rng.shuffle(cat_names)
    categories: list[dict] = []
    for cn in cat_names:
        c: dict[str, Any] = {"category": cn}
        if cn == "motor" or cn == "inverter":
            if rng.random() < 0.4:
                c["required"] = True
            if rng.random() < 0.3:
                c["shared"] = True
        elif cn == "styling":
            c["required"] = rng.random() < 0.6
            c["shared"] = rng.random() < 0.3
        else:  # heat_pump
            c["required"] = False
            if rng.random() < 0.8:
                c["shared"] = rng.random() < 0.8
        categories.append(c)

    def n_choices(c):
        return sum(1 for p in parts if p["category"] == c["category"]) + (0 if c.get("required", True) else 1)

    # option counts under the configuration budget
    n_packs = rng.choice([1, 2, 2, 3])
    while True:
        counts = {c["category"]: rng.choice([1, 2, 2, 3]) for c in categories}
        total = n_packs
        for c in categories:
            total *= counts[c["category"]] + (0 if c.get("required", True) else 1)
        if total <= MAX_CONFIGS:
            break

    parts: list[dict] = []
    for c in categories:
        cn = c["category"]
        for i in range(counts[cn]):
            p: dict[str, Any] = {"category": cn}
            if cn == "motor":
                kw = rng.choice([30, 38, 42, 47, 47] if i == 0 and rng.random() < 0.95 else [30, 38, 42, 47, 47, 52, 64])
                p.update(option=f"m{kw}_{i}",
                         dev_cost_jpy=_round(rng.uniform(1e9, 4e9), 1e6),
                         unit_cost_jpy=_round(3e4 + kw * rng.uniform(1200, 2500), 1e3),
                         mass_kg=rng.randrange(20, 55, 5), power_kw=kw,
                         wh_per_km=rng.choice([0, 1, 2, 3.5, 5]))
            elif cn == "inverter":
                p.update(option=f"inv_{'SiC' if i == 0 else 'IGBT'}{i}",
                         dev_cost_jpy=_round(rng.uniform(5e8, 2e9), 1e6),
                         unit_cost_jpy=_round(rng.uniform(2e4, 9e4), 1e3),
                         mass_kg=rng.randrange(5, 16), wh_per_km=rng.choice([0, 1, 2, 4]))
            elif cn == "styling":
                p.update(option=f"style_{i}",
                         dev_cost_jpy=_round(rng.uniform(8e8, 3e9), 1e6),
                         unit_cost_jpy=_round(rng.uniform(1e4, 8e4), 1e3),
                         mass_kg=rng.randrange(0, 25, 5),
                         height_mm=rng.choice([0, 0, 20, 40, 60]),
                         length_mm=rng.choice([0, 0, 30] if i == 0 else [0, 30, 60, 90, 120]))
                if rng.random() < 0.3 and len(brands) > 1:
                    p["brands"] = [rng.choice(brands)]
            else:
                p.update(option=f"hp_{i}",
                         dev_cost_jpy=_round(rng.uniform(3e8, 1.2e9), 1e6),
                         unit_cost_jpy=_round(rng.uniform(3e4, 7e4), 1e3),
                         mass_kg=rng.randrange(8, 20), wh_per_km=-rng.choice([3, 4, 6, 8]))
            if i == 0:
                p.pop("brands", None)  # every category keeps one unrestricted option
            elif len(styles) > 1 and rng.random() < 0.25:
                p["body_styles"] = [rng.choice(styles)]
            # randomly drop zero-valued optional fields (blank cell = 0)
            for key in ("mass_kg", "power_kw", "wh_per_km", "height_mm", "length_mm"):
                if p.get(key, None) == 0 and rng.random() < 0.5:
                    del p[key]
            parts.append(p)

    packs: list[dict] = []
    for i in range(n_packs):
        kwh = rng.choice([14.0, 16.5, 18.0, 20.0, 22.5, 25.0, 29.0])
        pk: dict[str, Any] = {
            "pack": f"P{int(kwh * 10)}_{i}",
            "usable_kwh": kwh,
            "mass_kg": int(kwh * rng.uniform(6.0, 8.0)),
            "length_mm": rng.randrange(1700, 2350, 50),
            "dev_cost_jpy": _round(rng.uniform(2e9, 8e9), 1e6),
            "unit_cost_jpy": _round(kwh * rng.uniform(2.8e4, 4.5e4), 1e3),
        }
        h = rng.choice([0, 0, 10, 25, 40])
        if h or rng.random() < 0.5:
            pk["height_mm"] = h
        packs.append(pk)
    if len({p["pack"] for p in packs}) < len(packs):
        for i, p in enumerate(packs):
            p["pack"] = f"{p['pack']}x{i}"

    # ---- variants
    n_var = rng.choice([1, 2, 2, 3, 3, 3])
    variants: list[dict] = []
    for i in range(n_var):
        b = brands[i % len(brands)] if i < len(brands) else rng.choice(brands)
        s = rng.choice(styles)
        tall = s == "van"
        v: dict[str, Any] = {
            "variant": f"{b}_{s}_{i}",
            "brand": b,
            "body_style": s,
            "length_mm": rng.randrange(3200, 3360, 10),
            "width_mm": 1475 if rng.random() > 0.01 else 1495,
            "height_mm": rng.randrange(1820, 1960, 10) if tall else rng.randrange(1500, 1660, 10),
            "seats": 4 if rng.random() > 0.01 else 5,
            "glider_mass_kg": rng.randrange(650, 900, 10),
            "base_wh_per_km": rng.randrange(60, 90),
            "pack_bay_mm": rng.choice([p["length_mm"] for p in packs]) + rng.choice([0, 0, 50, 150, 300]),
            "min_units": rng.randrange(3000, 15001, 500),
        }
        v["max_units"] = v["min_units"] + rng.choice([0, 5000, 10000, 20000, 30000])
        if tall or rng.random() < 0.5:
            v["payload_kg"] = rng.randrange(150, 350, 10) if rng.random() > 0.02 else 380
        if rng.random() < 0.6:
            kws = [p["power_kw"] for p in parts if p["category"] == "motor" and p["power_kw"] <= 47]
            if rng.random() < 0.7:
                kws = kws[:1]  # the unrestricted motor
            v["min_power_kw"] = max(0, rng.choice(kws or [47]) - rng.choice([0, 0, 2, 5]))
        if rng.random() < 0.85:
            v["top_hat_dev_cost_jpy"] = _round(rng.uniform(1e9, 5e9), 1e6)
        if rng.random() < 0.85:
            v["top_hat_unit_cost_jpy"] = _round(rng.uniform(2e5, 6e5), 1e3)
        if rng.random() < 0.4:
            v["must_offer"] = True
        elif rng.random() < 0.2:
            v["must_offer"] = False
        variants.append(v)

    # range targets and cost ceilings, placed among what the combinations that
    # pass every other rule achieve (so they bind sometimes but rarely kill)
    case = Case(seed=seed, settings=settings, brands=brands, variants=variants,
                categories=categories, parts=parts, packs=packs, plants=[], notes=notes)
    from .bruteforce import Model  # local import: bruteforce imports this module
    for v in variants:
        v["range_target_km"] = 1
    m = Model(case)
    for i, v in enumerate(variants):
        ok = []
        for cfg_opts, pk in _all_choices(m, i):
            if not m.config_violations(i, cfg_opts, pk):
                mv = m.variants[i]
                ps = [m.parts[(c, o)] for c, o in cfg_opts.items()]
                mass = mv["glider"] + sum(p["mass"] for p in ps) + m.packs[pk]["mass"]
                cons = mv["base_wh"] + m.k * mass + sum(p["wh"] for p in ps)
                cost = mv["th_unit"] + sum(p["unit"] for p in ps) + m.packs[pk]["unit"]
                ok.append((1000.0 * m.packs[pk]["kwh"] / cons, cost))
        if not ok:
            v["range_target_km"] = rng.randrange(120, 200, 5)
            notes.append(f"{v['variant']} has no combination passing the other rules")
            continue
        ok.sort()
        tgt = ok[min(len(ok) - 1, int(rng.uniform(0.0, 0.75) * len(ok)))][0]
        v["range_target_km"] = round(math.floor(tgt) - rng.choice([0, 0.5, 2, 10]), 1)
        costs = sorted(c for r_, c in ok if r_ >= v["range_target_km"])
        if rng.random() < 0.35:
            q = rng.uniform(0.1, 1.0)
            v["max_unit_cost_jpy"] = _round(costs[min(len(costs) - 1, int(q * len(costs)))] + 500, 1000)

    # ---- tiers
    tot_min = sum(v["min_units"] for v in variants)
    tot_max = sum(v["max_units"] for v in variants)
    tiers = None
    if rng.random() < 0.55:
        tiers = []
        items = [f"{p['category']}/{p['option']}" for p in parts] + [p["pack"] for p in packs]
        price = {f"{p['category']}/{p['option']}": p["unit_cost_jpy"] for p in parts}
        price.update({p["pack"]: p["unit_cost_jpy"] for p in packs})
        for it in rng.sample(items, min(len(items), rng.choice([1, 2, 3]))):
            n_t = rng.choice([1, 1, 2])
            lo = max(1000, int(0.3 * min(v["min_units"] for v in variants)))
            natural = [v["min_units"] for v in variants] + [tot_min] + [
                a["min_units"] + b["min_units"] for a in variants for b in variants if a is not b]
            mins = set()
            for _ in range(n_t):
                if rng.random() < 0.6:  # just above a volume the plan would reach anyway
                    mins.add(int(math.ceil(rng.choice(natural) * rng.uniform(1.0, 1.12) / 500) * 500))
                else:
                    mins.add(_round(rng.uniform(lo, tot_max * 1.05), 500))
            mins = sorted(m for m in mins if m > 0)
            p = price[it]
            for m in mins:
                p = _round(p * rng.uniform(0.7, 0.95), 1000)
                tiers.append({"item": it, "min_units": m, "unit_cost_jpy": p})
        if not tiers:
            tiers = None

    # ---- plants
    plants: list[dict] = []
    n_pl = rng.choice([1, 2, 2])
    trade_off = rng.random() < 0.5
    for i in range(n_pl):
        pl: dict[str, Any] = {
            "plant": ["Mizushima", "Kurashiki"][i],
            "capacity_units": _round(rng.uniform(0.5, 1.4) * max(tot_min, tot_max * 0.7) / max(1, n_pl - 0.5), 500),
        }
        if rng.random() < 0.9:
            pl["assembly_cost_jpy"] = _round(rng.uniform(3e4, 3e5), 1e3)
        if rng.random() < 0.7:
            pl["line_cost_jpy"] = _round(rng.uniform(3e8, 6e9), 1e6)
        if n_pl == 2 and trade_off:  # cheap line and dear assembly, or the reverse
            pl["assembly_cost_jpy"] = _round(rng.uniform(2e5, 3.5e5) if i == 0 else rng.uniform(2e4, 8e4), 1e3)
            pl["line_cost_jpy"] = _round(rng.uniform(2e8, 1e9) if i == 0 else rng.uniform(2e9, 8e9), 1e6)
        if len(styles) > 1 and rng.random() < 0.35:
            pl["body_styles"] = [rng.choice(styles)]
        elif rng.random() < 0.2:
            pl["body_styles"] = list(styles)
        plants.append(pl)
    case.plants = plants
    case.tiers = tiers

    # ---- demand
    demand = None
    if rng.random() < 0.55:
        demand = []
        for _ in range(rng.choice([1, 2, 2])):
            scope = rng.choice(["total", "brand", "body_style", "variant"])
            row: dict[str, Any] = {"scope": scope}
            if scope == "total":
                members = variants
            elif scope == "brand":
                row["name"] = rng.choice(sorted({v["brand"] for v in variants}))
                members = [v for v in variants if v["brand"] == row["name"]]
            elif scope == "body_style":
                row["name"] = rng.choice(sorted({v["body_style"] for v in variants}))
                members = [v for v in variants if v["body_style"] == row["name"]]
            else:
                row["name"] = rng.choice(variants)["variant"]
                members = [v for v in variants if v["variant"] == row["name"]]
            smin = min(v["min_units"] for v in members)
            smax = sum(v["max_units"] for v in members)
            kind = rng.random()
            if kind < 0.55:
                big = max(v["max_units"] for v in members)
                lo_ = big + 500 if len(members) > 1 and rng.random() < 0.5 else smin
                row["min_units"] = _round(rng.uniform(lo_, max(lo_, smax * 1.02)), 500)
            elif kind < 0.8:
                row["max_units"] = _round(rng.uniform(smin, smax), 500)
            else:
                a = _round(rng.uniform(smin * 0.8, smax * 0.8), 500)
                row["min_units"] = a
                row["max_units"] = a + _round(rng.uniform(0, smax * 0.5), 500)
            demand.append(row)
    case.demand = demand

    forced = any(v.get("must_offer") for v in variants) or any(
        (r.get("min_units") or 0) > 0 for r in (demand or []))
    if not forced and rng.random() < 0.93:
        rng.choice(variants)["must_offer"] = True
        notes.append("forced one must_offer")

    # ---- rules
    rules: dict[str, Any] | None
    r = rng.random()
    if r < 0.15:
        rules = None
    else:
        rules = dict(DEFAULT_RULES)
        if r < 0.45:
            for key in rng.sample(list(rules), rng.randrange(1, 4)):
                del rules[key]
        elif r < 0.65:
            key = rng.choice(["max_power_kw", "max_length_mm", "max_height_mm"])
            rules[key] = {"max_power_kw": 60, "max_length_mm": 3480, "max_height_mm": 1950}[key]
            notes.append(f"rule {key}={rules[key]}")
    case.rules = rules

    # ---- deliberate infeasibility (on top of what arises by chance)
    if rng.random() < 0.12:
        mo = [v for v in variants if v.get("must_offer")]
        kind = rng.choice(["range", "cost", "capacity", "plant_style"])
        if kind == "range" and mo:
            v = mo[0]
            v["range_target_km"] = round(max(t[0] for t in _config_stats(case, v)) + 3.5, 1)
            notes.append(f"infeasible: range target of {v['variant']}")
        elif kind == "cost" and mo:
            v = mo[0]
            v["max_unit_cost_jpy"] = min(t[1] for t in _config_stats(case, v)) - 1000
            notes.append(f"infeasible: cost ceiling of {v['variant']}")
        elif kind == "plant_style" and mo and len(styles) > 1:
            s = mo[0]["body_style"]
            other = [x for x in styles if x != s][0]
            for pl in plants:
                pl["body_styles"] = [other]
            notes.append(f"infeasible: no plant builds {s}")
        else:
            cap = sum(p["capacity_units"] for p in plants)
            case.demand = (case.demand or []) + [{"scope": "total", "min_units": cap + 500}]
            notes.append("infeasible: total demand above capacity")

    _nudge_range_targets(case)

    # ---- how the cells are spelled
    case.quirks = {
        "header": rng.choice(["lower", "lower", "title", "padded"]),
        "bool": rng.choice(["yesno", "yesno", "truefalse", "10", "excel", "YesNo"]),
        "all": rng.choice(["blank", "all"]),
        "omit_blank_cols": rng.random() < 0.5,
        "notes_col": rng.random() < 0.3,
        "blank_row": rng.random() < 0.2,
        "list_sep": rng.choice([",", ", "]),
    }
    # drawn after everything above so earlier draws keep their values
    case.quirks["pad_names"] = rng.random() < 0.15  # trailing blanks after names
    if rng.random() < (0.6 if settings.get("integer_units") else 0.15):
        # half-unit volume bounds: with integer_units the plan must round up
        for v in variants:
            if rng.random() < 0.6:
                v["min_units"] += 0.5
                if v["max_units"] < v["min_units"] or rng.random() < 0.5:
                    v["max_units"] += 0.5
        notes.append("half-unit min_units")
    return case


# ----------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------

SHEET_COLUMNS = {
    "brands": ["brand"],
    "variants": ["variant", "brand", "body_style", "length_mm", "width_mm", "height_mm", "seats",
                 "payload_kg", "glider_mass_kg", "base_wh_per_km", "range_target_km", "min_power_kw",
                 "pack_bay_mm", "max_unit_cost_jpy", "top_hat_dev_cost_jpy", "top_hat_unit_cost_jpy",
                 "min_units", "max_units", "must_offer"],
    "categories": ["category", "required", "shared"],
    "parts": ["category", "option", "dev_cost_jpy", "unit_cost_jpy", "mass_kg", "power_kw", "wh_per_km",
              "height_mm", "length_mm", "body_styles", "brands"],
    "packs": ["pack", "usable_kwh", "mass_kg", "height_mm", "length_mm", "dev_cost_jpy", "unit_cost_jpy"],
    "tiers": ["item", "min_units", "unit_cost_jpy"],
    "plants": ["plant", "capacity_units", "assembly_cost_jpy", "line_cost_jpy", "body_styles"],
    "demand": ["scope", "name", "min_units", "max_units"],
}
REQUIRED_COLUMNS = {
    "brands": {"brand"},
    "variants": {"variant", "brand", "body_style", "length_mm", "width_mm", "height_mm", "seats",
                 "glider_mass_kg", "base_wh_per_km", "range_target_km", "pack_bay_mm", "min_units",
                 "max_units"},
    "categories": {"category"},
    "parts": {"category", "option", "dev_cost_jpy", "unit_cost_jpy"},
    "packs": {"pack", "usable_kwh", "mass_kg", "length_mm", "dev_cost_jpy", "unit_cost_jpy"},
    "tiers": {"item", "min_units", "unit_cost_jpy"},
    "plants": {"plant", "capacity_units"},
    "demand": {"scope", "name", "min_units", "max_units"},
}
PAD_COLUMNS = {  # name cells that may carry surrounding blanks (spec: trimmed)
    "brands": ("brand",), "variants": ("variant", "brand"), "categories": ("category",),
    "parts": ("category", "option"), "packs": ("pack",), "plants": ("plant",),
}
BOOL_COLUMNS = {"must_offer", "required", "shared"}
LIST_COLUMNS = {"body_styles", "brands"}


def _header(name: str, q: dict) -> str:
    h = q.get("header", "lower")
    if h == "title":
        return name.title()
    if h == "padded":
        return f" {name} "
    return name


def _bool(value: bool, q: dict):
    s = q.get("bool", "yesno")
    if s == "excel":
        return bool(value)
    if s == "truefalse":
        return "TRUE" if value else "false"
    if s == "10":
        return 1 if value else 0
    if s == "YesNo":
        return "Yes" if value else "NO"
    return "yes" if value else "no"


def _cell(col: str, value, q: dict):
    if value is None:
        return None
    if col in BOOL_COLUMNS or isinstance(value, bool):
        return _bool(value, q)
    if col in LIST_COLUMNS:
        if value == "all":
            return "all"
        return q.get("list_sep", ",").join(value)
    return value


def write_workbook(case: Case, path) -> None:
    from openpyxl import Workbook

    q = case.quirks
    wb = Workbook()
    wb.remove(wb.active)

    ws = wb.create_sheet("settings")
    ws.append([_header("setting", q), _header("value", q)])
    for k, v in case.settings.items():
        ws.append([k, _bool(v, q) if isinstance(v, bool) else v])

    tables = {
        "brands": [{"brand": b} for b in case.brands],
        "variants": case.variants,
        "categories": case.categories,
        "parts": case.parts,
        "packs": case.packs,
    }
    if case.tiers is not None:
        tables["tiers"] = case.tiers
    tables["plants"] = case.plants
    if case.demand is not None:
        tables["demand"] = case.demand

    for sheet, rows in tables.items():
        ws = wb.create_sheet(sheet)
        cols = []
        for c in SHEET_COLUMNS[sheet]:
            present = any(c in r for r in rows)
            if c in REQUIRED_COLUMNS[sheet] or present or not q.get("omit_blank_cols"):
                cols.append(c)
        header = [_header(c, q) for c in cols]
        if q.get("notes_col"):
            header.append("notes")
        ws.append(header)
        for i, r in enumerate(rows):
            vals = []
            for c in cols:
                val = r.get(c)
                if c in LIST_COLUMNS and val is None and q.get("all") == "all" and sheet in ("parts", "plants"):
                    val = "all"
                if q.get("pad_names") and c in PAD_COLUMNS.get(sheet, ()) and isinstance(val, str):
                    val = val + " "
                vals.append(_cell(c, val, q))
            if q.get("notes_col"):
                vals.append(f"row {i + 1} of seed {case.seed}" if i % 2 == 0 else None)
            ws.append(vals)
            if q.get("blank_row") and i == 0 and len(rows) > 1:
                ws.append([None] * len(header))

    if case.rules is not None:
        ws = wb.create_sheet("rules")
        ws.append([_header("rule", q), _header("value", q)])
        for k, v in case.rules.items():
            ws.append([k, v])
    wb.save(path)


def describe(case: Case) -> str:
    """Human-readable dump of a case (for failure messages and reports)."""
    import json
    d = {k: getattr(case, k) for k in ("seed", "settings", "brands", "variants", "categories", "parts",
                                       "packs", "tiers", "plants", "demand", "rules", "quirks", "notes")}
    return json.dumps(d, indent=1, default=str)
