"""optimizer.report.compare: KPIs against the base case and the decisions that changed, from the data
reports embed; and reading reports back (anything else is refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import tables, write
from optimizer.sweeps.batch import Task, prepare_all, solve_task
from optimizer.report.compare import TEXT, CaseData, cases_from, changed_decisions, compare, read_reports, unique_labels
from optimizer.files import save_atomically
from optimizer.problems import InputError


def solved(path: Path, *, sharing: bool = False) -> list:
    """Every case of a workbook solved in this process, as `plan solve --all-scenarios` does."""
    cases = prepare_all(path)
    return [
        solve_task(Task(i, len(cases), c.source, c.plan_input, path.parent / f"{c.source.scenario}.xlsx", sharing_baseline=sharing))
        for i, c in enumerate(cases)
    ]


def comparison_of(results) -> object:
    return compare(cases_from([r.embedded for r in results], [str(r.report) for r in results]))


def numeric(cmp, i):
    """(key, delta, share) of every numeric KPI that applies to both cases (a variant offered in
    neither has no unit cost, so no delta)."""
    return [
        (k.key, k.deltas[i], k.shares[i]) for k in cmp.kpis
        if k.unit != TEXT and not (k.values[cmp.base] is None and k.values[i] is None)
    ]


# ---- a scenario that changes nothing, and one whose plan cannot change -----------------------


def test_a_scenario_that_changes_nothing_has_zero_delta_everywhere(tmp_path):
    t = tables(scenarios=[
        dict(scenario="same", sheet="packs", match="*", column="unit_cost_jpy", op="multiply", value=1),
        dict(scenario="same", sheet="variants", match="*", column="min_units", op="add", value=0),
    ])
    cmp = comparison_of(solved(write(t, tmp_path / "wb.xlsx"), sharing=True))
    assert [c.label for c in cmp.cases] == ["base", "same"] and cmp.base == 0
    assert cmp.base_case.kpis["sharing_saving_jpy"] is not None
    rows = numeric(cmp, 1)
    assert rows and all(d == 0 for _, d, _ in rows), [r for r in rows if r[1] != 0]
    assert all(s in (0, None) for _, _, s in rows)
    assert all(k.deltas[1] == "" for k in cmp.kpis if k.unit == TEXT)
    assert [(c.case, c.decision) for c in cmp.changes] == [("same", "none")]


def fixed_plan_tables(**changes) -> dict:
    """One brand, one variant that must be offered at exactly 30,000 units, one option, one
    pack, one plant, no tiers: the plan cannot change, only what it costs."""
    t = tables()
    v = dict(t["variants"][0], min_units=30000, max_units=30000, must_offer="yes", max_unit_cost_jpy=None)
    out = tables(
        brands=[{"brand": "Honda"}], variants=[v], categories=[dict(category="motor", required="yes", shared="yes")],
        parts=[dict(category="motor", option="m47", dev_cost_jpy=3.5e9, unit_cost_jpy=170000, mass_kg=60, power_kw=47)],
        packs=[t["packs"][1]], tiers=None, plants=[t["plants"][0]], demand=None,
        scenarios=[dict(scenario="packs+20%", sheet="packs", match="*", column="unit_cost_jpy", op="multiply", value=1.2)],
    )
    out.update(changes)
    return out


def test_packs_20_percent_dearer_raise_the_pack_cost_of_an_unchanged_plan_by_exactly_20_percent(tmp_path):
    results = solved(write(fixed_plan_tables(), tmp_path / "wb.xlsx"))
    cmp = comparison_of(results)
    packs = cmp.kpi("cost_by_kind_jpy/production: packs")
    assert packs.values[0] == pytest.approx(6 * 30000 * 390000, rel=1e-12)
    assert packs.shares[1] == pytest.approx(0.20, rel=1e-12)
    assert packs.deltas[1] == pytest.approx(0.2 * packs.values[0], rel=1e-12)
    for k in cmp.kpis:  # nothing else moves
        if k.key not in ("cost_by_kind_jpy/production: packs", "total_cost_jpy") and k.key.startswith(("cost_by", "units")):
            assert k.deltas[1] == 0, k.key
    assert cmp.kpi("total_cost_jpy").deltas[1] == pytest.approx(packs.deltas[1], rel=1e-12)
    assert cmp.kpi("list_unit_cost_by_variant_jpy/H-hatch").deltas[1] == pytest.approx(0.2 * 390000)
    assert [c.decision for c in cmp.changes] == ["none"]


# ---- what changed ------------------------------------------------------------------------------


def case(label: str, variants: dict, developments=(), lines=(), status="optimal", scenario=None) -> CaseData:
    plan = {"status": status, "scenario": scenario or label, "variants": variants, "total_cost_jpy": 1.0 if status == "optimal" else None}
    if status != "optimal":
        plan["conflicts"] = ["No plan satisfies every rule of the workbook together."]
    kpis = {
        "scenario": scenario or label, "status": status, "total_cost_jpy": 1.0 if status == "optimal" else None, "gap": 0.0,
        "developments": [dict(item=i, kind=k, brand=b, cost_jpy=c) for i, k, b, c in developments],
        "lines": [list(x) for x in lines],
    }
    return CaseData(label, scenario or label, None, plan, kpis)


def offered(units, pack, options, plants):
    return {"offered": True, "units": units, "pack": pack, "options": options, "plants": plants}


NOT = {"offered": False, "units": 0.0, "pack": None, "options": {}, "plants": {}}


def test_every_kind_of_changed_decision_is_listed():
    base = case("base", {
        "A": offered(100.0, "P1", {"motor": "m1", "fast": "f1"}, {"K1": 100.0}),
        "B": offered(50.0, "P1", {"motor": "m1"}, {"K1": 50.0}),
        "C": NOT,
    }, developments=[("P1", "pack", None, 10.0), ("motor/m1", "option", None, 5.0)], lines=[("K1", "hatch")])
    this = case("s", {
        "A": offered(100.0, "P2", {"motor": "m2"}, {"K1": 60.0, "K2": 40.0}),
        "B": NOT,
        "C": offered(20.0, "P2", {"motor": "m2"}, {"K2": 20.0}),
    }, developments=[("P2", "pack", "Honda", 10.0), ("P2", "pack", "Mitsubishi", 10.0), ("motor/m2", "option", None, 7.0)],
       lines=[("K1", "hatch"), ("K2", "hatch")])
    got = [(c.decision, c.item, c.base, c.this) for c in changed_decisions(base, this)]
    assert got == [
        ("pack", "A", "P1", "P2"),
        ("option", "A · motor", "m1", "m2"),
        ("option", "A · fast", "f1", "none"),
        ("plant split", "A", "K1 100", "K1 60; K2 40"),
        ("dropped", "B", "offered, 50 units a year", "not offered"),
        ("offered", "C", "not offered", "offered, 20 units a year"),
        ("pack development", "P1", "once for all brands, ¥10", "not developed"),
        ("pack development", "P2", "not developed", "for Honda, Mitsubishi separately, ¥20"),
        ("option development", "motor/m1", "once for all brands, ¥5", "not developed"),
        ("option development", "motor/m2", "not developed", "once for all brands, ¥7"),
        ("plant line", "K2 · hatch", "not set up", "set up"),
    ]
    costs = {c.item: c.cost_delta_jpy for c in changed_decisions(base, this) if c.decision.endswith("development")}
    assert costs == {"P1": -10.0, "P2": 20.0, "motor/m1": -5.0, "motor/m2": 7.0}


def test_sharing_shows_as_developments_paid_per_brand():
    devs = [("motor/m1", "option", None, 5.0)]
    alone = [("motor/m1", "option", "Honda", 5.0), ("motor/m1", "option", "Mitsubishi", 5.0)]
    v = {"A": offered(1.0, "P", {"motor": "m1"}, {"K": 1.0})}
    (change,) = changed_decisions(case("base", v, devs), case("no-sharing", v, alone))
    assert (change.decision, change.base, change.this, change.cost_delta_jpy) == (
        "option development", "once for all brands, ¥5", "for Honda, Mitsubishi separately, ¥10", 5.0)


def test_a_case_without_a_plan_is_one_status_change_and_blank_deltas():
    v = {"A": offered(1.0, "P", {}, {"K": 1.0})}
    cmp = compare([case("base", v), case("tight", {"A": NOT}, status="infeasible")])
    (change,) = cmp.changes
    assert change.decision == "status" and change.this.startswith("infeasible: No plan satisfies")
    assert cmp.kpi("status").deltas[1] == "optimal → infeasible"
    assert cmp.kpi("total_cost_jpy").values[1] is None and cmp.kpi("total_cost_jpy").deltas[1] is None


def test_units_within_rounding_are_not_a_changed_split():
    base = case("base", {"A": offered(100.0, "P", {}, {"K": 100.0})})
    this = case("s", {"A": offered(100.00001, "P", {}, {"K": 100.00001})})
    assert [c.decision for c in changed_decisions(base, this)] == ["none"]


# ---- the reference case and labels -------------------------------------------------------------


def test_the_base_case_is_the_reference_wherever_it_is_given():
    v = {"A": offered(1.0, "P", {}, {"K": 1.0})}
    cmp = compare([case("s", v), case("base", v)])
    assert cmp.base == 1 and not cmp.notes


def test_without_a_base_case_the_first_report_is_the_reference_and_a_note_says_so():
    v = {"A": offered(1.0, "P", {}, {"K": 1.0})}
    cmp = compare([case("s", v), case("t", v)])
    assert cmp.base == 0 and "first report given" in cmp.notes[0]


def test_repeated_scenario_names_get_unique_labels():
    labels = unique_labels(["base", "base", "x", "X", "base"], ["a/r1.xlsx", "b/r2.xlsx", "x.xlsx", "X.xlsx", "c/r1.xlsx"])
    assert labels == ["base (r1.xlsx)", "base (r2.xlsx)", "x", "X #2", "base (r1.xlsx) #2"]
    assert len({lab.casefold() for lab in labels}) == len(labels)


# ---- reading reports back ----------------------------------------------------------------------


def test_reports_read_back_give_the_same_comparison(tmp_path):
    results = solved(write(tables(), tmp_path / "wb.xlsx"))
    paths = []
    for r in results:
        save_atomically(r.report, lambda fh, r=r: fh.write(r.report_bytes))
        paths.append(r.report)
    from_reports = compare(read_reports(paths))
    direct = comparison_of(results)
    assert from_reports == direct


def test_anything_but_reports_is_refused_all_at_once(tmp_path):
    wb = write(tables(), tmp_path / "wb.xlsx")
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    plain = tmp_path / "plain.xlsx"
    import openpyxl

    openpyxl.Workbook().save(plain)
    with pytest.raises(InputError) as err:
        read_reports([wb, text, plain, tmp_path / "missing.xlsx"])
    shown = [str(p) for p in err.value.problems]
    assert len(shown) == 4
    assert "is a planning workbook (the input of plan solve), not a report" in shown[0]
    assert "not an .xlsx workbook" in shown[1]
    assert "is not a report written by plan" in shown[2]
    assert "does not exist" in shown[3]


# ---- a report whose hidden data was edited -------------------------------------------------------

WRONG_VALUES = [None, "x", -1.5, True, [], {}, float("nan"), ["x"], {"x": 1}]


def _paths(node, prefix=()):
    """Every place in a JSON tree (lists and objects: their first two items only)."""
    yield prefix
    if isinstance(node, dict):
        for key in list(node)[:2] if prefix and prefix[-1] in ("variants", "options", "plants") else node:
            yield from _paths(node[key], (*prefix, key))
    elif isinstance(node, list):
        for i, item in enumerate(node[:2]):
            yield from _paths(item, (*prefix, i))


def _replaced(tree, path, value):
    import copy

    out = copy.deepcopy(tree)
    node = out
    for step in path[:-1]:
        node = node[step]
    if value is _DELETE:
        node.pop(path[-1])
    else:
        node[path[-1]] = value
    return out


_DELETE = object()


@pytest.fixture(scope="module")
def solved_cases(tmp_path_factory):
    rows = tables()["scenarios"][:1] + [dict(scenario="tiny plants", sheet="plants", match="*", column="capacity_units", op="set", value=100)]
    return solved(write(tables(scenarios=rows), tmp_path_factory.mktemp("edited") / "wb.xlsx"))


def test_edited_embedded_data_is_refused_where_it_is_wrong_or_compared_without_fault(solved_cases):
    """Every place of the data a report embeds, replaced by a value of another type or removed:
    either the shape check names that place, or the comparison is built (never a traceback)."""
    from optimizer.report.comparison import build_comparison
    from optimizer.report.embedded import shape_problem

    base, *others = [r.embedded for r in solved_cases]
    refused = built = 0
    for victim in others:
        for path in list(_paths(victim))[1:]:
            for value in [*WRONG_VALUES, _DELETE]:
                edited = _replaced(victim, path, value)
                wrong = shape_problem(edited)
                if wrong:
                    refused += 1
                    assert repr(path[0]) in wrong or wrong.startswith(path[0]), (path, wrong)
                    continue
                built += 1
                cmp = compare(cases_from([base, edited], ["base.xlsx", "edited.xlsx"]))
                build_comparison(cmp)  # (openpyxl checks each value as it is put in a cell)
    assert refused > 100 and built > 50, (refused, built)


def test_plan_compare_names_the_report_and_the_place_that_was_edited(solved_cases, tmp_path):
    import json

    import openpyxl

    from clirun import files_in, find_problem, invoke
    from optimizer.report.embedded import SHEET

    path = tmp_path / "base.xlsx"
    path.write_bytes(solved_cases[0].report_bytes)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    text = "".join(ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1))
    data = json.loads(text)
    data["kpis"]["cost_by_kind_jpy"]["production: packs"] = "a lot"
    ws.cell(row=2, column=1).value = json.dumps(data)
    for r in range(3, ws.max_row + 1):
        ws.cell(row=r, column=1).value = None
    wb.save(path)
    result = invoke("compare", path, "--out", tmp_path / "cmp.xlsx")
    assert result.exit_code == 2, result.stderr
    find_problem(result.stderr, f"{path} is a report whose hidden {SHEET} sheet was edited",
                 "kpis['cost_by_kind_jpy']['production: packs'] should be a finite number, not \"a lot\"")
    assert "Traceback" not in result.stderr and files_in(tmp_path) == {"base.xlsx"}
