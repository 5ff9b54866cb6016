"""The plan's report workbook: what the plan is, what it costs, and against which limits."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from openpyxl import Workbook

from models.data import PlanInput
from models.plan import COST_KINDS
from optimizer.files import save_atomically
from optimizer.json_out import plan_json
from optimizer.kpis import case_kpis
from optimizer.pipeline import Case, Source
from optimizer.report.embedded import embed
from optimizer.report.style import (
    NOTE_FONT,
    ONE_DECIMAL,
    PERCENT,
    PERCENT_FINE,
    SECONDS,
    TITLE_FONT,
    UNITS,
    YEN,
    Col,
    key_values,
    put,
    write_table,
)
from optimizer.solve import Outcome


def write_report(path: Path, case: Case) -> Path:
    """Build the report and move it into place atomically."""
    wb = build_report(case, report_path=str(path))
    return save_atomically(path, wb.save, inputs=(case.source.workbook,))


def build_report(case: Case, report_path: str | None = None) -> Workbook:
    inp, outcome = case.plan_input, case.outcome
    wb = Workbook()
    _summary(wb.active, case)
    if outcome.plan is not None:
        _variants(wb.create_sheet("Variants"), inp, outcome)
        _developed(wb.create_sheet("Developed"), inp, outcome)
        _costs(wb.create_sheet("Costs"), outcome)
        _plants(wb.create_sheet("Plants"), inp, outcome)
    embed(wb, {"plan": plan_json(case, report_path), "kpis": case_kpis(case)})
    return wb


def _summary(ws, case: Case) -> None:
    inp, o, source = case.plan_input, case.outcome, case.source
    ws.title = "Summary"
    put(ws, 1, 1, "Kei EV platform plan").font = TITLE_FONT
    rows: list[tuple[str, object, str | None]] = [
        ("status", o.status, None),
        ("scenario", source.scenario, None),
        ("total cost (¥, lifecycle)", o.total_cost_jpy, YEN),
        ("best bound (¥)", o.best_bound_jpy, YEN),
        ("gap to proven optimum", o.gap, PERCENT_FINE),
        ("saving from cross-brand sharing (¥)", case.sharing_saving_jpy, YEN),
        ("solve time (s)", o.seconds.get("solve"), SECONDS),
        ("time limit (s)", o.time_limit_s, SECONDS),
        ("gap target", o.mip_rel_gap, PERCENT_FINE),
        ("solver status", o.highs_status, None),
        ("input workbook", str(source.workbook), None),
        ("input SHA-256", source.sha256, None),
        ("written", _dt.datetime.now().replace(microsecond=0).isoformat(sep=" "), None),
    ]
    if o.plan is not None and o.evaluation is not None:
        offered = o.plan.offered()
        rows.insert(3, ("variants offered", f"{len(offered)} of {len(inp.variants)}: {', '.join(offered)}", None))
        rows.insert(4, ("units a year", sum(o.plan.variants[v].units for v in offered), UNITS))
    r = key_values(ws, rows, first_row=3)
    if o.conflicts:
        r += 1
        put(ws, r, 1, "Why there is no plan").font = TITLE_FONT
        for text in o.conflicts:
            r += 1
            put(ws, r, 1, text)
    if o.warnings:
        r += 2
        for text in o.warnings:
            put(ws, r, 1, text).font = NOTE_FONT
            r += 1
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 70


def _variants(ws, inp: PlanInput, o: Outcome) -> None:
    r = inp.rules
    cats = [c.name for c in inp.categories]
    cols = [
        Col("variant"), Col("brand"), Col("body style"), Col("offered"), Col("units a year", UNITS), Col("pack"),
        *[Col(f"{c}") for c in cats],
        Col("mass (kg)", UNITS), Col("consumption (Wh/km)", ONE_DECIMAL),
        Col("range (km)", ONE_DECIMAL), Col("range target (km)", UNITS),
        Col("height (mm)", UNITS), Col("max height (mm)", UNITS),
        Col("length (mm)", UNITS), Col("max length (mm)", UNITS),
        Col("power (kW)", ONE_DECIMAL), Col("min power (kW)", ONE_DECIMAL), Col("power cap (kW)", ONE_DECIMAL),
        Col("list unit cost (¥)", YEN), Col("unit cost ceiling (¥)", YEN),
        Col("plants (units a year)"),
    ]
    rows = []
    for v in inp.variants:
        vp = o.plan.variants[v.name]
        f = o.evaluation.figures.get(v.name)
        head = [v.name, v.brand, v.body_style, vp.offered]
        if f is None:
            rows.append(head + [0.0, None] + [None] * len(cats) + [None] * 13 + [None])
            continue
        rows.append(
            head
            + [vp.units, vp.pack]
            + [vp.options.get(c, "—") for c in cats]
            + [
                f.mass_kg, f.consumption_wh_per_km, f.range_km, v.range_target_km,
                f.height_mm, r.max_height_mm, f.length_mm, r.max_length_mm,
                f.power_kw, v.min_power_kw, r.max_power_kw,
                f.list_unit_cost_jpy, v.max_unit_cost_jpy,
                ", ".join(f"{k}: {u:,.0f}" for k, u in vp.plants.items()),
            ]
        )
    write_table(ws, cols, rows)


def _developed(ws, inp: PlanInput, o: Outcome) -> None:
    ev = o.evaluation
    dev_by_item: dict[str, list] = {}
    for d in ev.developments:
        dev_by_item.setdefault(d.item, []).append(d)
    years = inp.settings.lifecycle_years
    cols = [
        Col("item"), Col("kind"), Col("developed for"), Col("development (¥)", YEN), Col("units a year", UNITS),
        Col("list price (¥)", YEN), Col("tier reached from (units a year)", UNITS), Col("unit price (¥)", YEN),
        Col(f"production over {years:g} years (¥)", YEN), Col("used by"),
    ]
    users: dict[str, list[str]] = {}
    for name, vp in o.plan.variants.items():
        if vp.offered:
            for c, opt in vp.options.items():
                users.setdefault(f"{c}/{opt}", []).append(name)
            if vp.pack:
                users.setdefault(vp.pack, []).append(name)
    rows = []
    for item, vol in sorted(ev.volumes.items(), key=lambda kv: (kv[1].kind != "pack", kv[0])):
        devs = dev_by_item.get(item, [])
        rows.append([
            item, vol.kind,
            "all brands" if any(d.brand is None for d in devs) else ", ".join(d.brand for d in devs),
            sum(d.cost_jpy for d in devs), vol.units, vol.list_price_jpy, vol.tier_min_units, vol.unit_price_jpy,
            years * vol.units * vol.unit_price_jpy, ", ".join(users.get(item, [])),
        ])
    write_table(ws, cols, rows)


def _costs(ws, o: Outcome) -> None:
    total = o.total_cost_jpy or 0.0
    rows = [[kind, o.evaluation.costs[kind], o.evaluation.costs[kind] / total if total else None] for kind in COST_KINDS]
    rows.append(["total", total, 1.0 if total else None])
    write_table(ws, [Col("cost kind"), Col("cost (¥)", YEN), Col("share", PERCENT)], rows)


def _plants(ws, inp: PlanInput, o: Outcome) -> None:
    ev = o.evaluation
    years = inp.settings.lifecycle_years
    cols = [
        Col("plant"), Col("capacity (units a year)", UNITS), Col("built (units a year)", UNITS), Col("utilisation", PERCENT),
        Col("lines set up (body styles)"), Col("line cost (¥)", YEN), Col("assembly per unit (¥)", YEN),
        Col(f"assembly over {years:g} years (¥)", YEN), Col("variants built (units a year)"),
    ]
    rows = []
    for k in inp.plants:
        built = ev.plant_units[k.name]
        styles = [s for p, s in ev.lines if p == k.name]
        variants = [(n, vp.plants[k.name]) for n, vp in o.plan.variants.items() if k.name in vp.plants]
        rows.append([
            k.name, k.capacity_units, built, built / k.capacity_units if k.capacity_units else None,
            ", ".join(styles), k.line_cost_jpy * len(styles), k.assembly_cost_jpy, years * k.assembly_cost_jpy * built,
            ", ".join(f"{n}: {u:,.0f}" for n, u in variants),
        ])
    write_table(ws, cols, rows)
