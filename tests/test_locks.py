"""Locks: each is obeyed; locks that cannot hold together are a conflict reported like any other
(exit 1, the conflicts naming the locks), not an input error; a lock written twice is read once."""

from __future__ import annotations

import json

import pytest

from builders import programme, tables, write
from clirun import plan
from optimizer.pipeline import load_input
from optimizer.solving.solve import make_plan


def solve_json(tmp_path, locks) -> tuple[int, dict, str]:
    path = write(tables(locks=locks), tmp_path / "wb.xlsx")
    proc = plan("solve", path, "--json", "--no-sharing-baseline", "--out", tmp_path / "r.xlsx")
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}, proc.stderr


@pytest.mark.parametrize("locks, named", [
    ([dict(variant="H-van", item="pack", choice="P20"), dict(variant="H-van", item="pack", choice="P25")], ("locks row 2", "locks row 3")),
    ([dict(variant="H-van", item="offer", choice="no"), dict(variant="H-van", item="pack", choice="P20")], ("locks row 2", "locks row 3")),
    ([dict(variant="H-van", item="offer", choice="yes"), dict(variant="H-van", item="offer", choice="no")], ("locks row 2", "locks row 3")),
    ([dict(variant="H-van", item="motor", choice="none")], ("locks row 2", "required category motor")),
], ids=["two-packs", "out-and-pack", "yes-and-no", "none-on-required"])
def test_locks_that_cannot_hold_together_are_a_conflict(tmp_path, locks, named):
    code, obj, stderr = solve_json(tmp_path, locks)
    assert code == 1 and obj["status"] == "infeasible" and obj["total_cost_jpy"] is None, stderr
    text = " ".join(obj["conflicts"])
    assert all(n in text for n in named), obj["conflicts"]


def test_a_lock_written_twice_is_read_once_with_a_warning(tmp_path):
    lock = dict(variant="M-hatch", item="pack", choice="P25")
    code, obj, stderr = solve_json(tmp_path, [lock, dict(lock)])
    assert code == 0 and obj["variants"]["M-hatch"]["offered"] and obj["variants"]["M-hatch"]["pack"] == "P25"
    assert "repeats the lock of row 2" in stderr


@pytest.mark.parametrize("lock, check", [
    (dict(variant="H-van", item="offer", choice="yes"), lambda v: v["offered"]),
    (dict(variant="H-van", item="offer", choice="no"), lambda v: not v["offered"]),
    (dict(variant="M-hatch", item="pack", choice="P25"), lambda v: v["offered"] and v["pack"] == "P25"),
    (dict(variant="H-hatch", item="motor", choice="m47"), lambda v: v["offered"] and v["options"]["motor"] == "m47"),
    (dict(variant="H-hatch", item="fastcharge", choice="chademo"), lambda v: v["options"].get("fastcharge") == "chademo"),
    (dict(variant="M-hatch", item="fastcharge", choice="none"), lambda v: v["offered"] and "fastcharge" not in v["options"]),
])
def test_every_kind_of_lock_is_obeyed(tmp_path, lock, check):
    code, obj, stderr = solve_json(tmp_path, [lock])
    assert code == 0, stderr
    assert check(obj["variants"][lock["variant"]]), obj["variants"][lock["variant"]]


def test_a_locked_pack_too_long_for_the_bay_is_named(tmp_path):
    code, obj, _ = solve_json(tmp_path, [dict(variant="H-van", item="pack", choice="P25")])
    assert code == 1
    assert any("the lock of pack P25 on variant H-van (locks row 2)" in c and "1,900 mm long" in c for c in obj["conflicts"])


def test_a_lock_that_breaks_a_range_target_is_named(tmp_path):
    t = programme(futures=None)
    t["variants"][0]["range_target_km"] = 230  # H-hatch is locked to P20, which cannot go that far
    _, inp, _ = load_input(write(t, tmp_path / "wb.xlsx"), "base")
    o = make_plan(inp)
    assert o.status == "infeasible"
    assert any("the lock of pack P20 on variant H-hatch (locks row 2) cannot reach its 230 km range target" in c for c in o.conflicts)
