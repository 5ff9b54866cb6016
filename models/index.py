"""The index sets of the model: what each variant may choose, when it may launch, where it may be
built and how many it may sell — after exact deductions.

Deductions are exact: a part, pack, launch year or variant is left out only when it breaks a rule
on its own, since every contribution a choice adds (mass, power, height, length, cost) is
non-negative (a saver's negative consumption only makes the least consumption smaller). With
several futures the design must obey the rules of every one, so a choice left out in one future is
left out. The elastic model (for diagnosis) makes no rule-based deductions: its rules may break.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from models.data import Future, PlanInput, Variant, Year, lock_contradictions

# (option value, pack value, base, limit): a rule `base + Σ option values + pack value <= limit`.
Measure = tuple[Callable[[str, str], float], Callable[[str], float], float, float]


@dataclass
class VariantChoices:
    """What an offerable variant may choose from, after deductions."""

    variant: Variant  # the first future's row: names, brand and body style are the same in every future
    options: dict[str, list[str]]  # category -> options allowed
    packs: list[str]
    plants: dict[str, list[str]]  # future -> plants that can build its body style
    launch_years: list[str]  # the periods it may launch in, in order ("" for the steady year)
    max_units: dict[tuple[str, str], float]  # (future, period) -> most units it can sell then
    must: bool  # must be offered: must_offer, or a lock, in some future

    def sells_from(self) -> str:
        return self.launch_years[0]


class Deductions:
    """Per variant: offerable with these choices (`choices`), or never (`blocked`, with reasons)."""

    def __init__(self, futures: Sequence[Future], elastic: bool):
        self.futures = tuple(futures)
        self.elastic = elastic
        self.base = self.futures[0].inp
        self.periods = self.base.periods
        self.blocked: dict[str, list[str]] = {}
        self.choices: dict[str, VariantChoices] = {}
        self.must_because: dict[str, str] = {}  # variant -> why it must be offered, in a planner's words
        for v in self.base.variants:
            self._deduce(v.name)

    def _where(self, fut: Future) -> str:
        return f" in future {fut.name}" if len(self.futures) > 1 else ""

    def _deduce(self, name: str) -> None:
        why: list[str] = []
        options: dict[str, list[str]] | None = None
        packs: list[str] | None = None
        for fut in self.futures:
            inp, v = fut.inp, fut.inp.variant(name)
            if not self.elastic:
                why += [text + self._where(fut) for text in _fixed_rule_breaks(inp, v)]
            opts = {
                c.name: [o.option for o in inp.options_of(c.name) if o.allowed_for(v)]
                for c in inp.categories
            }
            fits = [p.name for p in inp.packs if p.length_mm <= v.pack_bay_mm]
            options = (
                opts if options is None else {c: [o for o in options[c] if o in opts[c]] for c in options}
            )
            packs = fits if packs is None else [p for p in packs if p in fits]
            if v.must_offer:
                self.must_because.setdefault(name, "must be offered" + self._where(fut))
            if not self.elastic:
                options, packs = _apply_locks(inp, name, options, packs, why, self.must_because)
        bare = [c.name for c in self.base.categories if c.required and not options[c.name]]
        why += [f"no option of required category {c} is allowed for its body style and brand" for c in bare]
        if not packs:
            why.append("no pack fits its bay")
        window = [y.name for y in self.base.launch_window(self.base.variant(name))]
        if not self.elastic and not why:
            options, packs, window = self._prune(name, options, packs, window, why)
        if why:
            self.blocked[name] = why
            return
        plants = {
            f.name: [k.name for k in f.inp.plants if k.builds(f.inp.variant(name).body_style)]
            for f in self.futures
        }
        first = self._period_index(window[0])
        max_units = {
            (f.name, y.name): self._max_units(f.inp, f.inp.variant(name), plants[f.name], y)
            for f in self.futures for y in f.inp.periods[first:]
        }
        must = name in self.must_because
        self.choices[name] = VariantChoices(
            self.base.variant(name), options, packs, plants, window, max_units, must
        )

    def _period_index(self, name: str) -> int:
        return next(i for i, y in enumerate(self.periods) if y.name == name)

    def _max_units(self, inp: PlanInput, v: Variant, plants: list[str], y: Year) -> float:
        """The tightest exact bound on v's units in year y (elastic: a bound no relaxation needs to pass)."""
        capacity = sum(k.capacity_units * y.capacity_factor for k in inp.plants if k.name in plants)
        rows = [(d, d.bounds_in(y)) for d in inp.demand if d.covers(v)]
        if self.elastic:
            total = sum(k.capacity_units * y.capacity_factor for k in inp.plants)
            mins = [b[0] for _, b in rows if b is not None and b[0] is not None]
            return max([v.max_units * y.demand_factor, v.min_units * y.demand_factor, total] + mins)
        maxes = [b[1] for _, b in rows if b is not None and b[1] is not None]
        return min([v.max_units * y.demand_factor, capacity] + maxes)

    # ---------------------------------------------------------------- exact pruning
    def _prune(
        self, name: str, options: dict[str, list[str]], packs: list[str], window: list[str], why: list[str]
    ):
        """Drop every option and pack that breaks one of the variant's rules in some future even with
        the most favourable choice in every other category, and every launch year from which some
        later year's minimum units or unit cost ceiling cannot be met; repeated until nothing drops.

        Exact: each rule adds up one value per category (an optional category may add none) and one
        per pack, so a choice that breaks it with the least the others can add breaks it with any.
        The variant sells in every year from the last launch year it may take, so those years'
        ceilings are rules of any plan that offers it."""
        required = {c.name: c.required for c in self.base.categories}
        while True:
            last = self._period_index(window[-1])
            measures = [
                m for f in self.futures
                for m in _measures(f.inp, f.inp.variant(name), f.inp.periods[last:])
            ]
            options, packs = _prune_choices(measures, required, options, packs)
            if not packs or any(required[c] and not opts for c, opts in options.items()):
                why.append(
                    "no choice of its allowed parts and packs meets its range target, power, height, length "
                    "and unit cost ceiling together"
                )
                return options, packs, window
            kept = [t for t in window if self._can_launch_in(name, t, options, packs, required)]
            if not kept:
                why.append(
                    "in no year of its launch window can it launch and then meet its minimum units and "
                    "unit cost ceiling in every later year"
                )
                return options, packs, window
            if kept == window:
                return options, packs, window
            window = kept

    def _can_launch_in(self, name: str, t: str, options, packs, required) -> bool:
        for fut in self.futures:
            inp, v = fut.inp, fut.inp.variant(name)
            plants = [k.name for k in inp.plants if k.builds(v.body_style)]
            for y in inp.periods[self._period_index(t):]:
                if v.min_units * y.demand_factor > self._max_units(inp, v, plants, y) + 1e-9:
                    return False
                if v.max_unit_cost_jpy is not None:
                    parts = _least(options, required, lambda c, o: _part(inp, c, o).unit_cost_jpy)
                    pack = min(inp.pack(p).unit_cost_jpy for p in packs)
                    cheapest = (
                        v.top_hat_unit_cost_jpy + y.part_cost_factor * parts + y.pack_cost_factor * pack
                    )
                    ceiling = v.max_unit_cost_jpy * y.ceiling_factor
                    if cheapest > ceiling + 1e-9 * max(1.0, ceiling):
                        return False
        return True


def _part(inp: PlanInput, category: str, option: str):
    return inp.part(f"{category}/{option}")


def _least(
    options: dict[str, list[str]], required: dict[str, bool], value: Callable[[str, str], float]
) -> float:
    """The least the options can add up to (an optional category may take none)."""
    total = 0.0
    for c, opts in options.items():
        values = [value(c, o) for o in opts] + ([] if required[c] else [0.0])
        total += min(values, default=0.0)
    return total


def _fixed_rule_breaks(inp: PlanInput, v: Variant) -> list[str]:
    """Rules no choice can mend: the body's own width, seats, payload, length and height."""
    r, out = inp.rules, []
    for value, limit, text in (
        (v.width_mm, r.max_width_mm,
         f"it is {v.width_mm:,.0f} mm wide, above the {r.max_width_mm:,.0f} mm rule"),
        (v.seats, r.max_seats, f"it has {v.seats:g} seats, above the {r.max_seats:g} seat rule"),
        (v.payload_kg, r.max_payload_kg,
         f"its payload of {v.payload_kg:,.0f} kg is above the {r.max_payload_kg:,.0f} kg rule"),
        (v.length_mm, r.max_length_mm,
         f"its body is {v.length_mm:,.0f} mm long, above the {r.max_length_mm:,.0f} mm rule"),
        (v.height_mm, r.max_height_mm,
         f"its body is {v.height_mm:,.0f} mm high, above the {r.max_height_mm:,.0f} mm rule"),
    ):
        if value > limit:
            out.append(text)
    return out


def _apply_locks(inp: PlanInput, name: str, options, packs, why: list[str], must_because: dict[str, str]):
    """Locks narrow the choices: a locked pack or option is the only one left (and the variant is
    offered), `none` leaves an optional category out, a lock not to offer blocks the variant."""
    mine = [x for x in inp.locks if x.variant == name]
    required = {c.name: c.required for c in inp.categories}
    why += lock_contradictions(mine, lambda c: required.get(c, False))
    for lock in mine:
        if lock.item == "offer" and not lock.choice:
            why.append(f"{lock.text} keeps it out of the plan")
            continue
        must_because.setdefault(name, f"is offered by {lock.text}")
        if lock.item == "offer":
            continue
        if lock.item == "pack":
            if lock.choice not in packs:
                why.append(f"{lock.text} names a pack that does not fit its bay")
            packs = [p for p in packs if p == lock.choice]
        else:
            allowed = options.get(lock.item, [])
            if lock.choice is not None and lock.choice not in allowed:
                why.append(f"{lock.text} names an option not allowed for its body style and brand")
            options = {**options, lock.item: [o for o in allowed if o == lock.choice]}
    return options, packs


def _measures(inp: PlanInput, v: Variant, selling_years: Sequence[Year]) -> list[Measure]:
    """The variant's own rules as `base + Σ over choices <= limit`. A minimum (power) is written
    negated; range in Wh/km: the body and options consume, a pack's energy over the target is a
    negative consumption; each year it surely sells has its unit cost ceiling."""
    r, k = inp.rules, inp.settings.wh_per_km_per_kg
    part = lambda c, o: _part(inp, c, o)  # noqa: E731
    zero = lambda *_a: 0.0  # noqa: E731
    out: list[Measure] = [
        (lambda c, o: part(c, o).power_kw, zero, 0.0, r.max_power_kw),
        (lambda c, o: part(c, o).height_mm, lambda p: inp.pack(p).height_mm, v.height_mm, r.max_height_mm),
        (lambda c, o: part(c, o).length_mm, zero, v.length_mm, r.max_length_mm),
    ]
    if v.min_power_kw > 0:
        out.append((lambda c, o: -part(c, o).power_kw, zero, 0.0, -v.min_power_kw))
    if v.max_unit_cost_jpy is not None:
        for y in dict.fromkeys(
            (y.part_cost_factor, y.pack_cost_factor, y.ceiling_factor) for y in selling_years
        ):
            pf, kf, cf = y
            out.append((
                lambda c, o, pf=pf: pf * part(c, o).unit_cost_jpy,
                lambda p, kf=kf: kf * inp.pack(p).unit_cost_jpy,
                v.top_hat_unit_cost_jpy,
                v.max_unit_cost_jpy * cf,
            ))
    if v.range_target_km > 0:
        out.append((
            lambda c, o: k * part(c, o).mass_kg + part(c, o).wh_per_km,
            lambda p: k * inp.pack(p).mass_kg - 1000.0 * inp.pack(p).usable_kwh / v.range_target_km,
            v.base_wh_per_km + k * v.glider_mass_kg,
            0.0,
        ))
    return out


def _prune_choices(
    measures: list[Measure], required: dict[str, bool], options: dict[str, list[str]], packs: list[str]
):
    """Fixpoint of dropping every choice that breaks a measure with the least the others can add."""
    changed = True
    while changed and packs and all(opts or not required[c] for c, opts in options.items()):
        changed = False
        for of_option, of_pack, base, limit in measures:
            least = {
                c: min([of_option(c, o) for o in opts] + ([] if required[c] else [0.0]), default=0.0)
                for c, opts in options.items()
            }
            least_pack = min(of_pack(p) for p in packs)
            total = base + sum(least.values()) + least_pack
            tol = 1e-9 * max(1.0, abs(limit), abs(total))
            kept_packs = [p for p in packs if total - least_pack + of_pack(p) <= limit + tol]
            kept = {
                c: [o for o in opts if total - least[c] + of_option(c, o) <= limit + tol]
                for c, opts in options.items()
            }
            if len(kept_packs) != len(packs) or any(len(kept[c]) != len(options[c]) for c in options):
                changed = True
            options, packs = kept, kept_packs
            if not packs:
                break
    return options, packs
