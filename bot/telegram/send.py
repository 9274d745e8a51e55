"""Turning an Answer into Telegram messages, and sending them despite flood limits and
flaky networks.

AIORateLimiter keeps the bot under Telegram's limits; when Telegram still answers 429
(RetryAfter) we wait as long as it says and try again, and network errors and
timeouts are retried a bounded number of times with exponential backoff. Forbidden
(the user blocked the bot) and BadRequest are never retried: they will not heal.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

from knowledge.models import Deadline, Knowledge

from ..engine.answer import Answer
from ..engine.english import english
from ..subscriptions.feedback import thanked_data, vote_data
from .texts import with_offers

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_MESSAGE = 4000  # Telegram allows 4096 characters; leave room for markup
SUBSCRIBE_PREFIX = "bevaka:"  # callback data of the "Bevaka" buttons: bevaka:<deadline id>
UNSUBSCRIBE_PREFIX = "avbevaka:"  # … and of the same button once the deadline is watched
WATCHED_LABEL = "✓ Bevakas – avbevaka"
# The buttons under a reminder: <prefix><deadline id>:<occurrence, ISO>. The chat is the
# one the button is pressed in, never part of the data, so no chat can answer for another.
SOURCE_PREFIX = "kalla:"  # "Visa källtext": kalla:<section key> (bot/engine/source_text.py)
SOURCE_LABEL = "Visa källtext"
MAX_SOURCE_BUTTONS = 3
DONE_PREFIX = "klar:"
AGAIN_PREFIX = "igen:"
# Once pressed a button shows its state and carries no action: a later tap on it (the
# extra reminder already sent, say) cannot book another one.
DONE_STATE = "klar"
AGAIN_STATE = "igen"
DONE_LABEL, DONE_SHOWN = "Klar", "✓ Klar"
AGAIN_LABEL, AGAIN_SHOWN = "Påminn igen om 1 dag", "✓ Påminner i morgon"
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit
_REPLY_DATA = re.compile(r"(klar|igen):([^:]+):(\d{4}-\d{2}-\d{2})")
UP, DOWN = "👍", "👎"  # feedback under answers (bot/subscriptions/feedback.py)

# Telegram's own short texts in Swedish; the English ones are in english.yaml (telegram:).
SAID = {
    "thanked": "✓ Tack för omdömet",
    "vote_saved": "Tack! Omdömet sparas utan din fråga och utan vem du är.",
    "vote_again": "Omdömet är redan registrerat – tack!",
    "vote_failed": "Omdömet kunde inte sparas just nu – försök igen om en stund.",
    "inline_hint": "Skriv en fråga, t.ex. När ska RSA rapporteras?",
    "inline_help": "❓ Hjälp, bevakningar och fler frågor",
    "inline_unknown": "Det vet jag inte",
    "inline_closed": "Boten är bara öppen för en begränsad krets",
}


def said(key: str, language: str = "sv") -> str:
    """One of Telegram's short texts (SAID) in the answer's language."""
    return english().telegram[key] if language == "en" else SAID[key]


@dataclass(frozen=True)
class RetryPolicy:
    network_attempts: int = 5  # tries in all when the network fails or times out
    rate_limit_attempts: int = 10  # 429s tolerated for one message
    backoff: float = 1.0  # seconds before the first network retry, doubled each time
    max_backoff: float = 30.0
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep  # injectable in tests


def _seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait (an int or, opted in, a timedelta in PTB 22)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = exc.retry_after
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


async def with_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """Await `call()` until it succeeds, retrying 429s and network errors per `policy`."""
    rate_limited = failures = 0
    while True:
        try:
            return await call()
        except RetryAfter as exc:
            rate_limited += 1
            if rate_limited >= policy.rate_limit_attempts:
                raise
            wait = _seconds(exc)
            log.info("Telegram asked us to wait %.1f s (429); retrying", wait)
            await policy.sleep(wait)
        except BadRequest:
            raise  # a subclass of NetworkError, but retrying cannot fix the request
        except NetworkError as exc:  # includes TimedOut
            failures += 1
            if failures >= policy.network_attempts:
                raise
            wait = min(policy.backoff * 2 ** (failures - 1), policy.max_backoff)
            log.warning("Network error talking to Telegram (%s); retry in %.1f s", exc, wait)
            await policy.sleep(wait)


class NotSent(Exception):  # noqa: N818 - it names an outcome, like StopIteration
    """A request's `before_wire` check said no: nothing was sent."""


BeforeWire = Callable[[], bool]


class WireGate(AIORateLimiter):
    """AIORateLimiter, plus: a request may carry a `before_wire` check (as its
    rate_limit_args), run once the limiter has let the request through, right before it
    goes out. A reminder is claimed there, not before it queues behind the limiter, so a
    crash can only lose the requests actually on the wire. When the check says no, the
    request is not sent and NotSent is raised."""

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        check = rate_limit_args if callable(rate_limit_args) else None

        async def gated(*a, **k):
            if check is not None and not check():
                raise NotSent
            return await callback(*a, **k)

        limit = None if check is not None else rate_limit_args
        return await super().process_request(gated, args, kwargs, endpoint, data, limit)


def gates_the_wire(bot: Bot) -> bool:
    return isinstance(getattr(bot, "rate_limiter", None), WireGate)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def render_html(answer: Answer, watch: Sequence[Deadline] = ()) -> str:
    """The answer as Telegram HTML: every string escaped, sources named, and a text
    command for every "Bevaka" button (screen readers announce buttons poorly)."""
    parts = [esc(with_offers(answer).text)]
    en = english() if answer.language == "en" else None
    if answer.sources:
        lines = []
        for c in answer.sources:
            where = esc(c.where(answer.language))
            if c.dated:  # how current the document is
                where += f" ({esc(en.line(c.dated) if en else c.dated)})"
            if c.url:
                label = en.link if en else "länk"
                where += f' (<a href="{html.escape(c.url, quote=True)}">{label}</a>)'
            lines.append(f"<i>{answer.source_label}: {where}</i>")
        parts.append("\n".join(lines))
    if watch:
        commands = ", ".join(f"/bevaka {esc(d.id)}" for d in watch)
        parts.append(f"{en.watch if en else 'Få påminnelser före fristen:'} {commands}")
    return "\n\n".join(parts)


_TAG = re.compile(r"<(/?)([a-z]+)[^<>]*>")
_ENTITY_START = re.compile(r"&[#a-zA-Z0-9]{0,10}$")  # an entity begun but not ended


def _cut(line: str, limit: int) -> int:
    """Where to cut an overlong line at or before `limit`: never inside a tag or an
    entity ("&amp;"), which Telegram would refuse."""
    cut = limit
    head = line[:cut]
    last_open = head.rfind("<")
    if last_open > head.rfind(">"):
        cut = last_open  # inside a tag: cut before it
    m = _ENTITY_START.search(line[:cut])
    if m:
        cut = m.start()
    return max(cut, 1)


def _balance(chunk: str, carried: list[str]) -> tuple[str, list[str]]:
    """A chunk with the tags still open from the chunk before reopened at its start and
    its own open tags closed at its end; returns those open tags for the next one."""
    text = "".join(carried) + chunk
    stack: list[tuple[str, str]] = []  # (name, the opening tag as written)
    for m in _TAG.finditer(text):
        closing, name = m.group(1), m.group(2)
        if not closing:
            stack.append((name, m.group(0)))
        elif stack and stack[-1][0] == name:
            stack.pop()
    closers = "".join(f"</{name}>" for name, _ in reversed(stack))
    return text + closers, [tag for _, tag in stack]


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split on line boundaries into messages Telegram accepts; an overlong line is cut
    where no tag or entity is broken, and an element cut in two is closed at the end of
    one part and opened again at the start of the next."""
    room = limit - min(40, limit // 2)  # for the tags a cut element needs at either end
    pieces, current = [], ""
    for line in text.split("\n"):
        while len(line) > room:  # a single overlong line: cut it
            if current:
                pieces.append(current)
                current = ""
            at = _cut(line, room)
            pieces.append(line[:at])
            line = line[at:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > room:
            pieces.append(current)
            candidate = line
        current = candidate
    if current or not pieces:
        pieces.append(current)
    out: list[str] = []
    carried: list[str] = []
    for piece in pieces:
        balanced, carried = _balance(piece, carried)
        out.append(balanced)
    return out


def watchable(answer: Answer, knowledge: Knowledge, today: date) -> list[Deadline]:
    """The deadlines an answer is about that still lie ahead (a past one-off cannot be
    watched)."""
    found = (knowledge.deadline(i) for i in answer.deadline_ids)
    return [d for d in found if d is not None and d.rule.next_on_or_after(today)]


def watch_button(deadline: Deadline, watched: bool) -> InlineKeyboardButton:
    """ "Bevaka <short>", or, once the chat watches it, "✓ Bevakas – avbevaka"."""
    if watched:
        return InlineKeyboardButton(WATCHED_LABEL, callback_data=UNSUBSCRIBE_PREFIX + deadline.id)
    return InlineKeyboardButton(
        f"Bevaka {deadline.short}", callback_data=SUBSCRIBE_PREFIX + deadline.id
    )


def reply_data(prefix: str, deadline_id: str, occurrence: date) -> str:
    return f"{prefix}{deadline_id}:{occurrence.isoformat()}"


def parse_reply_data(data: str) -> tuple[str, str, date] | None:
    """ "klar:rsa:2027-10-31" -> ("klar:", "rsa", date(2027, 10, 31)); None for anything
    else (an old button, or forged data)."""
    m = _REPLY_DATA.fullmatch(data or "")
    if not m:
        return None
    try:
        occurrence = date.fromisoformat(m.group(3))
    except ValueError:  # "2027-02-30"
        return None
    return m.group(1) + ":", m.group(2), occurrence


def reply_row(
    deadline: Deadline, occurrence: date, state: str | None = None, several: bool = False
) -> list[InlineKeyboardButton]:
    """A reminder's buttons for one deadline: "Klar" and "Påminn igen om 1 dag", or after
    a press (`state` DONE_PREFIX or AGAIN_PREFIX) what was chosen. Under a reminder of
    several deadlines each label names its deadline."""

    def button(label: str, data: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(f"{label} – {deadline.short}" if several else label,
                                    callback_data=data)  # fmt: skip

    if state == DONE_PREFIX:
        return [button(DONE_SHOWN, DONE_STATE)]
    done = button(DONE_LABEL, reply_data(DONE_PREFIX, deadline.id, occurrence))
    if state == AGAIN_PREFIX:
        return [done, button(AGAIN_SHOWN, AGAIN_STATE)]
    return [done, button(AGAIN_LABEL, reply_data(AGAIN_PREFIX, deadline.id, occurrence))]


def reminder_keyboard(knowledge: Knowledge, keys) -> InlineKeyboardMarkup | None:
    """The buttons under a reminder message: one row per deadline and occurrence it names
    (a deadline whose data would not fit Telegram's 64 bytes gets none, and is logged)."""
    seen = sorted({(k.occurrence, k.deadline_id) for k in keys})
    rows = []
    for occurrence, deadline_id in seen:
        deadline = knowledge.deadline(deadline_id)
        data = reply_data(AGAIN_PREFIX, deadline_id, occurrence)
        if deadline is None or len(data.encode()) > MAX_CALLBACK_DATA:
            log.warning("No reminder buttons for deadline %s: id too long", deadline_id)
            continue
        rows.append(reply_row(deadline, occurrence, several=len(seen) > 1))
    return InlineKeyboardMarkup(rows) if rows else None


def subscribe_keyboard(
    deadlines: list[Deadline], watched: frozenset[str] = frozenset()
) -> InlineKeyboardMarkup | None:
    """One button per deadline, showing whether the chat watches it already."""
    buttons = [[watch_button(d, d.id in watched)] for d in deadlines]
    return InlineKeyboardMarkup(buttons) if buttons else None


def source_row(shown: list[tuple[str, str]]) -> list[InlineKeyboardButton]:
    """ "Visa källtext" per cited section whose text can be shown (numbered as the
    sources are listed when there are several)."""
    shown = shown[:MAX_SOURCE_BUTTONS]
    return [
        InlineKeyboardButton(label, callback_data=SOURCE_PREFIX + key)
        for label, (key, _) in zip(source_labels(len(shown)), shown, strict=True)
    ]


def source_labels(count: int) -> list[str]:
    """ "Visa källtext" for one source, "Källtext 1", "Källtext 2" … for several."""
    return [SOURCE_LABEL] if count == 1 else [f"Källtext {i}" for i in range(1, count + 1)]


def vote_row(language: str, kind: str, section_key: str | None) -> list[InlineKeyboardButton]:
    """👍 and 👎, each carrying what a vote stores (empty when it cannot be carried)."""
    up, down = (vote_data(v, language, kind, section_key) for v in (1, -1))
    if up is None or down is None:
        return []
    return [
        InlineKeyboardButton(UP, callback_data=up),
        InlineKeyboardButton(DOWN, callback_data=down),
    ]


def thanked_row(language: str) -> list[InlineKeyboardButton]:
    """What 👍/👎 turn into once pressed: nothing more to vote with."""
    return [InlineKeyboardButton(said("thanked", language), callback_data=thanked_data(language))]


def answer_keyboard(
    deadlines: list[Deadline],
    watched: frozenset[str],
    shown: list[tuple[str, str]],
    vote: tuple[str, str, str | None] | None = None,
) -> InlineKeyboardMarkup | None:
    """An answer's buttons: "Bevaka" per deadline, then "Visa källtext", then 👍/👎 when
    `vote` (the answer's language, kind and first cited section's key) is given."""
    rows = [[watch_button(d, d.id in watched)] for d in deadlines]
    if shown:
        rows.append(source_row(shown))
    if vote is not None and (row := vote_row(*vote)):
        rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None


def fit_one_message(answer: Answer, limit: int = MAX_MESSAGE) -> str:
    """The answer as Telegram HTML in one message (an inline result can have no second):
    the text is shortened at a line, and said to be, when the whole would not fit; the
    sources always stay."""
    html_text = render_html(answer)
    if len(html_text) <= limit:
        return html_text
    from ..engine.assistant import MORE  # the chat answers' own note (a heavy module: only here)

    more = "\n" + english().shortened if answer.language == "en" else MORE
    text = answer.text
    while text and len(html_text) > limit:
        # escaping only lengthens: cutting as many characters as are over is enough or more
        text = text[: max(0, len(text) - (len(html_text) - limit) - len(more))]
        cut = text.rfind("\n")
        text = text[:cut] if cut > len(text) // 2 else text
        html_text = render_html(replace(answer, text=text.rstrip() + more))
    return html_text if len(html_text) <= limit else split_message(html_text, limit)[0]


async def send_answer(
    bot: Bot,
    chat_id: int,
    answer: Answer,
    policy: RetryPolicy,
    watch: Sequence[Deadline] = (),
    reply_to: int | None = None,
    before_wire: BeforeWire | None = None,
    watched: frozenset[str] = frozenset(),
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send the answer (in parts if long), with a "Bevaka" button per deadline in `watch`
    (or `keyboard` instead, e.g. a reminder's buttons) under the last part. `before_wire`
    (called again on a retry: it must say yes twice) runs right before the first part
    goes out: inside the WireGate when the bot has one, else before the first attempt;
    when it says no, NotSent is raised."""
    chunks = split_message(render_html(answer, watch))
    markup = keyboard or subscribe_keyboard(list(watch), watched)
    gated = before_wire is not None and gates_the_wire(bot)
    if before_wire is not None and not gated and not before_wire():
        raise NotSent
    sent = []
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        reply = (
            ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to and i == 0
            else None
        )
        extra = {"rate_limit_args": before_wire} if gated and i == 0 else {}

        def call(chunk=chunk, last=last, reply=reply, extra=extra):
            return bot.send_message(
                chat_id, chunk, reply_markup=markup if last else None, reply_parameters=reply,
                **extra,
            )  # fmt: skip

        sent.append(await with_retries(call, policy))
    return sent
