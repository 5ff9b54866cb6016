"""Checks that need no solver: each names the workbook's things and gives the numbers; fatal ones
make `make_plan` answer "infeasible" without solving, notes leave the plan alone."""

from __future__ import annotations

import pytest

from builders import tables, write
from optimizer.solving.checks import presolve_checks
from optimizer.cli import example_workbook
from optimizer.solving.solve import FEASIBLE, INFEASIBLE, OPTIMAL, make_plan
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook
from test_diagnose import changed, plants, rule, variant, with_demand


def load(tbl, tmp_path):
    return validate(read_workbook(write(tbl, tmp_path / "wb.xlsx"))).plan_input


def texts(findings, fatal: bool) -> list[str]:
    return [f.text for f in findings if f.fatal is fatal]


def only(findings, fatal: bool = True) -> str:
    found = texts(findings, fatal)
    assert len(found) == 1, found
    return found[0]


# (id, workbook, fragments of a fatal finding)
FATAL = [
    ("width", variant("H-hatch", width_mm=1500), ["Variant H-hatch must be offered", "1,500 mm wide, above the 1,480 mm width rule"]),
    ("seats", variant("H-hatch", seats=5), ["H-hatch", "5 seats, above the 4-seat rule"]),
    ("payload", variant("H-van", payload_kg=400, must_offer="yes"), ["H-van", "payload of 400 kg is above the 350 kg rule"]),
    ("length", variant("H-hatch", length_mm=3420), ["shortest allowed parts it is 3,420 mm long, above the 3,400 mm length rule"]),
    ("height", rule("max_height_mm", 1550), ["H-hatch", "lowest allowed parts and pack P20 it is 1,575 mm high, above the 1,550 mm"]),
    # 25 kWh / (40 + 0.05 x (800 + 55 + 20 + 170)) Wh/km = 25,000 / 92.25 = 271.0 km
    ("range", variant("H-hatch", range_target_km=400), ["cannot reach its 400 km range target", "pack P25", "at most 271.0 km"]),
    # top hat 400,000 + m39 150,000 + styling 50,000 + P20 320,000
    ("cost", variant("H-hatch", max_unit_cost_jpy=900_000), ["cheapest allowed parts with pack P20 cost ¥920,000 a unit", "ceiling of ¥900,000"]),
    ("power-above-cap", variant("H-hatch", min_power_kw=60), ["needs at least 60 kW, above the 47 kW power cap"]),
    ("power-unreachable", changed("parts", "option", "m47", variant("H-hatch", min_power_kw=45), power_kw=44),
     ["most powerful allowed options give 44 kW, below its minimum power of 45 kW"]),
    ("no-option-for-brand", changed("parts", "option", "honda", brands="Mitsubishi"),
     ["H-hatch must be offered", "no option of required category styling is allowed for it (body style hatchback, brand Honda)",
      "honda fits brands Mitsubishi", "mitsu fits brands Mitsubishi"]),
    ("no-pack-fits", variant("H-hatch", pack_bay_mm=1500), ["no pack fits its 1,500 mm pack bay (the shortest, P20, is 1,700 mm long)"]),
    ("no-plant-for-style", variant("H-van", plants(Mizushima=dict(body_styles="hatchback"), Yachiyo=dict(body_styles="hatchback")), must_offer="yes"),
     ["No plant can build body style van", "Mizushima builds hatchback", "but H-van must be offered"]),
    ("min-units-above-its-plants", plants(Mizushima=dict(capacity_units=10000), Yachiyo=dict(body_styles="van")),
     ["H-hatch must be offered", "minimum of 20,000 units a year is more than the 10,000 the plants that can build hatchback (Mizushima)"]),
    ("demand-above-max-units", with_demand(dict(scope="brand", name="Mitsubishi", min_units=20000)),
     ["Demand row 4 (brand Mitsubishi) asks for at least 20,000 units a year", "can sell at most 15,000 between them (max_units: M-hatch 15,000)"]),
    ("demand-above-capacity", changed("demand", "scope", "total", plants(Yachiyo=dict(capacity_units=1000)), min_units=70000),
     ["Demand row 2 (total) asks for at least 70,000", "plants that can build its variants (Mizushima, Yachiyo) have 61,000 units a year"]),
    ("demand-max-below-must-offer", with_demand(dict(scope="brand", name="Honda", max_units=15000), base=variant("H-hatch", min_units=10000, base=variant("H-van", must_offer="yes", min_units=8000))),
     ["Demand row 4 (brand Honda) allows at most 15,000 units a year", "must be offered need at least 18,000", "H-hatch 10,000, H-van 8,000"]),
    ("must-offer-above-capacity",
     variant("M-hatch", plants(Mizushima=dict(capacity_units=20000), Yachiyo=dict(capacity_units=10000)), must_offer="yes", min_units=15000),
     ["must be offered need at least 35,000 units a year", "(Mizushima, Yachiyo) have 30,000"]),
]


@pytest.mark.parametrize("tbl, fragments", [pytest.param(t, f, id=n) for n, t, f in FATAL])
def test_fatal_finding_with_its_numbers(tmp_path, tbl, fragments):
    inp = load(tbl, tmp_path)
    fatal = texts(presolve_checks(inp), True)
    text = next((t for t in fatal if all(f in t for f in fragments)), None)
    assert text is not None, fatal
    outcome = make_plan(inp)
    assert outcome.status == INFEASIBLE and text in outcome.conflicts
    assert outcome.seconds.get("solve") is None, "a fatal finding needs no solve of the plan"


def test_a_variant_that_need_not_be_offered_is_a_note_and_the_plan_goes_on(tmp_path):
    t = tables()
    t["demand"] = [d for d in t["demand"] if d["name"] != "Mitsubishi"]
    inp = load(variant("M-hatch", range_target_km=400, base=t), tmp_path)
    findings = presolve_checks(inp)
    assert texts(findings, True) == []
    assert texts(findings, False) == [
        "Variant M-hatch can never be offered: it cannot reach its 400 km range target: even with pack P25 and its most "
        "efficient allowed parts it reaches at most 271.0 km."
    ]
    outcome = make_plan(inp)
    assert outcome.status in (OPTIMAL, FEASIBLE) and not outcome.plan.variants["M-hatch"].offered


def test_a_demand_row_only_an_unofferable_variant_serves(tmp_path):
    findings = presolve_checks(load(variant("M-hatch", range_target_km=400), tmp_path))
    assert only(findings) == (
        "Demand row 3 (brand Mitsubishi) asks for at least 5,000 units a year, but no variant it covers can be offered; "
        "M-hatch can never be offered."
    )
    assert len(texts(findings, False)) == 1  # why M-hatch can never be offered


def test_a_must_offer_variant_is_not_blamed_twice(tmp_path):
    """H-hatch is too wide and must be offered: one finding, not also every demand row it serves."""
    findings = presolve_checks(load(variant("H-hatch", width_mm=1500), tmp_path))
    assert [f.subject for f in findings] == ["H-hatch"]


@pytest.mark.parametrize("source", ["base", "example"])
def test_good_workbooks_have_no_fatal_finding(tmp_path, source):
    path = write(tables(), tmp_path / "wb.xlsx") if source == "base" else example_workbook()
    assert texts(presolve_checks(validate(read_workbook(path)).plan_input), True) == []
