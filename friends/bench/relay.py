"""`friends bench relay` and `friends bench hol`: the relay's cost against a bare echo bot.

The real application (build_application, the real database, the real handlers) runs in this
process against the in-process Bot API, which answers at once: what is measured is the bot's
own work. A bare python-telegram-bot echo bot is measured in the same run, update for update,
as the yardstick for "what PTB alone costs on this machine right now".
"""

from __future__ import annotations

import asyncio
import itertools
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import BotConfig, build_application
from bot.context import BotServices, FriendsApp
from core.categories import Category
from core.ids import BookingId
from core.notices import Reply
from core.ports import UnitOfWork
from friends.bench.nlu import percentile
from friends.bench.world import Pair, SqlCounter, active_pairs
from friends.botapi import InProcessBotApi
from friends.wiring import catalog, database_executor, place_index
from gateways.rasa_client import Parse, RasaClient
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

TOKEN = "777000:bench"
_update_ids = itertools.count(int(time.time() * 1000) * 1000)  # fresh for every run on one database
_message_ids = itertools.count(1)


class _SlowRasa(RasaClient):
    """A Rasa that takes `delay` seconds for every answer (and knows nothing)."""

    def __init__(self, delay: float) -> None:
        super().__init__("http://127.0.0.1:9")
        self.delay = delay

    async def converse(self, sender: str, text: str, metadata: Any) -> list[Reply]:
        await asyncio.sleep(self.delay)
        return []

    async def parse(self, text: str) -> Parse:
        await asyncio.sleep(self.delay)
        return Parse(text, "nlu_fallback", 0.0, Category.NONE, ())


def text_update(bot: Any, telegram_id: int, text: str) -> Update:
    """The update Telegram sends when a person writes `text` in their private chat."""
    person = {"id": telegram_id, "is_bot": False, "first_name": f"P{telegram_id}", "language_code": "de"}
    message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": telegram_id, "type": "private", "first_name": person["first_name"]},
        "from": person,
        "text": text,
    }
    return Update.de_json({"update_id": next(_update_ids), "message": message}, bot)


@dataclass
class Stack:
    app: FriendsApp
    api: InProcessBotApi
    uow: Callable[[], UnitOfWork]
    counter: SqlCounter


def stack(url: str, rasa: RasaClient | None = None) -> Stack:
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    uow: Callable[[], UnitOfWork] = lambda: SqlUnitOfWork(sessions)  # noqa: E731
    services = BotServices(
        uow=uow,
        places=place_index(),
        rasa=rasa or RasaClient("http://127.0.0.1:9"),
        catalog=catalog(),
        now=lambda: datetime.now(UTC),
        executor=database_executor(url),
        sole_worker=url.startswith("sqlite"),
    )
    api = InProcessBotApi()
    config = BotConfig(token=TOKEN, request=api, get_updates_request=api, rate_limit=False)
    return Stack(build_application(config, services), api, uow, SqlCounter(engine))


def echo_bot() -> Application[Any, Any, Any, Any, Any, Any]:
    """The yardstick: python-telegram-bot answering a text with the same text, nothing else."""
    api = InProcessBotApi()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")

    app = ApplicationBuilder().token(TOKEN).request(api).get_updates_request(api).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


def delivered(api: InProcessBotApi, pairs: list[Pair], marker: str) -> tuple[int, int]:
    """Relayed texts that arrived (once or more) and how many arrived more than once."""
    helpers = {p.helper for p in pairs}
    seen = Counter(
        m.group(0) for s in api.sent if s.chat_id in helpers for m in re.finditer(rf"{marker}-\d+", s.text)
    )
    return len(seen), sum(1 for n in seen.values() if n > 1)


async def _latency(s: Stack, pair: Pair, echo: Any, n: int, marker: str = "lat") -> dict[str, float]:
    relay_us, echo_us = [], []
    for i in range(n):
        update = text_update(s.app.bot, pair.customer, f"Nachricht {marker}-{i}")
        started = time.perf_counter()
        await s.app.process_update(update)
        relay_us.append((time.perf_counter() - started) * 1e6)
        update = text_update(echo.bot, pair.customer, f"Nachricht echo-{i}")
        started = time.perf_counter()
        await echo.process_update(update)
        echo_us.append((time.perf_counter() - started) * 1e6)
    return {
        "relay_p50_us": round(statistics.median(relay_us)),
        "relay_p95_us": round(percentile(relay_us, 95)),
        "echo_p50_us": round(statistics.median(echo_us)),
    }


async def _rate(s: Stack, pairs: list[Pair], n: int) -> float:
    """Updates of many chats at once, through the application's update queue."""
    started = time.perf_counter()
    for i in range(n):
        pair = pairs[i % len(pairs)]
        await s.app.update_queue.put(text_update(s.app.bot, pair.customer, f"Nachricht rate-{i}"))
    await s.app.update_queue.join()
    return n / (time.perf_counter() - started)


async def bench_relay(url: str, n: int, chats: int) -> dict[str, Any]:
    s = stack(url)
    pairs = active_pairs(s.uow, place_index(), chats, now=datetime.now(UTC), base=_base())
    echo = echo_bot()
    await s.app.initialize()
    await echo.initialize()
    await _latency(s, pairs[0], echo, 20, "warm")
    s.counter.reset()
    figures = await _latency(s, pairs[0], echo, n)
    statements, transactions = s.counter.reset()
    await s.app.start()
    rate = await _rate(s, pairs, n)
    await s.app.stop()
    await asyncio.sleep(0)
    arrived_lat, doubled_lat = delivered(s.api, pairs, "lat")
    arrived_rate, doubled_rate = delivered(s.api, pairs, "rate")
    await s.app.shutdown()
    await echo.shutdown()
    return {
        **figures,
        "ratio": round(figures["relay_p50_us"] / max(figures["echo_p50_us"], 1), 1),
        "updates_per_s": round(rate),
        "sql_per_message": round(statements / n, 1),
        "transactions_per_message": round(transactions / n, 1),
        "messages": n,
        "chats": chats,
        "lost": (n - arrived_lat) + (n - arrived_rate),
        "duplicated": doubled_lat + doubled_rate,
    }


async def bench_hol(url: str, delay: float = 2.0) -> dict[str, Any]:
    """One customer's text waits `delay` s for Rasa; how long does another chat's relay wait?"""
    s = stack(url, _SlowRasa(delay))
    [pair, waiting] = active_pairs(s.uow, place_index(), 2, now=datetime.now(UTC), base=_base())
    await s.app.initialize()
    await s.app.start()
    with s.uow() as u:  # the second customer talks to Rasa: their booking is over
        u.bookings.save(_ended(u.bookings.get(BookingId(waiting.booking_id))))
        u.commit()
    await s.app.update_queue.put(text_update(s.app.bot, waiting.customer, "Mein Drucker druckt nicht"))
    await asyncio.sleep(0.05)  # the Rasa call has started
    started = time.perf_counter()
    await s.app.update_queue.put(text_update(s.app.bot, pair.customer, "Nachricht hol-1"))
    while delivered(s.api, [pair], "hol")[0] == 0 and time.perf_counter() - started < delay * 5:  # noqa: ASYNC110  (polls what the Bot API recorded)
        await asyncio.sleep(0.001)
    blocked_ms = (time.perf_counter() - started) * 1000
    await s.app.update_queue.join()
    await s.app.stop()
    await s.app.shutdown()
    return {"blocked_ms": round(blocked_ms), "rasa_delay_ms": round(delay * 1000)}


def _ended(booking: Any) -> Any:
    from dataclasses import replace

    from core.booking import BookingState

    return replace(booking, state=BookingState.CANCELLED, relay_closed_at=datetime.now(UTC))


def _base() -> int:
    return 10_000_000 + int(time.time() * 10) % 10_000_000 * 10


def sqlite_url(folder: Path, name: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def report(result: dict[str, Any]) -> str:
    return (
        f"relay p50 {result['relay_p50_us']} µs (p95 {result['relay_p95_us']} µs), "
        f"echo bot p50 {result['echo_p50_us']} µs: {result['ratio']}× the echo bot\n"
        f"{result['updates_per_s']} relayed messages/s over {result['chats']} chats; "
        f"{result['sql_per_message']} SQL statements in {result['transactions_per_message']} "
        f"transactions per relayed message; lost {result['lost']}, duplicated {result['duplicated']}"
    )
