"""`plan sweep --design REPORT.xlsx`: the design a report commits to, read from its embedded JSON
and checked against the workbook swept.

A design is what a plan decides once (the variants offered, each one's options, pack and, with a
years sheet, launch year); units, plants and lines are re-planned in every case of the sweep. The
report may be a plan's (`plan solve`) or a robust plan's (`plan solve --robust`, whose design is
the one common to every future). A design that names anything the workbook does not have (a
variant, a category, an option, a pack, a year) is refused before anything is solved: that is a
report of another workbook. A design that fits but breaks a rule in some case is what the sweep
is for: that case cannot serve, and the sweep counts it with the rule.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from models.data import PlanInput
from models.plan import Design, DesignChoice
from optimizer.problems import InputError, Problem

OPTION = "--design"


@dataclass(frozen=True)
class Committed:
    """The design of a report, with where it came from."""

    design: Design
    report: Path
    kind: str  # "plan" (plan solve) or "robust" (plan solve --robust)
    status: str
    cost_jpy: float | None  # the report's total cost (expected cost for a robust plan)
    workbook: str | None  # the workbook the report was written from, when it says
    workbook_sha256: str | None

    @property
    def key(self) -> str:
        """A hash of the design alone: part of the key of every case that keeps it."""
        return hashlib.sha256(json.dumps(design_json(self.design), sort_keys=True).encode()).hexdigest()

    def describe(self) -> str:
        """e.g. "the design of the plan in kei.xlsx (4 variants offered)"."""
        what = "robust plan" if self.kind == "robust" else "plan"
        n = len(self.design.offered)
        return f"the design of the {what} in {self.report.name} ({n} variant{'s' if n != 1 else ''} offered)"


def design_json(design: Design) -> dict:
    return {
        name: {"pack": c.pack, "options": dict(sorted(c.options.items())), "launch_year": c.launch_year}
        for name, c in sorted(design.offered.items())
    }


def read_committed(path: Path, inp: PlanInput, workbook_sha256: str) -> tuple[Committed, list[Problem]]:
    """The report's design and warnings (another workbook's report, variants it does not know).
    Raises InputError (exit 2) for a file that is not a report, a report without a plan, and a
    design that does not fit the workbook, listing every misfit."""
    from optimizer.report.embedded import read_design_source

    path = Path(path)
    try:
        data = read_design_source(path)
    except InputError as err:
        raise InputError([_about_file(p, path) for p in err.problems]) from None
    if "robust" in data:
        body, kind = data["robust"], "robust"
        cost, workbook, sha = body.get("expected_cost_jpy"), None, None
    else:
        body, kind = data["plan"], "plan"
        kpis = data["kpis"]
        cost, workbook, sha = body.get("total_cost_jpy"), kpis.get("workbook"), kpis.get("workbook_sha256")
    status = str(body.get("status") or "")
    if status not in ("optimal", "feasible"):
        raise InputError([_problem(
            path, f"the report has no plan (status {status or 'unknown'}): there is no design to keep",
            "Give the report of a case that has a plan.",
        )])
    design, problems = _design(body.get("variants") or {}, inp, path)
    if problems:
        raise InputError(problems)
    warnings = []
    if sha is not None and sha != workbook_sha256:
        warnings.append(_problem(
            path, f"the report was written from {workbook or 'another workbook'}, not from this workbook "
            "as it is now: its design is kept, everything else is this workbook's",
        ))
    missing = [v.name for v in inp.variants if v.name not in (body.get("variants") or {})]
    if missing:
        warnings.append(_problem(
            path, f"the report does not know variant{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
            "the design does not offer them",
        ))
    return Committed(design, path, kind, status, cost, workbook, sha), warnings


def _design(variants: dict, inp: PlanInput, path: Path) -> tuple[Design, list[Problem]]:
    """The design of the report's variants, and every way it does not fit the workbook."""
    from optimizer.workbook.checker import did_you_mean

    problems: list[Problem] = []
    names = [v.name for v in inp.variants]
    years = [y.name for y in inp.years]
    offered: dict[str, DesignChoice] = {}
    for name, entry in variants.items():
        if not entry.get("offered"):
            continue
        if name not in names:
            problems.append(_problem(
                path,
                f"the design offers variant {name!r}, which the workbook's variants sheet does not have",
                did_you_mean(name, names) or _OTHER,
            ))
            continue
        options = {c: o for c, o in (entry.get("options") or {}).items() if o is not None}
        pack, launch = entry.get("pack"), entry.get("launch_year")
        problems += [_problem(path, text, hint) for text, hint in _misfits(inp, name, options, pack, launch)]
        offered[name] = DesignChoice(pack, options, launch if years else None)
    return Design(offered), problems


def _misfits(inp: PlanInput, name: str, options: dict, pack, launch) -> list[tuple[str, str]]:
    """(message, hint) for each choice of variant `name` that the workbook does not have."""
    from optimizer.workbook.checker import did_you_mean

    def unknown(what: str, value, known: list[str], sheet: str) -> tuple[str, str]:
        text = f"variant {name} {what} {value!r}, which the workbook's {sheet} sheet does not have"
        return text, did_you_mean(str(value), known) or _OTHER

    out = []
    categories = [c.name for c in inp.categories]
    for category, option in options.items():
        if category not in categories:
            out.append(unknown("takes an option of category", category, categories, "categories"))
            continue
        known = [p.option for p in inp.options_of(category)]
        if option not in known:
            out.append(unknown(f"takes {category} option", option, known, "parts"))
    out += [
        (f"variant {name} takes no {c.name} option, and the workbook requires one (categories sheet)", _OTHER)
        for c in inp.categories
        if c.required and c.name not in options
    ]
    packs = [p.name for p in inp.packs]
    if pack not in packs:
        out.append(unknown("carries pack", pack, packs, "packs"))
    years = [y.name for y in inp.years]
    if years and launch is None:
        out.append((
            f"the design does not say when variant {name} launches, and the workbook is a programme "
            "(years sheet)",
            "Give a report written from a workbook with this years sheet.",
        ))
    elif years and launch not in years:
        out.append(unknown("launches in", launch, years, "years"))
    elif not years and launch is not None:
        out.append((
            f"variant {name} launches in {launch}, and the workbook has no years sheet",
            "Give a report written from a workbook without a years sheet, or add the years.",
        ))
    return out


_OTHER = "The report was written from another workbook: give a report of this one, or make the names agree."


def _problem(path: Path, message: str, hint: str = "") -> Problem:
    return Problem(None, None, OPTION, str(path), message, hint)


def _about_file(problem: Problem, path: Path) -> Problem:
    """The refusal of a file that is not a report, saying what it is (a sweep workbook, a planning
    workbook) and that --design wants a report."""
    from dataclasses import replace

    from optimizer.report.compare import explained

    said = explained(problem, path)
    hint = "Give a report written by plan solve or plan solve --robust."
    return replace(said, column=OPTION, value=str(path), hint=hint if said.hint else said.hint)
