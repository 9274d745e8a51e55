"""A chat's last answer, kept for a while so that a follow-up can lean on it.

"och Skåne då?", "och 2024?", "till vem?", "vad betyder det?" leave out what the
previous answer was about. Each chat (or terminal session) keeps the topic of its last
answer for TTL seconds, in memory only: never written to disk or logged. A question
that is complete on its own replaces it; an answer that answers nothing clears it.

Per instance, on purpose: with several instances behind one webhook (a shared
PostgreSQL database) a follow-up that reaches the other instance finds no topic and is
answered as a question of its own. Moving topics into the database would store what
users ask about, which the bot promises not to do.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from .understanding import Understanding

TTL = 30 * 60  # seconds a topic is remembered
MAX_CHATS = 10_000  # the oldest topics go first beyond this (memory stays bounded)


@dataclass(frozen=True)
class Topic:
    """What an answer was about."""

    understanding: Understanding  # the question as it was finally read
    kind: str  # the answer's kind ("deadline", "allocation", "task", "fact", …)
    text: str  # the answer's text: the terms it uses can be asked about
    deadline_ids: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


class Conversations:
    """Topics per chat, each for TTL seconds (thread-safe: answers run in workers)."""

    def __init__(
        self,
        ttl: float = TTL,
        clock: Callable[[], float] = time.monotonic,
        max_chats: int = MAX_CHATS,
    ):
        self.ttl = ttl
        self.clock = clock
        self.max_chats = max_chats
        self._topics: OrderedDict[Hashable, tuple[float, Topic]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, chat: Hashable) -> Topic | None:
        with self._lock:
            held = self._topics.get(chat)
            if held is None:
                return None
            if self.clock() - held[0] > self.ttl:
                del self._topics[chat]
                return None
            return held[1]

    def put(self, chat: Hashable, topic: Topic | None) -> None:
        """Remember `topic` as the chat's (None forgets the chat's topic)."""
        with self._lock:
            self._topics.pop(chat, None)
            if topic is None:
                return
            self._topics[chat] = (self.clock(), topic)
            while len(self._topics) > self.max_chats:
                self._topics.popitem(last=False)

    def forget(self, chat: Hashable) -> None:
        self.put(chat, None)

    def __len__(self) -> int:
        return len(self._topics)
