"""Feedback on answers (👍/👎), so that the sections that answer badly can be found -
kept without anything that says whose it was. No Telegram here.

A vote is stored (bot/subscriptions/store.py, table `feedback`) as the answer's kind, the first
section it cites (document and section), the vote and the day: never the question, the
chat, the user or the time of day. Everything a vote needs travels in the button's own
data (VOTE_PREFIX), so a vote on an answer sent before a restart counts as well.

Since nothing stored says who voted, the database cannot tell a second vote from a
first. Instead the answer's buttons turn into "✓ Tack" after a vote, so there is nothing
left to press; a double tap that arrives before that edit is caught by `Votes`, an
in-memory set of the answers voted on in the last hour (chat and message id; never
written down, gone at a restart).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from .store_base import VoteValue

# omdome:<+|->:<sv|en>:<answer kind>:<section key, or - when it cites none>
VOTE_PREFIX = "omdome:"
THANKED_PREFIX = "omdome:tack:"  # the button after a vote: omdome:tack:<sv|en>, no action
_VOTE = re.compile(r"omdome:([+-]):(sv|en):([a-z0-9_]{1,24}):([0-9a-f]{12}|-)")
_THANKED = re.compile(r"omdome:tack:(sv|en)")
KEPT_DAYS = 366  # votes older than a year are dropped (the pruning of bot/subscriptions/store.py)


@dataclass(frozen=True)
class Vote:
    value: VoteValue
    language: str  # the answer's, for the notice and the "Tack" label
    kind: str  # the answer's kind ("deadline", "allocation", "out_of_scope", …)
    section_key: str | None  # bot.source_text.section_key of the first cited section


def vote_data(value: int, language: str, kind: str, section_key: str | None) -> str | None:
    """The button data for a vote; None when the answer's kind cannot be carried (then
    the answer gets no feedback buttons rather than data that would be refused)."""
    data = f"{VOTE_PREFIX}{'+' if value > 0 else '-'}:{language}:{kind}:{section_key or '-'}"
    return data if _VOTE.fullmatch(data) else None


def parse_vote(data: str) -> Vote | None:
    """The vote a button carries; None for anything else (forged or an old format)."""
    m = _VOTE.fullmatch(data or "")
    if not m:
        return None
    value, language, kind, key = m.groups()
    return Vote(1 if value == "+" else -1, language, kind, None if key == "-" else key)


def thanked_data(language: str) -> str:
    return THANKED_PREFIX + language


def thanked_language(data: str) -> str | None:
    m = _THANKED.fullmatch(data or "")
    return m.group(1) if m else None


VOTES_TTL = 60 * 60  # seconds an answer is remembered as voted on: a double tap's window
MAX_VOTED = 10_000


class Votes:
    """The answers voted on lately (a chat and message id each, in memory only): the
    first vote on an answer claims it, a second one finds it claimed."""

    def __init__(
        self,
        ttl: float = VOTES_TTL,
        clock: Callable[[], float] = time.monotonic,
        max_voted: int = MAX_VOTED,
    ):
        self.ttl = ttl
        self.clock = clock
        self.max_voted = max_voted
        self._voted: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, answer: Hashable) -> bool:
        """True for the first vote on `answer` within the TTL."""
        with self._lock:
            now = self.clock()
            while self._voted and now - next(iter(self._voted.values())) > self.ttl:
                self._voted.popitem(last=False)
            if answer in self._voted:
                return False
            self._voted[answer] = now
            while len(self._voted) > self.max_voted:
                self._voted.popitem(last=False)
            return True

    def release(self, answer: Hashable) -> None:
        """The vote was not stored (or the answer changed): it may be voted on again."""
        with self._lock:
            self._voted.pop(answer, None)

    def forget_chat(self, chat: Hashable) -> None:
        """/glom: nothing kept about the chat's answers, not even in memory."""
        with self._lock:
            for answer in [a for a in self._voted if isinstance(a, tuple) and a[0] == chat]:
                del self._voted[answer]

    def __len__(self) -> int:
        return len(self._voted)
