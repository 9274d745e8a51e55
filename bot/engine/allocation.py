"""The allocation calculator: computes each region's grant from the grant's definition.

amount = base amount + (total − all base amounts) × population / total population,
in exact fractions; the population part is rounded to the nearest krona, and
should rounding leave the parts a krona or two off the total, the largest
remainders absorb the difference (the published 2023 table needs no adjustment).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from knowledge.models import Grant


class AllocationError(ValueError):
    """The definition cannot be split (e.g. base amounts exceed the total)."""


@dataclass(frozen=True)
class Allocation:
    region_id: str
    population: int
    share: Fraction  # of the total population
    base: int
    population_part: int
    exact_population_part: Fraction

    @property
    def total(self) -> int:
        return self.base + self.population_part


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def allocate(populations: dict[str, int], total: int, base_amount: int) -> dict[str, Allocation]:
    """Split `total` kronor: `base_amount` each, the rest by population share."""
    if not populations:
        raise AllocationError("Inga regioner att fördela på.")
    if total <= 0:
        raise AllocationError("Totalbeloppet måste vara större än noll.")
    if base_amount < 0:
        raise AllocationError("Grundbeloppet kan inte vara negativt.")
    if any(p <= 0 for p in populations.values()):
        raise AllocationError("Varje region måste ha en befolkning större än noll.")
    rest = total - base_amount * len(populations)
    if rest < 0:
        raise AllocationError(
            f"Grundbeloppen ({len(populations)} × {base_amount} kr) överstiger totalen {total} kr."
        )
    pop_total = sum(populations.values())
    exact = {rid: Fraction(rest * p, pop_total) for rid, p in populations.items()}
    parts = {rid: _round_half_up(x) for rid, x in exact.items()}
    # Make the parts add up exactly: give or take a krona where rounding went furthest.
    diff = rest - sum(parts.values())
    order = sorted(exact, key=lambda r: exact[r] - parts[r], reverse=diff > 0)
    for rid in order[: abs(diff)]:
        parts[rid] += 1 if diff > 0 else -1
    return {
        rid: Allocation(
            region_id=rid,
            population=populations[rid],
            share=Fraction(populations[rid], pop_total),
            base=base_amount,
            population_part=parts[rid],
            exact_population_part=exact[rid],
        )
        for rid in populations
    }


def allocate_grant(
    grant: Grant, total: int | None = None, base_amount: int | None = None
) -> dict[str, Allocation]:
    """The grant's split, or a what-if with another total and/or base amount."""
    return allocate(
        grant.populations,
        grant.total if total is None else total,
        grant.base_amount if base_amount is None else base_amount,
    )


def cost_share(populations: dict[str, int], cost: int) -> dict[str, Fraction]:
    """A joint cost split by population share (as the NSPL office is financed), exact."""
    pop_total = sum(populations.values())
    return {rid: Fraction(cost * p, pop_total) for rid, p in populations.items()}
