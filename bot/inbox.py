"""Updates are kept until handled (core.services.updates), so that a process killed at any
moment loses none:

- polling: the getUpdates request stores each batch (one transaction) before PTB sees it, so
  the next getUpdates call, which tells Telegram the batch arrived, cannot lose it;
- webhook (bot.webhook): the update is stored before Telegram hears 200;
- `begin_update` claims an update (a lease) and `InboxApplication` marks it done after its
  handlers ran; a relayed message is done in the transaction that relays it;
- `hand_in_again` (a job) puts back into the queue what a killed process left unfinished; at
  start (`after_restart`) the only process (SQLite) does so at once, without waiting for its
  old leases. The claim lets only one process handle an update, however often it is handed in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext
from telegram.request import BaseRequest, RequestData

from bot.context import BotServices, FriendsApp, run_db
from core.ports import Received
from core.services import updates

log = logging.getLogger(__name__)
CLAIMED = "claimed_updates"  # bot_data: ids this process claimed and has not finished


def source_of(token: str) -> str:
    """The inbox an update belongs to: the bot (its id is the token's first part)."""
    return f"telegram:{token.split(':', 1)[0]}"


def received(update: Any) -> Received | None:
    """An update as Telegram sent it (a JSON object), or None when it is not one."""
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return None
    person = None
    for part in update.values():
        if isinstance(part, dict):
            who = part.get("from") or part.get("chat") or {}
            person = who.get("id") if isinstance(who, dict) and isinstance(who.get("id"), int) else None
            break
    return Received(update["update_id"], person, json.dumps(update, ensure_ascii=False))


async def keep(services: BotServices, source: str, batch: list[Received]) -> None:
    await run_db(services, updates.receive, services.uow(), source, batch, now=services.now())


class KeepingRequest(BaseRequest):
    """The getUpdates request, storing what Telegram hands over before returning it."""

    def __init__(self, inner: BaseRequest, store: Callable[[list[Received]], Awaitable[None]]) -> None:
        self.inner, self.store = inner, store

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        code, payload = await self.inner.do_request(url, method, request_data, *args, **kwargs)
        if code == 200 and url.endswith("/getUpdates"):
            batch = [r for u in json.loads(payload).get("result") or [] if (r := received(u)) is not None]
            if batch:  # a failure here fails this getUpdates: PTB asks again, same offset
                await self.store(batch)
        return code, payload


class InboxApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, marking each update it claimed done once its handlers ran, however
    the update was handed in (the per-chat processor, the terminal demo, a test)."""

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        await finished(self, update)

    async def stop(self) -> None:
        await super().stop()
        await self.bot_data["services"].sent.settled()  # what was sent is marked before the end

    async def shutdown(self) -> None:
        await self.bot_data["services"].sent.settled()
        await super().shutdown()


def claimed(application: FriendsApp, update_id: int) -> None:
    application.bot_data.setdefault(CLAIMED, set()).add(update_id)


async def finished(application: Application[Any, Any, Any, Any, Any, Any], update: object) -> None:
    """After an update's handlers ran (whatever they answered): it is done."""
    if not isinstance(update, Update) or update.update_id not in application.bot_data.get(CLAIMED, ()):
        return
    application.bot_data[CLAIMED].discard(update.update_id)
    services: BotServices = application.bot_data["services"]
    source = source_of(application.bot.token)
    await run_db(services, updates.finish, services.uow(), source, [update.update_id], now=services.now())


async def after_restart(context: CallbackContext) -> None:  # type: ignore[type-arg]
    """At start. The only process (SQLite) frees what it held when it died, and hands in at
    once what it left unfinished; one of several workers waits for the leases to end."""
    services: BotServices = context.bot_data["services"]
    if services.sole_worker:
        source = source_of(context.bot.token)
        released = await run_db(services, updates.restart, services.uow(), source, now=services.now())
        if released:
            log.info("%d updates and messages of the process before were released", released)
    await hand_in_again(context, grace=timedelta(0) if services.sole_worker else None)


async def hand_in_again(context: CallbackContext, grace: timedelta | None = None) -> None:  # type: ignore[type-arg]
    """What a killed process left unfinished goes back into the queue."""
    services: BotServices = context.bot_data["services"]
    source = source_of(context.bot.token)
    found = await run_db(
        services,
        updates.unfinished,
        services.uow(),
        source,
        now=services.now(),
        grace=services.update_lease if grace is None else grace,
    )
    for item in found:
        assert item.payload is not None
        update = Update.de_json(json.loads(item.payload), context.bot)
        log.info("update %s handed in again", item.update_id)
        await context.application.update_queue.put(update)
