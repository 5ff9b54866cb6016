"""What the brands share: which options and packs the plan develops, who uses each, how many
distinct parts the line needs against going alone, and how much development serves both."""

from __future__ import annotations

from dataclasses import dataclass

from models.data import PlanInput
from models.plan import Plan
from models.evaluate import Evaluation


@dataclass(frozen=True)
class SharedItem:
    category: str  # "pack" for a pack
    option: str
    developed_for: str  # "all brands" or the brand that pays its own development
    dev_cost_jpy: float
    variants: tuple[str, ...]
    brands: tuple[str, ...]

    @property
    def serves_several_brands(self) -> bool:
        return self.developed_for == "all brands" and len(self.brands) > 1


@dataclass
class Sharing:
    items: list[SharedItem]
    distinct_parts: int  # option and pack developments the plan pays
    parts_if_alone: int  # the same choices, each developed once per brand using it
    parts_without_sharing_plan: int | None  # developments of the plan solved with cross_brand_sharing = no
    development_jpy: float  # parts, packs and top hats
    development_shared_jpy: float  # developments used by more than one brand

    @property
    def shared_share(self) -> float | None:
        return self.development_shared_jpy / self.development_jpy if self.development_jpy > 0 else None


def sharing(inp: PlanInput, plan: Plan, ev: Evaluation, baseline: Evaluation | None) -> Sharing:
    users: dict[str, list[str]] = {}
    brand_of = {v.name: v.brand for v in inp.variants}
    for name, vp in plan.variants.items():
        if not vp.offered:
            continue
        for c, o in vp.options.items():
            users.setdefault(f"{c}/{o}", []).append(name)
        if vp.pack is not None:
            users.setdefault(vp.pack, []).append(name)
    items: list[SharedItem] = []
    order = {p.key: i for i, p in enumerate(inp.parts)} | {p.name: len(inp.parts) + i for i, p in enumerate(inp.packs)}
    for d in sorted((d for d in ev.developments if d.kind in ("option", "pack")), key=lambda d: (order.get(d.item, 0), d.brand or "")):
        variants = [n for n in users.get(d.item, []) if d.brand is None or brand_of[n] == d.brand]
        brands = tuple(b for b in inp.brands if any(brand_of[n] == b for n in variants))
        category, option = (d.item.split("/", 1) if d.kind == "option" else ("pack", d.item))
        items.append(SharedItem(category, option, d.brand or "all brands", d.cost_jpy, tuple(variants), brands))
    alone = sum(len({brand_of[n] for n in vs}) for vs in users.values())
    dev_total = ev.costs["development: parts"] + ev.costs["development: packs"] + ev.costs["development: top hats"]
    shared = sum(i.dev_cost_jpy for i in items if i.serves_several_brands)
    base_count = None if baseline is None else sum(1 for d in baseline.developments if d.kind in ("option", "pack"))
    return Sharing(items, len(items), alone, base_count, dev_total, shared)
