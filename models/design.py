"""The design: which variants are offered, each one's options and pack, its launch year, the
developments they need, and the choices the planners have locked. Shared by every future.

  offer[v]                 variant v is offered
  use[v,c,o], pack[v,p]    offered variant v takes option o of category c, carries pack p
  launch[v,t]              v launches in year t (only when it has more than one year to choose from)
  develop[c,o,b,t]         option c/o is developed, paid in year t (b: a brand, or "" when one
  develop_pack[p,b,t]      development serves all); t runs over `dev_years` (see below)

Optionally (`PlatformModel(max_developments=N)`, for `plan sweep --pareto commonality`) at most N
developments of options and packs are paid: the commonality a planner trades against cost.

A one-time cost is paid in the first year it serves. Discount factors never rise, so paying as late
as the rules allow is always cheapest: the model may choose the year freely and settles on the
earliest launch year among the users. When every year weighs one-time costs alike (no discounting),
the year does not matter and each development has one variable.
"""

from __future__ import annotations

import pyomo.core as pyo

from models.data import PlanInput
from models.rows import Rule

if False:  # pragma: no cover - typing only, without an import cycle
    from models.build import PlatformModel


def define_choices(pm: "PlatformModel") -> None:
    """Offer, option, pack and launch-year choices, one of each where the spec asks for one."""
    m, ch = pm.m, pm.choices
    pm.offer_idx = list(ch)
    pm.use_idx = [(v, c, o) for v, vc in ch.items() for c, opts in vc.options.items() for o in opts]
    pm.pack_idx = [(v, p) for v, vc in ch.items() for p in vc.packs]
    pm.launch_idx = [(v, t) for v, vc in ch.items() if len(vc.launch_years) > 1 for t in vc.launch_years]
    m.offer = pyo.Var(pm.offer_idx, domain=pyo.Binary)
    m.use = pyo.Var(pm.use_idx, domain=pyo.Binary)
    m.pack = pyo.Var(pm.pack_idx, domain=pyo.Binary)
    m.launch = pyo.Var(pm.launch_idx, domain=pyo.Binary)

    uses: dict[tuple[str, str], list] = {}
    for i in pm.use_idx:
        uses.setdefault(i[:2], []).append(m.use[i])
    one_option, one_pack, once, must = {}, {}, {}, {}
    for v, vc in ch.items():
        for c in pm.inp.categories:
            chosen = sum(uses.get((v, c.name), []))
            one_option[(v, c.name)] = (
                (0, chosen - m.offer[v], 0) if c.required else (None, chosen - m.offer[v], 0)
            )
        one_pack[v] = (0, sum(m.pack[v, p] for p in vc.packs) - m.offer[v], 0)
        if len(vc.launch_years) > 1:
            once[v] = (0, sum(m.launch[v, t] for t in vc.launch_years) - m.offer[v], 0)
        if any(f.inp.variant(v).must_offer for f in pm.futures):
            must[v] = (1, m.offer[v], None)
    cat = {c.name: c for c in pm.inp.categories}
    V = lambda v: ch[v].variant  # noqa: E731
    pm.add("must_offer", must, lambda v: Rule("must offer", "variants", v, f"variant {v} must be offered"))
    pm.add("one_option", one_option, lambda k: Rule(
        "option choice", "parts", k[0],
        f"variant {k[0]} takes {'one option' if cat[k[1]].required else 'at most one option'} of {k[1]}"))
    pm.add("one_pack", one_pack, lambda v: Rule(
        "pack choice", "packs", v,
        f"variant {v} carries one pack that fits its {V(v).pack_bay_mm:,.0f} mm bay"))
    pm.add("launch_once", once, lambda v: Rule(
        "launch year", "variants", v, f"variant {v} launches once, between its launch_from and launch_by"))
    define_locks(pm)


def define_locks(pm: "PlatformModel") -> None:
    """Every lock holds; a lock on a pack or a category (an option or `none`) also means the variant
    is offered. Without elastic slacks the deductions already left a locked variant only its locked
    choices, so these rows then only say that it is offered."""
    m, rows, lock_of = pm.m, {}, {}
    for fut in pm.futures:
        for lock in fut.inp.locks:
            v = lock.variant
            if v not in pm.choices:
                continue  # locked out, or never offerable (then a static conflict)
            if lock.item == "offer":
                row = (1, m.offer[v], None) if lock.choice else (None, m.offer[v], 0)
            elif lock.item == "pack":
                row = (1, m.pack[v, lock.choice] if (v, lock.choice) in m.pack else 0, None)
            elif lock.choice is None:
                row = (1, m.offer[v] - sum(m.use[i] for i in pm.use_idx if i[:2] == (v, lock.item)), None)
            else:
                key = (v, lock.item, lock.choice)
                row = (1, m.use[key] if key in m.use else 0, None)
            rows[(fut.name, lock.label)] = row
            lock_of[(fut.name, lock.label)] = lock
    pm.add("lock", rows, lambda k: Rule(
        "lock", "locks", lock_of[k].variant, f"{lock_of[k].text} holds", future=k[0]))


def dev_years(weights: list[list[float]]) -> list[int]:
    """The period indexes a one-time cost may be paid in: every period when the periods weigh it
    differently (discounting), else only the first (the year then makes no difference)."""
    n = len(weights[0])
    expected = [sum(w[t] for w in weights) for t in range(n)]
    return list(range(n)) if max(expected) - min(expected) > 1e-12 * max(1.0, max(expected)) else [0]


def development_key(inp: PlanInput, brand: str, category: str | None, item: str) -> tuple:
    """The development a choice needs: (category, option, brand or "") or (pack, brand or "")."""
    s = inp.settings
    if category is not None:
        shared = s.cross_brand_sharing and next(c for c in inp.categories if c.name == category).shared
        return (category, item, "" if shared else brand)
    return (item, "" if s.cross_brand_sharing else brand)


def define_developments(pm: "PlatformModel") -> None:
    """A development is paid before any variant uses it; paid in the year it first serves."""
    m, ch = pm.m, pm.choices
    years = [pm.periods[i].name for i in pm.dev_years]
    pm.dev_of_use = {f.name: {} for f in pm.futures}  # future -> (v, c, o) -> development key
    pm.dev_of_pack = {f.name: {} for f in pm.futures}
    for fut in pm.futures:
        for v, c, o in pm.use_idx:
            pm.dev_of_use[fut.name][(v, c, o)] = development_key(fut.inp, ch[v].variant.brand, c, o)
        for v, p in pm.pack_idx:
            pm.dev_of_pack[fut.name][(v, p)] = development_key(fut.inp, ch[v].variant.brand, None, p)
    option_keys = sorted({k for f in pm.dev_of_use.values() for k in f.values()})
    pack_keys = sorted({k for f in pm.dev_of_pack.values() for k in f.values()})
    m.develop = pyo.Var([k + (t,) for k in option_keys for t in years], domain=pyo.Binary)
    m.develop_pack = pyo.Var([k + (t,) for k in pack_keys for t in years], domain=pyo.Binary)

    def paid_by(var, key: tuple, period: int | None = None):
        """Σ of the development's variables paid in or before `period` (None: any year)."""
        return sum(var[key + (t,)] for t, i in zip(years, pm.dev_years) if period is None or i <= period)

    links = {"develop_option": {}, "develop_pack_link": {}, "develop_once": {}, "develop_timing": {}}
    for kind, var, idx, dev_of, choice in (
        ("option", m.develop, pm.use_idx, pm.dev_of_use, m.use),
        ("pack", m.develop_pack, pm.pack_idx, pm.dev_of_pack, m.pack),
    ):
        family = "develop_option" if kind == "option" else "develop_pack_link"
        for fut in pm.futures:
            for i in idx:
                key = dev_of[fut.name][i]
                links[family].setdefault(i + key, (None, choice[i] - paid_by(var, key), 0))
                if len(years) > 1:
                    links["develop_once"].setdefault(
                        (kind,) + key + ("",) * (3 - len(key)), (None, paid_by(var, key), 1))
                    links["develop_timing"].update(_timing_rows(
                        pm, i, key, choice[i], lambda t, k=key, var=var: paid_by(var, k, t)))
    pm.add("develop_option", links["develop_option"], lambda k: Rule(
        "development", "parts", f"{k[1]}/{k[2]}",
        f"option {k[1]}/{k[2]} is developed before variant {k[0]} uses it"))
    pm.add("develop_pack_link", links["develop_pack_link"], lambda k: Rule(
        "development", "packs", k[1], f"pack {k[1]} is developed before variant {k[0]} carries it"))
    pm.add("develop_once", links["develop_once"], lambda k: Rule(
        "development", "parts", str(k[1]), f"{k[1]} is developed once"))
    pm.add("develop_timing", links["develop_timing"], lambda k: Rule(
        "development", "parts", k[0], f"what variant {k[0]} uses is developed by its launch year",
        year=k[-1]))


def _timing_rows(pm: "PlatformModel", i: tuple, key: tuple, chosen, paid_by) -> dict:
    """A development is paid by the launch year of every variant that uses it: in each launch year t
    it may take, chosen + sells(v, t) − offer(v) <= paid by t. For whole decisions this is "chosen and
    selling by t", as chosen + sells − 1 would be; with offer in place of 1 the LP must pay for the
    development as early as the variant's fractional launch (chosen and sells are both at most offer)."""
    v = i[0]
    years = pm.choices[v].launch_years
    rows = {}
    for t in years:
        ti = pm.year_index[t]
        if ti >= pm.dev_years[-1]:
            break  # paid by then means paid at all: the link row says it
        sells = pm.m.offer[v] if t == years[-1] else pm.sells(v, t)
        rows[(v, "/".join(key[:-1]), key[-1], t)] = (None, chosen + sells - pm.m.offer[v] - paid_by(ti), 0)
    return rows


def count_developments(pm: "PlatformModel"):
    """The developments of options and packs paid (each is paid at most once, in one year): what
    the development cap counts. Top hats are not counted: every offered variant has its own."""
    m = pm.m
    return sum(m.develop[i] for i in m.develop) + sum(m.develop_pack[i] for i in m.develop_pack)


def define_development_cap(pm: "PlatformModel") -> None:
    """At most `pm.max_developments` options and packs developed (one per brand that pays for
    one alone). A development the model pays for is one a variant uses or an unused one it may
    leave out, so the plan read from the model develops no more than the model counts."""
    cap = pm.max_developments
    if cap is None:
        return
    pm.add("development_cap", {"": (None, count_developments(pm), cap)}, lambda _k: Rule(
        "development cap", "--pareto commonality", "developments",
        f"at most {cap:,} developments of options and packs are paid"))
