"""The formulation: plans round-trip through variable values, and the elastic model finds breaks."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

import builders
from models.build import PlatformModel
from optimizer.solving.solve import make_plan
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook


def load(tmp_path, **changes):
    path = builders.write(builders.tables(**changes), tmp_path / "wb.xlsx")
    return validate(read_workbook(path)).plan_input


def violated_rows(model: pyo.ConcreteModel, values: dict[int, float], tol: float = 1e-6) -> list[str]:
    for var in model.component_data_objects(pyo.Var):
        var.set_value(values.get(id(var), 0.0), skip_validation=True)
    bad = []
    for con in model.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(con.body)
        if con.has_lb() and body < pyo.value(con.lower) - tol or con.has_ub() and body > pyo.value(con.upper) + tol:
            bad.append(con.name)
    return bad


def test_values_for_the_optimal_plan_satisfy_every_row_and_give_its_cost(tmp_path):
    inp = load(tmp_path)
    outcome = make_plan(inp)
    pm = PlatformModel(inp)
    values = pm.values_for(outcome.plan)
    assert violated_rows(pm.m, values) == []
    assert pyo.value(pm.m.total_cost) * 1e6 == pytest.approx(outcome.total_cost_jpy, rel=1e-9)


def test_values_for_a_dearer_feasible_plan_also_give_its_evaluated_cost(tmp_path):
    inp = load(tmp_path)
    plan = make_plan(inp).plan
    plan.variants["M-hatch"].built = {"": {"Mizushima": 12000.0}}  # still within every bound; more units cost more
    pm = PlatformModel(inp)
    assert violated_rows(pm.m, pm.values_for(plan)) == []
    from models.evaluate import evaluate

    assert pyo.value(pm.m.total_cost) * 1e6 == pytest.approx(evaluate(inp, plan).total_cost_jpy, rel=1e-9)


def test_elastic_model_names_the_rule_to_break(tmp_path):
    rows = builders.tables()["plants"]
    rows[0]["capacity_units"] = 10000  # Mizushima
    rows[1]["body_styles"] = "van"  # Yachiyo cannot build hatchbacks: H-hatch needs 20,000 at Mizushima
    inp = load(tmp_path, plants=rows)
    assert make_plan(inp).status == "infeasible"
    pm = PlatformModel(inp, elastic=True)
    from optimizer.solving.highs_bridge import compile_model, run_highs

    compiled = compile_model(pm.m)
    run = run_highs(compiled, time_limit_s=10, mip_rel_gap=0)
    assert run.has_solution
    broken = {
        (s.family, s.key, s.side): run.values[compiled.col_of[vid]]
        for vid, s in pm.slacks.items()
        if vid in compiled.col_of and run.values[compiled.col_of[vid]] > 1e-6
    }
    # Cheapest relative break: the total demand row and H-hatch's minimum (0.33 + 0.75 of their
    # limits) rather than Mizushima's capacity (+150 %).
    assert set(broken) == {("demand", ("", "demand row 2", ""), "lower"), ("min_units", ("", "H-hatch", ""), "lower")}
    assert broken[("demand", ("", "demand row 2", ""), "lower")] == pytest.approx(10000)
    assert broken[("min_units", ("", "H-hatch", ""), "lower")] == pytest.approx(15000)
