"""Seeded small random workbooks with the newer sheets of docs/workbook.md, written from that page
alone: `years` (2-4 years; demand, capacity, cost, ceiling and discount factors), launch windows
(`launch_from`, `launch_by`), demand rows with a `year`, `locks`, and -- for `plan solve --robust`
-- `scenarios` with a `futures` sheet.

`make_years_case(seed)` and `make_robust_case(seed)` start from `random_workbooks.make_case` (a
smaller configuration budget, so the enumeration stays small) and add the new sheets with a
generator of their own.  Some cases are infeasible on purpose: a lock that breaks a range target,
a lock of `no` on a must-offer variant, a year whose demand the plants cannot build, futures that
no single design can serve.  Factors that scale units are dyadic (0.75, 1.125, ...) so
min_units x demand_factor is exact, and ceilings and range targets are kept clear of ties in every
year and every future so float rounding cannot decide feasibility.
"""
from __future__ import annotations

import random
from itertools import product
from typing import Any

try:
    from .random_workbooks import Case, make_case
    from .scenarios import matches, apply_scenario
except ImportError:  # pragma: no cover
    from random_workbooks import Case, make_case  # type: ignore
    from scenarios import matches, apply_scenario  # type: ignore

DEMAND_FACTORS = [0.75, 0.875, 1.0, 1.125, 1.25, 1.5]
CAPACITY_FACTORS = [0.875, 1.0, 1.0, 1.125, 1.25]
PROBABILITIES = {2: [(0.5, 0.5), (0.75, 0.25), (0.6, 0.4), (0.25, 0.75)],
                 3: [(0.5, 0.25, 0.25), (0.2, 0.3, 0.5), (0.4, 0.4, 0.2)]}
TIE = 1e-6  # relative distance every ceiling and range target keeps from every configuration


# ----------------------------------------------------------------------------
# years, launch windows, demand years
# ----------------------------------------------------------------------------

def add_years(case: Case, rng: random.Random, n_years: int) -> None:
    if rng.random() < 0.8:
        names: list[Any] = [2027 + k for k in range(n_years)]
    else:
        names = [f"FY{27 + k}" for k in range(n_years)]
    rows = [{"year": y} for y in names]
    if rng.random() < 0.15:
        case.notes.append("years: every factor 1 (blank)")
    else:
        pack, ceiling, disc = 1.0, 1.0, 1.0 if rng.random() < 0.7 else 0.97
        for k, r in enumerate(rows):
            if rng.random() < 0.85:
                r["demand_factor"] = rng.choice(DEMAND_FACTORS) if k else rng.choice([0.75, 1.0, 1.0])
            if rng.random() < 0.5:
                r["capacity_factor"] = rng.choice(CAPACITY_FACTORS)
            if k:
                pack = round(pack * rng.choice([0.8, 0.85, 0.9, 0.95, 1.0]), 4)
                ceiling = round(ceiling * rng.choice([1.0, 0.995, 0.99, 0.98]), 4)
                disc = round(disc * rng.choice([1.0, 0.95, 0.93, 0.9]), 4)
            if rng.random() < 0.85:
                r["pack_cost_factor"] = pack
            if rng.random() < 0.4:
                r["part_cost_factor"] = rng.choice([0.95, 0.95, 1.0, 1.0, 1.05])
            if ceiling != 1.0 or rng.random() < 0.3:
                r["ceiling_factor"] = ceiling
            if disc != 1.0 or rng.random() < 0.3:
                r["discount_factor"] = disc
        # a pack_cost_factor left blank is 1: keep the written ones falling
        last = 1.0
        for r in rows:
            if r.get("pack_cost_factor", 1.0) > last:
                r["pack_cost_factor"] = last
            last = r.get("pack_cost_factor", 1.0)
        last = 1.0
        for r in rows:  # discount factors never rise (a blank is 1)
            if r.get("discount_factor", 1.0) > last:
                r["discount_factor"] = last
            last = r.get("discount_factor", 1.0)
    case.years = rows


def add_launch_windows(case: Case, rng: random.Random) -> None:
    names = [r["year"] for r in case.years]
    for v in case.variants:
        if rng.random() < 0.55:
            a = rng.randrange(len(names))
            b = rng.randrange(a, len(names))
            kind = rng.random()
            if kind < 0.4 or b == len(names) - 1:
                v["launch_from"] = names[a]
            if kind >= 0.25 or a == 0:
                v["launch_by"] = names[b]
    # a demand minimum in every year needs a variant that may sell from the first year: mostly
    # keep one (the rest test that the row holds before anything launches)
    for row in case.demand or []:
        if (row.get("min_units") or 0) <= 0 or row.get("year") is not None or rng.random() < 0.2:
            continue
        members = [v for v in case.variants if row["scope"] == "total"
                   or row.get("name") in (v["brand"], v["body_style"], v["variant"])]
        if members and all(v.get("launch_from", names[0]) != names[0] for v in members):
            rng.choice(members).pop("launch_from")


def add_demand_years(case: Case, rng: random.Random) -> None:
    names = [r["year"] for r in case.years]
    for row in case.demand or []:
        if rng.random() < 0.35:
            row["year"] = rng.choice(names)
    if rng.random() < 0.25:
        musts = [v for v in case.variants if v.get("must_offer")]
        if musts:
            total = sum(v["min_units"] for v in musts)
            row = {"scope": "total", "year": rng.choice(names),
                   "max_units": int(total * rng.choice([1.5, 2, 3]) / 500) * 500}
            if rng.random() < 0.5:
                row["min_units"] = int(total * rng.choice([0.5, 1.2]) / 500) * 500
            case.demand = (case.demand or []) + [row]


# ----------------------------------------------------------------------------
# locks
# ----------------------------------------------------------------------------

def _valid_configs(case: Case, i: int) -> list:
    """(options, pack) of variant i passing every rule but the ceiling (in the base case)."""
    from .bruteforce import Model
    m = Model(case)
    return [(c.options, c.pack) for c in m.configs(i, ceiling=False)]


def add_locks(case: Case, rng: random.Random) -> None:
    locks: list[dict] = []
    taken = set()

    def lock(v, item, choice):
        if (v["variant"], item) not in taken:
            taken.add((v["variant"], item))
            locks.append({"variant": v["variant"], "item": item, "choice": choice})

    for _ in range(rng.choice([1, 1, 2, 3])):
        i = rng.randrange(len(case.variants))
        v = case.variants[i]
        kind = rng.random()
        valid = _valid_configs(case, i)
        if kind < 0.35 or not valid:
            yes = rng.random() < 0.7 or v.get("must_offer")
            lock(v, "offer", rng.choice(["yes", "Yes", "YES"]) if yes else rng.choice(["no", "No"]))
        elif kind < 0.65:
            lock(v, "pack", rng.choice(valid)[1] if rng.random() < 0.9 else rng.choice(case.packs)["pack"])
        else:
            opts, _pk = rng.choice(valid)
            optional = [c for c in case.categories if not c.get("required", True)]
            c = rng.choice(optional if optional and rng.random() < 0.6 else case.categories)
            name = c["category"]
            if not c.get("required", True) and (name not in opts or rng.random() < 0.4):
                lock(v, name, rng.choice(["none", "None"]))
            elif name in opts:
                lock(v, name, opts[name])
    optional = [c for c in case.categories if not c.get("required", True)]
    if optional and rng.random() < 0.5:  # an optional category left out
        lock(rng.choice(case.variants), rng.choice(optional)["category"], rng.choice(["none", "None"]))
    case.locks = locks


def lock_breaking_range(case: Case, rng: random.Random) -> bool:
    """Lock a must-offer variant to a pack none of whose combinations passes the rules."""
    from .bruteforce import Model
    m = Model(case)
    for i, v in enumerate(case.variants):
        if not v.get("must_offer"):
            continue
        ok = {c.pack for c in m.configs(i, ceiling=False)}
        dead = [p["pack"] for p in case.packs if p["pack"] not in ok and p["length_mm"] <= v["pack_bay_mm"]]
        if dead and ok:
            case.locks = [lk for lk in case.locks or [] if lk["variant"] != v["variant"]]
            case.locks.append({"variant": v["variant"], "item": "pack", "choice": rng.choice(dead)})
            case.notes.append(f"infeasible: {v['variant']} locked to a pack that misses its range target")
            return True
    return False


# ----------------------------------------------------------------------------
# ties
# ----------------------------------------------------------------------------

def _combos(case: Case, v: dict):
    per_cat = []
    for c in case.categories:
        opts = [p for p in case.parts if p["category"] == c["category"]]
        per_cat.append(opts + ([] if c.get("required", True) else [None]))
    for combo in product(*per_cat):
        opts = [o for o in combo if o is not None]
        for pk in case.packs:
            yield opts, pk


def _tie(case: Case) -> tuple[int, str] | None:
    """(variant index, 'ceiling' or 'range') of the first near tie in the case, or None."""
    k = case.settings.get("wh_per_km_per_kg", 0.05)
    years = case.years or [{}]
    for i, v in enumerate(case.variants):
        for opts, pk in _combos(case, v):
            mass = v["glider_mass_kg"] + sum(o.get("mass_kg", 0) for o in opts) + pk["mass_kg"]
            cons = v["base_wh_per_km"] + k * mass + sum(o.get("wh_per_km", 0) for o in opts)
            energy = 1000.0 * pk["usable_kwh"]
            if abs(energy - v["range_target_km"] * cons) < TIE * energy:
                return i, "range"
            cap = v.get("max_unit_cost_jpy")
            if cap is None:
                continue
            for y in years:
                cost = (v.get("top_hat_unit_cost_jpy", 0) or 0) + \
                    sum(o["unit_cost_jpy"] for o in opts) * (y.get("part_cost_factor") or 1.0) + \
                    pk["unit_cost_jpy"] * (y.get("pack_cost_factor") or 1.0)
                limit = cap * (y.get("ceiling_factor") or 1.0)
                if abs(cost - limit) < TIE * limit:
                    return i, "ceiling"
    return None


def untie(case: Case) -> None:
    """Move ceilings and range targets off near ties in the base case and in every future."""
    names = ["base"] + sorted({r["scenario"] for r in case.scenarios or []})
    for _ in range(400):
        found = None
        for name in names:
            t = _tie(apply_scenario(case, name))
            if t is not None:
                found = (name, t)
                break
        if found is None:
            return
        name, (i, kind) = found
        v = case.variants[i]
        column = "max_unit_cost_jpy" if kind == "ceiling" else "range_target_km"
        step = 700 if kind == "ceiling" else -0.3
        setter = [r for r in case.scenarios or [] if r["scenario"] == name and r["sheet"] == "variants"
                  and r["column"] == column and r["op"] == "set" and r["match"] == f"variant={v['variant']}"]
        if setter:
            setter[0]["value"] = round(setter[0]["value"] + step, 1)
        else:
            v[column] = round(v[column] + step, 1)
    raise RuntimeError(f"case {case.seed}: could not untie")


# ----------------------------------------------------------------------------
# the cases
# ----------------------------------------------------------------------------

def feasible_base(first_seed: int, max_configs: int) -> Case:
    """The first of make_case(first_seed), make_case(first_seed + 1), ... that has a plan as a
    steady year, so that infeasible cases come from the sheets added here."""
    from .programme import solve_programme
    for k in range(50):
        case = make_case(first_seed + k, max_configs=max_configs)
        if solve_programme(case).status == "optimal":
            case.notes.append(f"base: make_case({first_seed + k})")
            return case
    raise RuntimeError(f"no feasible base from seed {first_seed}")


def _settle(case: Case) -> None:
    case.settings["time_limit_s"] = 30
    case.settings["mip_rel_gap"] = 1e-9


def make_years_case(seed: int) -> Case:
    """2-4 years, launch windows, demand years, locks; some infeasible on purpose."""
    rng = random.Random(seed * 104729 + 11)
    n_years = rng.choice([2, 2, 3, 3, 4])
    case = feasible_base(10_000 + 100 * seed, max_configs=12 if n_years < 4 else 8)
    case.seed = seed
    _settle(case)
    add_years(case, rng, n_years)
    add_launch_windows(case, rng)
    add_demand_years(case, rng)
    if rng.random() < 0.6:
        add_locks(case, rng)
    if rng.random() < 0.2:
        kind = rng.choice(["lock_range", "lock_no", "capacity_year"])
        if kind == "lock_range" and lock_breaking_range(case, rng):
            pass
        elif kind == "lock_no" and any(v.get("must_offer") for v in case.variants):
            v = next(v for v in case.variants if v.get("must_offer"))
            case.locks = [lk for lk in case.locks or [] if lk["variant"] != v["variant"]]
            case.locks.append({"variant": v["variant"], "item": "offer", "choice": "no"})
            case.notes.append(f"infeasible: must-offer {v['variant']} locked out")
        else:
            case.years[-1]["capacity_factor"] = 0.125
            case.notes.append("infeasible (likely): the last year's plants at 1/8 capacity")
    untie(case)
    return case


def _scenario_rows(case: Case, rng: random.Random, name: str) -> list[dict]:
    rows = []
    for _ in range(rng.choice([1, 1, 2])):
        kind = rng.choice(["ceiling", "range", "cost", "cost", "capacity", "demand"])
        v = rng.choice(case.variants)
        row: dict[str, Any] = {"scenario": name}
        if kind == "ceiling":
            if v.get("max_unit_cost_jpy") is not None:
                row.update(sheet="variants", match=f"variant={v['variant']}", column="max_unit_cost_jpy",
                           op="multiply", value=rng.choice([0.9375, 0.96875, 0.984375]))
            else:
                costs = sorted((v.get("top_hat_unit_cost_jpy", 0) or 0) + sum(o["unit_cost_jpy"] for o in opts)
                               + pk["unit_cost_jpy"] for opts, pk in _combos(case, v))
                row.update(sheet="variants", match=f"variant={v['variant']}", column="max_unit_cost_jpy",
                           op="set", value=costs[int(rng.uniform(0.3, 1.0) * (len(costs) - 1))] + 700)
        elif kind == "range":
            row.update(sheet="variants", match=f"variant={v['variant']}", column="range_target_km",
                       op="add", value=rng.choice([-15, -8, -8, 3, 6]))
        elif kind == "cost":  # mostly one item, so the cheapest design can change
            pick = rng.random()
            if pick < 0.2:
                row.update(sheet="packs", match=rng.choice([None, "*"]), column="unit_cost_jpy",
                           op="multiply", value=rng.choice([0.8, 1.25]))
            elif pick < 0.5:
                row.update(sheet="packs", match=f"pack={rng.choice(case.packs)['pack']}",
                           column="unit_cost_jpy", op="multiply", value=rng.choice([0.7, 1.4]))
            elif pick < 0.75:
                row.update(sheet="parts", match=f"option={rng.choice(case.parts)['option']}",
                           column="unit_cost_jpy", op="multiply", value=rng.choice([0.8, 1.3]))
            elif rng.random() < 0.5:
                row.update(sheet="packs", match=f"pack={rng.choice(case.packs)['pack']}",
                           column="dev_cost_jpy", op="multiply", value=rng.choice([1.5, 0.5]))
            else:
                row.update(sheet="packs", match=f"pack={rng.choice(case.packs)['pack']}",
                           column="dev_cost_jpy", op="add", value=1_000_000_000)
        elif kind == "capacity":
            pl = rng.choice(case.plants)
            row.update(sheet="plants", match=f"plant={pl['plant']}", column="capacity_units",
                       op="multiply", value=rng.choice([0.875, 0.75, 1.25]))
        else:
            f = rng.choice([0.75, 0.875, 1.125, 1.25])
            row.update(sheet="variants", match=f"variant={v['variant']}", column="min_units",
                       op="multiply", value=f)
            rows.append(dict(row, column="max_units"))
        rows.append(row)
        if row["column"] == "unit_cost_jpy":  # the item's tiers move with its list price
            chosen = [p for p in getattr(case, row["sheet"]) if matches(p, row["match"])]
            if row["sheet"] == "packs":
                items = [p["pack"] for p in chosen]
            else:
                items = [f"{p['category']}/{p['option']}" for p in chosen]
            for it in sorted({t["item"] for t in case.tiers or []} & set(items)):
                rows.append({"scenario": name, "sheet": "tiers", "match": f"item={it}",
                             "column": "unit_cost_jpy", "op": "multiply", "value": row["value"]})
    # one row per cell: with two, their order would matter
    seen, out = set(), []
    for r in rows:
        cell = (r["sheet"], r["match"], r["column"])
        if cell not in seen:
            seen.add(cell)
            out.append(r)
    return out


def _against_design(case: Case, rng: random.Random, name: str, design: tuple) -> list[dict]:
    """A scenario row that rules out (or makes dear) the base optimum's choice for one offered
    variant, so that the futures disagree on the best design."""
    from .programme import Programme
    p = Programme(case)
    m = p.m
    offered = [(i, ch) for i, ch in enumerate(design) if ch is not None]
    if not offered:
        return []
    i, ch = rng.choice(offered)
    v = case.variants[i]
    stats = {}
    for key, c in p.cfgs[i].items():
        ps = [m.parts[(cat, o)] for cat, o in c.options.items()]
        mass = m.variants[i]["glider"] + sum(q["mass"] for q in ps) + m.packs[c.pack]["mass"]
        cons = m.variants[i]["base_wh"] + m.k * mass + sum(q["wh"] for q in ps)
        stats[key] = (1000.0 * m.packs[c.pack]["kwh"] / cons, p.list_cost(i, c.options, c.pack, 0))
    r0, c0 = stats[ch.config]
    match = f"variant={v['variant']}"
    kind = rng.random()
    if kind < 0.35 and any(c <= c0 - 1500 for _, c in stats.values()):
        return [{"scenario": name, "sheet": "variants", "match": match, "column": "max_unit_cost_jpy",
                 "op": "set", "value": int(c0) - 300}]
    if kind < 0.7 and any(r >= r0 + 1.5 for r, _ in stats.values()):
        return [{"scenario": name, "sheet": "variants", "match": match, "column": "range_target_km",
                 "op": "set", "value": round(r0 + 0.5, 1)}]
    rows = [{"scenario": name, "sheet": "packs", "match": f"pack={ch.pack}", "column": "unit_cost_jpy",
             "op": "multiply", "value": 1.4}]
    if any(t["item"] == ch.pack for t in case.tiers or []):
        rows.append(dict(rows[0], sheet="tiers", match=f"item={ch.pack}"))
    return rows


def _split_futures(case: Case, rng: random.Random, scenario_names: list[str]) -> bool:
    """Two futures that no single design serves: in the first a must-offer variant's range
    target admits only its longest-range combinations, in the second its cost ceiling (in every
    year, with the years' factors) only its cheapest -- and no combination is both."""
    from .programme import Programme
    p = Programme(case)
    m = p.m
    for i, v in enumerate(case.variants):
        if not v.get("must_offer"):
            continue
        stats = []
        for c in p.cfgs[i].values():
            ps = [m.parts[(cat, o)] for cat, o in c.options.items()]
            mass = m.variants[i]["glider"] + sum(q["mass"] for q in ps) + m.packs[c.pack]["mass"]
            cons = m.variants[i]["base_wh"] + m.k * mass + sum(q["wh"] for q in ps)
            need = max(p.list_cost(i, c.options, c.pack, y) / p.ceil_f[y] for y in range(p.n_years))
            stats.append((1000.0 * m.packs[c.pack]["kwh"] / cons, need))
        if len(stats) < 2:
            continue
        far = max(r for r, _ in stats)
        cheap = min(c for _, c in stats)
        if any(r >= far - 1.0 and c <= cheap + 1500 for r, c in stats):
            continue
        a, b = scenario_names[0], scenario_names[1]
        case.scenarios = [r for r in case.scenarios if r["scenario"] not in (a, b)] + [
            {"scenario": a, "sheet": "variants", "match": f"variant={v['variant']}",
             "column": "range_target_km", "op": "set", "value": round(far - 0.5, 1)},
            {"scenario": b, "sheet": "variants", "match": f"variant={v['variant']}",
             "column": "max_unit_cost_jpy", "op": "set", "value": int(cheap) + 300}]
        case.notes.append(f"infeasible: futures {a} and {b} want disjoint designs of {v['variant']}")
        return True
    return False


def _robust_base(seed: int):
    """A case with its years, windows and locks that has a plan as it stands."""
    from .programme import solve_programme
    for attempt in range(30):
        rng = random.Random(seed * 130363 + 5 + 1009 * attempt)
        with_years = rng.random() < 0.5
        n_years = rng.choice([2, 2, 3])
        case = feasible_base(200_000 + 100 * seed + 10 * attempt, max_configs=8 if with_years else 12)
        case.seed = seed
        _settle(case)
        if with_years:
            add_years(case, rng, n_years)
            add_launch_windows(case, rng)
            add_demand_years(case, rng)
        if rng.random() < 0.25:
            add_locks(case, rng)
        untie(case)
        out = solve_programme(case)
        if out.status == "optimal":
            return case, rng, out.design
    raise RuntimeError(f"no feasible robust base for seed {seed}")


def make_robust_case(seed: int) -> Case:
    """A scenarios sheet with 1-2 scenarios and a futures sheet of 2-3 futures (usually with base),
    with a years sheet in about half of them.  The base case has a plan; some futures do not, and
    some futures cannot share one design (on purpose)."""
    case, rng, design = _robust_base(seed)
    n_sc = rng.choice([1, 2, 2])
    names = rng.sample(["dear_packs", "tight_rules", "small_plants", "boom", "slump"], n_sc)
    case.scenarios = [r for name in names for r in _scenario_rows(case, rng, name)]
    if rng.random() < 0.5:
        extra = _against_design(case, rng, names[-1], design)
        cells = {(r["scenario"], r["sheet"], r["column"]) for r in extra}
        # no two rows of a scenario change the same column (their order would matter)
        case.scenarios = [r for r in case.scenarios if (r["scenario"], r["sheet"], r["column"]) not in cells]
        case.scenarios += extra
    with_base = n_sc == 1 or rng.random() < 0.85
    deliberate = rng.random()
    if deliberate < 0.15:  # futures that no single design can serve
        if len(names) < 2:
            names.append("slump" if "slump" not in names else "boom")
            case.scenarios += _scenario_rows(case, rng, names[-1])
        if _split_futures(case, rng, names[:2]):
            with_base = False
    elif deliberate < 0.2:
        case.scenarios.append({"scenario": names[0], "sheet": "plants", "match": None,
                               "column": "capacity_units", "op": "multiply", "value": 0.125})
        case.notes.append(f"infeasible (likely): future {names[0]} at 1/8 capacity")
    futures = (["base"] if with_base else []) + names
    probs = rng.choice(PROBABILITIES[len(futures)])
    assert sum(probs) == 1.0
    case.futures = [{"scenario": f, "probability": p} for f, p in zip(futures, probs)]
    untie(case)
    return case


def single_future(case: Case, scenario: str) -> Case:
    """The same workbook with one future of probability 1."""
    import copy
    out = copy.deepcopy(case)
    out.futures = [{"scenario": scenario, "probability": 1}]
    return out
