"""Three workers (`friends web` in webhook mode) share one PostgreSQL database: updates,
outbox and timers are safe with row locks. Several bookings chat at once through whichever
worker Telegram reaches; one worker is SIGKILLed mid-way: nothing is lost or doubled beyond
the documented window, and each conversation's transcript is in order."""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text as sql

from friends import wiring
from friends.bench.telegram import FakeTelegram, WebProcess, text_update
from friends.bench.world import active_pairs
from storage.db import make_engine
from tests.conftest import free_port
from tests.e2e.test_kill_at_random import TOKEN

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.postgres]
MESSAGES_PER_CHAT = 15


async def test_three_workers_share_the_load_and_survive_one_killed(postgres_url: str, tmp_path: Path) -> None:
    uow = wiring.uow_factory(postgres_url)
    pairs = active_pairs(uow, wiring.place_index(), 6, now=datetime.now(UTC))
    telegram = FakeTelegram(free_port())
    workers = []
    for n in range(3):
        port = free_port()
        env = {
            **os.environ,
            "BOT_OPS_PORT": str(free_port()),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.port}",
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": postgres_url,
            "OUTBOX_LEASE_S": "2",
            "RASA_URL": "http://127.0.0.1:9",
            "LOG_LEVEL": "WARNING",
        }
        workers.append(WebProcess(env, port, tmp_path / f"web{n}.log"))
    await asyncio.gather(*(asyncio.to_thread(w.start) for w in workers))
    path = urlsplit(telegram.webhook["url"]).path  # the same secret path in every worker
    secret = {"X-Telegram-Bot-Api-Secret-Token": telegram.webhook["secret_token"]}
    alive = list(workers)
    handled = Counter[int]()
    rnd = random.Random(11)

    async def chat(customer: int) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            for n in range(1, MESSAGES_PER_CHAT + 1):
                body = text_update(customer, n, f"Nachricht work-{customer}-{n}")
                while True:
                    worker = rnd.choice(alive)
                    try:
                        hook = f"http://127.0.0.1:{worker.port}{path}"
                        if (await client.post(hook, json=body, headers=secret)).status_code == 200:
                            handled[worker.port] += 1
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)

    async def kill_one() -> None:
        while sum(handled.values()) < len(pairs) * MESSAGES_PER_CHAT // 3:
            await asyncio.sleep(0.05)
        victim = alive.pop(1)
        victim.kill()

    await asyncio.gather(kill_one(), *(chat(p.customer) for p in pairs))
    engine = make_engine(postgres_url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if not conn.execute(
                sql("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND error IS NULL")
            ).scalar():
                break
        await asyncio.sleep(0.5)
    for worker in alive:
        worker.kill()
    telegram.stop()

    assert len(handled) == 3 and min(handled.values()) > 0  # every worker took updates
    seen = Counter(m.group(0) for _, t in telegram.sent for m in re.finditer(r"work-\d+-\d+", t))
    wanted = {f"work-{p.customer}-{n}" for p in pairs for n in range(1, MESSAGES_PER_CHAT + 1)}
    assert wanted - set(seen) == set(), "relayed messages lost"
    assert sum(n - 1 for n in seen.values()) <= len(pairs)  # at most one per chat, from the kill
    with engine.connect() as conn:
        for p in pairs:
            texts = conn.execute(
                sql("SELECT text FROM relay_messages WHERE booking_id = :b ORDER BY id"), {"b": p.booking_id}
            ).scalars()
            numbers = [int(t.rsplit("-", 1)[1]) for t in texts if "work-" in t]
            assert numbers == list(range(1, MESSAGES_PER_CHAT + 1)), p  # in order, each once
    engine.dispose()
