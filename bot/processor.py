"""Many chats at once, each chat in order.

PTB hands every update to this processor as its own task. Updates of different chats run
concurrently; updates of one chat wait for each other on the chat's lock, in arrival order
(asyncio locks wake their waiters first come, first served, and PTB starts the tasks in the
order the updates arrived). A chat's lock is dropped as soon as nobody holds or waits for it,
so the table holds only busy chats; the base class bounds how many updates run at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import UPDATE_SECONDS, kind

#: Updates in progress at once, over all chats (the rest wait in PTB's queue).
MAX_CONCURRENT_UPDATES = 256


def chat_key(update: object) -> int | None:
    """The chat whose order an update belongs to (the user's, for a button without a chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # chat → updates holding or waiting for its lock
        self._watched: dict[int, asyncio.Future[None]] = {}  # update_id → done

    def watch(self, update_id: int) -> asyncio.Future[None]:
        """A future that is done when this update has been handled (the webhook waits on it)."""
        return self._watched.setdefault(update_id, asyncio.get_running_loop().create_future())

    @property
    def busy_chats(self) -> int:
        return len(self._locks)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            with UPDATE_SECONDS.labels(kind(update)).time():  # the wait for the chat's turn included
                await self._in_order(update, coroutine)
        finally:
            done = self._watched.pop(update.update_id, None) if isinstance(update, Update) else None
            if done is not None and not done.done():
                done.set_result(None)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
