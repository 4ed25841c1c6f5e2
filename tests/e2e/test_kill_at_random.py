"""The bot in webhook mode (`friends web`) is SIGKILLed at random moments while several
bookings chat at once; a stand-in for Telegram delivers every update again until it hears
200, as Telegram does. No relayed message is lost; a doubled one is only possible for a send
whose "sent" mark did not commit (at most one per kill and chat)."""

from __future__ import annotations

import asyncio
import os
import random
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from friends import wiring
from friends.bench.telegram import FakeTelegram, WebProcess, text_update
from friends.bench.world import active_pairs
from tests.conftest import free_port
from tests.e2e.test_restart import quiet

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TOKEN = "4343:kill-test"
MESSAGES_PER_CHAT = 25
KILLS = 5


async def test_kills_at_random_moments_lose_no_relayed_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    uow = wiring.uow_factory(url)
    pairs = active_pairs(uow, wiring.place_index(), 4, now=datetime.now(UTC))
    telegram = FakeTelegram(free_port())
    port = free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.port}",
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": url,
        "RASA_URL": "http://127.0.0.1:9",
        "LOG_LEVEL": "WARNING",
        "BOT_OPS_PORT": str(free_port()),
    }
    web = WebProcess(env, port, tmp_path / "web.log")
    await asyncio.to_thread(web.start)
    hook = f"http://127.0.0.1:{port}{telegram.webhook['url'].split(str(port), 1)[1]}"
    secret = {"X-Telegram-Bot-Api-Secret-Token": telegram.webhook["secret_token"]}
    finished = asyncio.Event()

    async def chat(customer: int) -> None:
        """One person writes; like Telegram, the next update waits for the 200 of this one."""
        async with httpx.AsyncClient(timeout=5) as client:
            for n in range(1, MESSAGES_PER_CHAT + 1):
                body = text_update(customer, n, f"Nachricht kill-{customer}-{n}")
                while True:
                    try:
                        if (await client.post(hook, json=body, headers=secret)).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.2)

    async def killer() -> None:
        rnd = random.Random(7)
        for _ in range(KILLS):
            await asyncio.sleep(rnd.uniform(0.3, 1.5))
            if finished.is_set():
                return
            web.kill()
            await asyncio.to_thread(web.start)

    kills = asyncio.create_task(killer())
    await asyncio.gather(*(chat(p.customer) for p in pairs))
    finished.set()
    await kills
    await asyncio.to_thread(quiet, url, 30)
    web.kill()
    telegram.stop()
    seen = Counter(m.group(0) for _, text in telegram.sent for m in re.finditer(r"kill-\d+-\d+", text))
    wanted = {f"kill-{p.customer}-{n}" for p in pairs for n in range(1, MESSAGES_PER_CHAT + 1)}
    assert wanted - set(seen) == set(), "relayed messages lost"
    doubled = sum(n - 1 for n in seen.values())
    assert doubled <= KILLS * len(pairs), seen
    helpers = {p.helper for p in pairs}
    assert {chat for chat, _ in telegram.sent if "kill-" in _} <= helpers
