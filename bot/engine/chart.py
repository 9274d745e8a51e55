"""The allocation table as a chart: regions sorted by amount, base and population part stacked."""

from __future__ import annotations

import io

from knowledge.models import Knowledge

from .allocation import allocate_grant
from .dates import sv_date, sv_kr

_cache: dict[tuple[str, int | None], bytes] = {}


def allocation_chart_png(knowledge: Knowledge, year: int | None = None) -> bytes:
    """A PNG of the grant's split for `year` (the latest grant when None); cached per
    knowledge version, since the figures only change with the knowledge."""
    key = (knowledge.fingerprint, year)
    if key not in _cache:
        _cache[key] = _draw(knowledge, year)
    return _cache[key]


def _draw(knowledge: Knowledge, year: int | None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt

    grant = knowledge.grant_for_year(year) if year else max(knowledge.grants, key=lambda g: g.year)
    if grant is None:
        raise ValueError(f"Ingen fördelning för {year} i kunskapsbasen.")
    rows = sorted(allocate_grant(grant).values(), key=lambda a: a.total)
    names = [knowledge.region(a.region_id).name.replace("Region ", "") for a in rows]
    base = [a.base / 1e6 for a in rows]
    pop = [a.population_part / 1e6 for a in rows]

    fig, ax = plt.subplots(figsize=(8, 8), dpi=110)
    ax.barh(names, base, color="#9db4c0", label="Grundbelopp")
    ax.barh(names, pop, left=base, color="#1b4965", label="Efter befolkningsandel")
    for i, a in enumerate(rows):
        ax.text(base[i] + pop[i] + 0.5, i, sv_kr(a.total), va="center", fontsize=8)
    ax.set_xlabel("Miljoner kronor")
    ax.set_xlim(0, max(b + p for b, p in zip(base, pop, strict=True)) * 1.28)
    ax.set_title(
        f"Tilldelning {grant.year}: {sv_kr(grant.total)} till regionerna\n"
        f"(befolkning {sv_date(grant.population_date)})",
        fontsize=11,
    )
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
