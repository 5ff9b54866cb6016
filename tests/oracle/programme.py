"""Exact optimum over the years (launch windows, locks) and over several futures, by enumeration --
written from the workbook format (docs/workbook.md: "locks", "years", "Over the years", "One plan
for several futures") alone; nothing of `models`/`optimizer` is used.

A *design* gives each variant either nothing (not offered) or a `Choice`: its options, its pack and
its launch year (the one year 0 without a years sheet).  Designs are enumerated; for a fixed design
what remains in each future is
  * a plant line's opening year (or never), enumerated per line: a line may carry units from its
    opening year on and its line_cost is paid (discounted) in that year.  Paying in the first year
    the line is used is never dearer, because discount factors never rise, so the minimum over
    opening years is the true cost;
  * per year, tiers per item (as in bruteforce.py: pick a tier, require its volume, pay its price)
    and units per (variant, plant) by a small LP (MILP with integer_units).  Given the lines open
    in each year, the years are independent, so each year is minimised on its own.
One-time costs (top hat in the launch year, a development in the earliest launch year of the
variants using it, lines as above) and production are weighted by the year's discount_factor;
without a years sheet there is one year, production weighted by lifecycle_years and one-time
costs by 1 -- exactly bruteforce.py's total.

Several futures: one design for all; each future's cost is its own optimum with the design fixed;
the design must obey every future's rules; the search minimises sum(probability x cost).

Designs are searched best-first on a valid lower bound (so the optimum is exact); `exhaustive=True`
costs every design and every tier choice without bounding (slow; checks the bounds).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

try:
    from .bruteforce import INF, Model, _lp
    from .random_workbooks import Case
except ImportError:  # pragma: no cover
    from bruteforce import INF, Model, _lp  # type: ignore
    from random_workbooks import Case  # type: ignore

YES = {"yes", "true", "1"}
NO = {"no", "false", "0"}


def _factor(row: dict, key: str) -> float:
    value = row.get(key)
    return 1.0 if value is None else float(value)


def _name(value) -> str:
    return str(value).strip()


@dataclass(frozen=True)
class Choice:
    """An offered variant's design: options (sorted (category, option) pairs), pack, launch year."""
    options: tuple
    pack: str
    launch: int

    @property
    def config(self) -> tuple:
        return self.options, self.pack


class Programme:
    """A case resolved over its years: factors, weights, launch windows, demand rows per year,
    locks; and which (options, pack, launch) each variant may take."""

    def __init__(self, case: Case):
        self.case = case
        m = self.m = Model(case)
        if case.years is None:
            self.names = None
            n = 1
            ones = [1.0]
            self.df = self.cf = self.pf = self.qf = self.ceil_f = ones
            self.w_prod, self.w_once = [m.L], [1.0]
        else:
            rows = case.years
            self.names = [_name(r["year"]) for r in rows]
            n = len(rows)
            self.df = [_factor(r, "demand_factor") for r in rows]
            self.cf = [_factor(r, "capacity_factor") for r in rows]
            self.pf = [_factor(r, "pack_cost_factor") for r in rows]
            self.qf = [_factor(r, "part_cost_factor") for r in rows]
            self.ceil_f = [_factor(r, "ceiling_factor") for r in rows]
            disc = [_factor(r, "discount_factor") for r in rows]
            if any(b > a for a, b in zip(disc, disc[1:])):
                raise ValueError("oracle assumes discount factors never rise")
            self.w_prod = self.w_once = disc
        self.n_years = n
        self.window = []
        for v in case.variants:
            lo, hi = 0, n - 1
            if self.names is not None:
                if v.get("launch_from") is not None:
                    lo = self.names.index(_name(v["launch_from"]))
                if v.get("launch_by") is not None:
                    hi = self.names.index(_name(v["launch_by"]))
            self.window.append(range(lo, hi + 1))
        # demand rows per year: (members, lo, hi, row)
        self.demand = [[] for _ in range(n)]
        for d in m.demand:
            year = d["row"].get("year")
            for y in range(n):
                if year is None:
                    scale = self.df[y]
                elif self.names is not None and _name(year) == self.names[y]:
                    scale = 1.0
                else:
                    continue
                lo = None if d["lo"] is None else float(d["lo"]) * scale
                hi = None if d["hi"] is None else float(d["hi"]) * scale
                self.demand[y].append((d["members"], lo, hi, d["row"]))
        self._read_locks()
        self.cfgs = [{(tuple(sorted(c.options.items())), c.pack): c for c in m.configs(i, ceiling=False)}
                     for i in range(len(m.variants))]

    # -- locks ---------------------------------------------------------------
    def _read_locks(self) -> None:
        """Every lock as written; two locks on one item that differ cannot both hold."""
        m = self.m
        n = len(m.variants)
        self.lock_offer = [set() for _ in range(n)]   # {True, False}
        self.lock_pack = [set() for _ in range(n)]    # pack names
        self.lock_cat = [{} for _ in range(n)]        # category -> {option, or None for `none`}
        for lk in self.case.locks or []:
            i = m.vindex[_name(lk["variant"])]
            item, choice = _name(lk["item"]), _name(lk["choice"])
            if item.lower() == "offer":
                if choice.lower() not in YES | NO:
                    raise ValueError(f"oracle: offer lock {choice!r}")
                self.lock_offer[i].add(choice.lower() in YES)
            elif item.lower() == "pack":
                self.lock_pack[i].add(choice)
            else:
                self.lock_cat[i].setdefault(item, set()).add(None if choice.lower() == "none" else choice)

    def forced(self, i: int) -> bool:
        """must_offer, an offer lock of yes, or a lock on its pack or a category (which also means
        the variant is offered -- `none` on an optional category included)."""
        return (self.m.variants[i]["must"] or True in self.lock_offer[i]
                or bool(self.lock_pack[i]) or bool(self.lock_cat[i]))

    def banned(self, i: int) -> bool:
        return False in self.lock_offer[i]

    def lock_violations(self, i: int, options: dict, pack) -> list[str]:
        bad = [f"pack lock {lk} but {pack}" for lk in sorted(self.lock_pack[i]) if pack != lk]
        for cat, locked in self.lock_cat[i].items():
            bad += [f"{cat} lock {lk or 'none'} but {options.get(cat)}"
                    for lk in sorted(locked, key=str) if options.get(cat) != lk]
        return bad

    # -- year-dependent prices and rules -------------------------------------
    def factor(self, item: tuple, y: int) -> float:
        return self.pf[y] if item[0] == "pack" else self.qf[y]

    def list_cost(self, i: int, options: dict, pack: str, y: int) -> float:
        m = self.m
        parts = sum(m.parts[(c, o)]["unit"] for c, o in options.items() if o is not None)
        return m.variants[i]["th_unit"] + parts * self.qf[y] + m.packs[pack]["unit"] * self.pf[y]

    def ceiling_ok(self, i: int, options: dict, pack: str, y: int) -> bool:
        cap = self.m.variants[i]["ceiling"]
        if cap is None:
            return True
        return self.list_cost(i, options, pack, y) <= cap * self.ceil_f[y] * (1 + 1e-12)

    def choices(self, i: int) -> set:
        """Every Choice variant i may take: the design rules, its locks, a launch year in its window,
        the unit-cost ceiling in every year from launch on."""
        out = set()
        for (opts, pack), c in self.cfgs[i].items():
            if self.lock_violations(i, c.options, pack):
                continue
            for launch in self.window[i]:
                if all(self.ceiling_ok(i, c.options, pack, y) for y in range(launch, self.n_years)):
                    out.add(Choice(opts, pack, launch))
        return out


class Costing:
    """A design's least cost in one future (one Programme), with caches shared across designs."""

    def __init__(self, prog: Programme, exhaustive: bool = False):
        self.p = prog
        self.m = m = prog.m
        self.exhaustive = exhaustive
        self.style_plants = {}
        for v in m.variants:
            s = v["style"]
            self.style_plants[s] = [j for j, p in enumerate(m.plants) if p["styles"] is None or s in p["styles"]]
        self._year = {}    # (y, selling, open lines) -> (cost, var, x, tiers)
        self._base = {}    # (y, frozenset of selling variants) -> relaxed LP with the variants' floors
        self._relax = {}   # (y, selling) -> relaxed LP with the configurations' floors
        self.lp_count = 0

    # -- prices ----------------------------------------------------------------
    def floor_price(self, cfg, y: int) -> float:
        """Least price per unit the configuration's items could get in year y (lowest tiers)."""
        return sum(self.m.tiers[it][-1][1] * self.p.factor(it, y) for it in cfg.items)

    def variant_floor(self, i: int, y: int, cfgs) -> float:
        return min(self.floor_price(c, y) for c in cfgs)

    # -- one year --------------------------------------------------------------
    def _rows(self, y, sel, var, tier_rows):
        """Rows lo <= A x <= hi of year y's LP over var = [(variant, plant)]; None if a demand
        row with no selling member cannot hold."""
        p, m = self.p, self.m
        A, lo, hi = [], [], []

        def row(pred):
            return [1.0 if pred(i, j) else 0.0 for i, j in var]

        selling = {i for i, _ in sel}
        for i in sorted(selling):
            v = m.variants[i]
            A.append(row(lambda a, b, i=i: a == i))
            lo.append(v["min_u"] * p.df[y])
            hi.append(v["max_u"] * p.df[y])
        for j, pl in enumerate(m.plants):
            if any(jj == j for _, jj in var):
                A.append(row(lambda a, b, j=j: b == j))
                lo.append(-math.inf)
                hi.append(pl["cap"] * p.cf[y])
        for members, dlo, dhi, _row in p.demand[y]:
            if not members & selling:
                if (dlo is not None and dlo > 0) or (dhi is not None and dhi < 0):
                    return None
                continue
            A.append(row(lambda a, b, mem=members: a in mem))
            lo.append(-math.inf if dlo is None else dlo)
            hi.append(math.inf if dhi is None else dhi)
        for users, t_min in tier_rows:
            if t_min > 0:
                A.append(row(lambda a, b, us=users: a in us))
                lo.append(t_min)
                hi.append(math.inf)
        return A, lo, hi

    def _solve(self, y, sel, var, unit, tier_rows, relax=False):
        """min w_prod[y] x sum unit[i] x; returns (obj, x)."""
        rows = self._rows(y, sel, var, tier_rows)
        if rows is None:
            return INF, None
        if not var:  # nothing can be built: feasible only if no variant needs units
            if all(l <= 0 for l in rows[1]):
                return 0.0, []
            return INF, None
        A, lo, hi = rows
        cost = [self.p.w_prod[y] * (unit[i] + self.m.plants[j]["asm"]) for i, j in var]
        self.lp_count += 1
        integer = self.m.integer and not relax
        return _lp(cost, A, lo, hi, integer)

    def _vars(self, sel, lines):
        m = self.m
        return [(i, j) for i, _ in sel for j in self.style_plants[m.variants[i]["style"]]
                if lines is None or (j, m.variants[i]["style"]) in lines]

    def base(self, y: int, selling: frozenset, floors: dict) -> float:
        """Relaxed year-y production of the selling variants: every line open, each variant at its
        least price over all its configurations (floors[i]), no tiers required."""
        key = (y, selling)
        if key not in self._base:
            sel = tuple((i, None) for i in sorted(selling))
            unit = {i: self.m.variants[i]["th_unit"] + floors[i] for i in selling}
            self._base[key] = self._solve(y, sel, self._vars(sel, None), unit, (), relax=True)[0] \
                if selling else (0.0 if self._rows(y, (), [], ()) is not None else INF)
        return self._base[key]

    def relaxed(self, y: int, sel: tuple) -> float:
        """Relaxed year-y production of this selling set (variant, configuration): every line open,
        lowest tier prices, no tiers required."""
        key = (y, sel)
        if key not in self._relax:
            unit = {i: self.m.variants[i]["th_unit"] + self.floor_price(self.p.cfgs[i][cfg], y)
                    for i, cfg in sel}
            if sel:
                self._relax[key] = self._solve(y, sel, self._vars(sel, None), unit, (), relax=True)[0]
            else:
                self._relax[key] = 0.0 if self._rows(y, (), [], ()) is not None else INF
        return self._relax[key]

    def year(self, y: int, sel: tuple, lines: frozenset):
        """Least year-y production with these lines open: (cost, var, x, tiers chosen)."""
        key = (y, sel, lines)
        if key in self._year:
            return self._year[key]
        p, m = self.p, self.m
        best = (INF, None, None, None)
        var = self._vars(sel, lines)
        users: dict = {}
        for i, cfg in sel:
            for it in p.cfgs[i][cfg].items:
                users.setdefault(it, []).append(i)
        items = sorted(users)
        choices = []
        for it in items:
            reach = sum(m.variants[i]["max_u"] for i in users[it]) * p.df[y]
            choices.append([t for t in m.tiers[it] if t[0] <= reach + 1e-9])
        relax = self.relaxed(y, sel) if sel else 0.0
        inner = []
        for tch in product(*choices):
            extra = p.w_prod[y] * sum(
                (t[1] - m.tiers[it][-1][1]) * p.factor(it, y) *
                max(t[0], sum(m.variants[i]["min_u"] for i in users[it]) * p.df[y])
                for it, t in zip(items, tch))
            inner.append((relax + extra, tch))
        inner.sort(key=lambda t: t[0])
        for lb, tch in inner:
            if lb >= best[0] - 1e-9 * max(1.0, abs(best[0])) and not self.exhaustive:
                break
            price = {it: t[1] * p.factor(it, y) for it, t in zip(items, tch)}
            unit = {i: m.variants[i]["th_unit"] + sum(price[it] for it in p.cfgs[i][cfg].items)
                    for i, cfg in sel}
            tier_rows = [(set(users[it]), t[0]) for it, t in zip(items, tch)]
            obj, x = self._solve(y, sel, var, unit, tier_rows)
            if x is not None and obj < best[0]:
                best = (obj, var, x, dict(zip(items, tch)))
        self._year[key] = best
        return best

    # -- a whole design ----------------------------------------------------------
    def selling(self, design: tuple, y: int) -> tuple:
        return tuple((i, ch.config) for i, ch in enumerate(design) if ch is not None and ch.launch <= y)

    def one_time(self, design: tuple) -> float:
        """Top hats in their launch years, developments in the earliest launch year of their users."""
        p, m = self.p, self.m
        total = 0.0
        first: dict = {}
        for i, ch in enumerate(design):
            if ch is None:
                continue
            total += m.variants[i]["th_dev"] * p.w_once[ch.launch]
            for k in p.cfgs[i][ch.config].dev_keys:
                first[k] = min(first.get(k, ch.launch), ch.launch)
        return total + sum(m.dev_cost_of_key(k) * p.w_once[y] for k, y in first.items())

    def _style_launch(self, design):
        out: dict = {}
        for i, ch in enumerate(design):
            if ch is not None:
                s = self.m.variants[i]["style"]
                out[s] = min(out.get(s, ch.launch), ch.launch)
        return out

    def min_lines(self, design) -> float:
        m, p = self.m, self.p
        total = 0.0
        for s in self._style_launch(design):
            js = self.style_plants[s]
            if not js:
                return INF
            total += min(m.plants[j]["line"] for j in js) * p.w_once[-1]
        return total

    def cost(self, design: tuple, cutoff: float = INF, want_plan: bool = False):
        """The design's least cost in this future (INF when it has no plan), and with want_plan the
        plan as `plan solve --json` prints its variants."""
        p, m = self.p, self.m
        sells = [self.selling(design, y) for y in range(p.n_years)]
        once = self.one_time(design)
        if not self.exhaustive and once + self.bound_lines_and_relax(design, sells) >= cutoff:
            return INF, None
        style_launch = self._style_launch(design)
        free, costly = set(), []
        for s, e in style_launch.items():
            for j in self.style_plants[s]:
                if m.plants[j]["line"] > 0:
                    costly.append(((j, s), e))
                else:
                    free.add((j, s))
        best, best_o = (INF if self.exhaustive else cutoff), None
        for opening in product(*[list(range(e, p.n_years)) + [None] for _, e in costly]):
            lines_cost = sum(m.plants[ln[0]]["line"] * p.w_once[o]
                             for (ln, _), o in zip(costly, opening) if o is not None)
            total = once + lines_cost
            for y in range(p.n_years):
                if total >= best:
                    break
                styles = {m.variants[i]["style"] for i, _ in sells[y]}
                open_y = frozenset({ln for ln in free if ln[1] in styles} |
                                   {ln for (ln, _), o in zip(costly, opening)
                                    if o is not None and o <= y and ln[1] in styles})
                total += self.year(y, sells[y], open_y)[0]
            if total < best:
                best, best_o = total, opening
        if best_o is None:
            return INF, None
        if not want_plan:
            return best, None
        return best, self._plan(design, sells, free, costly, best_o)

    def bound_lines_and_relax(self, design, sells) -> float:
        return self.min_lines(design) + sum(self.relaxed(y, sells[y]) for y in range(self.p.n_years))

    def _plan(self, design, sells, free, costly, opening) -> dict:
        p, m = self.p, self.m
        out = {}
        for i, ch in enumerate(design):
            v = m.variants[i]
            if ch is None:
                out[v["name"]] = {"offered": False, "units": 0.0, "pack": None, "options": {}, "plants": {}}
                continue
            out[v["name"]] = {"offered": True, "pack": ch.pack, "options": dict(ch.options),
                              "units": 0.0, "plants": {}, "by_year": {}}
            if p.names is not None:
                out[v["name"]]["launch_year"] = p.names[ch.launch]
        for y in range(p.n_years):
            styles = {m.variants[i]["style"] for i, _ in sells[y]}
            open_y = frozenset({ln for ln in free if ln[1] in styles} |
                               {ln for (ln, _), o in zip(costly, opening)
                                if o is not None and o <= y and ln[1] in styles})
            _cost, var, x, _tiers = self.year(y, sells[y], open_y)
            year = p.names[y] if p.names is not None else None
            for i, _cfg in sells[y]:
                d = out[m.variants[i]["name"]]
                split = {m.plants[j]["name"]: float(x[k]) for k, (ii, j) in enumerate(var) if ii == i}
                if year is not None:
                    d["by_year"][year] = {"units": sum(split.values()), "plants": split}
                d["units"] += sum(split.values())
                for pn, q in split.items():
                    d["plants"][pn] = d["plants"].get(pn, 0.0) + q
        for d in out.values():
            if p.names is None:
                d.pop("by_year", None)
        return out


@dataclass
class Outcome:
    status: str                 # 'optimal' or 'infeasible'
    cost: float | None          # expected cost (the total cost with one future)
    design: tuple | None
    future_costs: list | None   # each future's cost with the design
    plans: list | None          # each future's variants (as the JSON prints them)
    stats: dict


class Search:
    """Best-first search over designs for futures [(probability, Programme)].

    Lower bound of a design in one future: its one-time costs (exact), for each body style the
    cheapest line discounted by the last year's factor, and per year the relaxed production LP of
    the variants selling then at the lowest price any of their configurations could get (cached
    per set of selling variants) plus, per variant, min_units x demand_factor x (its
    configuration's lowest price - that variant-wide lowest price).  Every piece is at most what
    any plan with that design pays, so pruning on it is exact."""

    def __init__(self, futures: list, exhaustive: bool = False):
        self.futures = futures
        self.exhaustive = exhaustive
        self.costings = [Costing(prog, exhaustive) for _, prog in futures]

    def variant_choices(self, i: int) -> list:
        progs = [prog for _, prog in self.futures]
        must = any(prog.forced(i) for prog in progs)
        banned = any(prog.banned(i) for prog in progs)
        allowed = set.intersection(*(prog.choices(i) for prog in progs)) if not banned else set()
        ordered = sorted(allowed, key=lambda ch: (ch.launch, ch.pack, ch.options))
        return ordered if must else [None] + ordered

    def _lower_bounds(self, per_variant: list) -> list:
        """(bound, design) for every design that has a bound below infinity."""
        nodes = []
        parts = []
        for (prob, prog), cst in zip(self.futures, self.costings):
            floors = {}
            for i, chs in enumerate(per_variant):
                cfgs = [prog.cfgs[i][ch.config] for ch in chs if ch is not None]
                for y in range(prog.n_years):
                    floors[(i, y)] = cst.variant_floor(i, y, cfgs) if cfgs else 0.0
            parts.append((prob, prog, cst, floors))
        for design in product(*per_variant):
            lb = 0.0
            for prob, prog, cst, floors in parts:
                b = cst.one_time(design) + cst.min_lines(design)
                for y in range(prog.n_years):
                    selling = frozenset(i for i, ch in enumerate(design) if ch is not None and ch.launch <= y)
                    b += cst.base(y, selling, {i: floors[(i, y)] for i in selling})
                    for i in selling:
                        ch = design[i]
                        v = prog.m.variants[i]
                        b += prog.w_prod[y] * v["min_u"] * prog.df[y] * (
                            cst.floor_price(prog.cfgs[i][ch.config], y) - floors[(i, y)])
                    if b == INF:
                        break
                lb += prob * b
                if lb == INF:
                    break
            if lb < INF:
                nodes.append((lb, design))
        return nodes

    def run(self, want_plan: bool = True) -> Outcome:
        per_variant = [self.variant_choices(i) for i in range(len(self.futures[0][1].m.variants))]
        nodes = self._lower_bounds(per_variant)
        nodes.sort(key=lambda t: t[0])
        best, best_design, costs = INF, None, None
        evaluated = 0
        for lb, design in nodes:
            if lb >= best - 1e-9 * max(1.0, abs(best)) and not self.exhaustive:
                break
            evaluated += 1
            total, these = 0.0, []
            for (prob, _), cst in zip(self.futures, self.costings):
                rest = (best - total) / prob if best < INF and not self.exhaustive else INF
                c, _ = cst.cost(design, cutoff=rest)
                these.append(c)
                total += prob * c
                if total >= best and not self.exhaustive:
                    break
            if total < best:
                best, best_design, costs = total, design, these
        stats = {"designs": len(nodes), "evaluated": evaluated,
                 "lps": sum(c.lp_count for c in self.costings)}
        if best == INF:
            return Outcome("infeasible", None, None, None, None, stats)
        plans = None
        if want_plan:
            plans = [cst.cost(best_design, want_plan=True)[1] for cst in self.costings]
        return Outcome("optimal", best, best_design, costs, plans, stats)


def solve_programme(case: Case, exhaustive: bool = False) -> Outcome:
    """The exact optimum of one case (with or without a years sheet; locks obeyed)."""
    return Search([(1.0, Programme(case))], exhaustive).run()


def solve_futures(futures: list, exhaustive: bool = False) -> Outcome:
    """The exact optimum of one design over futures [(probability, Case)]."""
    return Search([(p, Programme(c)) for p, c in futures], exhaustive).run()
