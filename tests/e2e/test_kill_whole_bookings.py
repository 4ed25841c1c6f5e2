"""Several whole bookings run at once while the bot process is SIGKILLed at random moments
(not only between steps: in the middle of an update, a send or a commit) and started again.
Every button press and every text is answered, every booking completes with each transition
once, and no relayed message is lost."""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import Connection
from sqlalchemy import text as sql

from friends import wiring
from friends.bench.world import Pair, active_pairs
from storage.db import make_engine
from tests.e2e.test_restart import BotProcess
from tests.services.test_booking import WHOLE_BOOKING
from tests.tg.adapter import TgClient

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TOKEN = "4444:kill-bookings"
BOOKINGS = 3
KILLS = 8
Msg = dict[str, Any]


class User(Protocol):
    chat_id: int

    async def send_text(self, text: str) -> None: ...
    async def send_command(self, text: str) -> None: ...
    async def press(self, label: str) -> None: ...
    async def text_after(self, fragment: str, text: str) -> None: ...


async def whole_booking(customer: User, helper: User) -> None:
    """From an accepted offer to both ratings, with texts relayed on the way (kill-<c>-<n>)."""
    c = customer.chat_id
    await helper.send_command("/jobs")
    await helper.press("📅 Termin")
    await customer.send_text(f"Hallo, bis dann! kill-{c}-1")
    await helper.text_after("Wann kannst du", "übermorgen 11 Uhr, 1 Stunde")
    await customer.press("✅ Passt")
    await customer.text_after("Gebucht", "Kastanienallee 12, Klingel Schulz")
    await customer.press("💳 Karte")
    await customer.send_text(f"Ich bin ab 10 Uhr da. kill-{c}-2")
    await helper.send_command("/jobs")
    await helper.press("📍 Bin da")
    await helper.press("▶️ Ja, jetzt anfangen")
    await customer.send_text(f"Die Tür ist offen. kill-{c}-3")
    await helper.press("🏁 Fertig")
    await customer.press("✅ Stimmt")
    await customer.press("5⭐")
    await helper.press("5⭐")


class Person:
    """A user of the emulator who reads every message the bot sends and acts on the newest
    that fits."""

    def __init__(self, emulator: str, chat_id: int) -> None:
        self.client = TgClient(emulator, TOKEN, chat_id, "de")
        self.chat_id = chat_id
        self.got: list[Msg] = []
        self.read = 0  # messages before this one were acted on

    async def _more(self) -> None:
        res = await self.client.http.post("/getUpdates", json={"token": TOKEN, "chatId": self.client.chat_id})
        self.got += res.json().get("result", [])

    async def wait(self, fits: Any, what: str, timeout: float = 90) -> Msg:
        deadline = time.monotonic() + timeout
        while True:
            for n in range(self.read, len(self.got)):
                if fits(self.got[n]):
                    self.read = n + 1
                    return self.got[n]
            if time.monotonic() > deadline:
                texts = [m["message"].get("text", "")[:60] for m in self.got[self.read :]]
                raise AssertionError(f"{self.client.chat_id} never got {what}; since the last step: {texts}")
            await self._more()
            await asyncio.sleep(0.1)

    async def press(self, label: str) -> None:
        message = await self.wait(lambda m: _data(m, label) is not None, f"a button {label!r}")
        data = _data(message, label)
        assert data is not None
        await self.client.press(message, data)

    async def text_after(self, fragment: str, text: str) -> None:
        await self.wait(lambda m: fragment in m["message"].get("text", ""), repr(fragment))
        await self.client.send_text(text)

    async def send_text(self, text: str) -> None:
        await self.client.send_text(text)

    async def send_command(self, text: str) -> None:
        await self.client.send_command(text)


def completed(conn: Connection, pairs: list[Pair]) -> None:
    """Every booking was rated by both sides, with each transition once."""
    for p in pairs:
        state = conn.execute(sql("SELECT state FROM bookings WHERE id = :b"), {"b": p.booking_id}).scalar()
        steps = conn.execute(
            sql("SELECT trigger FROM booking_events WHERE booking_id = :b ORDER BY id"), {"b": p.booking_id}
        ).scalars()
        assert (state, list(steps)) == ("rated", WHOLE_BOOKING), p


def _data(m: Msg, label: str) -> str | None:
    for row in m["message"].get("reply_markup", {}).get("inline_keyboard", []):
        for b in row:
            if b["text"].startswith(label) and "callback_data" in b:
                return str(b["callback_data"])
    return None


async def test_whole_bookings_complete_while_the_bot_is_killed_at_random_moments(
    emulator: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    pairs = active_pairs(
        wiring.uow_factory(url), wiring.place_index(), BOOKINGS, now=datetime.now(UTC), base=8_100_000
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RASA_URL": "http://127.0.0.1:9",
    }  # the leases as in production: the restarted process frees what it held at once
    bot = BotProcess(TOKEN, emulator, env, tmp_path / "bot.log")
    finished = asyncio.Event()

    async def killer() -> None:
        rnd = random.Random(14)
        for _ in range(KILLS):
            await asyncio.sleep(rnd.uniform(0.1, 1.0))
            if finished.is_set():
                return
            bot.kill()
            await asyncio.to_thread(bot.start)

    people = [(Person(emulator, p.customer), Person(emulator, p.helper)) for p in pairs]
    await asyncio.to_thread(bot.start)
    kills = asyncio.create_task(killer())
    failed = True
    try:
        await asyncio.gather(*(whole_booking(c, h) for c, h in people))
        failed = False
    except AssertionError as err:
        raise AssertionError(f"{err}\n--- bot log ---\n{(tmp_path / 'bot.log').read_text()[-3000:]}") from err
    finally:
        finished.set()
        await kills
        if failed:  # leave no bot behind
            bot.kill()
    await asyncio.sleep(3)  # the last relays and anything doubled arrive now
    for _, h in people:
        await h._more()
    bot.kill()
    for c, h in people:
        await c.client.aclose()
        await h.client.aclose()

    engine = make_engine(url)
    with engine.connect() as conn:
        completed(conn, pairs)
        left = conn.execute(sql("SELECT count(*) FROM processed_updates WHERE done_at IS NULL")).scalar()
    engine.dispose()
    assert left == 0  # every update the bot received was handled to the end
    relayed = Counter(
        m.group(0)
        for _, h in people
        for msg in h.got
        for m in re.finditer(r"kill-\d+-\d", msg["message"].get("text", ""))
    )
    wanted = {f"kill-{p.customer}-{n}" for p in pairs for n in (1, 2, 3)}
    assert wanted - set(relayed) == set(), "relayed messages lost"
    assert sum(n - 1 for n in relayed.values()) <= bot.starts, relayed  # a send whose mark died with the bot
    print(f"\nkill test: {bot.starts - 1} SIGKILLs at random moments, {BOOKINGS} bookings complete, 0 lost")
