"""Plans and sweeps as pandas DataFrames, for analysts (Jupyter); docs/api.md has an example.

    from optimizer import api
    plan = api.solve("inputs/kei-jv.xlsx")            # one case, as `plan solve` solves it
    plan.variants(); plan.costs(); plan.developed()
    sweep = api.sweep("inputs/kei-jv.xlsx", samples=200, seed=1, jobs=2)
    sweep.cases(); sweep.tornado(); sweep.frequency()
    api.read_results("reports/kei-jv-monte-carlo.csv")

The same code as the CLI does the work (optimizer.pipeline, optimizer.sweeps.run); this module only
turns its results into DataFrames. pandas is needed here only (the `analysis` extra), and the CLI
never imports this module, so `plan` starts as fast without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.solving.case import Case
    from optimizer.sweeps.run import SweepOutcome


def _pandas():
    try:
        import pandas
    except ModuleNotFoundError:
        raise ModuleNotFoundError("optimizer.api needs pandas: pip install 'kei-plan[analysis]'") from None
    return pandas


def _workbook(workbook: str | Path | None) -> Path:
    if workbook is not None:
        return Path(workbook)
    from optimizer.cli import example_workbook

    return example_workbook()


@dataclass
class Plan:
    """One solved case. `case` holds everything the report shows (optimizer.solving.case.Case)."""

    case: Case
    report: Path | None = None

    @property
    def status(self) -> str:
        return self.case.outcome.status

    @property
    def total_cost_jpy(self) -> float | None:
        return self.case.outcome.total_cost_jpy

    def variants(self) -> pd.DataFrame:
        """One row per variant: offered, units a year, pack, plants, range, list unit cost, an
        option per category."""
        pd = _pandas()
        o, inp = self.case.outcome, self.case.plan_input
        rows = []
        for v in inp.variants:
            vp = o.plan.variants[v.name] if o.plan is not None else None
            fig = (
                o.evaluation.figures.get(v.name)
                if o.evaluation is not None and vp is not None and vp.offered
                else None
            )
            row = {
                "variant": v.name,
                "brand": v.brand,
                "body_style": v.body_style,
                "offered": bool(vp and vp.offered),
                "units": vp.units if vp else 0.0,
                "pack": vp.pack if vp else None,
                "range_km": fig.range_km if fig else None,
                "range_target_km": v.range_target_km,
                "list_unit_cost_jpy": fig.list_unit_cost_jpy if fig else None,
                "max_unit_cost_jpy": v.max_unit_cost_jpy,
                "plants": dict(vp.plants) if vp else {},
            }
            row.update({f"option: {c}": o_ for c, o_ in (vp.options.items() if vp else [])})
            rows.append(row)
        return pd.DataFrame(rows).set_index("variant")

    def costs(self) -> pd.DataFrame:
        """Lifecycle cost by kind (yen) and its share of the total."""
        pd = _pandas()
        ev = self.case.outcome.evaluation
        costs = dict(ev.costs) if ev is not None else {}
        total = sum(costs.values())
        return pd.DataFrame(
            {"cost_jpy": costs, "share": {k: v / total if total else None for k, v in costs.items()}}
        ).rename_axis("kind")

    def developed(self) -> pd.DataFrame:
        """Each development paid: item, kind (option, pack, top hat), for which brand (None: all), cost."""
        pd = _pandas()
        ev = self.case.outcome.evaluation
        rows = [
            {"item": d.item, "kind": d.kind, "brand": d.brand, "cost_jpy": d.cost_jpy}
            for d in (ev.developments if ev else [])
        ]
        return pd.DataFrame(rows, columns=["item", "kind", "brand", "cost_jpy"])


def solve(
    workbook: str | Path | None = None,
    scenario: str = "base",
    *,
    time_limit: float | None = None,
    gap: float | None = None,
    sharing_baseline: bool = True,
    report: str | Path | None = None,
) -> Plan:
    """Solve one case as `plan solve` does (InputError for a bad workbook); `report` writes its
    report too."""
    from optimizer.pipeline import load_input, solve_case

    source, inp, _warnings = load_input(_workbook(workbook), scenario)
    case = solve_case(
        source, inp, time_limit_s=time_limit, mip_rel_gap=gap, sharing_baseline=sharing_baseline
    )
    written = None
    if report is not None:
        from optimizer.report import write_report

        written = write_report(Path(report), case)
    return Plan(case, written)


@dataclass
class Sweep:
    """A finished sweep: its summary, the sweep workbook and the results file."""

    outcome: SweepOutcome

    @property
    def report(self) -> Path | None:
        return self.outcome.report

    @property
    def results(self) -> Path:
        return self.outcome.config.results

    def cases(self) -> pd.DataFrame:
        """One row per case of this sweep: each range's value (its first row's), status, cost, gap,
        solve seconds, and per variant its units a year (0: not offered) and pack."""
        from optimizer.sweeps.results import read_rows

        pd = _pandas()
        lines = {line.key: line for line in self.outcome.summary.lines()}
        records = {r.key: r.record for r in read_rows(self.results) if r.key in lines}
        names = self.outcome.inputs.ranges.names()
        variants = _variant_names(self.outcome)
        rows = []
        for line in sorted(lines.values(), key=lambda ln: ln.case):
            rec = records.get(line.key, {})
            row = {"case": line.case, "label": line.label}
            row.update({n: line.values[n][0] if n in line.values else None for n in names})
            row.update(
                status=line.status,
                total_cost_jpy=line.total_cost_jpy,
                gap=line.gap,
                seconds=line.seconds,
                key=line.key,
            )
            row.update({f"units: {v}": rec.get("offered", {}).get(v, 0.0) for v in variants})
            row.update({f"pack: {v}": rec.get("packs", {}).get(v) for v in variants})
            rows.append(row)
        return pd.DataFrame(rows).set_index("case")

    def tornado(self) -> pd.DataFrame:
        """One row per range, widest swing first: cost at each end and against the workbook."""
        pd = _pandas()
        if self.outcome.kind != "tornado":
            raise ValueError("a Monte Carlo sweep has no tornado: use cases() or frequency()")
        rows = [
            {
                "range": b.uncertainty.name,
                "low": b.low.values[0],
                "high": b.high.values[0],
                "cost_at_low_jpy": b.low.total_cost_jpy,
                "cost_at_high_jpy": b.high.total_cost_jpy,
                "delta_at_low_jpy": b.low.delta_jpy,
                "delta_at_high_jpy": b.high.delta_jpy,
                "swing_jpy": b.swing_jpy,
                "status_at_low": b.low.status,
                "status_at_high": b.high.status,
            }
            for b in self.outcome.summary.bars()
        ]
        return pd.DataFrame(rows).set_index("range")

    def frequency(self) -> pd.DataFrame:
        """Monte Carlo: the share of samples with a plan in which each variant is offered, each pack
        developed, each part or pack developed once for several brands."""
        pd = _pandas()
        if self.outcome.kind == "tornado":
            raise ValueError("a tornado has no frequencies: run a sweep with samples=N")
        s = self.outcome.summary
        rows = [
            {"what": what, "item": k, "share": v}
            for what, counter in (
                ("variant offered", s.offered),
                ("pack developed", s.packs),
                ("shared by brands", s.shared),
                ("developed", s.developed),
            )
            for k, v in s.shares(counter).items()
        ]
        return pd.DataFrame(rows, columns=["what", "item", "share"])

    def distribution(self) -> dict:
        """Monte Carlo: P10/P50/P90, mean, lowest and highest total cost (yen)."""
        s = self.outcome.summary
        return {**s.percentiles(), **s.stats(), "with_plan": s.with_plan, "solved": s.solved}


def _variant_names(outcome: SweepOutcome) -> list[str]:
    from optimizer.workbook.validate import validate

    return [v.name for v in validate(outcome.inputs.raw).plan_input.variants]


def sweep(
    workbook: str | Path | None = None,
    *,
    samples: int | None = None,
    seed: int = 0,
    scenario: str = "base",
    jobs: int | None = None,
    scheduler: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    out: str | Path | None = None,
    results: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
) -> Sweep:
    """Run a sweep as `plan sweep` does: a tornado, or with `samples` a Monte Carlo; `jobs` local
    processes or the cluster at `scheduler`. Writes the sweep workbook and the results file."""
    from optimizer.sweeps.command import default_names
    from optimizer.sweeps.engine import scheduler_address
    from optimizer.sweeps.progress import Progress
    from optimizer.sweeps.run import SweepConfig, run_sweep

    path = _workbook(workbook)
    report = Path(out) if out is not None else Path("reports") / default_names(path, scenario, samples)
    cfg = SweepConfig(
        workbook=path,
        out=report,
        results=Path(results) if results is not None else report.with_suffix(".csv"),
        scenario=scenario,
        samples=samples,
        seed=seed,
        time_limit_s=time_limit,
        mip_rel_gap=gap,
        jobs=jobs,
        scheduler=scheduler_address(scheduler) if jobs is None else None,
        resume=resume,
    )
    shown = Progress(lambda text: print(text, flush=True)) if progress else None
    return Sweep(run_sweep(cfg, progress=shown))


def read_results(path: str | Path) -> pd.DataFrame:
    """A results file as one row per line: key, case, label, status, cost, and the record's fields."""
    from optimizer.sweeps.results import read_rows

    pd = _pandas()
    rows = [
        {
            "key": r.key,
            "case": r.case,
            "label": r.label,
            **{f"value: {k}": v[0] for k, v in r.values.items()},
            **{k: v for k, v in r.record.items() if k not in ("cost_by_kind_jpy",)},
        }
        for r in read_rows(Path(path))
    ]
    return pd.DataFrame(rows)
