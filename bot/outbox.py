"""Drain the outbox: what other processes (CLI, console, timers) want told to a person."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackContext

from bot.context import BotServices, send_replies
from core.services import outbox

log = logging.getLogger(__name__)
BATCH = 20


async def drain_outbox(context: CallbackContext) -> None:  # type: ignore[type-arg]
    """A JobQueue job: send pending messages oldest first, each marked sent once delivered.
    A person who blocked the bot (or deleted the chat) cannot be reached: logged and dropped."""
    services: BotServices = context.application.bot_data["services"]
    waiting = await asyncio.to_thread(outbox.pending, services.uow(), limit=BATCH)
    for outbox_id, telegram_id, language, reply in waiting:
        try:
            await send_replies(context.bot, services, telegram_id, language, [reply])
        except (Forbidden, BadRequest) as err:
            log.warning("outbox %s to %s not deliverable: %s", outbox_id, telegram_id, err)
        await asyncio.to_thread(outbox.mark_sent, services.uow(), outbox_id, now=services.now())
