"""Webhook mode: Telegram posts updates to the web server; only Telegram (who knows the secret)
gets in, the update is stored before the answer, and a repeated delivery is handled once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text as sql

from bot import webhook
from bot.app import BotConfig, build_application
from friends.bench.relay import delivered, stack, text_update
from friends.bench.world import active_pairs
from friends.wiring import place_index
from storage.db import make_engine


async def test_telegram_posts_updates_with_its_secret_and_each_is_handled_once(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'hook.db'}"
    s = stack(url)
    config = BotConfig(token="777000:bench", request=s.api, get_updates_request=s.api, rate_limit=False)
    application = build_application(
        BotConfig(**{**config.__dict__, "polling": False}), s.app.bot_data["services"]
    )
    assert application.updater is None  # nobody polls
    [pair] = active_pairs(s.uow, place_index(), 1, now=datetime.now(UTC))
    hook = webhook.Webhook.for_token("https://bot.example.org/", "777000:bench", max_connections=12)
    assert "777000" not in hook.path and "777000" not in hook.secret
    web = FastAPI()
    web.include_router(webhook.router(application, hook))
    update = text_update(application.bot, pair.customer, "Nachricht hook-1").to_dict()
    async with webhook.lifespan(application, hook)(web):
        [(_, registered)] = [c for c in s.api.calls if c[0] == "setWebhook"]
        assert registered["url"] == f"https://bot.example.org{hook.path}"
        assert registered["secret_token"] == hook.secret and int(registered["max_connections"]) == 12
        assert set(json.loads(registered["allowed_updates"])) >= {"message", "callback_query"}
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            secret = {webhook.HEADER: hook.secret}
            assert (await client.post(hook.path, json=update)).status_code == 403
            wrong = {webhook.HEADER: "guess"}
            assert (await client.post(hook.path, json=update, headers=wrong)).status_code == 403
            assert (await client.post("/telegram/guess", json=update, headers=secret)).status_code == 404
            assert (await client.post(hook.path, content=b"[1]", headers=secret)).status_code == 400
            assert delivered(s.api, [pair], "hook") == (0, 0)  # nothing got through
            assert (await client.post(hook.path, json=update, headers=secret)).status_code == 200
            assert kept(url, update["update_id"])  # stored before Telegram hears 200: a kill loses nothing
            await until(lambda: delivered(s.api, [pair], "hook") == (1, 0))
            # Telegram did not see our 200 in time and delivers again: handled once only.
            assert (await client.post(hook.path, json=update, headers=secret)).status_code == 200
            await application.update_queue.join()
    assert delivered(s.api, [pair], "hook") == (1, 0)


def kept(url: str, update_id: int) -> bool:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(sql("SELECT 1 FROM processed_updates WHERE update_id = :u"), {"u": update_id})
        return found.first() is not None


async def until(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not handled in time"
        await asyncio.sleep(0.02)
