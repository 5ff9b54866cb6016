"""The plan's report workbook, in the order a planner reads it: the conclusion (Summary), why the
plan is what it is (What limits the plan, Kei compliance), what it costs and who pays (Cost per
car, Who pays, Sharing), the plan in detail, and where the numbers come from (Provenance).

Analysis (optimizer.analysis) computes; the modules here only lay out, through style.put."""

from __future__ import annotations

import importlib
from pathlib import Path

from openpyxl import Workbook

from optimizer.analysis.analyse import CaseAnalysis, analyse
from optimizer.files import save_atomically
from optimizer.report.json_out import plan_json
from optimizer.analysis.kpis import case_kpis
from optimizer.solving.case import Case
from optimizer.text import horizon
from optimizer.report.allocation import write_who_pays
from optimizer.report.compliance import write_compliance
from optimizer.report.cost_per_car import write_cost_per_car
from optimizer.report.embedded import embed
from optimizer.report.limits import write_limits
from optimizer.report.plan_sheets import write_developed, write_plants, write_variants
from optimizer.report.programme import write_programme
from optimizer.report.provenance import write_provenance
from optimizer.report.sharing import write_sharing
from optimizer.report.style import finish_printing
from optimizer.report.summary import write_summary


def write_report(path: Path, case: Case, analysis: CaseAnalysis | None = None) -> Path:
    """Build the report and move it into place atomically (analysis: the case's own by default)."""
    wb = build_report(case, report_path=str(path), analysis=analysis or case.analysis)
    return save_atomically(path, wb.save, inputs=(case.source.workbook,))


def build_report(case: Case, report_path: str | None = None, analysis: CaseAnalysis | None = None) -> Workbook:
    """`analysis` defaults to `analyse(case)` (LP marginals and small what-if MIPs)."""
    inp, o = case.plan_input, case.outcome
    analysis = analysis if analysis is not None else analyse(case)
    wb = Workbook()
    summary = wb.active
    if o.plan is not None and o.evaluation is not None:
        over = horizon(inp)
        if inp.years:
            write_programme(wb.create_sheet("Programme"), inp, o.plan, o.evaluation)
        write_limits(wb.create_sheet("What limits the plan"), analysis.limits)
        write_compliance(wb.create_sheet("Kei compliance"), analysis.checks)
        write_cost_per_car(wb.create_sheet("Cost per car"), inp, analysis.cars, o.evaluation.total_cost_jpy)
        if analysis.pays is not None:
            write_who_pays(wb.create_sheet("Who pays"), analysis.pays, over)
        if analysis.sharing is not None:
            write_sharing(wb.create_sheet("Sharing"), analysis.sharing, case)
        write_variants(wb.create_sheet("Variants"), inp, o)
        write_plants(wb.create_sheet("Plants"), inp, o)
        write_developed(wb.create_sheet("Developed"), inp, o)
    else:
        _diagnosis(wb, case)
    write_provenance(wb.create_sheet("Provenance"), case, report_path)
    write_summary(summary, case, analysis)
    finish_printing(wb)
    embed(wb, {"plan": plan_json(case, report_path), "kpis": case_kpis(case)})
    return wb


def _diagnosis(wb: Workbook, case: Case) -> None:
    """The Diagnosis sheet (optimizer.report.diagnosis, issue 5) when there is no plan."""
    try:
        module = importlib.import_module("optimizer.report.diagnosis")
    except ModuleNotFoundError as exc:
        if exc.name != "optimizer.report.diagnosis":
            raise
        return
    module.write_diagnosis(wb.create_sheet("Diagnosis"), case)
