"""Exact optimum of a small `Case` by enumeration -- an oracle written from the
workbook format (docs/workbook.md) alone (nothing of `models`/`optimizer` is used).

Discrete choices are enumerated: the set of offered variants, for each offered
variant one option per required category (one or none per optional category)
and one pack, every volume tier choice of every item used, and the set of
(plant, body style) lines that are set up.  What remains for a fixed discrete
choice is a small LP (a MILP when `integer_units` is yes) over the units each
variant builds at each plant, solved with HiGHS through scipy.

Tiers.  With all-units prices that fall with the tier, "pick any tier t of the
item, require volume >= min_units(t) and pay price(t) on the whole volume" never
costs less than the true price (the true price is that of the highest tier
reached, which is <= price(t)), and choosing t = the highest tier reached
reproduces the true cost.  So the minimum over all tier choices is the true
optimum.  (`solve_by_enumeration` checks that prices do fall.)

Lines.  A line (plant, body style) may carry units of that style only if set up;
setting up a line nobody uses only adds cost, so enumerating all subsets of
lines (free lines always set up) and minimising is exact.

Costs (spec, "Total cost"):
  development -- each option once (shared category, sharing on) or once per
  brand using it (unshared category, or cross_brand_sharing = no); each pack once
  (once per brand using it when cross_brand_sharing = no); top_hat_dev of each
  offered variant; line_cost of each line set up.
  production x lifecycle_years -- each item's annual volume (over all variants of
  all brands) x the price of the highest tier reached; top_hat_unit x units;
  assembly x units at each plant.

A best-first search over lower bounds keeps the number of LPs small; the bound
used for pruning is a valid lower bound, so the result is exact.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np

try:  # both relative (package) and flat imports
    from .random_workbooks import Case, DEFAULT_RULES  # noqa: F401
except ImportError:  # pragma: no cover
    from random_workbooks import Case, DEFAULT_RULES  # type: ignore  # noqa: F401

INF = math.inf


# ----------------------------------------------------------------------------
# the case with the spec's defaults applied
# ----------------------------------------------------------------------------

def _set(x):
    if x is None or x == "all" or x == []:
        return None
    return set(x)


class Model:
    def __init__(self, case: Case):
        self.case = case
        self.L = float(case.setting("lifecycle_years"))
        self.k = float(case.setting("wh_per_km_per_kg"))
        self.integer = bool(case.setting("integer_units"))
        self.sharing = bool(case.setting("cross_brand_sharing"))
        self.rules = {r: float(case.rule(r)) for r in DEFAULT_RULES}

        self.variants = []
        for v in case.variants:
            self.variants.append({
                "name": v["variant"], "brand": v["brand"], "style": v["body_style"],
                "length": v["length_mm"], "width": v["width_mm"], "height": v["height_mm"],
                "seats": v["seats"], "payload": v.get("payload_kg", 0) or 0,
                "glider": v["glider_mass_kg"], "base_wh": v["base_wh_per_km"],
                "range": v["range_target_km"], "min_kw": v.get("min_power_kw", 0) or 0,
                "bay": v["pack_bay_mm"], "ceiling": v.get("max_unit_cost_jpy"),
                "th_dev": v.get("top_hat_dev_cost_jpy", 0) or 0,
                "th_unit": v.get("top_hat_unit_cost_jpy", 0) or 0,
                "min_u": float(v["min_units"]), "max_u": float(v["max_units"]),
                "must": bool(v.get("must_offer", False)),
            })
        self.vindex = {v["name"]: i for i, v in enumerate(self.variants)}

        self.categories = []
        for c in case.categories:
            self.categories.append({"name": c["category"], "required": bool(c.get("required", True)),
                                    "shared": bool(c.get("shared", True))})
        self.cat_by_name = {c["name"]: c for c in self.categories}
        self.parts = {}  # (cat, opt) -> dict
        for p in case.parts:
            self.parts[(p["category"], p["option"])] = {
                "cat": p["category"], "opt": p["option"], "dev": p["dev_cost_jpy"],
                "unit": p["unit_cost_jpy"], "mass": p.get("mass_kg", 0) or 0,
                "kw": p.get("power_kw", 0) or 0, "wh": p.get("wh_per_km", 0) or 0,
                "height": p.get("height_mm", 0) or 0, "length": p.get("length_mm", 0) or 0,
                "styles": _set(p.get("body_styles")), "brands": _set(p.get("brands")),
            }
        self.packs = {}
        for p in case.packs:
            self.packs[p["pack"]] = {
                "name": p["pack"], "kwh": p["usable_kwh"], "mass": p["mass_kg"],
                "height": p.get("height_mm", 0) or 0, "length": p["length_mm"],
                "dev": p["dev_cost_jpy"], "unit": p["unit_cost_jpy"],
            }
        self.plants = []
        for p in case.plants:
            self.plants.append({"name": p["plant"], "cap": float(p["capacity_units"]),
                                "asm": p.get("assembly_cost_jpy", 0) or 0,
                                "line": p.get("line_cost_jpy", 0) or 0,
                                "styles": _set(p.get("body_styles"))})
        self.pindex = {p["name"]: i for i, p in enumerate(self.plants)}

        # tiers: item key -> [(min_units, price)] ascending, list price first at 0
        self.list_price = {("opt",) + k: p["unit"] for k, p in self.parts.items()}
        self.list_price.update({("pack", n): p["unit"] for n, p in self.packs.items()})
        self.tiers = {key: [(0.0, float(price))] for key, price in self.list_price.items()}
        for t in case.tiers or []:
            it = t["item"]
            if it in self.packs:
                key = ("pack", it)
            else:
                cat, opt = it.split("/", 1)
                key = ("opt", cat, opt)
            self.tiers[key].append((float(t["min_units"]), float(t["unit_cost_jpy"])))
        for key, ts in self.tiers.items():
            ts.sort()
            for (m0, p0), (m1, p1) in zip(ts, ts[1:]):
                if not (m1 > m0 and p1 <= p0):
                    raise ValueError(f"oracle assumes falling tier prices, item {key}: {ts}")

        self.demand = []
        for r in case.demand or []:
            sc, name = r["scope"], r.get("name")
            if sc == "total":
                mem = set(range(len(self.variants)))
            elif sc == "brand":
                mem = {i for i, v in enumerate(self.variants) if v["brand"] == name}
            elif sc == "body_style":
                mem = {i for i, v in enumerate(self.variants) if v["style"] == name}
            elif sc == "variant":
                mem = {i for i, v in enumerate(self.variants) if v["name"] == name}
            else:
                raise ValueError(sc)
            self.demand.append({"members": mem, "lo": r.get("min_units"), "hi": r.get("max_units"),
                                "row": r})

    # -- per-variant rules --------------------------------------------------
    def option_allowed(self, v, part) -> bool:
        return ((part["styles"] is None or v["style"] in part["styles"]) and
                (part["brands"] is None or v["brand"] in part["brands"]))

    def config_violations(self, i: int, options: dict, pack: str, ceiling: bool = True) -> list[str]:
        """Every rule of the spec's 'For an offered variant' list that the
        choice (options: category -> option, pack) breaks.  ceiling=False leaves
        out the unit-cost ceiling (over the years it depends on the year)."""
        v = self.variants[i]
        R = self.rules
        bad = []
        parts = []
        for c in self.categories:
            o = options.get(c["name"])
            if o is None:
                if c["required"]:
                    bad.append(f"no option of required category {c['name']}")
                continue
            p = self.parts.get((c["name"], o))
            if p is None:
                bad.append(f"unknown option {c['name']}/{o}")
                continue
            if not self.option_allowed(v, p):
                bad.append(f"{c['name']}/{o} not allowed for {v['style']}/{v['brand']}")
            parts.append(p)
        for c in options:
            if c not in self.cat_by_name:
                bad.append(f"unknown category {c}")
        pk = self.packs.get(pack)
        if pk is None:
            return bad + [f"unknown pack {pack}"]
        if v["width"] > R["max_width_mm"]:
            bad.append("width")
        if v["seats"] > R["max_seats"]:
            bad.append("seats")
        if v["payload"] > R["max_payload_kg"]:
            bad.append("payload")
        if pk["length"] > v["bay"]:
            bad.append("pack_bay")
        mass = v["glider"] + sum(p["mass"] for p in parts) + pk["mass"]
        cons = v["base_wh"] + self.k * mass + sum(p["wh"] for p in parts)
        if cons <= 0 or 1000.0 * pk["kwh"] / cons < v["range"]:
            bad.append(f"range {1000.0 * pk['kwh'] / cons:.3f} < {v['range']}")
        kw = sum(p["kw"] for p in parts)
        if kw < v["min_kw"]:
            bad.append(f"power {kw} < min_power_kw {v['min_kw']}")
        if kw > R["max_power_kw"]:
            bad.append(f"power {kw} > max_power_kw")
        h = v["height"] + sum(p["height"] for p in parts) + pk["height"]
        if h > R["max_height_mm"]:
            bad.append(f"height {h}")
        ln = v["length"] + sum(p["length"] for p in parts)
        if ln > R["max_length_mm"]:
            bad.append(f"length {ln}")
        if ceiling and v["ceiling"] is not None:
            lc = v["th_unit"] + sum(p["unit"] for p in parts) + pk["unit"]
            if lc > v["ceiling"]:
                bad.append(f"list unit cost {lc} > {v['ceiling']}")
        return bad

    def dev_keys(self, i: int, options: dict, pack: str) -> frozenset:
        b = self.variants[i]["brand"]
        keys = []
        for cat, opt in options.items():
            if opt is None:
                continue
            if self.sharing and self.cat_by_name[cat]["shared"]:
                keys.append(("opt", cat, opt))
            else:
                keys.append(("opt", cat, opt, b))
        keys.append(("pack", pack) if self.sharing else ("pack", pack, b))
        return frozenset(keys)

    def dev_cost_of_key(self, key) -> float:
        if key[0] == "opt":
            return float(self.parts[(key[1], key[2])]["dev"])
        return float(self.packs[key[1]]["dev"])

    def configs(self, i: int, ceiling: bool = True) -> list["Cfg"]:
        v = self.variants[i]
        per_cat = []
        for c in self.categories:
            ch = [o for (cat, o), p in self.parts.items() if cat == c["name"] and self.option_allowed(v, p)]
            if not c["required"]:
                ch.append(None)
            per_cat.append(ch)
        out = []
        for combo in product(*per_cat):
            options = {c["name"]: o for c, o in zip(self.categories, combo) if o is not None}
            for pack in self.packs:
                if self.config_violations(i, options, pack, ceiling):
                    continue
                items = tuple(sorted([("opt", c, o) for c, o in options.items()] + [("pack", pack)]))
                out.append(Cfg(options, pack, self.dev_keys(i, options, pack), items,
                               sum(self.tiers[it][-1][1] for it in items)))
        return out


@dataclass
class Cfg:
    options: dict
    pack: str
    dev_keys: frozenset
    items: tuple
    min_price_sum: float  # sum over items of the lowest price any tier offers


# ----------------------------------------------------------------------------
# the enumeration
# ----------------------------------------------------------------------------

def _lp(c, A, lo, hi, integer):
    """min c.x s.t. lo <= A x <= hi, x >= 0.  Returns (obj, x) or (inf, None)."""
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    c = np.asarray(c, float)
    A = np.asarray(A, float).reshape(-1, len(c))
    lo = np.asarray(lo, float)
    hi = np.asarray(hi, float)
    if integer:
        res = milp(c, constraints=[LinearConstraint(A, lo, hi)], integrality=np.ones(len(c)),
                   bounds=Bounds(0, np.inf), options={"mip_rel_gap": 0.0, "presolve": True})
        if res.status != 0 or res.x is None:
            return INF, None
        return float(res.fun), res.x
    # linprog wants A_ub x <= b_ub
    rows, rhs = [], []
    for a, l, h in zip(A, lo, hi):
        if np.isfinite(h):
            rows.append(a)
            rhs.append(h)
        if np.isfinite(l):
            rows.append(-a)
            rhs.append(-l)
    res = linprog(c, A_ub=np.array(rows) if rows else None, b_ub=np.array(rhs) if rhs else None,
                  bounds=[(0, None)] * len(c), method="highs")
    if res.status != 0:
        return INF, None
    return float(res.fun), res.x


def _tol(best):
    return 1e-9 * max(1.0, abs(best))





class _Search:
    def __init__(self, m: Model, exhaustive: bool = False, max_developments: int | None = None):
        self.m = m
        self.exhaustive = exhaustive  # no pruning (slow; to check the pruning)
        # at most this many option and pack developments (dev keys) paid; None: no cap
        self.max_developments = max_developments
        self.best = INF
        self.best_plan = None
        self.lp_count = 0
        self.combo_count = 0

    def run(self):
        m = self.m
        n = len(m.variants)
        cfgs = [m.configs(i) for i in range(n)]
        self.cfgs = cfgs
        style_plants = {}
        for v in m.variants:
            s = v["style"]
            style_plants[s] = [j for j, p in enumerate(m.plants) if p["styles"] is None or s in p["styles"]]
        self.style_plants = style_plants
        min_line = {s: (min(m.plants[j]["line"] for j in js) if js else INF) for s, js in style_plants.items()}
        L = m.L

        nodes = []
        for mask in range(1 << n):
            S = [i for i in range(n) if mask >> i & 1]
            if any(m.variants[i]["must"] and i not in S for i in range(n)):
                continue
            if any(not cfgs[i] for i in S):
                continue
            ok = True
            for d in m.demand:
                mem = [i for i in S if i in d["members"]]
                lo_sum = sum(m.variants[i]["min_u"] for i in mem)
                hi_sum = sum(m.variants[i]["max_u"] for i in mem)
                if d["lo"] is not None and hi_sum < d["lo"] - 1e-9:
                    ok = False
                if d["hi"] is not None and lo_sum > d["hi"] + 1e-9:
                    ok = False
            styles = {m.variants[i]["style"] for i in S}
            if not ok or any(not style_plants[s] for s in styles):
                continue
            if not S:
                nodes.append((0.0, (), ()))
                continue
            base = sum(m.variants[i]["th_dev"] for i in S) + sum(min_line[s] for s in styles)
            # production bound for the subset: every line set up, every item at
            # the lowest price any of the variant's combinations could get
            floor_price = {i: min(c.min_price_sum for c in cfgs[i]) for i in S}
            prod_S = self._production_lp(S, floor_price, None, (), (), relax=True)
            if prod_S == INF:
                continue
            extra = [L * m.variants[i]["min_u"] for i in S]
            for combo in product(*(cfgs[i] for i in S)):
                keys = frozenset().union(*(c.dev_keys for c in combo))
                if self.max_developments is not None and len(keys) > self.max_developments:
                    continue
                dev = sum(m.dev_cost_of_key(k) for k in keys)
                lb = base + dev + prod_S + sum(e * (c.min_price_sum - floor_price[i])
                                               for e, i, c in zip(extra, S, combo))
                nodes.append((lb, tuple(S), combo))
        self.combo_count = len(nodes)
        nodes.sort(key=lambda t: t[0])
        for lb, S, combo in nodes:
            if lb >= self.best - _tol(self.best) and not self.exhaustive:
                break
            if not S:
                self.best = 0.0
                self.best_plan = {"cost": 0.0, "variants": {}, "developments": 0}
                continue
            self._solve_combo(S, combo)
        return self.best

    def _solve_combo(self, S, combo):
        m = self.m
        L = m.L
        keys = frozenset().union(*(c.dev_keys for c in combo))
        const = sum(m.dev_cost_of_key(k) for k in keys) + sum(m.variants[i]["th_dev"] for i in S)

        users: dict = {}
        for i, c in zip(S, combo):
            for it in c.items:
                users.setdefault(it, []).append(i)
        items = sorted(users)
        choices = []
        for it in items:
            maxvol = sum(m.variants[i]["max_u"] for i in users[it])
            choices.append([t for t in m.tiers[it] if t[0] <= maxvol + 1e-9])

        styles = sorted({m.variants[i]["style"] for i in S})
        free, costly = [], []
        for s in styles:
            for j in self.style_plants[s]:
                (costly if m.plants[j]["line"] > 0 else free).append((j, s))
        line_sets = []
        for bits in product((0, 1), repeat=len(costly)):
            ls = set(free) | {ln for ln, b in zip(costly, bits) if b}
            if all(any(s2 == s for _, s2 in ls) for s in styles):
                line_sets.append(frozenset(ls))

        # relaxation of the whole combination: every line set up (paying only
        # the cheapest line per style), every item at its lowest tier price
        # without reaching the tier.  A valid lower bound on every inner node.
        min_line = sum(min(m.plants[j]["line"] for j in self.style_plants[s]) for s in styles)
        relax = self._production_lp(S, {i: c.min_price_sum for i, c in zip(S, combo)}, None, (), (),
                                    relax=True)
        if relax == INF or (const + min_line + relax >= self.best - _tol(self.best)
                            and not self.exhaustive):
            return
        inner = []
        for tch in product(*choices):
            price = {it: t[1] for it, t in zip(items, tch)}
            # the chosen prices exceed the lowest ones on at least max(min_units, sum of min_u)
            tier_extra = L * sum((t[1] - m.tiers[it][-1][1]) *
                                 max(t[0], sum(m.variants[i]["min_u"] for i in users[it]))
                                 for it, t in zip(items, tch))
            for ls in line_sets:
                line_cost = sum(m.plants[j]["line"] for j, _ in ls)
                lb = const + line_cost + relax + tier_extra
                inner.append((lb, tch, price, ls, line_cost))
        inner.sort(key=lambda t: t[0])
        for lb, tch, price, ls, line_cost in inner:
            if lb >= self.best - _tol(self.best) and not self.exhaustive:
                break
            self._lp(S, combo, items, users, tch, price, ls, const + line_cost)

    def _production_lp(self, S, unit_price, ls, items, tch, relax):
        """Least production cost (x lifecycle) of subset S where variant i pays
        unit_price[i] per unit for its items, on lines ls (None: every line the
        plants allow).  Continuous relaxation when relax is true."""
        m = self.m
        var, cost = [], []
        for i in S:
            v = m.variants[i]
            for j in self.style_plants[v["style"]]:
                if ls is None or (j, v["style"]) in ls:
                    var.append((i, j))
                    cost.append(m.L * (v["th_unit"] + unit_price[i] + m.plants[j]["asm"]))
        A, lo, hi = self._rows(S, var, (), ())
        if A is None:
            return INF
        self.lp_count += 1
        obj, _x = _lp(cost, A, lo, hi, integer=False if relax else m.integer)
        return obj

    def _rows(self, S, var, items_users, tch):
        m = self.m
        A, lo, hi = [], [], []

        def row(pred):
            return [1.0 if pred(i, j) else 0.0 for i, j in var]

        for i in S:
            A.append(row(lambda a, b, i=i: a == i))
            lo.append(m.variants[i]["min_u"])
            hi.append(m.variants[i]["max_u"])
        for j, p in enumerate(m.plants):
            if any(jj == j for _, jj in var):
                A.append(row(lambda a, b, j=j: b == j))
                lo.append(-np.inf)
                hi.append(p["cap"])
        for d in m.demand:
            mem = d["members"]
            if not any(i in mem for i in S):
                if (d["lo"] is not None and d["lo"] > 0) or (d["hi"] is not None and d["hi"] < 0):
                    return None, None, None
                continue
            A.append(row(lambda a, b, mem=mem: a in mem))
            lo.append(-np.inf if d["lo"] is None else float(d["lo"]))
            hi.append(np.inf if d["hi"] is None else float(d["hi"]))
        for us, t in zip(items_users, tch):
            if t[0] > 0:
                us = set(us)
                A.append(row(lambda a, b, us=us: a in us))
                lo.append(t[0])
                hi.append(np.inf)
        return A, lo, hi

    def _lp(self, S, combo, items, users, tch, price, ls, const):
        m = self.m
        L = m.L
        var = []  # (variant index, plant index)
        cost = []
        for i, c in zip(S, combo):
            v = m.variants[i]
            unit = v["th_unit"] + sum(price[it] for it in c.items)
            for j, s in sorted(ls):
                if s == v["style"]:
                    var.append((i, j))
                    cost.append(L * (unit + m.plants[j]["asm"]))
        A, lo, hi = self._rows(S, var, [users[it] for it in items], tch)
        if A is None:
            return
        self.lp_count += 1
        obj, x = _lp(cost, A, lo, hi, m.integer)
        if x is None:
            return
        total = const + obj
        if total < self.best:
            self.best = total
            plan = {"cost": total, "variants": {}}
            for i, c in zip(S, combo):
                v = m.variants[i]
                split = {m.plants[j]["name"]: float(x[k]) for k, (ii, j) in enumerate(var) if ii == i}
                plan["variants"][v["name"]] = {
                    "offered": True, "units": sum(split.values()), "pack": c.pack,
                    "options": dict(c.options), "plants": split}
            plan["developments"] = len(frozenset().union(*(c.dev_keys for c in combo)))
            plan["tiers"] = {("/".join(it[1:]) if it[0] == "opt" else it[1]): t for it, t in zip(items, tch)}
            plan["lines"] = sorted((m.plants[j]["name"], s) for j, s in ls)
            self.best_plan = plan


def solve_by_enumeration(case: Case, return_plan: bool = False, exhaustive: bool = False,
                         max_developments: int | None = None):
    """(status, total_cost_jpy or None) -- status 'optimal' or 'infeasible'.
    With return_plan=True a third element describes the optimal plan.
    exhaustive=True solves every node without bounding (slow; checks the bounds).
    max_developments: only plans paying for at most that many developments of options and
    packs (each option once, or once per brand using it when unshared; each pack likewise);
    top hats are not counted.  The plan then carries "developments", their number."""
    m = Model(case)
    s = _Search(m, exhaustive, max_developments)
    best = s.run()
    if best == INF:
        out = ("infeasible", None)
        return out + (None,) if return_plan else out
    out = ("optimal", best)
    if return_plan:
        s.best_plan["stats"] = {"combos": s.combo_count, "lps": s.lp_count}
        return out + (s.best_plan,)
    return out


# ----------------------------------------------------------------------------
# checking a plan someone else found
# ----------------------------------------------------------------------------

def evaluate_plan(case: Case, result: dict, unit_tol: float = 1e-3):
    """Cost of the plan in `result` (the JSON of `plan solve`) under this
    oracle's reading of the spec, and the rules it breaks.  Returns
    (cost, [violations]).  One steady year is the one-year case of the checker
    over the years (check_programme.py)."""
    try:
        from .check_programme import evaluate_programme_plan
    except ImportError:  # pragma: no cover
        from check_programme import evaluate_programme_plan  # type: ignore
    return evaluate_programme_plan(case, result, unit_tol)
