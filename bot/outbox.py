"""Drain the outbox: everything the booking flow, timers and other processes want told.

Claimed rows are leased (another drainer skips them), sent, then marked with Telegram's
message id (a reply to it routes to its booking). Telegram's 429 waits its retry_after,
network trouble backs off, and a person who blocked the bot (403) is not retried. Texts over
Telegram's limit go in pieces; a 400 (a message Telegram refuses) is given up and logged as our
error, never read as the person being unreachable.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Iterable
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import CallbackContext
from telegram.warnings import PTBDeprecationWarning

from bot.context import BotServices, run_db, send_long_text, send_reply
from bot.limits import CAPTION_LIMIT, shorten
from bot.metrics import TELEGRAM_429
from core.notices import Outgoing
from core.services import outbox, relay

log = logging.getLogger(__name__)
BATCH = 30
#: One drain at a time per process (the periodic job and the drain right after a handler).
_draining = asyncio.Lock()


async def deliver(bot: Bot, services: BotServices, item: Outgoing, *, log: bool = True) -> int:
    """Send one outbox message: a rendered reply, or a relayed copy under a "who wrote" header;
    returns the id of the message a reply would answer. log=False: the caller keeps the chat log."""
    if item.copy is None:
        sent = await send_reply(
            bot, services, item.telegram_id, item.language, item.reply, booking_id=item.booking_id, log=log
        )
        return sent.message_id
    header = services.catalog.render(item.reply.key, item.language, item.reply.params)
    if item.copy.captioned:
        copied = await bot.copy_message(
            item.telegram_id,
            item.copy.from_chat_id,
            item.copy.message_id,
            caption=shorten(header, CAPTION_LIMIT),
        )
        return copied.message_id
    first = await send_long_text(bot, item.telegram_id, header)
    await bot.copy_message(item.telegram_id, item.copy.from_chat_id, item.copy.message_id)
    return first.message_id


async def drain(bot: Bot, services: BotServices) -> int:
    """Send what is due; returns how many were sent."""
    sent = 0
    async with _draining:
        while True:
            items = await run_db(
                services,
                outbox.claim,
                services.uow(),
                now=services.now(),
                limit=BATCH,
                lease=services.outbox_lease,
            )
            for item in items:
                sent += await _send_one(bot, services, item)
            if len(items) < BATCH:
                return sent


async def send_now(bot: Bot, services: BotServices, items: Iterable[Outgoing]) -> int:
    """Send what a use case handed over in its transaction (leased to us), right after its
    commit; what fails here is retried by the drain, like any other outbox row."""
    sent = 0
    for item in items:
        sent += await _send_one(bot, services, item)
    return sent


async def _send_one(bot: Bot, services: BotServices, item: Outgoing) -> int:
    try:
        message_id = await deliver(bot, services, item, log=False)
    except RetryAfter as err:
        TELEGRAM_429.inc()
        with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            after = err.retry_after
        wait = after if isinstance(after, timedelta) else timedelta(seconds=after)
        await run_db(
            services,
            outbox.retry_later,
            services.uow(),
            item,
            now=services.now(),
            error=f"429: retry after {wait}",
            after=wait,
        )
        return 0
    except Forbidden as err:  # 403: the person blocked the bot (or is gone): they are unreachable
        log.warning("outbox %s to %s not deliverable: %s", item.id, item.telegram_id, err)
        await run_db(services, relay.undeliverable, services.uow(), item, str(err), now=services.now())
        return 0
    except BadRequest as err:  # 400: our message is wrong, the person is not unreachable
        log.error("outbox %s to %s refused by Telegram: %s", item.id, item.telegram_id, err)
        await run_db(services, outbox.give_up, services.uow(), item, now=services.now(), error=str(err))
        return 0
    except NetworkError as err:
        log.warning("outbox %s: network trouble, retrying later: %s", item.id, err)
        await run_db(services, outbox.retry_later, services.uow(), item, now=services.now(), error=str(err))
        return 0
    line = None  # a rendered reply is kept in the chat log, in the transaction that marks it sent
    if item.copy is None:
        line = (item.telegram_id, services.catalog.render(item.reply.key, item.language, item.reply.params))
    sent = outbox.Sent(
        item.id,
        services.now(),
        message_id,
        chat_line=line,
        line_kind="relay" if item.reply.key.startswith("relay.from_") else "bot",
        booking_id=item.reply.booking_id or item.booking_id,
        helper_id=item.reply.helper_id,
    )
    services.sent.add(services, sent)
    return 1


async def drain_outbox(context: CallbackContext) -> None:  # type: ignore[type-arg]
    """The JobQueue job."""
    await drain(context.bot, context.application.bot_data["services"])
