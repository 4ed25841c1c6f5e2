"""Webhook mode: Telegram posts updates to the web server; only Telegram (who knows the secret)
gets in, the answer is immediate, and a repeated delivery is handled once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from bot import webhook
from bot.app import BotConfig, build_application
from friends.bench.relay import delivered, stack, text_update
from friends.bench.world import active_pairs
from friends.wiring import place_index


async def test_telegram_posts_updates_with_its_secret_and_each_is_handled_once(tmp_path: Any) -> None:
    s = stack(f"sqlite:///{tmp_path / 'hook.db'}")
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
            assert delivered(s.api, [pair], "hook") == (1, 0)  # handled before Telegram hears 200
            # Telegram did not see our 200 in time and delivers again: handled once only.
            assert (await client.post(hook.path, json=update, headers=secret)).status_code == 200
            await application.update_queue.join()
    assert delivered(s.api, [pair], "hook") == (1, 0)
