"""The object `plan sweep --json` prints (docs/cli.md, "plan sweep --json")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimizer.sweeps.run import SweepOutcome
    from optimizer.sweeps.summary import End


def sweep_json(outcome: SweepOutcome) -> dict:
    """Plain values only; nothing in it depends on time, the number of workers or --resume."""
    cfg, s = outcome.config, outcome.summary
    base = s.base.record if s.base is not None else None
    out: dict = {
        "sweep": outcome.kind,
        "workbook": str(cfg.workbook),
        "scenario": cfg.scenario,
        "cases": outcome.totals.cases,
        "base": _case(base),
        "ranges": [
            {
                "name": u.name,
                "rows": [
                    {
                        "row": r.number,
                        "low": r.low,
                        "high": r.high,
                        "most_likely": r.most_likely,
                        "distribution": r.distribution,
                    }
                    for r in u.rows
                ],
            }
            for u in outcome.inputs.ranges.uncertainties
        ],
        "report": str(outcome.report) if outcome.report is not None else None,
        "results": str(cfg.results),
    }
    if outcome.committed is not None:
        out["design"] = committed_json(outcome.committed)
    if outcome.kind == "pareto":
        out["pareto"] = pareto_json(outcome)
    elif outcome.kind == "tornado":
        out["tornado"] = [
            {"name": b.uncertainty.name, "swing_jpy": b.swing_jpy, "low": _end(b.low), "high": _end(b.high)}
            for b in s.bars()
        ]
    else:
        stats = s.stats()
        hist = s.histogram()
        out["monte_carlo"] = {
            "samples": cfg.samples,
            "seed": cfg.seed,
            "with_plan": s.with_plan,
            "statuses": dict(sorted(s.statuses.items())),
            **{f"{k}_jpy": v for k, v in s.percentiles().items()},
            **{f"{k}_jpy": v for k, v in stats.items()},
            "histogram": [
                {"from_jpy": lo, "to_jpy": hi, "samples": n}
                for lo, hi, n in zip(hist.edges, hist.edges[1:], hist.counts)
            ],
            "share_offered": s.shares(s.offered),
            "share_packs_developed": s.shares(s.packs),
            "share_shared_by_brands": s.shares(s.shared),
            "share_developed": s.shares(s.developed),
            "share_launch_year": s.launch_shares(),
            "without_plan": s.without_plan,
            "rules_broken": [
                {"rule": rule, "samples": n, "share": share, "example": example}
                for rule, n, share, example in s.broken_shares()
            ],
        }
    return out


def committed_json(c) -> dict:
    from optimizer.sweeps.design import design_json

    return {
        "report": str(c.report), "kind": c.kind, "cost_jpy": c.cost_jpy, "variants": design_json(c.design),
    }


def pareto_json(outcome: SweepOutcome) -> dict:
    s = outcome.summary
    return {
        "front": s.axis.name,
        "variant": s.axis.variant,
        "grid": s.grid.note if s.grid is not None else None,
        "points": [
            {
                "epsilon": p.epsilon,
                "status": p.status,
                "total_cost_jpy": p.total_cost_jpy,
                "developments": len(p.record.get("developed") or []) if p.has_plan else None,
                "range_km": (p.record.get("range_km") or {}).get(s.axis.variant) if s.axis.variant else None,
                "answered_by": p.answered_by,
                "dominated_by": p.dominated_by,
                **{k: p.record.get(k) for k in ("offered", "packs", "developed", "shared")},
                **({"launch": p.record.get("launch")} if "launch" in p.record else {}),
                **({"conflicts": p.record.get("conflicts")} if not p.has_plan else {}),
            }
            for p in s.points()
        ],
    }


def _case(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {
        k: record.get(k)
        for k in (
            "status",
            "total_cost_jpy",
            "best_bound_jpy",
            "gap",
            "offered",
            "packs",
            "developed",
            "shared",
            "launch",
        )
        if k in record or k != "launch"
    }


def _end(end: End) -> dict:
    return {
        "values": list(end.values),
        "status": end.status,
        "total_cost_jpy": end.total_cost_jpy,
        "delta_jpy": end.delta_jpy,
        "changes": end.changes,
        "broken": list(end.broken),
    }
