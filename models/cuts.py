"""Valid inequalities that make the LP relaxation pay whole fixed costs, each kept because it won
by measurement. Implied by the rules for whole decisions, so they cut off only fractional ones.

demand_cover: a demand minimum D over variants S needs offered variants whose units can reach it,
so Σ over S of min(max units, D) × sells >= D (one variant able to sell D alone counts fully;
otherwise their maxima must add up).
line_cover: an offered variant's minimum units are built on set-up lines of its body style, so
Σ over plants of min(capacity, min units) × line >= min units × sells; likewise for a body style's
demand minimum.
line_load: a plant's line for a body style carries all its variants of that style, so their units
there add up to at most min(capacity, their maxima) × line (the per-variant links alone let the LP
pay a sliver of the line for each). Medium, 3 seeds: 31/57/>60 s -> 27/17/>60 s; large at 60 s:
gap 2.45/2.36/2.06 % -> 1.82/2.90/1.57 %.
"""

from __future__ import annotations

from models.demand import demand_rows
from models.plants import line_open
from models.rows import Rule

if False:  # pragma: no cover - typing only
    from models.build import PlatformModel


def define_cuts(pm: "PlatformModel") -> None:
    m, ch = pm.m, pm.choices
    demand, lines, load = {}, {}, {}
    for f, d, t, lo, _hi, _covered in demand_rows(pm):
        need = lo or 0.0
        members = [v for v, vc in ch.items() if d.covers(vc.variant) and (f, v, t) in m.units]
        if need > 0 and members:
            demand[(f, d.label, t)] = (
                need, sum(min(ch[v].max_units[(f, t)], need) * pm.sells(v, t) for v in members), None)
        if need > 0 and d.scope == "body_style":
            plants = [
                k for k in pm.future(f).plants
                if any(key[:3] == (f, k.name, d.name) for key in pm.line_idx)
            ]
            if plants:
                capacity = lambda k: k.capacity_units * pm.year(f, t).capacity_factor  # noqa: E731
                lines[(f, "body style", d.name, d.label, t)] = (
                    need,
                    sum(min(capacity(k), need) * line_open(pm, f, k.name, d.name, t) for k in plants),
                    None)
    for f, v, t in pm.units_idx:
        var = pm.variant(f, v)
        need = var.min_units * pm.year(f, t).demand_factor
        if need > 0:
            style = var.body_style
            cap = {k: pm.plant(f, k).capacity_units * pm.year(f, t).capacity_factor for k in ch[v].plants[f]}
            if cap:
                lines[(f, "variant", v, style, t)] = (
                    0,
                    sum(min(c, need) * line_open(pm, f, k, style, t) for k, c in cap.items())
                    - need * pm.sells(v, t),
                    None)
    members: dict[tuple, list] = {}
    for f, v, k, t in pm.built_idx:
        members.setdefault((f, k, ch[v].variant.body_style, t), []).append(m.built[f, v, k, t])
    for (f, k, st, t), built in members.items():
        if len(built) > 1:
            most = min(
                pm.plant(f, k).capacity_units * pm.year(f, t).capacity_factor, sum(x.ub for x in built)
            )
            load[(f, k, st, t)] = (None, sum(built) - most * line_open(pm, f, k, st, t), 0)
    pm.add("demand_cover", demand, lambda k: Rule(
        "demand", "demand", k[1], f"{k[1]} needs offered variants that can sell its minimum",
        year=k[2], future=k[0]))
    pm.add("line_load", load, lambda k: Rule(
        "plant line", "plants", k[1], f"plant {k[1]} builds {k[2]} variants only on a {k[2]} line",
        year=k[3], future=k[0]))
    pm.add("line_cover", lines, lambda k: Rule(
        "plant line", "plants", k[2], f"{k[1]} {k[2]} needs plant lines with capacity for its minimum units",
        year=k[-1], future=k[0]))
