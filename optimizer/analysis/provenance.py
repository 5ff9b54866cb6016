"""Where a report's numbers come from: input, versions, solver settings and effort."""

from __future__ import annotations

import datetime as _dt
import platform
from importlib import metadata

from optimizer.solving.case import Case


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """Package versions from their metadata (creating a Highs object would print its banner)."""
    return {
        "plan (kei-plan)": _version("kei-plan"),
        "Python": platform.python_version(),
        "Pyomo": _version("pyomo"),
        "HiGHS (highspy)": _version("highspy"),
        "openpyxl": _version("openpyxl"),
    }


def _solve(section: str, o, *, limit: bool = True) -> list[tuple[str, str, object]]:
    """How one solve went: its settings, status, cost, bound and effort."""
    return [
        *([(section, "time limit (s)", o.time_limit_s)] if limit else []),
        (section, "gap target", o.mip_rel_gap),
        (section, "status", o.status),
        (section, "HiGHS status", o.highs_status),
        (section, "total cost (¥)", o.total_cost_jpy),
        (section, "best bound (¥)", o.best_bound_jpy),
        (section, "gap", o.gap),
        (section, "branch-and-bound nodes", o.nodes),
    ]


def provenance(case: Case, report_path: str | None = None) -> list[tuple[str, str, object]]:
    """(section, label, value) rows, in reading order."""
    o, s, src = case.outcome, case.plan_input.settings, case.source
    rows: list[tuple[str, str, object]] = [
        ("input", "workbook", str(src.workbook)),
        ("input", "SHA-256", src.sha256),
        ("input", "scenario", src.scenario),
        ("input", "report written", _dt.datetime.now().astimezone().replace(microsecond=0).isoformat(sep=" ")),
        ("input", "report file", report_path or ""),
    ]
    rows += [("versions", k, v) for k, v in versions().items()]
    rows += [
        ("settings", "lifecycle_years", s.lifecycle_years),
        ("settings", "wh_per_km_per_kg", s.wh_per_km_per_kg),
        ("settings", "integer_units", "yes" if s.integer_units else "no"),
        ("settings", "cross_brand_sharing", "yes" if s.cross_brand_sharing else "no"),
        ("settings", "equity", ", ".join(f"{b} {x:.1%}" for b, x in s.equity) or "equal shares (no equity_<brand> setting)"),
    ]
    rows += _solve("solver", o)
    alone = case.baseline
    if alone is not None and alone is not o:  # what the saving from sharing and the Shapley split rest on
        rows += _solve("solver, without sharing", alone, limit=False)  # its limit, what the first left, is a timing
    for k in ("build", "handover", "solve"):
        if k in o.seconds:
            rows.append(("timings", f"{k} (s)", o.seconds[k]))
    if case.baseline is not None and case.baseline is not o:
        rows.append(("timings", "time limit without sharing (s)", case.baseline.time_limit_s))
        rows.append(("timings", "solve without sharing (s)", case.baseline.seconds.get("solve")))
    if o.size is not None:
        rows += [
            ("model size", "variables", o.size.variables),
            ("model size", "yes/no variables", o.size.binaries),
            ("model size", "integer variables", o.size.integers),
            ("model size", "constraints", o.size.constraints),
            ("model size", "nonzeros", o.size.nonzeros),
        ]
    return rows
