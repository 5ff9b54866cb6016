"""Every number on the Cost per car sheet agrees with a recomputation from the plan, and the
allocation adds up: Σ per-car cost × lifecycle units = total cost (a steady year's units ×
lifecycle_years; over a programme each year's units × its discount factor)."""

from __future__ import annotations

import pytest

from example_case import example_analysis, example_case, example_report


def tier_price(inp, item: str, list_price: float, volume: float) -> float:
    price = list_price
    for t in sorted(inp.tiers.get(item, ()), key=lambda t: t.min_units):
        if volume >= t.min_units - 1e-6 * max(1.0, t.min_units):
            price = t.unit_cost_jpy
    return price


def periods(inp) -> list[tuple[str, float, float, float, float]]:
    """(year, production weight, one-time weight, part factor, pack factor), read from the input
    as the workbook format defines them (a steady year: lifecycle_years on production)."""
    if not inp.years:
        return [("", inp.settings.lifecycle_years, 1.0, 1.0, 1.0)]
    return [(y.name, y.discount_factor, y.discount_factor, y.part_cost_factor, y.pack_cost_factor) for y in inp.years]


def labels(inp) -> tuple[str, str]:
    if inp.years:
        span = f"{inp.years[0].name}–{inp.years[-1].name}"
        return f"units over {span}", f"cost over {span} (present value)"
    return "units a year", f"cost over {inp.settings.lifecycle_years:g} years"


def recompute(case) -> dict[str, dict[str, float]]:
    """variant -> row label -> yen per car, from the plan and the input alone."""
    inp, plan, ev = case.plan_input, case.outcome.plan, case.outcome.evaluation
    years = periods(inp)
    once = {y: w for y, _p, w, _f, _k in years}
    offered = [v for v in inp.variants if plan.variants[v.name].offered]
    units = {v.name: plan.variants[v.name].units for v in offered}
    launch = {v.name: plan.variants[v.name].launch_year or "" for v in offered}
    lifecycle = {v.name: sum(w * plan.variants[v.name].units_in(y) for y, w, *_ in years) for v in offered}
    volume: dict[tuple[str, str], float] = {}
    for v in offered:
        vp = plan.variants[v.name]
        for y, *_ in years:
            for item in [f"{c}/{o}" for c, o in vp.options.items()] + [vp.pack]:
                volume[(item, y)] = volume.get((item, y), 0.0) + vp.units_in(y)
    one_time = {v.name: {"parts development": 0.0, "pack development": 0.0,
                         "top hat development": v.top_hat_dev_cost_jpy * once[launch[v.name]], "plant lines": 0.0} for v in offered}
    for d in ev.developments:
        if d.kind == "top hat":
            continue
        users = [v for v in offered if (d.item == plan.variants[v.name].pack if d.kind == "pack" else d.item in {f"{c}/{o}" for c, o in plan.variants[v.name].options.items()})]
        users = [v for v in users if d.brand is None or v.brand == d.brand]
        first = min((launch[v.name] for v in users), key=lambda y: [x[0] for x in years].index(y))
        total = sum(units[v.name] for v in users)
        for v in users:
            one_time[v.name]["pack development" if d.kind == "pack" else "parts development"] += d.cost_jpy * once[first] * units[v.name] / total
    for plant, style in ev.lines:
        k = next(p for p in inp.plants if p.name == plant)
        built = {v.name: plan.variants[v.name].plants.get(plant, 0.0) for v in offered if v.body_style == style and plant in plan.variants[v.name].plants}
        first = next(y for y, *_ in years if any(plan.variants[n].built.get(y, {}).get(plant, 0.0) > 1e-4 for n in built))
        for name, u in built.items():
            one_time[name]["plant lines"] += k.line_cost_jpy * once[first] * u / sum(built.values())
    units_label, cost_label = labels(inp)
    out = {}
    for v in offered:
        vp = plan.variants[v.name]
        n = lifecycle[v.name]
        row = {"top hat": v.top_hat_unit_cost_jpy}

        def per_car(item: str, list_price: float, pack: bool) -> float:
            return sum(w * vp.units_in(y) * _price(inp, item, list_price, volume[(item, y)], k if pack else f)
                       for y, w, _o, f, k in years) / n

        for c in inp.categories:
            o = vp.options.get(c.name)
            part = next((p for p in inp.parts if p.category == c.name and p.option == o), None)
            row[c.name] = 0.0 if part is None else per_car(part.key, part.unit_cost_jpy, False)
        pack = next(p for p in inp.packs if p.name == vp.pack)
        row["pack"] = per_car(pack.name, pack.unit_cost_jpy, True)
        row["assembly"] = sum(w * sum(next(p for p in inp.plants if p.name == k).assembly_cost_jpy * u for k, u in vp.built.get(y, {}).items())
                              for y, w, *_ in years) / n
        row.update({k: x / n for k, x in one_time[v.name].items()})
        row["cost per car"] = sum(row.values())
        row[units_label] = vp.units
        row[cost_label] = row["cost per car"] * n
        row["lifecycle units"] = n
        out[v.name] = row
    return out


def _price(inp, item: str, list_price: float, volume: float, factor: float) -> float:
    """That year's all-units price: the tier reached (thresholds as written) at that year's factor."""
    return tier_price(inp, item, list_price, volume) * factor


def test_every_number_on_the_cost_per_car_sheet_is_recomputed():
    case = example_case()
    expected = recompute(case)
    ws = example_report()["Cost per car"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    header = list(rows[0])
    names = header[1:-1]
    assert set(names) == set(expected)
    table = {row[0]: row for row in rows[1:] if row[0] is not None and row[0] in expected[names[0]]}
    assert set(table) == set(expected[names[0]]) - {"lifecycle units"}
    for label, row in table.items():
        for i, name in enumerate(names, start=1):
            assert row[i] == pytest.approx(expected[name][label], rel=1e-9, abs=1e-6), (label, name)
    total = case.outcome.total_cost_jpy
    assert table["cost per car"][-1] == pytest.approx(total, rel=1e-12)
    assert sum(expected[n]["cost per car"] * expected[n]["lifecycle units"] for n in names) == pytest.approx(total, rel=1e-9)


def test_the_allocation_adds_up_to_the_total_cost():
    case = example_case()
    cars = example_analysis().cars
    assert sum(c.total * c.lifecycle_units for c in cars.values()) == pytest.approx(case.outcome.total_cost_jpy, rel=1e-9)


def test_the_sheet_has_a_stacked_bar_chart():
    ws = example_report()["Cost per car"]
    assert len(ws._charts) == 1 and ws._charts[0].grouping == "stacked"
