"""`friends bench relay --workers N --postgres URL`: relayed messages per second through the
webhook endpoint of `friends web --workers K` for K = 1, 2, 4 … N, with lost and doubled."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from friends.bench.telegram import FakeTelegram, WebProcess, free_port, text_update
from friends.bench.world import Pair, active_pairs
from friends.wiring import place_index, uow_factory

TOKEN = "4545:bench-workers"


def worker_counts(most: int) -> list[int]:
    return sorted({k for k in (1, 2, 4) if k <= most} | {most})


async def _drive(hook: str, secret: str, pairs: list[Pair], per_chat: int, marker: str) -> float:
    """Every customer writes `per_chat` texts, each after the 200 of the last (as Telegram
    delivers one chat); all chats at once. Returns the seconds it took."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}

    async def chat(client: httpx.AsyncClient, customer: int) -> None:
        for n in range(1, per_chat + 1):
            body = text_update(customer, n, f"Nachricht {marker}-{customer}-{n}")
            while not await _delivered(client, hook, body, headers):  # noqa: ASYNC110  (like Telegram: again)
                await asyncio.sleep(0.05)

    limits = httpx.Limits(max_connections=len(pairs))
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(chat(client, p.customer) for p in pairs))
        return time.perf_counter() - started


async def _delivered(
    client: httpx.AsyncClient, hook: str, body: dict[str, Any], headers: dict[str, str]
) -> bool:
    try:
        return (await client.post(hook, json=body, headers=headers)).status_code == 200
    except httpx.HTTPError:  # a connection the server closed meanwhile
        return False


async def bench_workers(postgres_url: str, most: int, messages: int, chats: int) -> dict[str, Any]:
    telegram = FakeTelegram(free_port())
    uow = uow_factory(postgres_url)
    rates: dict[str, int] = {}
    lost = doubled = 0
    per_chat = max(messages // chats, 1)
    logs = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    for count in worker_counts(most):
        base = 30_000_000 + int(time.time()) % 1_000_000 * 10 + count * 1_000
        pairs = active_pairs(uow, place_index(), chats, now=datetime.now(UTC), base=base)
        port = free_port()
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.port}",
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": postgres_url,
            "RASA_URL": "http://127.0.0.1:9",
            "LOG_LEVEL": "WARNING",
            "BOT_OPS_PORT": str(free_port()),
            "TELEGRAM_MESSAGES_PER_S": "0",  # the stand-in has no limit: the bot's capacity
        }
        web = WebProcess(env, port, logs / f"web-{count}.log", workers=count)
        await asyncio.to_thread(web.start)
        hook = f"http://127.0.0.1:{port}{urlsplit(telegram.webhook['url']).path}"
        marker = f"w{count}x{base}"
        try:
            seconds = await _drive(hook, telegram.webhook["secret_token"], pairs, per_chat, marker)
        finally:
            web.kill()
        seen = Counter(m.group(0) for _, t in telegram.sent for m in re.finditer(rf"{marker}-\d+-\d+", t))
        lost += per_chat * len(pairs) - len(seen)
        doubled += sum(n - 1 for n in seen.values())
        rates[str(count)] = round(per_chat * len(pairs) / seconds)
    telegram.stop()
    top = str(max(worker_counts(most)))
    return {"workers": rates, "updates_per_s": rates[top], "lost": lost, "duplicated": doubled}
