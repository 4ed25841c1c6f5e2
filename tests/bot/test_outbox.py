"""What other processes queue in the outbox reaches the person through the bot, once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.context import BotServices
from bot.outbox import drain
from core.language import Language
from core.notices import Choice, Reply
from tests.bot.conftest import Chat

pytestmark = pytest.mark.rasa


async def test_a_queued_message_is_sent_once_in_the_persons_language(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    sam = person("en")
    await sam.user.says("/start")
    sam.new()
    with bot_services.uow() as u:
        reply = Reply("match.available", choices=(Choice.MORE_HELPERS,), request_id=4242)
        u.outbox.add(sam.user.id, Language.EN, reply, now=bot_services.now())
        u.commit()
    deadline = time.monotonic() + 10
    while not sam.seen()[1:] and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert sam.new() == ["Good news: a helper for your request is available now! 🎉"]
    assert [label for label, _ in sam.last().buttons] == ["🔄 More helpers"]
    await asyncio.sleep(2.5)  # one more outbox round: nothing is sent twice
    assert sam.new() == []
    with bot_services.uow() as u:
        assert u.outbox.claim(now=bot_services.now(), limit=50, lease=timedelta(0)) == []


async def test_telegram_saying_later_delays_and_a_blocked_bot_is_not_retried(
    person: Callable[..., Chat],
    bot_app,
    bot_services: BotServices,  # type: ignore[no-untyped-def]
) -> None:
    _app, api = bot_app
    sam = person("en")
    await sam.user.says("/start")
    sam.new()
    api.failures.append(
        (
            "sendMessage",
            429,
            {"description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}},
        )
    )
    with bot_services.uow() as u:
        u.outbox.add(sam.user.id, Language.EN, Reply("match.available"), now=bot_services.now())
        u.commit()
    await drain(_app.bot, bot_services)
    assert sam.new() == []  # Telegram said "in a second"
    await asyncio.sleep(1.1)
    await drain(_app.bot, bot_services)
    assert sam.new() == ["Good news: a helper for your request is available now! 🎉"]

    api.failures.append(("sendMessage", 403, {"description": "Forbidden: bot was blocked by the user"}))
    with bot_services.uow() as u:
        u.outbox.add(sam.user.id, Language.EN, Reply("match.available"), now=bot_services.now())
        u.commit()
    await drain(_app.bot, bot_services)
    await asyncio.sleep(1.1)
    await drain(_app.bot, bot_services)
    assert sam.new() == []  # given up: not retried, not sent later
    with bot_services.uow() as u:
        assert u.outbox.claim(now=bot_services.now() + timedelta(hours=1), limit=50, lease=timedelta(0)) == []
