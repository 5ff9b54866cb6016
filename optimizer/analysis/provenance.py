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
        ("solver", "time limit (s)", o.time_limit_s),
        ("solver", "gap target", o.mip_rel_gap),
        ("solver", "status", o.status),
        ("solver", "HiGHS status", o.highs_status),
        ("solver", "total cost (¥)", o.total_cost_jpy),
        ("solver", "best bound (¥)", o.best_bound_jpy),
        ("solver", "gap", o.gap),
        ("solver", "branch-and-bound nodes", o.nodes),
    ]
    for k in ("build", "handover", "solve"):
        if k in o.seconds:
            rows.append(("timings", f"{k} (s)", o.seconds[k]))
    if case.baseline is not None and case.baseline is not o:
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
