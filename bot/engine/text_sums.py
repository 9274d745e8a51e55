"""Sums on what a cited text states: the question names an amount and the text a share
of it ("Investeringsbidragen … kan uppgå till 50 % av åtgärdskostnaderna"; "åtgärden
kostar 3 miljoner, hur stort kan bidraget bli?"): the share of that amount, computed, so
the user need not."""

from __future__ import annotations

import re
from fractions import Fraction

from index.analysis import fold, plain

from .dates import sv_kr
from .entities import LEX

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
