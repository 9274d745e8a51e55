"""Which of the bot's messages answered which question, so that an edited question can
edit its answer instead of getting a second one.

Per chat, the latest questions' answers (their message ids, and the follow-up topics
before and after them) are kept for TTL seconds - the follow-up context's half hour - in
memory only: never written to disk or logged, forgotten at /glom and at a restart (an
edit then gets a new answer, as it would without this). No Telegram here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from ..engine.conversation import TTL, Topic

PER_CHAT = 20  # questions remembered per chat (the oldest go first)
MAX_ENTRIES = 10_000  # over all chats: memory stays bounded however many chats write


@dataclass(frozen=True)
class Sent:
    """The answer to one question."""

    messages: tuple[int, ...]  # its message ids, in order (a long answer has several)
    chart: bool = False  # a picture followed it (the all-regions table)
    # the chat's topic when the question was answered: an edited question is read in
    # the same context
    topic_before: Topic | None = None


class SentReplies:
    """(chat, question message id) -> Sent, each for `ttl` seconds (thread-safe)."""

    def __init__(
        self,
        ttl: float = TTL,
        clock: Callable[[], float] = time.monotonic,
        per_chat: int = PER_CHAT,
        max_entries: int = MAX_ENTRIES,
    ):
        self.ttl = ttl
        self.clock = clock
        self.per_chat = per_chat
        self.max_entries = max_entries
        # chats in the order they last got an answer, each its questions oldest first
        self._chats: OrderedDict[Hashable, OrderedDict[int, tuple[float, Sent]]] = OrderedDict()
        self._entries = 0
        self._lock = threading.Lock()

    def get(self, chat: Hashable, question: int) -> Sent | None:
        with self._lock:
            questions = self._chats.get(chat)
            held = questions.get(question) if questions is not None else None
            if held is None:
                return None
            if self.clock() - held[0] > self.ttl:
                self._drop(chat, question)
                return None
            return held[1]

    def put(self, chat: Hashable, question: int, sent: Sent) -> None:
        """Remember the answer to `question`; an edited question's new answer keeps its
        place among the chat's questions (they stay in the order they were asked)."""
        with self._lock:
            questions = self._chats.setdefault(chat, OrderedDict())
            self._chats.move_to_end(chat)
            self._entries += question not in questions
            questions[question] = (self.clock(), sent)
            while len(questions) > self.per_chat:
                self._drop(chat, next(iter(questions)))
            while self._entries > self.max_entries:
                oldest = next(iter(self._chats))
                self._drop(oldest, next(iter(self._chats[oldest])))

    def is_latest(self, chat: Hashable, question: int) -> bool:
        """Whether `question` is the last one the chat got an answer to."""
        with self._lock:
            questions = self._chats.get(chat)
            return bool(questions) and next(reversed(questions or {})) == question

    def forget(self, chat: Hashable) -> None:
        with self._lock:
            self._entries -= len(self._chats.pop(chat, {}))

    def _drop(self, chat: Hashable, question: int) -> None:
        questions = self._chats.get(chat)
        if questions is None or questions.pop(question, None) is None:
            return
        self._entries -= 1
        if not questions:
            del self._chats[chat]

    def __len__(self) -> int:
        return self._entries
