"""Sums on what a cited text states, computed so the user need not: the share of an amount
the question names ("Investeringsbidragen … kan uppgå till 50 % av åtgärdskostnaderna";
"åtgärden kostar 3 miljoner, hur stort kan bidraget bli?"), and how long ago the one
date the text gives was ("hur länge sedan beslutade SKR …?")."""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

from index.analysis import fold, plain
from knowledge.models import MONTHS_SV

from .dates import sv_date, sv_int, sv_kr
from .entities import DATE_YEAR, LEX

# "50 % av åtgärdskostnaderna", "högst 75 procent av kostnaden": a share of something
SHARE_OF = re.compile(
    r"(?<![\d,])(\d{1,3}(?:,\d{1,2})?)\s*(?:%|procent)\s+av\s+(?:den\s+|de\s+)?([\w-]+)"
)


def share_of_amount(text: str, amounts: list[int]) -> str | None:
    """"50 % av 3 000 000 kr är 1 500 000 kr." when the question names one amount and
    the text one share of something other than the population (a region's share of the
    population is the grant table's, computed there)."""
    if len(amounts) != 1:
        return None
    people = tuple(plain(w) for w in LEX["inhabitants"].words)  # "befolkningen" too
    shares = {m[1] for m in SHARE_OF.finditer(fold(text)) if not plain(m[2]).startswith(people)}
    if len(shares) != 1:  # none, or several: which one is meant is not ours to guess
        return None
    share = shares.pop()
    part = Fraction(share.replace(",", ".")) / 100 * amounts[0]
    return f"Uträknat: {share} % av {sv_kr(amounts[0])} är {sv_kr(part)}."


def time_since(text: str, today: date) -> str | None:
    """"Uträknat: 27 januari 2023 är 1 407 dagar sedan (3 år och 10 månader)." for the
    one date in the past that the text gives (none, or several: not ours to choose)."""
    found = set()
    for m in DATE_YEAR.finditer(fold(text)):
        try:
            found.add(date(int(m[3]), MONTHS_SV.index(m[2]) + 1, int(m[1])))
        except ValueError:
            continue  # "31 februari": no date
    past = {d for d in found if d <= today}
    if len(past) != 1:
        return None
    then = past.pop()
    months = (today.year - then.year) * 12 + today.month - then.month - (today.day < then.day)
    years, months = divmod(months, 12)
    parts = [f"{years} år"] if years else []
    if months or not years:
        parts.append(f"{months} månad{'er' if months != 1 else ''}")
    return (f"Uträknat: {sv_date(then)} är {sv_int((today - then).days)} dagar sedan "
            f"({' och '.join(parts)}).")  # fmt: skip
