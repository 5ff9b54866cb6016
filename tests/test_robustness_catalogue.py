"""A catalogue of malformed workbooks, generated from the workbook contract (optimizer.workbook.schema):
every column of every sheet gets every fault its kind can have (text, NaN and inf text, dates and
booleans in number columns, negatives, zeros, fractions, blanks, bad yes/no and list cells, Excel
errors, formulas without a saved result), and every sheet its structural faults (missing sheet or
column, duplicate names, dangling references, min above max, rising tier prices, merged cells,
scenario rows that match nothing). Each must be refused with a problem naming the sheet, the row as
Excel shows it and the column; none may raise anything else. Tricky but valid workbooks (Japanese
and very long names, trailing and non-breaking spaces) must be accepted.

All cases run through read -> scenario -> validate; one case of each fault kind also runs through
`plan solve` in-process: exit 2, no traceback, nothing written.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

import openpyxl
import pytest

from builders import PROGRAMME, programme, tables, write
from clirun import files_in, invoke
from optimizer.problems import InputError
from optimizer.workbook.scenarios import apply_scenario
from optimizer.workbook.schema import LIST, NAME, NUMBER, POSITIVE, RULES, SETTINGS, SHEET, SIGNED, TEXT, WHOLE, YESNO
from optimizer.solving.solve import FEASIBLE, OPTIMAL, make_plan
from optimizer.workbook.validate import validate
from optimizer.workbook.read import read_workbook

NBSP = "\u00a0"
DATE = dt.datetime(2024, 1, 5)

# Faults a cell of each kind can have: (fault kind, value).
NUMBER_FAULTS = [("text", "lots"), ("nan-text", "NaN"), ("inf-text", "inf"), ("date", DATE), ("boolean", True), ("negative", -5)]
# Finite but beyond anything the solver computes with exactly (every column has a bound far below).
HUGE = [("huge", 1e300), ("huge-text", "1e300")]
FAULTS_BY_KIND = {
    NUMBER: NUMBER_FAULTS + HUGE,
    WHOLE: NUMBER_FAULTS + [("fraction", 2.5)] + HUGE,
    POSITIVE: NUMBER_FAULTS[:5] + [("negative", -1), ("zero", 0)] + HUGE,
    SIGNED: NUMBER_FAULTS[:5] + HUGE + [("huge-negative", -1e300)],
    YESNO: [("bad-yes-no", "maybe"), ("number-as-yes-no", 2), ("date", DATE)],
    NAME: [("date", DATE), ("boolean", False)],
    LIST: [("all-combined", "all, other"), ("date", DATE), ("boolean", True)],
    TEXT: [],
}
EVERY_CELL_FAULTS = [("excel-error", "#N/A"), ("formula-without-result", "=1+1")]
TABLE_SHEETS = ["brands", "variants", "categories", "parts", "packs", "tiers", "plants", "demand", *PROGRAMME]


@dataclass(frozen=True)
class Case:
    id: str
    fault: str  # the kind of fault, for the count and the command-line sample
    tables: dict
    sheet: str | None  # where the problem must be: sheet, Excel row, column (None: not asked)
    row: int | None
    column: str | None
    scenario: str = "base"
    fragment: str = ""  # the problem's text must contain it
    workbook: str = ""  # cases with the same workbook share one file (one fault a row); "" its own

    @property
    def file(self) -> str:
        return self.workbook or self.id


NAME_COLUMN = {"brands": "brand", "variants": "variant", "categories": "category", "parts": "option", "packs": "pack", "plants": "plant",
               "years": "year"}


def _book(sheet: str) -> dict:
    """The base workbook, with the programme's sheets when the case is about one of them."""
    return programme() if sheet in PROGRAMME else tables()


def _cell_cases() -> list[Case]:
    """One workbook per table sheet: below the good rows, one copy of its first row per fault,
    under a name of its own (so that no copy is a duplicate of another), each with one bad cell.
    Key-value sheets hold a name once, so their faults spread over several workbooks."""
    out = []
    for sheet in TABLE_SHEETS:
        first = _book(sheet)[sheet][0]
        faults = []
        for col in SHEET[sheet].columns:
            others = any(v is not None for k, v in first.items() if k != col.name)
            # A blank required cell; in a row with nothing else it is a blank row, which is skipped.
            kinds = FAULTS_BY_KIND[col.kind] + EVERY_CELL_FAULTS + ([("blank", None)] if col.required and others else [])
            faults += [(col.name, fault, value) for fault, value in kinds]
        # Cells the reader refuses (Excel errors, formulas without a result) stop a workbook before
        # validation, so they get a workbook of their own.
        books = {False: _book(sheet), True: _book(sheet)}
        for i, (column, fault, value) in enumerate(faults):
            reader = (fault, value) in EVERY_CELL_FAULTS
            t = books[reader]
            row = dict(first)
            if sheet in NAME_COLUMN:
                row[NAME_COLUMN[sheet]] = f"{sheet}-{i}"
            if sheet == "tiers":
                row["min_units"] = first["min_units"] + 1 + i  # thresholds of their own
            row[column] = value
            t[sheet].append(row)
            out.append(Case(f"{sheet}.{column}:{fault}", fault, t, sheet, len(t[sheet]) + 1, column, workbook=f"cells-{sheet}-{'read' if reader else 'check'}"))
    for sheet, key, known in (("settings", "setting", SETTINGS), ("rules", "rule", RULES)):
        for s in known:
            for j, (fault, value) in enumerate(FAULTS_BY_KIND[s.kind]):
                out.append(Case(f"{sheet}.{s.name}:{fault}", fault, {"sheet": sheet, "key": key, "name": s.name, "value": value}, sheet, None, "value", workbook=f"key-values-{j}"))
            for j, (fault, value) in enumerate(EVERY_CELL_FAULTS):
                out.append(Case(f"{sheet}.{s.name}:{fault}", fault, {"sheet": sheet, "key": key, "name": s.name, "value": value}, sheet, None, "value", workbook=f"key-values-read-{j}"))
    return _key_value_workbooks(out)


def _key_value_workbooks(cases: list[Case]) -> list[Case]:
    """Build each key-value workbook from the faults given to it; rows follow in case order."""
    groups: dict[str, dict] = {}
    out = []
    for c in cases:
        if not c.workbook.startswith("key-values-"):
            out.append(c)
            continue
        spec = c.tables
        t = groups.setdefault(c.workbook, {**tables(), "settings": [], "rules": []})
        t[spec["sheet"]].append({spec["key"]: spec["name"], "value": spec["value"]})
        out.append(Case(c.id, c.fault, t, c.sheet, len(t[spec["sheet"]]) + 1, c.column, workbook=c.workbook))
    return out


def _changed(sheet: str, index: int, **values) -> dict:
    t = _book(sheet)
    t[sheet][index].update(values)
    return t


def _appended(sheet: str, row: dict) -> dict:
    t = _book(sheet)
    t[sheet].append(row)
    return t


def _dropped_column(sheet: str, column: str) -> dict:
    t = _book(sheet)
    t[sheet] = [{k: v for k, v in r.items() if k != column} for r in t[sheet]]
    if not any(t[sheet]):  # a sheet of one column: keep its rows, headed by something else
        t[sheet] = [{"notes": "x"} for _ in t[sheet]]
    return t


def _scenario(**row) -> dict:
    t = tables()
    t["scenarios"] = [dict(dict(scenario="what-if", sheet=None, match=None, column=None, op="set", value=1), **row)]
    return t


def _structure_cases() -> list[Case]:
    out = []
    for name, spec in SHEET.items():
        if spec.required:
            out.append(Case(f"missing-sheet:{name}", "missing sheet", tables(**{name: None}), name, None, None, fragment="is missing"))
        for col in spec.columns:
            if col.required and name in TABLE_SHEETS:
                out.append(Case(f"missing-column:{name}.{col.name}", "missing column", _dropped_column(name, col.name), name, 1, col.name))
    first = tables()
    for sheet, column in (("brands", "brand"), ("variants", "variant"), ("categories", "category"), ("packs", "pack"), ("plants", "plant")):
        out.append(Case(f"duplicate:{sheet}", "duplicate name", _appended(sheet, copy.deepcopy(first[sheet][0])), sheet, len(first[sheet]) + 2, column, fragment="appears twice"))
    out.append(Case("duplicate:parts", "duplicate name", _appended("parts", copy.deepcopy(first["parts"][0])), "parts", len(first["parts"]) + 2, "option", fragment="appears twice"))
    out.append(Case("duplicate:setting", "duplicate name", _appended("settings", {"setting": "time_limit_s", "value": 5}), "settings", 4, "setting", fragment="appears twice"))
    out += [
        Case("dangling:variants.brand", "dangling reference", _changed("variants", 0, brand="Hondaa"), "variants", 2, "brand"),
        Case("dangling:parts.category", "dangling reference", _changed("parts", 0, category="motors"), "parts", 2, "category"),
        Case("dangling:parts.brands", "dangling reference", _changed("parts", 0, brands="Honda, Toyota"), "parts", 2, "brands"),
        Case("dangling:tiers.item", "dangling reference", _changed("tiers", 0, item="P99"), "tiers", 2, "item"),
        Case("dangling:demand.brand", "dangling reference", _changed("demand", 1, name="Mazda"), "demand", 3, "name"),
        Case("dangling:demand.variant", "dangling reference", _appended("demand", dict(scope="variant", name="X-van", min_units=1)), "demand", 4, "name"),
        Case("dangling:demand.body_style", "dangling reference", _appended("demand", dict(scope="body_style", name="pickup", max_units=1)), "demand", 4, "name"),
        Case("dangling:demand.scope", "dangling reference", _changed("demand", 0, scope="country"), "demand", 2, "scope"),
        Case("dangling:japanese", "dangling reference", _changed("variants", 1, brand="三菱"), "variants", 3, "brand", fragment="'三菱'"),
        Case("dangling:very-long", "dangling reference", _changed("variants", 1, brand="M" * 300), "variants", 3, "brand", fragment="..."),
        Case("min-above-max:variants", "min above max", _changed("variants", 0, min_units=60000), "variants", 2, "min_units"),
        Case("min-above-max:demand", "min above max", _changed("demand", 0, max_units=100), "demand", 2, "min_units"),
        Case("demand-without-bounds", "min above max", _changed("demand", 1, min_units=None), "demand", 3, "min_units"),
        Case("tier-price-rises", "rising tier price", _appended("tiers", dict(item="P20", min_units=50000, unit_cost_jpy=310000)), "tiers", 4, "unit_cost_jpy"),
        Case("tier-above-list-price", "rising tier price", _changed("tiers", 1, unit_cost_jpy=160000), "tiers", 3, "unit_cost_jpy"),
        Case("tier-threshold-twice", "rising tier price", _appended("tiers", dict(item="P20", min_units=40000, unit_cost_jpy=290000)), "tiers", 4, "min_units"),
        Case("header-typo-required", "missing column", _renamed("packs", "usable_kwh", "usable_kw"), "packs", 1, "usable_kwh", fragment="did you mean 'usable_kwh'?"),
        Case("scenario-matches-nothing", "scenario", _scenario(sheet="parts", match="category=gearbox", column="unit_cost_jpy"), "scenarios", 2, "match", "what-if", "matches no row"),
        Case("scenario-unknown-sheet", "scenario", _scenario(sheet="factories", match="*", column="capacity_units"), "scenarios", 2, "sheet", "what-if"),
        Case("scenario-unknown-column", "scenario", _scenario(sheet="plants", match="*", column="capacity"), "scenarios", 2, "column", "what-if"),
        Case("scenario-unknown-op", "scenario", _scenario(sheet="plants", match="*", column="capacity_units", op="double"), "scenarios", 2, "op", "what-if"),
        Case("scenario-text-operand", "scenario", _scenario(sheet="plants", match="*", column="capacity_units", op="multiply", value="lots"), "scenarios", 2, "value", "what-if"),
        Case("scenario-makes-negative", "scenario", _scenario(sheet="plants", match="plant=Yachiyo", column="capacity_units", op="add", value=-1e6), "plants", 3, "capacity_units", "what-if", "set by scenario"),
        Case("scenario-unknown-setting", "scenario", _scenario(sheet="settings", match="time_limit", column="value"), "scenarios", 2, "match", "what-if"),
    ]
    return out + _programme_cases()


def _programme_cases() -> list[Case]:
    """Years, launch windows, demand years, locks and futures: each rule of their validation."""
    def launch(**values) -> dict:
        t = programme()
        t["variants"][2].update(values)
        return t

    def demand_year(year, with_years: bool = True) -> dict:
        t = programme() if with_years else tables()
        t["demand"][0]["year"] = year
        return t

    return [
        Case("duplicate:years", "duplicate name", _appended("years", dict(year=2027)), "years", 4, "year", fragment="appears twice"),
        Case("years-discount-rises", "programme", _appended("years", dict(year=2029, discount_factor=0.99)), "years", 4, "discount_factor", fragment="rises"),
        Case("years-factor-zero", "programme", _changed("years", 1, capacity_factor=0), "years", 3, "capacity_factor"),
        Case("launch-unknown-year", "programme", launch(launch_from=2031), "variants", 4, "launch_from", fragment="not a year"),
        Case("launch-by-unknown-year", "programme", launch(launch_by="FY28"), "variants", 4, "launch_by", fragment="not a year"),
        Case("launch-from-after-by", "programme", launch(launch_from=2028, launch_by=2027), "variants", 4, "launch_from", fragment="after launch_by"),
        Case("demand-unknown-year", "programme", demand_year(2035), "demand", 2, "year", fragment="not a year"),
        Case("demand-year-without-years", "programme", demand_year(2027, with_years=False), "demand", 2, "year", fragment="no years sheet"),
        Case("lock-unknown-variant", "lock", _changed("locks", 0, variant="H-wagon"), "locks", 2, "variant"),
        Case("lock-unknown-item", "lock", _changed("locks", 0, item="gearbox"), "locks", 2, "item"),
        Case("lock-unknown-pack", "lock", _changed("locks", 0, choice="P99"), "locks", 2, "choice"),
        Case("lock-unknown-option", "lock", _changed("locks", 0, item="motor", choice="m50"), "locks", 2, "choice"),
        Case("lock-none-on-required", "lock", _changed("locks", 0, item="motor", choice="none"), "locks", 2, "choice", fragment="is required"),
        Case("lock-offer-not-yes-no", "lock", _changed("locks", 0, item="offer", choice="perhaps"), "locks", 2, "choice"),
        Case("lock-contradicts", "lock", _appended("locks", dict(variant="H-hatch", item="pack", choice="P25")), "locks", 3, "choice", fragment="contradicts"),
        Case("lock-locked-out", "lock", _appended("locks", dict(variant="H-hatch", item="offer", choice="no")), "locks", 2, "item", fragment="locks out"),
        Case("future-unknown-scenario", "future", _changed("futures", 1, scenario="price-war"), "futures", 3, "scenario"),
        Case("future-twice", "future", _appended("futures", dict(scenario="base", probability=0.0001)), "futures", 4, "scenario", fragment="appears twice"),
        Case("futures-do-not-add-up", "future", _changed("futures", 1, probability=0.6), "futures", None, "probability", fragment="add up"),
    ]


def _renamed(sheet: str, old: str, new: str) -> dict:
    t = tables()
    t[sheet] = [{(new if k == old else k): v for k, v in r.items()} for r in t[sheet]]
    return t


CASES = _cell_cases() + _structure_cases()


def _merged(path):
    wb = openpyxl.load_workbook(path)
    wb["plants"].merge_cells("B2:B3")
    wb.save(path)


def _japanese(path):
    """Every name in Japanese, with trailing and non-breaking spaces where a planner might leave them."""
    t = tables()
    t["brands"] = [{"brand": "本田"}, {"brand": "三菱 "}]
    for r, name, brand in zip(t["variants"], ["ホンダ・ハッチ", "三菱・ハッチ", "ホンダ・バン"], [f"本田{NBSP}", "三菱", " 本田"]):
        r.update(variant=name, brand=brand)
    t["parts"][2]["brands"], t["parts"][3]["brands"] = "本田", f"三菱{NBSP}"
    t["plants"][0]["plant"] = "水島製作所"
    t["demand"][1]["name"] = "三菱"
    write(t, path)


def _long_names(path):
    t = tables()
    long = "Mizushima " + "x" * 290
    t["plants"][0]["plant"] = long
    t["variants"][2]["variant"] = "H-van " + "y" * 290
    write(t, path)


def _spaced_headers(path):
    """Headers and sheet names in other cases, with blanks and non-breaking spaces around them."""
    t = tables()
    t[f" Variants{NBSP}"] = t.pop("variants")
    t["plants"] = [{f"{k.upper()}{NBSP}": v for k, v in r.items()} for r in t["plants"]]
    write(t, path)


VALID = [("japanese-names", _japanese), ("very-long-names", _long_names), ("spaced-headers-and-sheet-names", _spaced_headers)]


_PROBLEMS: dict[str, list] = {}


def problems_of(case: Case, folder) -> list:
    """Every problem of the case's workbook (read once for all the cases it holds)."""
    if case.file not in _PROBLEMS:
        path = write(case.tables, folder / f"{case.file.replace(':', '_').replace('/', '_')}.xlsx")
        try:
            validate(apply_scenario(read_workbook(path), case.scenario))
            _PROBLEMS[case.file] = []
        except InputError as err:
            _PROBLEMS[case.file] = err.problems
    return _PROBLEMS[case.file]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("catalogue")


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_malformed_workbook_is_refused_naming_sheet_row_and_column(folder, case):
    problems = problems_of(case, folder)
    assert problems, "the workbook was accepted"
    assert all(p.sheet for p in problems), [str(p) for p in problems]
    title = {sheet.lower(): sheet for sheet in case.tables}.get(case.sheet, case.sheet)
    found = [p for p in problems if p.sheet == title and p.row == case.row and p.column == case.column]
    assert found, f"no problem at sheet {case.sheet!r}, row {case.row}, column {case.column!r}: {[str(p) for p in problems]}"
    text = str(found[0])
    assert f"sheet '{title}'" in text and case.fragment in text
    if case.row is not None:
        assert f"row {case.row}" in text
    if case.column is not None:
        assert f"'{case.column}'" in text


def test_merged_cells_are_refused_naming_the_cell(tmp_path):
    path = write(tables(), tmp_path / "wb.xlsx")
    _merged(path)
    with pytest.raises(InputError) as err:
        read_workbook(path)
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column) == ("plants", 2, "capacity_units") and "B2:B3" in str(p)


@pytest.mark.parametrize("make", [pytest.param(m, id=n) for n, m in VALID])
def test_tricky_but_valid_workbooks_are_accepted_and_solved(tmp_path, make):
    path = tmp_path / "wb.xlsx"
    make(path)
    outcome = make_plan(validate(read_workbook(path)).plan_input)
    assert outcome.status in (OPTIMAL, FEASIBLE), outcome.conflicts


def test_japanese_names_are_kept_exactly_in_the_plan(tmp_path):
    path = tmp_path / "wb.xlsx"
    _japanese(path)
    inp = validate(read_workbook(path)).plan_input
    assert inp.brands == ("本田", "三菱") and {v.brand for v in inp.variants} == {"本田", "三菱"}
    assert make_plan(inp).plan.variants["三菱・ハッチ"].offered  # the 三菱 demand row needs it


def _one_per_fault() -> list[Case]:
    seen: dict[str, Case] = {}
    for c in CASES:
        seen.setdefault(c.fault, c)
    return list(seen.values())


@pytest.mark.parametrize("case", [pytest.param(c, id=c.fault) for c in _one_per_fault()])
def test_plan_solve_exits_2_and_writes_nothing(tmp_path, case):
    path = write(case.tables, tmp_path / "wb.xlsx")
    out = tmp_path / "out" / "report.xlsx"
    args = ["solve", path, "--out", out] + (["--scenario", case.scenario] if case.scenario != "base" else [])
    result = invoke(*args)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and f"sheet '" in result.stderr
    assert files_in(tmp_path) == {"wb.xlsx"}, "nothing may be written"


def test_the_catalogue_covers_every_sheet_and_enough_faults():
    sheets = {c.sheet for c in CASES}
    assert set(SHEET) <= sheets | {"scenarios"}
    faults = {c.fault for c in CASES}
    workbooks = {c.file for c in CASES}
    assert len(workbooks) >= 50 and len(CASES) >= 400 and len(faults) >= 20, (len(workbooks), len(CASES), sorted(faults))
