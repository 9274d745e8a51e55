"""Answering off the event loop, fairly between chats.

The engine takes from a few to a few hundred milliseconds per question. Run on the event
loop, one chat's thirty long messages held up everyone else for seconds; a thread pool
alone does not help, since it is first in, first out and one chat's backlog runs first.
So: a chat's messages are handled one at a time and in order (ChatTurns), different
chats' at the same time, and the answering itself runs in a pool of as many threads as
cores (AnswerPool). A chat with more than `max_waiting` messages in hand is told once to
slow down, and its extra messages are not handled. No Telegram here: the front end
decides what a turn is for and words the refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
MAX_WAITING = 5  # messages in hand per chat: one being handled, the rest waiting


class Flooded(Exception):  # noqa: N818 - it names a state, like asyncio.QueueFull
    """The chat has too many messages waiting; `first` is true for the first refusal of
    this flood, so that the user is told once, not once per message."""

    def __init__(self, first: bool):
        super().__init__("för många meddelanden på en gång")
        self.first = first


class ChatTurns:
    """One message per chat at a time, in the order they came (asyncio.Lock is FIFO)."""

    def __init__(self, max_waiting: int = MAX_WAITING):
        self.max_waiting = max_waiting
        self._locks: dict[int, asyncio.Lock] = {}
        self._in_hand: dict[int, int] = {}
        self._warned: set[int] = set()

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        held = self._in_hand.get(chat_id, 0)
        if held >= self.max_waiting:
            first = chat_id not in self._warned
            self._warned.add(chat_id)
            raise Flooded(first)
        self._in_hand[chat_id] = held + 1
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            left = self._in_hand[chat_id] - 1
            if left:
                self._in_hand[chat_id] = left
            else:  # nothing kept about a chat with nothing in hand
                del self._in_hand[chat_id]
                self._warned.discard(chat_id)
                if not lock.locked():
                    self._locks.pop(chat_id, None)


class Newest:
    """Per key (a user), only the newest piece of work is done: one at a time, and one
    that a newer one overtook while it waited is skipped. For inline queries, of which
    Telegram sends one per pause in typing and shows only the last answer's results."""

    def __init__(self) -> None:
        self._newest: dict[object, object] = {}
        self._locks: dict[object, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, key: object) -> AsyncIterator[bool]:
        """Yields whether this is still the newest when its turn comes."""
        mine = object()
        self._newest[key] = mine
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                yield self._newest.get(key) is mine
        finally:
            if self._newest.get(key) is mine:  # nobody after us: nothing kept about `key`
                del self._newest[key]
                if not lock.locked():
                    self._locks.pop(key, None)


class AnswerPool:
    """The engine's work in threads, off the event loop (numpy and the embedding model
    release the GIL, so two cores are used)."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="answer")

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
