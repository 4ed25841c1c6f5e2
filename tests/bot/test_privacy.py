"""Consent before anything is kept, the privacy notice, a person's data and erasing it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.context import BotServices
from core.ids import TelegramUserId
from tests.bot.conftest import Chat

pytestmark = pytest.mark.rasa


def button(chat: Chat, label: str) -> tuple[object, str]:
    for sent in reversed(chat.api.to(chat.user.id)):
        for text, data in sent.buttons:
            if text.startswith(label):
                return sent, data
    raise AssertionError(f"no button {label!r}")


async def test_nothing_is_kept_or_classified_before_consent(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    mia = person("de", "Mia", consent=False)
    await mia.user.says("Mein WLAN geht nicht, Passwort ist Sommer2026")
    [ask] = mia.new()
    assert ask.startswith("Hallo! Bevor es losgeht") and "/privacy" in ask
    assert [label for label, _ in mia.last().buttons] == ["✅ Okay, los geht's", "📄 Datenschutzhinweis"]
    with bot_services.uow() as u:
        customer = u.customers.by_telegram_id(TelegramUserId(mia.user.id))
        assert customer is not None and not customer.consented
        assert u.requests.latest_for(customer.id) is None  # the problem was not stored …
    data = await _export(bot_services, mia)
    assert "Sommer2026" not in str(data)  # … nor logged

    sent, notice = button(mia, "📄 Datenschutz")
    await mia.user.presses(sent, notice)  # type: ignore[arg-type]
    assert mia.new()[0].startswith("🔒 Datenschutz bei Service Friends")
    sent, yes = button(mia, "✅ Okay")
    await mia.user.presses(sent, yes)  # type: ignore[arg-type]
    thanks, understood, *_ = mia.new()  # the message from before consent is answered now
    assert thanks.startswith("Danke! Du kannst deine Zustimmung") and "Internet und WLAN" in understood
    assert "Sommer2026" in str(await _export(bot_services, mia))  # kept now, with consent


async def test_consent_without_a_message_before_it_is_welcomed(person: Callable[..., Chat]) -> None:
    tom = person("de", "Tom", consent=False)
    await tom.user.says("/start")
    sent, yes = button(tom, "✅ Okay")
    await tom.user.presses(sent, yes)  # type: ignore[arg-type]
    thanks, welcome = tom.new()[-2:]
    assert thanks.startswith("Danke! Du kannst deine Zustimmung") and welcome.startswith("Hallo Tom!")


async def test_my_data_is_sent_and_erased_on_request(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    ole = person("en", "Ole")
    await ole.user.says("my printer prints only blank pages")
    ole.new()
    await ole.user.says("/mydata")
    assert ole.new() == ["Everything Service Friends keeps about you (JSON)."]
    assert [api for api, _ in ole.api.calls][-1] == "sendDocument"
    data = await _export(bot_services, ole)
    assert "my printer prints only blank pages" in str(data["messages_with_the_assistant"])
    await ole.user.says("/deletemydata")
    assert ole.new()[0].startswith("Erase your data?")
    sent, yes = button(ole, "Yes, erase everything")
    await ole.user.presses(sent, yes)  # type: ignore[arg-type]
    assert ole.new() == []  # the question "Erase your data?" became the answer
    assert (
        sent.text
        == "Your data is erased. Thanks for using Service Friends – if you write again, we'll start afresh."
    )  # type: ignore[attr-defined]
    with bot_services.uow() as u:
        assert u.customers.by_telegram_id(TelegramUserId(ole.user.id)) is None  # the Telegram id is gone
    await ole.user.says("hello again")
    assert ole.new()[0].startswith("Hi! Before we start")  # a new person, asked again


async def _export(services: BotServices, chat: Chat) -> dict:  # type: ignore[type-arg]
    from core.services import privacy

    with services.uow() as u:
        customer = u.customers.by_telegram_id(TelegramUserId(chat.user.id))
    assert customer is not None
    return privacy.export(services.uow(), customer.id)
