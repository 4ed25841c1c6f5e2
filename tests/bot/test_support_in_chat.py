"""While support has taken a chat over, the bot keeps quiet and support's messages arrive."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.context import BotServices
from bot.outbox import drain
from core.ids import TelegramUserId
from core.services import staff, support
from core.staff import Role
from tests.bot.conftest import Chat

pytestmark = pytest.mark.rasa


async def test_a_taken_over_chat_gets_no_bot_answers_until_it_is_handed_back(
    person: Callable[..., Chat],
    bot_services: BotServices,
    bot_app,  # type: ignore[no-untyped-def]
) -> None:
    app, _ = bot_app
    eva = person("de", "Eva")
    await eva.user.says("/start")
    eva.new()
    member = staff.add_staff(
        bot_services.uow(), f"agent{eva.user.id}@support.test", Role.SUPPORT, "hash", now=bot_services.now()
    )
    with bot_services.uow() as u:
        customer = u.customers.by_telegram_id(TelegramUserId(eva.user.id))
    assert customer is not None
    support.take_over(bot_services.uow(), member, customer.id, taking=True, now=bot_services.now())
    await drain(app.bot, bot_services)
    assert eva.new()[0].startswith("👋 Eine Person aus dem Support-Team")
    await eva.user.says("Mein Handy geht nicht mehr an")
    assert eva.new() == []  # the assistant waits; support reads it in the console
    support.write(
        bot_services.uow(), member, customer.id, "Hast du es schon geladen?", now=bot_services.now()
    )
    await drain(app.bot, bot_services)
    assert eva.new() == ["💬 Support von Service Friends:\nHast du es schon geladen?"]
    support.take_over(bot_services.uow(), member, customer.id, taking=False, now=bot_services.now())
    await drain(app.bot, bot_services)
    eva.new()
    await eva.user.says("Mein Handy geht nicht mehr an")
    assert any("Handy" in t for t in eva.new())  # the assistant answers again


async def test_the_chat_log_keeps_what_the_nlu_read_in_each_message(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    from storage.queries import Queries

    kim = person("en", "Kim")
    await kim.user.says("my router keeps dropping the connection")
    await kim.user.says("hmm")
    with bot_services.uow() as u:
        customer = u.customers.by_telegram_id(TelegramUserId(kim.user.id))
    assert customer is not None
    sessions = bot_services.uow()._sessions  # type: ignore[attr-defined]
    lines = [line for line in Queries(sessions).chat(customer.id) if line.who == "customer"]
    assert (lines[0].text, lines[0].intent) == ("my router keeps dropping the connection", "problem_internet")
    assert lines[0].confidence is not None and lines[0].confidence > 0.5
    assert lines[1].intent is not None  # even a vague word gets the NLU's best guess and its confidence
