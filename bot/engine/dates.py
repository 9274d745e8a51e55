"""Today in Europe/Stockholm, and Swedish formatting of dates, money and shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from knowledge.models import MONTHS_SV, WEEKDAYS_SV

STOCKHOLM = ZoneInfo("Europe/Stockholm")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(STOCKHOLM)


def today(clock: Clock = system_clock) -> date:
    return clock().astimezone(STOCKHOLM).date()


def sv_date(d: date) -> str:
    """'31 oktober 2027'."""
    return f"{d.day} {MONTHS_SV[d.month - 1]} {d.year}"


def sv_weekday_date(d: date) -> str:
    """'söndag 31 oktober 2027': a reminder says which day of the week the deadline is."""
    return f"{WEEKDAYS_SV[d.weekday()]} {sv_date(d)}"


def sv_int(n: int) -> str:
    """'10 514 719' (a narrow-free plain space groups thousands, as in the documents)."""
    return f"{n:,}".replace(",", " ").replace("-", "−")


def sv_kr(amount: int | Fraction) -> str:
    """'16 525 798 kr' (a fraction is rounded to whole kronor)."""
    return sv_int(round(amount)) + " kr"


def sv_decimal(value: Fraction, decimals: int = 2) -> str:
    """'28,76' (decimal comma, rounded half up)."""
    scaled = (value * 10**decimals + Fraction(1, 2)).__floor__()
    whole, part = divmod(scaled, 10**decimals)
    return f"{sv_int(whole)},{part:0{decimals}d}"


def sv_percent(share: Fraction, decimals: int = 1) -> str:
    """'3,8 %'."""
    return f"{float(share) * 100:.{decimals}f}".replace(".", ",") + " %"


def days_until(when: date, today_: date) -> int:
    return (when - today_).days


def relative(when: date, today_: date) -> str:
    """'om 341 dagar', 'i dag', 'för 12 dagar sedan'."""
    n = days_until(when, today_)
    if n == 0:
        return "i dag"
    if n == 1:
        return "i morgon"
    if n > 0:
        return f"om {n} dagar"
    return f"för {-n} dagar sedan"
