"""The plan in detail: Variants, Developed, Costs and Plants sheets."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from models.data import PlanInput
from models.evaluate import COST_KINDS
from optimizer.report.charts import CHART_YEN_BN, add_table_series, bar_chart
from optimizer.text import horizon, units_per
from optimizer.report.style import ONE_DECIMAL, PERCENT, SECTION_FONT, TOTAL_FONT, UNITS, YEN, Col, print_setup, put, write_table
from optimizer.solving.solve import Outcome


def write_variants(ws: Worksheet, inp: PlanInput, o: Outcome) -> None:
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
    print_setup(ws, title_rows="1:1", fit_width=2)


def write_developed(ws: Worksheet, inp: PlanInput, o: Outcome) -> None:
    ev = o.evaluation
    dev_by_item: dict[str, list] = {}
    for d in ev.developments:
        dev_by_item.setdefault(d.item, []).append(d)
    cols = [
        Col("item"), Col("kind"), Col("developed for"), Col("development (¥)", YEN), Col(units_per(inp), UNITS),
        Col("list price (¥)", YEN), Col("tier reached from (units a year)", UNITS),
        Col("unit price (¥)" if not inp.years else "average unit price (¥)", YEN),
        Col(f"production {horizon(inp)} (¥)", YEN), Col("used by"),
    ]
    users: dict[str, list[str]] = {}
    for name, vp in o.plan.variants.items():
        if vp.offered:
            for c, opt in vp.options.items():
                users.setdefault(f"{c}/{opt}", []).append(name)
            if vp.pack:
                users.setdefault(vp.pack, []).append(name)
    production: dict[str, float] = {}  # what each item's production counts in the total
    for p in ev.periods:
        for item, x in p.volumes.items():
            production[item] = production.get(item, 0.0) + p.production_weight * x.units * x.unit_price_jpy
    rows = []
    for item, vol in sorted(ev.volumes.items(), key=lambda kv: (kv[1].kind != "pack", kv[0])):
        devs = dev_by_item.get(item, [])
        rows.append([
            item, vol.kind,
            "all brands" if any(d.brand is None for d in devs) else ", ".join(d.brand for d in devs),
            sum(d.cost_jpy for d in devs), vol.units, vol.list_price_jpy, vol.tier_min_units, vol.unit_price_jpy,
            production.get(item, 0.0), ", ".join(users.get(item, [])),
        ])
    write_table(ws, cols, rows)
    print_setup(ws, title_rows="1:1")


def write_costs(ws: Worksheet, o: Outcome, over: str) -> None:
    total = o.total_cost_jpy or 0.0
    rows = [[kind, o.evaluation.costs[kind], o.evaluation.costs[kind] / total if total else None] for kind in COST_KINDS]
    rows.append(["total", total, 1.0 if total else None])
    end = write_table(ws, [Col("cost kind", width=26), Col("cost (¥)", YEN), Col("share", PERCENT)], rows)
    for c in range(1, 4):
        ws.cell(row=end - 1, column=c).font = TOTAL_FONT
    ws.auto_filter.ref = None
    chart = bar_chart(f"Total cost by kind {over}", None, horizontal=True, number_format=CHART_YEN_BN, width=20, height=9)
    add_table_series(chart, ws, header_row=1, first_row=2, last_row=1 + len(COST_KINDS), category_col=1, first_col=2, last_col=2)
    chart.legend = None
    ws.add_chart(chart, f"A{end + 2}")
    print_setup(ws, landscape=False)


def write_plants(ws: Worksheet, inp: PlanInput, o: Outcome) -> None:
    ev = o.evaluation
    per = units_per(inp)
    cols = [
        Col("plant"), Col("capacity (units a year)", UNITS), Col(f"built ({per})", UNITS), Col("utilisation", PERCENT),
        Col("lines set up (body styles)"), Col("line cost (¥)", YEN), Col("assembly per unit (¥)", YEN),
        Col(f"assembly {horizon(inp)} (¥)", YEN), Col(f"variants built ({per})"),
    ]
    rows = []
    for k in inp.plants:
        built = ev.plant_units[k.name]
        styles = [s for p, s in ev.lines if p == k.name]
        variants = [(n, vp.plants[k.name]) for n, vp in o.plan.variants.items() if k.name in vp.plants]
        capacity = sum(k.capacity_units * y.capacity_factor for y in inp.periods)
        assembly = sum(p.production_weight * k.assembly_cost_jpy * p.plant_units[k.name] for p in ev.periods)
        rows.append([
            k.name, k.capacity_units, built, built / capacity if capacity else None,
            ", ".join(styles), k.line_cost_jpy * len(styles), k.assembly_cost_jpy, assembly,
            ", ".join(f"{n}: {u:,.0f}" for n, u in variants),
        ])
    end = write_table(ws, cols, rows)

    # Units by variant and plant: a small matrix, the data of the chart below it.
    offered = [v.name for v in inp.variants if o.plan.variants[v.name].offered]
    r = end + 1
    put(ws, r, 1, f"{per[0].upper()}{per[1:]} by variant and plant").font = SECTION_FONT
    header = r + 1
    matrix_cols = [Col("variant")] + [Col(k.name, UNITS) for k in inp.plants] + [Col("total", UNITS)]
    matrix = [[n] + [o.plan.variants[n].plants.get(k.name, 0.0) for k in inp.plants] + [o.plan.variants[n].units] for n in offered]
    after = write_table(ws, matrix_cols, matrix, first_row=header, freeze=False)
    ws.auto_filter.ref = f"A1:I{1 + len(rows)}"
    if matrix:
        chart = bar_chart(f"{per[0].upper()}{per[1:]} by variant and plant", per, stacked=True, number_format="#,##0", width=20, height=9)
        add_table_series(chart, ws, header_row=header, first_row=header + 1, last_row=after - 1, category_col=1, first_col=2, last_col=1 + len(inp.plants))
        ws.add_chart(chart, f"A{after + 1}")
    print_setup(ws, title_rows="1:1")
