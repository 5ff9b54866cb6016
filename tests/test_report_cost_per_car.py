"""Every number on the Cost per car sheet agrees with a recomputation from the plan, and the
allocation adds up: Σ per-car cost × units × lifecycle_years = total cost."""

from __future__ import annotations

import pytest

from example_case import example_analysis, example_case, example_report


def tier_price(inp, item: str, list_price: float, volume: float) -> float:
    price = list_price
    for t in sorted(inp.tiers.get(item, ()), key=lambda t: t.min_units):
        if volume >= t.min_units - 1e-6 * max(1.0, t.min_units):
            price = t.unit_cost_jpy
    return price


def recompute(case) -> dict[str, dict[str, float]]:
    """variant -> row label -> yen per car."""
    inp, plan, ev = case.plan_input, case.outcome.plan, case.outcome.evaluation
    years = inp.settings.lifecycle_years
    offered = [v for v in inp.variants if plan.variants[v.name].offered]
    units = {v.name: plan.variants[v.name].units for v in offered}
    volume: dict[str, float] = {}
    for v in offered:
        vp = plan.variants[v.name]
        for c, o in vp.options.items():
            volume[f"{c}/{o}"] = volume.get(f"{c}/{o}", 0.0) + vp.units
        volume[vp.pack] = volume.get(vp.pack, 0.0) + vp.units
    one_time = {v.name: {"parts development": 0.0, "pack development": 0.0, "top hat development": v.top_hat_dev_cost_jpy, "plant lines": 0.0} for v in offered}
    for d in ev.developments:
        if d.kind == "top hat":
            continue
        users = [v for v in offered if (d.item == plan.variants[v.name].pack if d.kind == "pack" else d.item in {f"{c}/{o}" for c, o in plan.variants[v.name].options.items()})]
        users = [v for v in users if d.brand is None or v.brand == d.brand]
        total = sum(units[v.name] for v in users)
        for v in users:
            one_time[v.name]["pack development" if d.kind == "pack" else "parts development"] += d.cost_jpy * units[v.name] / total
    for plant, style in ev.lines:
        k = next(p for p in inp.plants if p.name == plant)
        built = {v.name: plan.variants[v.name].plants.get(plant, 0.0) for v in offered if v.body_style == style and plant in plan.variants[v.name].plants}
        for name, u in built.items():
            one_time[name]["plant lines"] += k.line_cost_jpy * u / sum(built.values())
    out = {}
    for v in offered:
        vp = plan.variants[v.name]
        row = {"top hat": v.top_hat_unit_cost_jpy}
        for c in inp.categories:
            o = vp.options.get(c.name)
            part = next((p for p in inp.parts if p.category == c.name and p.option == o), None)
            row[c.name] = 0.0 if part is None else tier_price(inp, part.key, part.unit_cost_jpy, volume[part.key])
        pack = next(p for p in inp.packs if p.name == vp.pack)
        row["pack"] = tier_price(inp, pack.name, pack.unit_cost_jpy, volume[pack.name])
        row["assembly"] = sum(next(p for p in inp.plants if p.name == k).assembly_cost_jpy * u for k, u in vp.plants.items()) / vp.units
        row.update({k: x / (vp.units * years) for k, x in one_time[v.name].items()})
        row["cost per car"] = sum(row.values())
        row["units a year"] = vp.units
        row[f"cost over {years:g} years"] = row["cost per car"] * vp.units * years
        out[v.name] = row
    return out


def test_every_number_on_the_cost_per_car_sheet_is_recomputed():
    case = example_case()
    expected = recompute(case)
    ws = example_report()["Cost per car"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    header = list(rows[0])
    names = header[1:-1]
    assert set(names) == set(expected)
    table = {row[0]: row for row in rows[1:] if row[0] is not None and row[0] in expected[names[0]]}
    assert set(table) == set(expected[names[0]])
    for label, row in table.items():
        for i, name in enumerate(names, start=1):
            assert row[i] == pytest.approx(expected[name][label], rel=1e-9, abs=1e-6), (label, name)
    total = case.outcome.total_cost_jpy
    years = case.plan_input.settings.lifecycle_years
    assert table["cost per car"][-1] == pytest.approx(total, rel=1e-12)
    assert sum(expected[n]["cost per car"] * expected[n]["units a year"] * years for n in names) == pytest.approx(total, rel=1e-9)


def test_the_allocation_adds_up_to_the_total_cost():
    case = example_case()
    cars = example_analysis().cars
    years = case.plan_input.settings.lifecycle_years
    assert sum(c.total * c.units * years for c in cars.values()) == pytest.approx(case.outcome.total_cost_jpy, rel=1e-9)


def test_the_sheet_has_a_stacked_bar_chart():
    ws = example_report()["Cost per car"]
    assert len(ws._charts) == 1 and ws._charts[0].grouping == "stacked"
