"""The robust plan in a steering committee's words: what it commits to, what each future costs with it
against that future's own best plan, what betting on one future's design would cost, and what the
insurance against the other futures costs — each figure with how sure it is.

Every future's own optimum and every bet is a solve of its own under the command's time limit: a
figure that rests on one that stopped before its proof is known only to lie in the range the
bounds allow (optimizer.analysis.certainty), and is shown with that range. A future's cost with the
committed design is the evaluation of a plan, exact; the robust solve's bound brackets the
expected cost (the least expected cost, with `--robust`; the least worst cost with `worst`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.evaluate import list_cost_in
from optimizer.analysis.certainty import (
    OPTIMAL, Bracket, between, caveat, cost_bracket, difference, percent, signed_yen,
)

if TYPE_CHECKING:  # the pipeline imports the solver stack; the analysis only reads its results
    from optimizer.pipeline import RobustCase

BASE = "base"
CANNOT = "cannot serve"


def exact(x: float) -> Bracket:
    """A figure computed from a plan, not from a solve's proof (a cost with a fixed plan)."""
    return Bracket(x, x, x, True, abs(x))


def weighted_sum(parts: list[tuple[float, Bracket]]) -> Bracket:
    """Σ weight × figure, each figure within its own range."""
    def total(side):
        values = [side(b) for _w, b in parts]
        return None if any(v is None for v in values) else sum(w * v for (w, _b), v in zip(parts, values))

    return Bracket(total(lambda b: b.value), total(lambda b: b.low), total(lambda b: b.high),
                   all(b.proven for _w, b in parts), max((b.scale for _w, b in parts), default=0.0))


@dataclass(frozen=True)
class FutureFigures:
    name: str
    probability: float
    cost_jpy: float  # with the committed design (a plan: exact)
    own: Bracket | None  # the future's own optimum
    regret: Bracket | None  # cost − own optimum


@dataclass(frozen=True)
class BetFigures:
    """One future's own design committed to in every future (units re-optimised); futures whose
    own designs are the same design share one."""

    designs_of: tuple[str, ...]  # the futures whose own optimum this design is
    proven_best: bool  # the design is each of those futures' proven optimum (else the best found)
    costs: dict[str, Bracket | None]  # future -> its cost with the design; None: cannot serve
    broken: dict[str, list[str]]  # future -> the rules the design breaks there
    expected: Bracket | None  # None when it cannot serve some future
    worst_jpy: float | None
    versus_robust: Bracket | None  # its expected cost minus the robust plan's (what the bet loses)

    @property
    def label(self) -> str:
        return f"{'best' if self.proven_best else 'best found'} for {_and(list(self.designs_of))}"


@dataclass(frozen=True)
class CommittedCar:
    """An offered variant of the committed design and its tightest margins over every future."""

    variant: str
    brand: str
    pack: str | None
    launch_year: str | None
    range_km: float  # where its margin to the range target is least
    target_km: float
    target_in: str  # the future(s) asking that target, or "every future"
    cost_jpy: float | None  # list unit cost where its margin to the ceiling is least (None: no ceiling)
    ceiling_jpy: float | None
    ceiling_in: str  # the future (and year) of that least margin


@dataclass(frozen=True)
class RobustReading:
    reference: str  # the future whose own plan is "the base plan"
    expected: Bracket
    worst_jpy: float
    worst_future: str
    expected_own: Bracket | None  # Σ probability × each future's own optimum (None: one is missing)
    evpi: Bracket | None
    futures: list[FutureFigures]
    bets: list[BetFigures]
    cars: list[CommittedCar]

    def bet(self, future: str) -> BetFigures | None:
        return next((b for b in self.bets if future in b.designs_of), None)


def read_robust(case: RobustCase) -> RobustReading | None:
    """The figures of a robust plan (None when there is none)."""
    o = case.outcome
    if o.expected_cost_jpy is None or not o.futures or any(r.cost_jpy is None for r in o.futures):
        return None
    names = [f.name for f in case.futures]
    reference = BASE if BASE in names else names[0]
    futures = []
    for r in o.futures:
        own = cost_bracket(r.own)
        futures.append(FutureFigures(r.name, r.probability, r.cost_jpy, own,
                                     None if own is None else difference(exact(r.cost_jpy), own)))
    if o.objective == "expected":
        expected = Bracket(o.expected_cost_jpy, o.best_bound_jpy, o.expected_cost_jpy, o.status == OPTIMAL,
                           abs(o.expected_cost_jpy))
    else:  # the bound is on the worst cost; the expected cost is that of the plan
        expected = exact(o.expected_cost_jpy)
    owns = [(f.probability, f.own) for f in futures]
    expected_own = None if any(b is None for _p, b in owns) else weighted_sum(owns)
    worst = max(o.futures, key=lambda r: r.cost_jpy)
    return RobustReading(reference, expected, worst.cost_jpy, worst.name, expected_own,
                         difference(expected, expected_own), futures, [_bet(case, g, expected) for g in _same_designs(o.bets)],
                         _cars(case))


def _same_designs(bets: list) -> list[list]:
    """The bets grouped by design: several futures' own optima may be one design (a price war that
    leaves the base plan under every ceiling), which the planner should read once."""
    groups: list[list] = []
    for b in bets:
        group = next((g for g in groups if g[0].design == b.design), None)
        if group is None:
            groups.append([b])
        else:
            group.append(b)
    return groups


def _bet(case: RobustCase, group: list, robust: Bracket) -> BetFigures:
    """A design in every future: in a future whose own optimum it is, that own optimum."""
    probability = {f.name: f.probability for f in case.futures}
    names = tuple(b.design_of for b in group)
    outcomes = {f.name: (group[names.index(f.name)] if f.name in names else group[0]).outcomes.get(f.name)
                for f in case.futures}
    costs = {f: cost_bracket(x) for f, x in outcomes.items()}
    broken = {f: [_rule(c) for c in x.conflicts] for f, x in outcomes.items() if x is not None and x.total_cost_jpy is None}
    served = all(c is not None for c in costs.values())
    expected = weighted_sum([(probability[f], c) for f, c in costs.items()]) if served else None
    proven = all(b.outcomes.get(b.design_of) is not None and b.outcomes[b.design_of].status == OPTIMAL for b in group)
    return BetFigures(names, proven, costs, broken, expected,
                      max(c.value for c in costs.values()) if served else None, difference(expected, robust))


# Where each rule a design can break is written in the workbook (models.evaluate's sentences).
RULE_CELLS = (
    (re.compile(r": range .* below target"), "variants sheet, range_target_km"),
    (re.compile(r": power .* below its minimum"), "variants sheet, min_power_kw"),
    (re.compile(r": list unit cost .* above its ceiling"), "variants sheet, max_unit_cost_jpy"),
    (re.compile(r": pack .* longer than its bay"), "variants sheet, pack_bay_mm"),
    (re.compile(r" must be offered but is not"), "variants sheet, must_offer"),
    (re.compile(r": launches in .* outside its window"), "variants sheet, launch_from and launch_by"),
    (re.compile(r": power .* above the cap"), "rules sheet, max_power_kw"),
    (re.compile(r": height .* above"), "rules sheet, max_height_mm"),
    (re.compile(r": length .* above"), "rules sheet, max_length_mm"),
    (re.compile(r": width .* above"), "rules sheet, max_width_mm"),
    (re.compile(r": .* seats above"), "rules sheet, max_seats"),
    (re.compile(r": payload .* above"), "rules sheet, max_payload_kg"),
    (re.compile(r" is not obeyed$"), "locks sheet"),
)


def _rule(conflict: str) -> str:
    """A broken rule in a sentence: 'variant Honda hatch: range 181.6 km below target 210 km'."""
    prefix = "The design breaks a rule: "
    return (conflict[len(prefix):] if conflict.startswith(prefix) else conflict).rstrip(".")


def _cell(rule: str) -> str | None:
    if "sheet" in rule:
        return None  # the sentence says where already
    return next((cell for pattern, cell in RULE_CELLS if pattern.search(rule)), None)


def rules_text(rules: list[str]) -> str:
    """Broken rules in one sentence, each run of rules set in the same workbook column followed by
    it once: 'variant A: range ... ; variant B: range ... (variants sheet, range_target_km)'."""
    out: list[str] = []
    for i, rule in enumerate(rules):
        cell = _cell(rule)
        last = i + 1 == len(rules) or _cell(rules[i + 1]) != cell
        out.append(f"{rule} ({cell})" if cell and last else rule)
    return "; ".join(out)


def _cars(case: RobustCase) -> list[CommittedCar]:
    o = case.outcome
    plan = o.futures[0].plan
    inp = case.futures[0].inp
    out = []
    for v in inp.variants:
        vp = plan.variants[v.name]
        if not vp.offered:
            continue
        ranges, ceilings = [], []
        for fut, r in zip(case.futures, o.futures):
            mine, fig = fut.inp.variant(v.name), r.evaluation.figures[v.name]
            ranges.append((fig.range_km - mine.range_target_km, fut.name, fig.range_km, mine.range_target_km))
            if mine.max_unit_cost_jpy is None:
                continue
            names = [y.name for y in fut.inp.periods]
            start = names.index(vp.launch_year) if vp.launch_year in names else 0
            for y in fut.inp.periods[start:]:
                cost, ceiling = list_cost_in(mine, fig, y), mine.max_unit_cost_jpy * y.ceiling_factor
                ceilings.append((ceiling - cost, fut.name, y.name, cost, ceiling))
        least = min(ranges)
        target_in = _where([f for m, f, *_ in ranges if m <= least[0] + 0.05], len(case.futures))
        cost = ceiling = None
        ceiling_in = "no ceiling"
        if ceilings:
            tight = min(ceilings)
            cost, ceiling = tight[3], tight[4]
            where = _where(list(dict.fromkeys(f for m, f, *_ in ceilings if m <= tight[0] + 1.0)), len(case.futures))
            ceiling_in = f"{where}, {tight[2]}" if tight[2] else where
        out.append(CommittedCar(v.name, v.brand, vp.pack, vp.launch_year if inp.years else None, least[2], least[3],
                                target_in, cost, ceiling, ceiling_in))
    return out


def _where(futures: list[str], count: int) -> str:
    return "every future" if len(futures) == count and count > 1 else ", ".join(futures)


# ---- sentences ---------------------------------------------------------------------------------


def span(b: Bracket) -> str:
    """A range in few characters, '¥492.69–496.22 bn' (else as certainty.between says it)."""
    if b.low is not None and b.high is not None and min(b.low, b.high) >= 1e9:
        return f"¥{b.low / 1e9:,.2f}–{b.high / 1e9:,.2f} bn"
    return between(b)


def sure(b: Bracket | None, what: str) -> str:
    """' (not proven: the premium is between ¥a and ¥b)' when a figure is not certain, else ''."""
    text = caveat(b, what)
    return f" ({text})" if text else ""


def design_changes(inp, before, after) -> list[str]:
    """What `after` does differently from `before`, the same change on several cars said once:
    'pack 20 kWh NMC → 25 kWh NMC on Honda hatch and Mitsubishi hatch'."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for v in inp.variants:
        b, a = before.variants[v.name], after.variants[v.name]
        if b.offered != a.offered:
            grouped.setdefault(("adds" if a.offered else "drops", "", ""), []).append(v.name)
            continue
        if not a.offered:
            continue
        if a.pack != b.pack:
            grouped.setdefault(("pack", b.pack or "none", a.pack or "none"), []).append(v.name)
        for c in sorted(set(a.options) | set(b.options)):
            if a.options.get(c) != b.options.get(c):
                grouped.setdefault((c, b.options.get(c, "none"), a.options.get(c, "none")), []).append(v.name)
        if a.launch_year != b.launch_year:
            grouped.setdefault(("launch", b.launch_year or "—", a.launch_year or "—"), []).append(v.name)
    out = []
    for (what, old, new), cars in grouped.items():
        names = _and(cars)
        out.append(f"{what} {names}" if what in ("adds", "drops") else f"{what} {old} → {new} on {names}")
    return out


def _rules(rules: list[str]) -> str:
    """'variant X: range 181.6 km below target 210 km (variants sheet, range_target_km)' or
    '4 rules, the first variant X: ...'."""
    first = rules_text(rules[:1])
    return first if len(rules) == 1 else f"{len(rules)} rules, the first {first}"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def conclusion(case: RobustCase, reading: RobustReading | None) -> list[str]:
    """The Summary's sentences: the commitment, what it does differently from the base plan and
    what that insurance costs, the futures' spread, and what knowing the future would be worth."""
    o = case.outcome
    if reading is None:
        return _no_plan(o)
    inp = case.futures[0].inp
    cars = "; ".join(f"{c.variant} ({c.pack}" + (f", launching {c.launch_year}" if c.launch_year else "") + ")"
                     for c in reading.cars)
    out = [f"The plan commits, in every future, to {len(reading.cars)} cars: {cars}."]
    out += _insurance(case, reading, inp)
    if o.objective == "worst":
        out.append(f"It keeps the dearest future, {reading.worst_future}, at {signed_yen(reading.worst_jpy)}; its expected "
                   f"cost is {signed_yen(reading.expected.value)}.")
    elif all(abs(f.cost_jpy - reading.worst_jpy) <= 1.0 for f in reading.futures):
        out.append(f"It costs {signed_yen(reading.worst_jpy)} in every future"
                   f"{sure(reading.expected, 'the least expected cost')}.")
    else:
        out.append(f"Its expected cost is {signed_yen(reading.expected.value)}{sure(reading.expected, 'the least expected cost')}; "
                   f"the dearest future, {reading.worst_future}, costs {signed_yen(reading.worst_jpy)}.")
    if reading.evpi is not None and reading.evpi.certain and abs(reading.evpi.value) < 1.0:
        out.append("Knowing in advance which future comes would be worth nothing (EVPI ¥0): the plan costs in each "
                   "future what that future's own best plan costs.")
    elif reading.evpi is not None:
        out.append(f"Knowing in advance which future comes would be worth {signed_yen(reading.evpi.value)} (EVPI)"
                   f"{sure(reading.evpi, 'the EVPI')}: the most it is worth paying to find out before committing.")
    if o.status != OPTIMAL:
        out.append(f"The robust plan is not proven the cheapest: its search stopped at the time limit "
                   f"{percent(o.gap)} from proven; the figures are those of the best plan found.")
    unproven = [f.name for f in reading.futures if f.own is not None and not f.own.proven]
    if unproven:
        out.append(f"The own {'optimum' if len(unproven) == 1 else 'optima'} of {_and(unproven)} "
                   f"{'is' if len(unproven) == 1 else 'are'} not proven (time limit): figures resting on "
                   f"{'it' if len(unproven) == 1 else 'them'} are given with the range the bounds allow.")
    return out


SHOWN_CONFLICTS = 6  # on the one-page Summary; the Diagnosis sheet has them all


def _no_plan(o) -> list[str]:
    """Why there is no robust plan: the futures and rules that conflict, one a paragraph, then the
    changes that give a plan (the Diagnosis sheet gives each one's sheet, row and column)."""
    if o.status == "unknown" or not o.conflicts:
        return list(o.conflicts) or ["No plan was found for every future."]
    d = o.diagnosis
    if d is None or not d.moves:
        return ["No single design serves every future:"] + _first(list(o.conflicts))
    why = [f.text for f in d.findings]
    out = ["No single design serves every future" + (":" if why else ".")] + _first(why, SHOWN_CONFLICTS // 2)
    out.append(f"{d.summary()} The Diagnosis sheet gives each rule's sheet, row and column:")
    return out + _first([m.text for m in d.moves], SHOWN_CONFLICTS - min(len(why), SHOWN_CONFLICTS // 2))


def _first(texts: list[str], most: int = SHOWN_CONFLICTS) -> list[str]:
    """At most `most` paragraphs: the last says how many more the Diagnosis sheet has."""
    if len(texts) <= most:
        return texts
    return texts[:most - 1] + [f"And {len(texts) - most + 1} more on the Diagnosis sheet."]


def _insurance(case: RobustCase, reading: RobustReading, inp) -> list[str]:
    ref = reading.reference
    bet = reading.bet(ref)
    own = next(r for r in case.outcome.futures if r.name == ref).own
    if bet is None or own is None or own.plan is None:
        return []
    base_plan = f"the {ref} plan (the design {'best' if own.status == OPTIMAL else 'best found'} for {ref} alone)"
    changes = design_changes(inp, own.plan, case.outcome.futures[0].plan)
    if not changes:
        return [f"It is {base_plan}: no insurance is needed against the other futures."]
    out = [f"Against {base_plan} it changes {'; '.join(changes)}."]
    if bet.broken:
        why = "; ".join(f"in {f} it breaks {_rules(rules)}" for f, rules in bet.broken.items())
        out.append(f"The {ref} plan cannot serve {_and(list(bet.broken))} at all: {why}. The change is what makes the "
                   "plan stand in every future.")
    mine = next(f for f in reading.futures if f.name == ref)
    if mine.regret is not None:
        premium = (f"That insurance costs {signed_yen(mine.regret.value)} if {ref} comes: {signed_yen(mine.cost_jpy)} "
                   f"against the {ref} plan's {signed_yen(mine.own.value)}{sure(mine.regret, 'the premium')}")
        if bet.versus_robust is not None:
            saved = bet.versus_robust
            premium += (f", and saves {signed_yen(saved.value)} in expectation{sure(saved, 'the saving')}"
                        if saved.value >= 0 else f", and costs {signed_yen(-saved.value)} more in expectation")
        out.append(premium + ".")
    return out
