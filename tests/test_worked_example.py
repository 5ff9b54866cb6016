"""docs/workbook.md, the planner's guide to the workbook, cannot drift from what `plan` does.

Its worked example is solved from the guide's own tables by the real `plan solve --json`, and
the cost, the sharing saving and the plan the guide states are checked against the answer; every
sum worked by hand in the guide is recomputed; every sheet, column, setting and rule `plan` reads
is described in it; the committed inputs/worked-example.xlsx holds exactly the guide's tables.
"""

from __future__ import annotations

import json
import re
import openpyxl
import pytest

from clirun import plan
from inputs.build_worked_example import GUIDE, OUT, example_tables, section, table_after, value, write
from optimizer.workbook.schema import RULES, SETTINGS, SHEETS

TEXT = GUIDE.read_text(encoding="utf-8")
REBUILD = "python inputs/build_worked_example.py"


def _yen(label: str) -> float:
    """The amount of the guide's bold sentence `**<label> ¥<amount>**` in the worked example."""
    found = re.findall(rf"\*\*{re.escape(label)} ¥([\d,]+)\*\*", "\n".join(section(TEXT)))
    assert len(found) == 1, f"the worked example should state '**{label} ¥...**' once"
    return float(found[0].replace(",", ""))


def _stated_plan() -> list[dict]:
    """The rows of the table under the example's `### The plan` heading."""
    lines = section(TEXT)
    header, *rows = table_after(lines, lines.index("### The plan"))
    return [{h: value(c) for h, c in zip(header, row)} for row in rows]


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("worked")
    workbook = write(example_tables(), folder / "worked-example.xlsx")
    proc = plan("solve", workbook, "--json", "--out", folder / "report.xlsx")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_example_has_the_sheets_the_guide_promises():
    tables = example_tables()
    assert set(tables) == {"brands", "variants", "categories", "parts", "packs", "tiers", "plants"}
    assert len(tables["variants"]) == 2 and len(tables["categories"]) == 2
    assert len(tables["packs"]) == 2 and len(tables["plants"]) == 1


def test_plan_finds_the_cost_the_guide_states(solved):
    assert solved["status"] == "optimal"
    assert solved["total_cost_jpy"] == pytest.approx(_yen("Total cost:"), rel=1e-9)
    assert solved["sharing_saving_jpy"] == pytest.approx(_yen("Sharing saves"), rel=1e-9)


def test_plan_finds_the_plan_the_guide_states(solved):
    tables = example_tables()
    categories = {r["category"] for r in tables["categories"]}
    plants = {r["plant"] for r in tables["plants"]}
    stated = _stated_plan()
    assert {r["variant"] for r in stated} == set(solved["variants"])
    for row in stated:
        got = solved["variants"][row["variant"]]
        assert got["offered"] and got["units"] == pytest.approx(row["units"])
        assert got["pack"] == row["pack"]
        assert got["options"] == {c: row[c] for c in categories}
        assert got["plants"] == pytest.approx({p: row[p] for p in plants if row[p]})
    used = {o for r in stated for o in (f"{c}/{r[c]}" for c in categories)}
    assert set(solved["developed"]["options"]) == used
    assert set(solved["developed"]["packs"]) == {r["pack"] for r in stated}


# A sum worked by hand: numbers (¥ and thousands separators allowed) joined by + - × ÷, then
# "= result". Sums in ¥ bn often multiply yen: a result may also be the left side / 10^9.
_NUM = r"¥?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SUM = re.compile(rf"(?<![\w.,¥])({_NUM}(?:\s*[-+×÷]\s*{_NUM})+)\s*=\s*\**({_NUM})")


def _sums(text: str) -> list[tuple[str, float, float, int]]:
    """(the sum as written, its left side computed, its result as written, the result's decimals)."""
    out = []
    for m in _SUM.finditer(text):
        expr = m.group(1).replace("¥", "").replace(",", "").replace("×", "*").replace("÷", "/")
        expr = " ".join(expr.split())  # a sum may run over a line break
        result = m.group(2).replace("¥", "").replace(",", "")
        decimals = len(result.split(".")[1]) if "." in result else 0
        out.append((m.group(0), eval(expr, {"__builtins__": {}}), float(result), decimals))
    return out


def _adds_up(computed: float, stated: float, decimals: int) -> bool:
    """Equal to the result's last shown digit, in the result's unit or in ¥ bn."""
    tolerance = 0.5 * 10.0**-decimals * (1 + 1e-9)
    return abs(computed - stated) <= tolerance or abs(computed / 1e9 - stated) <= tolerance


def test_every_sum_worked_by_hand_adds_up():
    sums = _sums(TEXT)
    assert len(sums) >= 30, f"only {len(sums)} sums recognised in docs/workbook.md"
    wrong = [f"{shown!r}: the left side is {left:,.4f}" for shown, left, result, d in sums
             if not _adds_up(left, result, d)]
    assert not wrong, "\n".join(wrong)


def test_the_arithmetic_check_catches_a_wrong_sum():
    [(_, computed, stated, decimals)] = _sums("mass 800 + 50 + 150 = 1,010 kg")
    assert (computed, stated) == (1000, 1010) and not _adds_up(computed, stated, decimals)
    [(_, computed, stated, decimals)] = _sums("20,000 × ¥600,000 = ¥12.0 bn")
    assert _adds_up(computed, stated, decimals) and not _adds_up(computed, 12.1, decimals)
    [(_, computed, stated, decimals)] = _sums("65.0 + 6 × 41.8 = **315.9**")
    assert not _adds_up(computed, stated, decimals)


def _sheet_sections() -> dict[str, str]:
    """Sheet name -> the text of its `### `name`` section of the guide."""
    out = {}
    for m in re.finditer(r"^### `(\w+)`.*?(?=^#{2,3} )", TEXT, re.M | re.S):
        out[m.group(1)] = m.group(0)
    return out


def test_the_guide_describes_every_sheet_and_column_plan_reads():
    sections = _sheet_sections()
    for spec in SHEETS:
        assert spec.name in sections, f"docs/workbook.md has no section for sheet {spec.name!r}"
        for col in spec.columns:
            described = f"`{col.name}`" in sections[spec.name]
            assert described, f"docs/workbook.md does not describe {spec.name}.{col.name}"
    for item in SETTINGS:
        assert f"| `{item.name}` |" in sections["settings"], f"setting {item.name} is not described"
    for item in RULES:
        assert f"| `{item.name}` |" in sections["rules"], f"rule {item.name} is not described"


def test_the_guide_states_the_defaults_plan_uses():
    """Each setting's and rule's default in the guide's table is the one in the schema."""
    sections = _sheet_sections()
    for sheet, items in (("settings", SETTINGS), ("rules", RULES)):
        for item in items:
            row = re.search(rf"^\| `{item.name}` \| ([^|]+) \|", sections[sheet], re.M)
            shown = value(row.group(1))
            expected = ("yes" if item.default else "no") if isinstance(item.default, bool) else item.default
            assert shown == expected, f"{sheet} {item.name}: the guide says {shown}, plan uses {expected}"


def test_the_committed_workbook_holds_the_guides_tables():
    """inputs/worked-example.xlsx is what inputs/build_worked_example.py writes from the guide."""
    book = openpyxl.load_workbook(OUT)
    tables = example_tables()
    assert book.sheetnames == list(tables)
    for name, rows in tables.items():
        header, *cells = book[name].iter_rows(values_only=True)
        assert [dict(zip(header, r)) for r in cells] == rows, f"sheet {name} differs; run {REBUILD}"
