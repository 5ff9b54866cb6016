"""optimizer.sweeps.batch: every case validated before any is solved, report paths that never collide,
results independent of the number of processes, and worker failures as clear messages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from builders import tables, write
from clirun import files_in
from optimizer.files import check_outputs
from optimizer.sweeps.batch import BatchError, Task, prepare_all, report_paths, run_tasks
from optimizer.problems import InputError

SCENARIOS = [
    dict(scenario="dear-packs", sheet="packs", match="*", column="unit_cost_jpy", op="multiply", value=1.2),
    dict(scenario="no-sharing", sheet="settings", match="cross_brand_sharing", column="value", op="set", value="no"),
    dict(scenario="small", sheet="variants", match="variant=H-hatch", column="max_units", op="set", value=30000),
]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return write(tables(scenarios=SCENARIOS), tmp_path_factory.mktemp("batch") / "wb.xlsx")


def tasks_for(path: Path, out: Path, sharing: bool = False) -> list[Task]:
    cases = prepare_all(path)
    paths = report_paths(out, "wb", [c.source.scenario for c in cases])
    return [Task(i, len(cases), c.source, c.plan_input, paths[c.source.scenario], sharing_baseline=sharing) for i, c in enumerate(cases)]


# ---- before solving ----------------------------------------------------------------------------


def test_prepare_all_gives_the_base_case_then_every_scenario_in_sheet_order(workbook):
    cases = prepare_all(workbook)
    assert [c.source.scenario for c in cases] == ["base", "dear-packs", "no-sharing", "small"]
    assert cases[2].plan_input.settings.cross_brand_sharing is False
    assert len({c.source.sha256 for c in cases}) == 1


def test_every_bad_scenario_is_reported_before_anything_is_solved(tmp_path):
    bad = SCENARIOS + [
        dict(scenario="typo", sheet="packs", match="pack=P99", column="unit_cost_jpy", op="multiply", value=2),
        dict(scenario="text", sheet="plants", match="*", column="capacity_units", op="set", value="lots"),
    ]
    with pytest.raises(InputError) as err:
        prepare_all(write(tables(scenarios=bad), tmp_path / "wb.xlsx"))
    shown = [str(p) for p in err.value.problems]
    assert any("row 5" in s and "scenario 'typo'" in s and "matches no row of packs" in s for s in shown), shown
    assert any("row 6" in s and "scenario 'text'" in s and "expected a number" in s for s in shown), shown


def test_a_scenario_called_base_is_refused(tmp_path):
    rows = [dict(scenario="base", sheet="packs", match="*", column="unit_cost_jpy", op="multiply", value=2)]
    with pytest.raises(InputError) as err:
        prepare_all(write(tables(scenarios=rows), tmp_path / "wb.xlsx"))
    (problem,) = err.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("scenarios", 2, "scenario")
    assert "cannot be a scenario's name" in problem.message


def test_report_paths_never_collide(tmp_path):
    names = ["base", "a/b", "a_b", "A_B", "x" * 100, "x" * 90, "***", "comparison"]
    taken = (tmp_path / "wb-comparison.xlsx",)
    paths = report_paths(tmp_path, "wb", names, taken=taken)
    assert paths["base"] == tmp_path / "wb-base.xlsx"  # as `plan solve` names it by default
    assert paths["a/b"] == tmp_path / "wb-a_b.xlsx" and paths["a_b"] == tmp_path / "wb-a_b-2.xlsx"
    assert paths["A_B"] == tmp_path / "wb-A_B-3.xlsx"  # case-insensitive file systems
    assert paths["comparison"] == tmp_path / "wb-comparison-2.xlsx"
    every = [str(p).casefold() for p in [*paths.values(), *taken]]
    assert len(set(every)) == len(every)
    assert all(len(p.name) <= 100 for p in paths.values())


def test_destinations_are_checked_before_solving(tmp_path, workbook):
    with pytest.raises(InputError, match="problem"):
        check_outputs([workbook], inputs=(workbook,))
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError) as err:
        check_outputs([blocker / "sub" / "r.xlsx"], inputs=())
    assert "cannot be written there" in str(err.value.problems[0])
    before = files_in(tmp_path)
    check_outputs([tmp_path / "new" / "r.xlsx"], inputs=(workbook,))  # fine: the folder will be created
    assert files_in(tmp_path) == before, "checking creates nothing"


# ---- solving -----------------------------------------------------------------------------------


def test_one_and_two_processes_give_the_same_results_in_workbook_order(tmp_path, workbook):
    events: dict[int, list] = {1: [], 2: []}
    results = {}
    for jobs in (1, 2):
        results[jobs] = run_tasks(
            tasks_for(workbook, tmp_path, sharing=True), jobs,
            started=lambda t, j=jobs: events[j].append(("start", t.scenario)),
            finished=lambda t, r, j=jobs: events[j].append(("done", r.scenario)),
        )
    one, two = results[1], results[2]
    assert [r.scenario for r in one] == [r.scenario for r in two] == ["base", "dear-packs", "no-sharing", "small"]
    assert [r.embedded for r in one] == [r.embedded for r in two]
    for jobs in (1, 2):  # each case announced once, started before it is done
        assert sorted(e for e in events[jobs] if e[0] == "start") == sorted(("start", r.scenario) for r in one)
        for r in one:
            assert events[jobs].index(("start", r.scenario)) < events[jobs].index(("done", r.scenario))
    assert all(r.report_bytes.startswith(b"PK") for r in two)
    assert not any(tmp_path.iterdir()), "workers write nothing; the caller writes the reports"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_worker_is_a_clear_message_naming_the_scenario(tmp_path, workbook, jobs):
    tasks = tasks_for(workbook, tmp_path)
    tasks[2] = dataclasses.replace(tasks[2], plan_input=None)  # a fault in plan, not in the workbook
    with pytest.raises(BatchError) as err:
        run_tasks(tasks, jobs)
    text = str(err.value)
    assert "scenario 'no-sharing' could not be solved" in text and "fault in plan, not in the workbook" in text
