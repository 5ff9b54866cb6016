"""Plans <-> the model's variable values: reading a plan from a solution, and the solution a plan is
(for a MIP start, a fixed design, or checking a plan against every row in the tests)."""

from __future__ import annotations

from typing import Callable

from models.plan import TIER_TOLERANCE, Plan, VariantPlan
from models.volumes import ALL_YEARS, item_weight

if False:  # pragma: no cover - typing only
    from models.build import PlatformModel


def _clean(x: float | None, integer: bool) -> float:
    """Round away solver noise: whole units when units are integer, else 1e-4 of a unit."""
    if x is None:
        return 0.0
    x = round(x) if integer else round(x, 4)
    return float(x) if x > 0 else 0.0


def plans_from(pm: "PlatformModel", value: Callable[[object], float]) -> dict[str, Plan]:
    m = pm.m
    design: dict[str, tuple] = {}
    for v in pm.inp.variants:
        name = v.name
        if name not in pm.choices or value(m.offer[name]) < 0.5:
            continue
        vc = pm.choices[name]
        options = {c: o for c, opts in vc.options.items() for o in opts if value(m.use[name, c, o]) > 0.5}
        pack = next((p for p in vc.packs if value(m.pack[name, p]) > 0.5), None)
        launch = None
        if pm.inp.years:
            years = vc.launch_years
            launch = years[0] if len(years) == 1 else next(
                (t for t in years if value(m.launch[name, t]) > 0.5), years[0]
            )
        design[name] = (pack, options, launch)
    out = {}
    for fut in pm.futures:
        f, integer = fut.name, fut.inp.settings.integer_units
        variants: dict[str, VariantPlan] = {}
        for v in pm.inp.variants:
            if v.name not in design:
                variants[v.name] = VariantPlan(offered=False)
                continue
            pack, options, launch = design[v.name]
            built: dict[str, dict[str, float]] = {}
            for t in pm.selling_years(v.name):
                for k in pm.choices[v.name].plants[f]:
                    x = _clean(value(m.built[f, v.name, k, t]), integer)
                    if x > 0:
                        built.setdefault(t, {})[k] = x
            variants[v.name] = VariantPlan(True, pack, dict(options), built, launch)
        out[f] = Plan(variants)
    return out


def values_for(pm: "PlatformModel", plans: dict[str, Plan]) -> dict[int, float]:
    m = pm.m
    val: dict[int, float] = {}

    def put(var, x: float) -> None:
        val[id(var)] = float(x)

    first = plans[pm.futures[0].name]
    launch_of: dict[str, str] = {}
    for name, vp in first.variants.items():
        if not vp.offered:
            continue
        vc = pm.choices[name]
        put(m.offer[name], 1)
        for c, o in vp.options.items():
            put(m.use[name, c, o], 1)
        if vp.pack is not None:
            put(m.pack[name, vp.pack], 1)
        launch_of[name] = vp.launch_year if vp.launch_year is not None else vc.launch_years[0]
        if len(vc.launch_years) > 1:
            put(m.launch[name, launch_of[name]], 1)
    _put_developments(pm, first, launch_of, put)
    for fut in pm.futures:
        _put_future(pm, fut.name, plans[fut.name], put)
    return val


def _first_of(pm: "PlatformModel", years: list[int], start: int) -> str:
    """The period a one-time cost first needed in period `start` is paid in: that period when the
    model chooses the year, else the one period it has."""
    return pm.periods[start if len(years) > 1 else years[0]].name


def _put_developments(pm: "PlatformModel", plan: Plan, launch_of: dict[str, str], put) -> None:
    m = pm.m
    earliest: dict[tuple, int] = {}
    for fut in pm.futures:
        for name, vp in plan.variants.items():
            if not vp.offered:
                continue
            start = pm.year_index[launch_of[name]]
            keys = [("o",) + pm.dev_of_use[fut.name][(name, c, o)] for c, o in vp.options.items()]
            if vp.pack is not None:
                keys.append(("p",) + pm.dev_of_pack[fut.name][(name, vp.pack)])
            for key in keys:
                earliest[key] = min(earliest.get(key, start), start)
    for key, start in earliest.items():
        var = m.develop if key[0] == "o" else m.develop_pack
        put(var[key[1:] + (_first_of(pm, pm.dev_years, start),)], 1)


def _put_future(pm: "PlatformModel", f: str, plan: Plan, put) -> None:
    m, ch = pm.m, pm.choices
    volume: dict[tuple[str, str, str], float] = {}
    first_line: dict[tuple[str, str], int] = {}
    for name, vp in plan.variants.items():
        if not vp.offered:
            continue
        style = ch[name].variant.body_style
        for t in pm.selling_years(name):
            units = vp.units_in(t)
            put(m.units[f, name, t], units)
            for k, x in vp.built.get(t, {}).items():
                put(m.built[f, name, k, t], x)
                if x > 0:
                    ti = pm.year_index[t]
                    first_line[(k, style)] = min(first_line.get((k, style), ti), ti)
            for c, o in vp.options.items():
                i = (f, name, c, o, t)
                if i in m.option_units:
                    put(m.option_units[i], units)
                    volume[(f, f"{c}/{o}", t)] = volume.get((f, f"{c}/{o}", t), 0.0) + units
            if vp.pack is not None and (f, name, vp.pack, t) in m.pack_units:
                put(m.pack_units[f, name, vp.pack, t], units)
                volume[(f, vp.pack, t)] = volume.get((f, vp.pack, t), 0.0) + units
        weighted = {
            kind: sum(item_weight(pm, f, kind, t) * vp.units_in(t) for t in pm.selling_years(name))
            for kind in ("option", "pack")
        }
        for c, o in vp.options.items():
            if (f, name, c, o, ALL_YEARS) in m.option_units:
                put(m.option_units[f, name, c, o, ALL_YEARS], weighted["option"])
        if vp.pack is not None and (f, name, vp.pack, ALL_YEARS) in m.pack_units:
            put(m.pack_units[f, name, vp.pack, ALL_YEARS], weighted["pack"])
    for (k, style), ti in first_line.items():
        put(m.line[f, k, style, _first_of(pm, pm.line_years[f], ti)], 1)
    for key, reachable in pm.tiers_of.items():
        if key[0] != f:
            continue
        units = volume.get(key, 0.0)
        reached = [j for j, t_min, _p in reachable if units >= t_min - TIER_TOLERANCE * max(1.0, t_min)]
        j = reached[-1] if reached else 0
        put(m.tier_units[key + (j,)], units)
        if j:
            put(m.in_tier[key + (j,)], 1)


def fix_design(pm: "PlatformModel", design) -> list[str]:
    """Fix offer, options, pack and launch year at a design's (a `models.plan.Design`), leaving
    units, plant split, lines and tiers free. Returns the design's choices this model does not
    have (ruled out by deductions, so the design cannot serve); nothing is fixed then."""
    m, missing = pm.m, []
    for name, choice in design.offered.items():
        if name not in pm.choices:
            missing.append(f"variant {name}")
            continue
        vc = pm.choices[name]
        missing += [
            f"{c} option {o} on variant {name}"
            for c, o in choice.options.items() if o not in vc.options.get(c, [])
        ]
        if choice.pack not in vc.packs:
            missing.append(f"pack {choice.pack} on variant {name}")
        if choice.launch_year is not None and pm.inp.years and choice.launch_year not in vc.launch_years:
            missing.append(f"launch in {choice.launch_year} for variant {name}")
    if missing:
        return missing
    for v in m.offer:
        m.offer[v].fix(1 if v in design.offered else 0)
    for v, c, o in m.use:
        m.use[v, c, o].fix(1 if v in design.offered and design.offered[v].options.get(c) == o else 0)
    for v, p in m.pack:
        m.pack[v, p].fix(1 if v in design.offered and design.offered[v].pack == p else 0)
    for v, t in m.launch:
        m.launch[v, t].fix(1 if v in design.offered and design.offered[v].launch_year == t else 0)
    return []
