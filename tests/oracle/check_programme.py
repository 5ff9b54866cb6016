"""Checking a plan someone else found, over the years and over several futures -- the rules and the
total cost of docs/workbook.md ("locks", "years", "Over the years", "One plan for several
futures", the JSON sections), read independently of `models`/`optimizer`.

`evaluate_programme_plan(case, result)` reads the JSON of `plan solve --json` (with a years sheet:
`years`, each offered variant's `launch_year` and `by_year`; without: one steady year) and returns
(total cost, [rules broken]).  `evaluate_robust_plan(case, result)` reads the JSON of
`plan solve --robust --json`: the common design at top level, each future's units under
`futures`; it returns (expected cost, {future: (cost, [rules broken])}, [rules broken overall]).
"""
from __future__ import annotations

try:
    from .programme import Programme
    from .random_workbooks import Case
    from .scenarios import future_cases
except ImportError:  # pragma: no cover
    from programme import Programme  # type: ignore
    from random_workbooks import Case  # type: ignore
    from scenarios import future_cases  # type: ignore


def _close(a: float, b: float, rel: float = 1e-6) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e6)


def _units_by_year(p: Programme, name: str, d: dict, bad: list) -> list:
    """[(units, {plant: units})] per year of the variant's JSON entry."""
    if p.names is None:
        return [(float(d.get("units") or 0.0), dict(d.get("plants") or {}))]
    by_year = d.get("by_year") or {}
    for y in by_year:
        if y not in p.names:
            bad.append(f"{name}: by_year names an unknown year {y!r}")
    out = []
    for y in p.names:
        e = by_year.get(y) or {}
        out.append((float(e.get("units") or 0.0), dict(e.get("plants") or {})))
    return out


def _check_sums(name: str, d: dict, years: list, unit_tol: float, bad: list) -> None:
    """`units` and `plants` are the sums over the years."""
    total = sum(u for u, _ in years)
    if abs(float(d.get("units") or 0.0) - total) > unit_tol * len(years):
        bad.append(f"{name}: units {d.get('units')} is not the sum over the years {total}")
    plants: dict = {}
    for _, split in years:
        for pn, q in split.items():
            plants[pn] = plants.get(pn, 0.0) + q
    printed = d.get("plants") or {}
    for pn in set(plants) | set(printed):
        if abs(plants.get(pn, 0.0) - float(printed.get(pn) or 0.0)) > unit_tol * len(years):
            bad.append(f"{name}: plants[{pn}] {printed.get(pn)} is not the sum over the years {plants.get(pn)}")


def evaluate_programme_plan(case: Case, result: dict, unit_tol: float = 1e-3):
    """(total cost, [rules broken]) of the plan in `result` under this oracle's reading."""
    p = Programme(case)
    m = p.m
    bad: list[str] = []
    if p.names is not None and [str(y) for y in result.get("years") or []] != p.names:
        bad.append(f"years {result.get('years')} are not the years sheet's {p.names}")
    vs = result.get("variants") or {}
    for name in vs:
        if name not in m.vindex:
            bad.append(f"unknown variant {name}")
    once = 0.0
    first_use: dict = {}      # development key -> earliest launch year index
    line_first: dict = {}     # (plant index, style) -> first year with units
    prod = [0.0] * p.n_years
    vol = [dict() for _ in range(p.n_years)]
    plant_units = [[0.0] * len(m.plants) for _ in range(p.n_years)]
    units = [dict() for _ in range(p.n_years)]
    for i, v in enumerate(m.variants):
        name = v["name"]
        d = vs.get(name) or {}
        if not d.get("offered"):
            if p.forced(i):
                bad.append(f"{name} must be offered (must_offer or a lock) but is not")
            if float(d.get("units") or 0.0) > unit_tol:
                bad.append(f"{name} is not offered but has units {d.get('units')}")
            continue
        if p.banned(i):
            bad.append(f"{name} is offered against its offer lock of no")
        options = {c: o for c, o in (d.get("options") or {}).items() if o is not None}
        pack = d.get("pack")
        for why in m.config_violations(i, options, pack, ceiling=False):
            bad.append(f"{name}: {why}")
        for why in p.lock_violations(i, options, pack):
            bad.append(f"{name}: {why}")
        if pack not in m.packs or any((c, o) not in m.parts for c, o in options.items()):
            continue
        launch = 0
        if p.names is not None:
            ly = d.get("launch_year")
            if ly is None or str(ly) not in p.names:
                bad.append(f"{name}: launch_year {ly!r} is not a year of the years sheet")
                continue
            launch = p.names.index(str(ly))
            if launch not in p.window[i]:
                bad.append(f"{name}: launch_year {ly} outside its launch window")
        once += v["th_dev"] * p.w_once[launch]
        for k in m.dev_keys(i, options, pack):
            first_use[k] = min(first_use.get(k, launch), launch)
        years = _units_by_year(p, name, d, bad)
        if p.names is not None:
            _check_sums(name, d, years, unit_tol, bad)
        items = [("opt", c, o) for c, o in options.items()] + [("pack", pack)]
        for y, (u, split) in enumerate(years):
            year = p.names[y] if p.names else "the year"
            if y < launch:
                if u > unit_tol or any(q > unit_tol for q in split.values()):
                    bad.append(f"{name}: {u} units in {year}, before its launch")
                continue
            if not p.ceiling_ok(i, options, pack, y):
                bad.append(f"{name}: list unit cost {p.list_cost(i, options, pack, y)} above the ceiling "
                           f"{v['ceiling']} x {p.ceil_f[y]} in {year}")
            lo, hi = v["min_u"] * p.df[y], v["max_u"] * p.df[y]
            if u < lo - unit_tol or u > hi + unit_tol:
                bad.append(f"{name}: units {u} outside [{lo}, {hi}] in {year}")
            if m.integer and abs(u - round(u)) > 1e-6:
                bad.append(f"{name}: units {u} not whole in {year}")
            if abs(sum(split.values()) - u) > unit_tol:
                bad.append(f"{name}: plant split {split} != units {u} in {year}")
            units[y][i] = u
            for pn, q in split.items():
                if q < -unit_tol:
                    bad.append(f"{name}: negative units {q} at {pn} in {year}")
                if q <= unit_tol:
                    continue
                if pn not in m.pindex:
                    bad.append(f"{name}: unknown plant {pn}")
                    continue
                j = m.pindex[pn]
                pl = m.plants[j]
                if pl["styles"] is not None and v["style"] not in pl["styles"]:
                    bad.append(f"{name}: plant {pn} does not build {v['style']}")
                line_first[(j, v["style"])] = min(line_first.get((j, v["style"]), y), y)
                plant_units[y][j] += q
                prod[y] += q * pl["asm"]
            prod[y] += u * v["th_unit"]
            for it in items:
                vol[y][it] = vol[y].get(it, 0.0) + u
    for y in range(p.n_years):
        year = p.names[y] if p.names else "the year"
        for j, pl in enumerate(m.plants):
            if plant_units[y][j] > pl["cap"] * p.cf[y] + unit_tol:
                bad.append(f"plant {pl['name']}: {plant_units[y][j]} > capacity {pl['cap']} x {p.cf[y]} "
                           f"in {year}")
        for members, lo, hi, row in p.demand[y]:
            tot = sum(u for i, u in units[y].items() if i in members)
            if (lo is not None and tot < lo - unit_tol) or (hi is not None and tot > hi + unit_tol):
                bad.append(f"demand {row} in {year}: {tot} outside [{lo}, {hi}]")
        for it, q in vol[y].items():
            price = m.tiers[it][0][1]
            for mn, pr in m.tiers[it]:
                if q >= mn - unit_tol:
                    price = pr
            prod[y] += q * price * p.factor(it, y)
    once += sum(m.dev_cost_of_key(k) * p.w_once[y] for k, y in first_use.items())
    once += sum(m.plants[j]["line"] * p.w_once[y] for (j, _), y in line_first.items())
    return once + sum(w * c for w, c in zip(p.w_prod, prod)), bad


def robust_future_plan(result: dict, future: str) -> dict:
    """One future's plan as `plan solve --json` prints it: the common design (top level) with the
    future's units, plant split and years."""
    fut = (result.get("futures") or {}).get(future) or {}
    per = fut.get("variants") or {}
    out = {"years": result.get("years"), "variants": {}}
    for name, d in (result.get("variants") or {}).items():
        merged = dict(d or {})
        merged.update({k: val for k, val in (per.get(name) or {}).items()
                       if k in ("units", "plants", "by_year")})
        out["variants"][name] = merged
    return out


def evaluate_robust_plan(case: Case, result: dict, unit_tol: float = 1e-3):
    """(expected cost, {future: (cost, [broken])}, [broken overall]) of a robust JSON."""
    bad: list[str] = []
    futs = result.get("futures") or {}
    per: dict = {}
    expected = 0.0
    cases = future_cases(case)
    if set(futs) != {name for name, _, _ in cases}:
        bad.append(f"futures {sorted(futs)} are not the futures sheet's {[n for n, _, _ in cases]}")
    for name, prob, fcase in cases:
        if name not in futs:
            continue
        if not _close(float(futs[name].get("probability") or 0.0), prob, 1e-9):
            bad.append(f"future {name}: probability {futs[name].get('probability')} != {prob}")
        for vname in futs[name].get("variants") or {}:
            if vname not in (result.get("variants") or {}):
                bad.append(f"future {name}: units for {vname}, which is not in the design")
        cost, broken = evaluate_programme_plan(fcase, robust_future_plan(result, name), unit_tol)
        per[name] = (cost, broken)
        expected += prob * cost
    return expected, per, bad
