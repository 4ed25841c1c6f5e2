"""Webhook mode: Telegram posts updates to the web server instead of the bot polling for them.

The route sits at a path that carries a secret and checks Telegram's
X-Telegram-Bot-Api-Secret-Token header (403 without it). It hands the update to the
application's queue: the same per-chat processor and the same claim-once start
as with polling (bot.app.begin_update). The update is stored before Telegram hears 200
(bot.inbox): what a killed process did not finish is handed in again from there. The 200
waits (briefly) until the update was handled, which keeps one chat in order across workers. The web server
(friends/) includes the router and runs `lifespan`: the application starts, registers the
webhook, and stops with the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from telegram import Update

from bot import inbox
from bot.context import FriendsApp
from bot.processor import PerChatUpdateProcessor

log = logging.getLogger(__name__)
HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: A Telegram update is a few kilobytes; anything far larger is not one.
MAX_BODY = 1_000_000
#: The answer to Telegram waits this long for the update to be handled: with several workers,
#: the next update of the same chat, if Telegram waits for our 200 before sending it, cannot
#: overtake it at another worker. Longer work (a customer's text waiting for Rasa) is answered
#: 200 meanwhile; the update is stored either way.
ACK_WITHIN_S = 2.0
#: Kinds of update the bot handles (setWebhook's allowed_updates).
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")


@dataclass(frozen=True)
class Webhook:
    url: str  # the public HTTPS base, e.g. https://bot.example.org
    secret: str  # X-Telegram-Bot-Api-Secret-Token (1–256 of A-Z a-z 0-9 _ -)
    path: str  # /telegram/<a secret of its own>
    max_connections: int = 40

    @classmethod
    def for_token(cls, url: str, token: str, *, max_connections: int = 40) -> Webhook:
        """Secret and path derived from the bot token: the same in every worker and after a
        restart, unguessable without the token, and not the token itself."""
        digest = hashlib.sha256(f"webhook:{token}".encode()).hexdigest()
        return cls(url.rstrip("/"), digest[:48], f"/telegram/{digest[48:]}", max_connections)

    @property
    def endpoint(self) -> str:
        return f"{self.url}{self.path}"


def router(application: FriendsApp, webhook: Webhook) -> APIRouter:
    routes = APIRouter()

    @routes.post(webhook.path, include_in_schema=False)
    async def receive(request: Request) -> Response:
        given = request.headers.get(HEADER, "")
        if not hmac.compare_digest(given.encode(), webhook.secret.encode()):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot) if (kept := inbox.received(data)) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None or kept is None:
            return Response(status_code=400)
        services = application.bot_data["services"]
        await inbox.keep(services, inbox.source_of(application.bot.token), [kept])  # then 200
        processor = application.update_processor
        done = processor.watch(update.update_id) if isinstance(processor, PerChatUpdateProcessor) else None
        await application.update_queue.put(update)  # processed by the per-chat processor
        if done is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(done), ACK_WITHIN_S)
        return Response(status_code=200)

    return routes


def lifespan(application: FriendsApp, webhook: Webhook) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def running(_: Any) -> AsyncIterator[None]:
        await application.initialize()
        await application.start()
        await application.bot.set_webhook(
            webhook.endpoint,
            secret_token=webhook.secret,
            allowed_updates=list(ALLOWED_UPDATES),
            max_connections=webhook.max_connections,
            drop_pending_updates=False,
        )
        log.info("webhook registered at %s/telegram/…", webhook.url)
        try:
            yield
        finally:
            await application.stop()
            await application.shutdown()

    return running
