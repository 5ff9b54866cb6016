"""The plan in detail: Variants, Plants and Developed sheets (the cost by kind is on the Summary)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from models.data import PlanInput
from optimizer.report.charts import add_table_series, bar_chart
from optimizer.report.style import ONE_DECIMAL, PERCENT, SECTION_FONT, UNITS, YEN, Col, Line, print_setup, put, write_cards, write_table
from optimizer.text import horizon, units_per
from optimizer.solving.solve import Outcome


def write_variants(ws: Worksheet, inp: PlanInput, o: Outcome) -> None:
    """One column per variant (a card each): what it is, what the plan gives it, and its figures
    against each rule, so that the sheet prints one page wide however many categories there are."""
    r = inp.rules
    plan, ev = o.plan, o.evaluation
    names = [v.name for v in inp.variants]
    offered = {v.name: plan.variants[v.name].offered and v.name in ev.figures for v in inp.variants}

    def each(get) -> list[object]:
        return [get(v) if offered[v.name] else None for v in inp.variants]

    fig = lambda v: ev.figures[v.name]  # noqa: E731
    vp = lambda v: plan.variants[v.name]  # noqa: E731
    lines = [
        Line("brand", [v.brand for v in inp.variants]),
        Line("body style", [v.body_style for v in inp.variants]),
        Line("offered", ["yes" if offered[v.name] else "no" for v in inp.variants]),
        Line(units_per(inp), each(lambda v: vp(v).units), UNITS),
        Line("pack", each(lambda v: vp(v).pack)),
        *[Line(c.name, each(lambda v, c=c: vp(v).options.get(c.name, "—"))) for c in inp.categories],
        Line("mass (kg)", each(lambda v: fig(v).mass_kg), UNITS),
        Line("consumption (Wh/km)", each(lambda v: fig(v).consumption_wh_per_km), ONE_DECIMAL),
        Line("range (km)", each(lambda v: fig(v).range_km), ONE_DECIMAL),
        Line("range target (km)", [v.range_target_km for v in inp.variants], UNITS),
        Line(f"height (mm; at most {r.max_height_mm:,.0f})", each(lambda v: fig(v).height_mm), UNITS),
        Line(f"length (mm; at most {r.max_length_mm:,.0f})", each(lambda v: fig(v).length_mm), UNITS),
        Line(f"power (kW; cap {r.max_power_kw:g})", each(lambda v: fig(v).power_kw), ONE_DECIMAL),
        Line("min power (kW)", [v.min_power_kw for v in inp.variants], ONE_DECIMAL),
        Line("list unit cost (¥)", each(lambda v: fig(v).list_unit_cost_jpy), YEN),
        Line("unit cost ceiling (¥)", [v.max_unit_cost_jpy if v.max_unit_cost_jpy is not None else "none" for v in inp.variants], YEN),
        Line("plants (units a year)", each(lambda v: "; ".join(f"{k}: {u:,.0f}" for k, u in vp(v).plants.items()))),
    ]
    write_cards(ws, "variant", names, lines)
    print_setup(ws)


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
    print_setup(ws)


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
    print_setup(ws)
