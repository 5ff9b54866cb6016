"""Every number on the Kei compliance sheet agrees with a recomputation from the plan, done
here by the spec's formulas (not by models.plan)."""

from __future__ import annotations

import pytest

from example_case import example_case, example_report

TIGHT = {"mm": 10.0, "kg": 10.0, "kW": 1.0, "km": 5.0, "seats": 0.0}


def recompute(case) -> dict[tuple[str, str], tuple[float, float, bool]]:
    """(variant, rule) -> (value, limit, is_minimum) straight from the workbook's input and the plan."""
    inp, plan = case.plan_input, case.outcome.plan
    r, k = inp.rules, inp.settings.wh_per_km_per_kg
    out = {}
    for v in inp.variants:
        vp = plan.variants[v.name]
        if not vp.offered:
            continue
        parts = [p for p in inp.parts if vp.options.get(p.category) == p.option]
        pack = next(p for p in inp.packs if p.name == vp.pack)
        mass = v.glider_mass_kg + sum(p.mass_kg for p in parts) + pack.mass_kg
        consumption = v.base_wh_per_km + k * mass + sum(p.wh_per_km for p in parts)
        power = sum(p.power_kw for p in parts)
        out[(v.name, "max length")] = (v.length_mm + sum(p.length_mm for p in parts), r.max_length_mm, False)
        out[(v.name, "max width")] = (v.width_mm, r.max_width_mm, False)
        out[(v.name, "max height")] = (v.height_mm + sum(p.height_mm for p in parts) + pack.height_mm, r.max_height_mm, False)
        out[(v.name, "max seats")] = (v.seats, r.max_seats, False)
        out[(v.name, "max payload")] = (v.payload_kg, r.max_payload_kg, False)
        out[(v.name, "power cap")] = (power, r.max_power_kw, False)
        out[(v.name, "min power")] = (power, v.min_power_kw, True)
        out[(v.name, "range target")] = (1000 * pack.usable_kwh / consumption, v.range_target_km, True)
    return out


def sheet_rows(ws) -> list[dict]:
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    header = list(rows[0])
    return [dict(zip(header, row)) for row in rows[1:] if row[0] is not None]


def test_every_number_on_the_compliance_sheet_is_recomputed():
    case = example_case()
    expected = recompute(case)
    rows = sheet_rows(example_report()["Kei compliance"])
    assert {(r["variant"], r["rule"]) for r in rows} == set(expected)
    for r in rows:
        value, limit, is_min = expected[(r["variant"], r["rule"])]
        margin = value - limit if is_min else limit - value
        assert r["value"] == pytest.approx(value, abs=1e-9)
        assert r["limit"] == pytest.approx(limit)
        assert r["margin"] == pytest.approx(margin, abs=1e-9)
        assert r["margin (% of limit)"] == pytest.approx(margin / limit if limit else None, abs=1e-12)
        status = "at the limit" if abs(margin) <= 1e-6 * max(1, abs(limit)) else ("tight" if margin < r["tight below"] else "ok")
        assert r["status"] == status
        assert margin >= -1e-6, "the plan breaks no rule"


def test_tight_margins_are_lit_up():
    ws = example_report()["Kei compliance"]
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
    assert len(rules) == 2 and all(rule.dxf.fill is not None for rule in rules)
