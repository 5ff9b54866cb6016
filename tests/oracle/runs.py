"""Running `plan solve` as a black box on generated workbooks, and the checks every agreement test
shares (the JSON shape of docs/workbook.md, "What `plan solve` returns")."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

try:
    from .random_workbooks import Case, describe, write_workbook
except ImportError:  # pragma: no cover
    from random_workbooks import Case, describe, write_workbook  # type: ignore

PLAN = Path(sys.executable).parent / "plan"
REL_TOL = 1e-6


@dataclass
class Run:
    case: Case
    workbook: Path
    report: Path
    proc: subprocess.CompletedProcess

    def json(self) -> dict:
        return json.loads(self.proc.stdout)

    def context(self, oracle: str = "") -> str:
        return (f"\nworkbook {self.workbook}\ncase:\n{describe(self.case)}\n{oracle}\n"
                f"plan exit {self.proc.returncode}\nstdout:\n{self.proc.stdout[-4000:]}\n"
                f"stderr:\n{self.proc.stderr[-3000:]}")


def plan_has(option: str) -> bool:
    """Whether `plan solve` offers a command-line option (e.g. --robust)."""
    proc = subprocess.run([str(PLAN), "solve", "--help"], capture_output=True, text=True, timeout=60)
    return option in proc.stdout


def run_all(jobs: dict, folder: Path, timeout: float = 300) -> dict:
    """jobs: key -> (case, [extra arguments]); every workbook written and solved by `plan solve
    --json`, two at a time. Returns key -> Run."""
    if not PLAN.exists():
        raise RuntimeError(f"console script {PLAN} not found -- is the package installed in this venv?")

    def job(item):
        key, (case, extra) = item
        wb = folder / f"{key}.xlsx"
        out = folder / f"{key}_report.xlsx"
        write_workbook(case, wb)
        cmd = [str(PLAN), "solve", str(wb), "--json", "--out", str(out), *extra]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:  # reported on this case only
            proc = subprocess.CompletedProcess(cmd, None, str(e.stdout or ""), f"timed out: {e}")
        return key, Run(case, wb, out, proc)

    workers = max(1, min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as ex:
        return dict(ex.map(job, jobs.items()))


def close(a: float, b: float, gap: float | None = None) -> bool:
    """Equal to REL_TOL, or to the gap `plan` reports when that is larger."""
    tol = max(REL_TOL, float(gap or 0.0))
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e6)


def design_problems(result: dict, m) -> list[str]:
    """What is wrong with the design's shape: every offered variant has a known pack and one
    option of every required category; `developed` lists exactly what the offered variants use."""
    bad = []
    used_opts, used_packs = set(), set()
    for name, d in (result.get("variants") or {}).items():
        if not d or not d.get("offered"):
            continue
        if d.get("pack") not in m.packs:
            bad.append(f"{name}: pack {d.get('pack')!r}")
        opts = d.get("options") or {}
        for c in m.categories:
            if c["required"] and opts.get(c["name"]) is None:
                bad.append(f"{name}: no {c['name']}")
        for cat, opt in opts.items():
            if opt is not None and (cat, opt) not in m.parts:
                bad.append(f"{name}: unknown option {cat}/{opt}")
        used_packs.add(d.get("pack"))
        used_opts |= {f"{c}/{o}" for c, o in opts.items() if o is not None}
    dev = result.get("developed") or {}
    if set(dev.get("options") or []) != used_opts:
        bad.append(f"developed options {dev.get('options')} != used {sorted(used_opts)}")
    if set(dev.get("packs") or []) != used_packs:
        bad.append(f"developed packs {dev.get('packs')} != used {sorted(used_packs)}")
    return bad


def answer(run: Run, context: str) -> dict:
    """`plan`'s JSON, after checking it exited 0 or 1 with one JSON object on standard output."""
    import pytest

    assert run.proc.returncode in (0, 1), context
    try:
        return run.json()
    except ValueError as e:
        pytest.fail(f"stdout is not one JSON object ({e}){context}")


def infeasible_problems(run: Run, cost_key: str) -> list[str]:
    """What is wrong with `plan`'s answer to a workbook that has no plan."""
    bad = []
    if run.proc.returncode != 1:
        bad.append(f"exit {run.proc.returncode}, not 1")
    result = run.json()
    if result.get("status") != "infeasible":
        bad.append(f"status {result.get('status')!r}")
    if result.get(cost_key) is not None:
        bad.append(f"{cost_key} {result.get(cost_key)!r}, not null")
    if not (isinstance(result.get("conflicts"), list) and result["conflicts"]):
        bad.append("no conflicts listed")
    return bad
