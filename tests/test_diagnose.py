"""Diagnosis of workbooks with no plan: each of these breaks the base workbook in one way, the
diagnosis must name the rules expected (and no others), and making exactly the changes it
states, cell by cell, must give a workbook with a plan."""

from __future__ import annotations

import copy
import json

import openpyxl
import pytest

from builders import tables, write
from clirun import plan
from optimizer.solving.diagnose import Move
from optimizer.solving.solve import FEASIBLE, INFEASIBLE, OPTIMAL, make_plan
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook


def changed(sheet: str, key: str, name: str, base: dict | None = None, **values) -> dict:
    t = copy.deepcopy(base) if base is not None else tables()
    next(r for r in t[sheet] if r[key] == name).update(values)
    return t


def variant(name: str, base: dict | None = None, **values) -> dict:
    return changed("variants", "variant", name, base, **values)


def rule(name: str, value: float) -> dict:
    t = tables()
    t["rules"] = [r for r in t["rules"] if r["rule"] != name] + [{"rule": name, "value": value}]
    return t


def with_demand(*rows: dict, base: dict | None = None) -> dict:
    t = copy.deepcopy(base) if base is not None else tables()
    t["demand"] = t["demand"] + [dict(dict(scope=None, name=None, min_units=None, max_units=None), **r) for r in rows]
    return t


def plants(**by_plant: dict) -> dict:
    t = tables()
    for r in t["plants"]:
        r.update(by_plant.get(r["plant"], {}))
    return t


def free(t: dict) -> dict:
    """Parts and packs at no unit cost (a development-only study)."""
    for r in t["parts"] + t["packs"]:
        r["unit_cost_jpy"] = 0
    del t["tiers"]
    return t


# (id, workbook, the rules the diagnosis must name: (rule, record))
CASES = [
    ("range-target", variant("H-hatch", range_target_km=400), {("range target", "H-hatch")}),
    ("range-target-needed-by-demand", variant("M-hatch", range_target_km=400), {("range target", "M-hatch")}),
    ("unit-cost-ceiling", variant("H-hatch", max_unit_cost_jpy=900_000), {("unit cost ceiling", "H-hatch")}),
    # Each rule alone leaves a plan; only the solver sees that the pack the range needs is too dear.
    ("ceiling-and-range-together", variant("H-hatch", max_unit_cost_jpy=950_000, range_target_km=250), {("unit cost ceiling", "H-hatch")}),
    # P20 is within the ceiling but 5 km short; P25 reaches 225 km but is dearer than the ceiling
    ("range-target-because-of-ceiling", variant("H-hatch", max_unit_cost_jpy=960_000, range_target_km=225), {("range target", "H-hatch")}),
    ("power-cap", rule("max_power_kw", 35), {("power cap", "max_power_kw")}),
    ("minimum-power", variant("H-hatch", min_power_kw=60), {("minimum power", "H-hatch")}),
    ("height-rule", rule("max_height_mm", 1550), {("height rule", "max_height_mm")}),
    ("length-rule", variant("H-hatch", length_mm=3420), {("length rule", "max_length_mm")}),
    ("width-rule", variant("H-hatch", width_mm=1500), {("width rule", "max_width_mm")}),
    ("seat-rule", variant("H-hatch", seats=5), {("seat rule", "max_seats")}),
    ("payload-rule", variant("H-van", payload_kg=400, must_offer="yes"), {("payload rule", "max_payload_kg")}),
    # Far too wide to be a kei car: dropping the must-offer is the smaller change.
    ("must-offer", variant("H-van", width_mm=3000, must_offer="yes"), {("must offer", "H-van")}),
    ("plant-capacity",
     variant("H-van", variant("M-hatch", plants(Mizushima=dict(capacity_units=30000, body_styles="hatchback"),
                                                  Yachiyo=dict(capacity_units=10000, body_styles="van")),
                              must_offer="yes", min_units=15000), must_offer="yes", min_units=10000),
     {("plant capacity", "Mizushima")}),
    ("minimum-units-and-demand",
     plants(Mizushima=dict(capacity_units=10000), Yachiyo=dict(body_styles="van")),
     {("minimum units", "H-hatch"), ("demand", "demand row 2 (total)")}),
    ("maximum-units",
     with_demand(dict(scope="variant", name="H-van", min_units=12000), dict(scope="body_style", name="van", min_units=12000)),
     {("maximum units", "H-van")}),
    ("demand-maximum",
     with_demand(dict(scope="brand", name="Honda", max_units=22000), base=variant("H-van", must_offer="yes")),
     {("demand", "demand row 4 (brand Honda)")}),
    ("demand-max-below-must-offer-minimum", with_demand(dict(scope="brand", name="Honda", max_units=15000)),
     {("minimum units", "H-hatch")}),
    # M-hatch cannot be a kei car; with nothing to pay per unit, only the rule that units belong to
    # offered variants stops its units from counting for the Mitsubishi demand row unoffered.
    ("no-units-without-an-offer", free(variant("M-hatch", width_mm=3000, max_units=1_000_000)),
     {("demand", "demand row 3 (brand Mitsubishi)")}),
]


def load(tbl: dict, path) -> object:
    return validate(read_workbook(write(tbl, path))).plan_input


def apply(tbl: dict, moves: list[Move]) -> dict:
    """Make exactly the diagnosis's changes to the tables, as a planner would in Excel."""
    t = copy.deepcopy(tbl)
    for m in moves:
        if m.sheet == "rules":
            t["rules"] = [r for r in t.get("rules", []) if r["rule"] != m.record] + [{"rule": m.record, "value": m.needed}]
        elif m.sheet == "demand":
            t["demand"][m.row - 2][m.column] = m.needed  # Excel row 2 is the first data row
        else:
            key = {"variants": "variant", "plants": "plant"}[m.sheet]
            next(r for r in t[m.sheet] if r[key] == m.record)[m.column] = m.needed
    return t


@pytest.mark.parametrize("tbl, expected", [pytest.param(t, e, id=n) for n, t, e in CASES])
def test_diagnosis_names_the_rules_and_their_change_gives_a_plan(tmp_path, tbl, expected):
    outcome = make_plan(load(tbl, tmp_path / "wb.xlsx"))
    assert outcome.status == INFEASIBLE
    d = outcome.diagnosis
    assert d is not None and d.complete
    assert {(m.rule, m.record) for m in d.moves} == expected, outcome.conflicts
    for m in d.moves:
        assert m.text in outcome.conflicts and m.record.split(" (")[0] in m.text
    # conflicts hold conflicts only; what the list amounts to is said beside it
    assert outcome.conflicts == [f.text for f in d.findings] + [m.text for m in d.moves] + [f.text for f in d.notes]
    assert d.summary() and d.summary() not in outcome.conflicts
    mended = make_plan(load(apply(tbl, d.moves), tmp_path / "mended.xlsx"))
    assert mended.status in (OPTIMAL, FEASIBLE), mended.conflicts


def test_changes_are_stated_in_the_planners_units(tmp_path):
    d = make_plan(load(CASES[0][1], tmp_path / "wb.xlsx")).diagnosis
    (m,) = d.moves
    # P25 (25 kWh) with m47 and Honda styling: 800 + 60 + 20 + 170 kg, 40 + 0.05 x 1050 = 92.5 Wh/km.
    assert (m.sheet, m.column, m.current, m.needed, m.unit) == ("variants", "range_target_km", 400, 270, "km")
    assert m.text.startswith("Lower variant H-hatch's range target from 400 km to 270 km")

    t = variant("H-van", variant("M-hatch", plants(Mizushima=dict(capacity_units=30000, body_styles="hatchback"),
                                                  Yachiyo=dict(capacity_units=10000, body_styles="van")),
                                 must_offer="yes", min_units=15000), must_offer="yes", min_units=10000)
    (m,) = make_plan(load(t, tmp_path / "plant.xlsx")).diagnosis.moves
    assert m.text.startswith("Raise plant Mizushima's capacity by 5,000 units a year, from 30,000 to 35,000")

    (m,) = make_plan(load(variant("H-hatch", max_unit_cost_jpy=900_000), tmp_path / "cost.xlsx")).diagnosis.moves
    # The cheapest build that reaches 40 kW: top hat 400,000 + m47 170,000 + styling 50,000 + P20 320,000.
    assert (m.current, m.needed) == (900_000, 940_000)
    assert "by ¥40,000, from ¥900,000 to ¥940,000" in m.text


def test_the_diagnosis_is_minimal(tmp_path):
    """Changing all but one of the rules named gives no plan, for each rule in turn."""
    tbl = CASES[[c[0] for c in CASES].index("minimum-units-and-demand")][1]
    moves = make_plan(load(tbl, tmp_path / "wb.xlsx")).diagnosis.moves
    assert len(moves) == 2
    for i in range(len(moves)):
        fewer = moves[:i] + moves[i + 1 :]
        assert make_plan(load(apply(tbl, fewer), tmp_path / f"fewer{i}.xlsx")).status == INFEASIBLE


def test_no_plan_on_the_command_line_the_json_and_the_report(tmp_path):
    wb = write(variant("H-hatch", range_target_km=400), tmp_path / "wb.xlsx")
    out = tmp_path / "report.xlsx"
    proc = plan("solve", wb, "--out", out, "--json")
    assert proc.returncode == 1, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["status"] == "infeasible" and obj["total_cost_jpy"] is None
    assert any("Lower variant H-hatch's range target from 400 km to 270 km" in c for c in obj["conflicts"])
    assert any("reaches at most 271.0 km" in c for c in obj["conflicts"])
    for text in obj["conflicts"]:
        assert f"  - {text}" in proc.stderr
    assert "Changing this one rule as stated gives a plan." not in obj["conflicts"]
    assert "Changing this one rule as stated gives a plan." in proc.stderr
    assert "Traceback" not in proc.stderr
    ws = openpyxl.load_workbook(out)["Diagnosis"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[0] == "rule")
    record = dict(zip(rows[header], rows[header + 1]))
    assert record["rule"] == "range target" and record["row"] == 2 and record["column"] == "range_target_km"
    assert (record["now"], record["change to"], record["change"]) == (400, 270, -130)
    texts = [c for r in rows for c in r if isinstance(c, str)]
    assert any("reaches at most 271.0 km" in t for t in texts)


CEILING_IS_WHY = (
    "its unit cost ceiling of ¥{ceiling} rules out every pack that reaches its {target} km range target: with its cheapest "
    "allowed parts P25 takes its list unit cost to ¥990,000, while the packs within the ceiling reach at most 220.3 km "
    "(P20, with its most efficient allowed parts)"
)


@pytest.mark.parametrize(
    "ceiling, target, must, move",
    [
        # must offer: a finding before solving (each rule alone leaves a plan); the ceiling is the change
        (950_000, 250, "yes", "Raise variant H-hatch's unit cost ceiling"),
        # the range target is the change, and its sentence says the ceiling is why
        (960_000, 225, "yes", "Lower variant H-hatch's range target from 225 km to 219 km"),
    ],
)
def test_the_diagnosis_says_when_the_unit_cost_ceiling_is_why_a_range_cannot_be_reached(tmp_path, ceiling, target, must, move):
    """With its cheapest parts (m39 150,000, styling 50,000, top hat 400,000): P20 ¥920,000, P25 ¥990,000;
    with its most efficient: P20 takes it 20,000 / 90.75 = 220.4 km, P25 25,000 / 92.25 = 271.0 km."""
    outcome = make_plan(load(variant("H-hatch", max_unit_cost_jpy=ceiling, range_target_km=target, must_offer=must), tmp_path / "wb.xlsx"))
    assert outcome.status == INFEASIBLE
    why = CEILING_IS_WHY.format(ceiling=f"{ceiling:,}", target=target)
    assert f"Variant H-hatch must be offered, but {why}." in outcome.conflicts, outcome.conflicts
    (m,) = outcome.diagnosis.moves
    assert m.text.startswith(move), m.text
    if m.rule == "range target":
        assert m.text.endswith(
            f"; its unit cost ceiling is why: with its cheapest allowed parts P25 takes its list unit cost to ¥990,000, "
            f"above its ¥{ceiling:,} ceiling."
        ), m.text


def test_a_variant_the_ceiling_keeps_from_its_range_is_noted_when_it_need_not_be_offered(tmp_path):
    from optimizer.solving.checks import presolve_checks

    found = presolve_checks(load(variant("M-hatch", max_unit_cost_jpy=950_000, range_target_km=250), tmp_path / "wb.xlsx"))
    (note,) = [f for f in found if f.subject == "M-hatch"]
    assert not note.fatal and note.text.startswith("Variant M-hatch can never be offered: its unit cost ceiling of ¥950,000")


def test_with_a_years_sheet_the_ceiling_is_judged_in_the_years_the_variant_surely_sells(tmp_path):
    """¥1,000,000 admits P25 (¥990,000) in 2027, but 2028's ceiling factor of 0.97 makes it ¥970,000,
    and an offered variant sells in 2028 whatever its launch year."""
    from optimizer.solving.checks import presolve_checks

    t = variant("H-hatch", max_unit_cost_jpy=1_000_000, range_target_km=225)
    t["years"] = [{"year": "2027"}, {"year": "2028", "ceiling_factor": 0.97}]
    texts = [f.text for f in presolve_checks(load(t, tmp_path / "wb.xlsx")) if f.fatal]
    assert any("its unit cost ceiling of ¥970,000 in 2028 rules out every pack that reaches its 225 km range target" in x
               and "P25 takes its list unit cost to ¥990,000 in 2028" in x for x in texts), texts
    t["years"][1]["ceiling_factor"] = 1.0
    assert not [f for f in presolve_checks(load(t, tmp_path / "wb2.xlsx")) if f.fatal]
