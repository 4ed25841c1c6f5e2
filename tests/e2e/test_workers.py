"""Three workers (`friends web` in webhook mode) share one PostgreSQL database: updates,
outbox and timers are safe with row locks. Several whole bookings run at once through
whichever worker Telegram reaches (a stand-in that posts each update until it hears 200, as
Telegram does, and answers the Bot API like the in-process double, refusals included); one
worker is SIGKILLed a third of the way in. Every booking completes with each transition once,
nothing is lost, and each conversation's relayed texts are in order."""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text as sql

from friends import wiring
from friends.bench.telegram import FakeTelegram, WebProcess, text_update
from friends.bench.world import active_pairs
from friends.botapi import Sent, callback_update
from storage.db import make_engine
from tests.conftest import free_port
from tests.e2e.test_kill_at_random import TOKEN
from tests.e2e.test_kill_whole_bookings import completed, whole_booking
from tests.e2e.test_restart import quiet

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.postgres]
BOOKINGS = 3  # each with a helper of their own (the matching shows three)


class Telegram:
    """Posts updates to the workers like Telegram: one chat's next update after this one's 200."""

    def __init__(self, fake: FakeTelegram, workers: list[WebProcess]) -> None:
        self.fake, self.alive = fake, list(workers)
        self.path = urlsplit(fake.webhook["url"]).path  # the same secret path in every worker
        self.secret = {"X-Telegram-Bot-Api-Secret-Token": fake.webhook["secret_token"]}
        self.handled = Counter[int]()
        self.rnd = random.Random(11)
        self.client = httpx.AsyncClient(timeout=5)

    async def post(self, update: dict[str, Any]) -> None:
        while True:
            worker = self.rnd.choice(self.alive)
            try:
                hook = f"http://127.0.0.1:{worker.port}{self.path}"
                if (await self.client.post(hook, json=update, headers=self.secret)).status_code == 200:
                    self.handled[worker.port] += 1
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)


class WebhookUser:
    """A person whose app shows what the bot sent them (the stand-in keeps it)."""

    def __init__(self, telegram: Telegram, chat_id: int) -> None:
        self.telegram, self.chat_id = telegram, chat_id
        self.n = 0
        self.read = 0  # how many of this chat's messages were looked at
        self.pressed: set[tuple[int, str]] = set()

    def _mine(self) -> list[Sent]:
        return [m for m in list(self.telegram.fake.api.sent) if m.chat_id == self.chat_id]

    async def _wait(self, found: Any, what: str, timeout: float = 90) -> Any:
        deadline = time.monotonic() + timeout
        while (hit := found()) is None:
            if time.monotonic() > deadline:
                texts = [m.text[:60] for m in self._mine()[self.read :]]
                raise AssertionError(f"{self.chat_id} never got {what}; since the last step: {texts}")
            await asyncio.sleep(0.1)
        return hit

    async def send_text(self, text: str) -> None:
        self.n += 1
        await self.telegram.post(text_update(self.chat_id, self.n, text))

    async def send_command(self, text: str) -> None:
        self.n += 1
        update = text_update(self.chat_id, self.n, text)
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        await self.telegram.post(update)

    async def text_after(self, fragment: str, text: str) -> None:
        def found() -> int | None:
            mine = self._mine()
            return next((n for n in range(self.read, len(mine)) if fragment in mine[n].text), None)

        self.read = await self._wait(found, repr(fragment)) + 1
        await self.send_text(text)

    async def press(self, label: str) -> None:
        def found() -> tuple[Sent, str] | None:
            for m in reversed(self._mine()):  # the newest button with that label not pressed yet
                for text, data in m.buttons:
                    if text.startswith(label) and (m.message_id, data) not in self.pressed:
                        return m, data
            return None

        message, data = await self._wait(found, f"a button {label!r}")
        self.pressed.add((message.message_id, data))
        self.n += 1
        person = {"id": self.chat_id, "is_bot": False, "first_name": "Kundin", "language_code": "de"}
        chat = {"id": self.chat_id, "type": "private"}
        await self.telegram.post(callback_update(self.chat_id * 1000 + self.n, person, chat, message, data))


async def test_three_workers_complete_whole_bookings_with_one_killed(
    postgres_url: str, tmp_path: Path
) -> None:
    pairs = active_pairs(
        wiring.uow_factory(postgres_url), wiring.place_index(), BOOKINGS, now=datetime.now(UTC)
    )
    fake = FakeTelegram(free_port())
    workers = []
    for n in range(3):
        port = free_port()
        env = {
            **os.environ,
            "BOT_OPS_PORT": str(free_port()),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{fake.port}",
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": postgres_url,
            "OUTBOX_LEASE_S": "5",  # several workers: what the killed one held is free after its leases
            "UPDATE_LEASE_S": "10",  # longer than a busy worker takes for an update
            "RASA_URL": "http://127.0.0.1:9",
            "LOG_LEVEL": "WARNING",
        }
        workers.append(WebProcess(env, port, tmp_path / f"web{n}.log"))
    await asyncio.gather(*(asyncio.to_thread(w.start) for w in workers))
    telegram = Telegram(fake, workers)
    people = [(WebhookUser(telegram, p.customer), WebhookUser(telegram, p.helper)) for p in pairs]

    async def kill_one() -> None:
        while sum(telegram.handled.values()) < BOOKINGS * 20 // 3:
            await asyncio.sleep(0.05)
        victim = telegram.alive.pop(1)
        victim.kill()

    try:
        await asyncio.gather(kill_one(), *(whole_booking(c, h) for c, h in people))
    except AssertionError as err:
        for worker in workers:  # leave no worker behind
            worker.kill()
        fake.stop()
        logs = "\n".join(w.log.read_text()[-1500:] for w in workers)
        chats = "\n".join(f"{u.chat_id}: {[m.text[:50] for m in u._mine()]}" for pair in people for u in pair)
        raise AssertionError(f"{err}\n--- chats ---\n{chats}\n--- worker logs ---\n{logs}") from err
    engine = make_engine(postgres_url)
    await asyncio.to_thread(quiet, postgres_url, 30)
    for worker in telegram.alive:
        worker.kill()
    fake.stop()
    await telegram.client.aclose()

    assert len(telegram.handled) == 3 and min(telegram.handled.values()) > 0  # every worker took updates
    with engine.connect() as conn:
        completed(conn, pairs)
        for p in pairs:
            texts = conn.execute(
                sql("SELECT text FROM relay_messages WHERE booking_id = :b ORDER BY id"), {"b": p.booking_id}
            ).scalars()
            numbers = [int(t.rsplit("-", 1)[1]) for t in texts if "kill-" in t]
            assert numbers == [1, 2, 3], p  # in order, each once
    engine.dispose()
    relayed = Counter(m.group(0) for _, text in fake.sent for m in re.finditer(r"kill-\d+-\d", text))
    wanted = {f"kill-{p.customer}-{n}" for p in pairs for n in (1, 2, 3)}
    assert wanted - set(relayed) == set(), "relayed messages lost"
    assert sum(n - 1 for n in relayed.values()) <= len(pairs)  # at most one per chat, from the kill
