"""What a fuzz of generated updates found, each played again through the real application with
a Bot API double that refuses what Telegram refuses (friends/botapi.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from sqlalchemy import text as sql

from bot.context import BotServices
from bot.outbox import drain
from core.ids import TelegramUserId
from core.services import intake, privacy
from tests.bot.conftest import Chat
from tests.bot.test_booking_chat import booked, data
from tests.bot.test_helper_registration import press, up_to_the_adult_question

pytestmark = pytest.mark.rasa


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_second_tap_on_a_changed_keyboard_is_a_harmless_repeat(
    person: Callable[..., Chat], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    mia = person("de", "Mia", consent=False)
    await mia.user.says("Hallo")
    consent, yes = data(mia, "✅ Okay")
    await mia.user.presses(consent, yes)
    await mia.user.says("/language")
    choose, german = data(mia, "🇩🇪")
    await mia.user.presses(choose, german)
    mia.new()
    await mia.user.presses(consent, yes)  # the same buttons, tapped again before they vanished
    await mia.user.presses(choose, german)
    assert [d for _, _, d in mia.api.refused if "not modified" in d]  # Telegram refused the edit …
    assert mia.new() == []  # … and nobody was told something went wrong
    assert error_lines(caplog) == []


async def test_a_press_handled_again_after_a_restart_is_answered_without_an_error(
    person: Callable[..., Chat], bot_services: BotServices, caplog: pytest.LogCaptureFixture
) -> None:
    """The process died after answering a press and before marking its update done: the
    restart hands the press in again, and Telegram refuses the second answer to it."""
    caplog.set_level(logging.INFO)
    mia = person("de", "Mia")
    await mia.user.says("/language")
    choose, german = data(mia, "🇩🇪")
    pressed = await mia.user.presses(choose, german)
    mia.new()
    with bot_services.uow() as u:  # what the kill left: the update claimed, not done
        u._session.execute(  # type: ignore[attr-defined]
            sql("UPDATE processed_updates SET done_at = NULL, leased_until = NULL WHERE update_id = :u"),
            {"u": pressed.update_id},
        )
        u.commit()
    await mia.user.push(pressed.to_dict())
    assert [d for _, _, d in mia.api.refused if "query is too old" in d]  # Telegram refused …
    assert not any("schiefgelaufen" in t or "went wrong" in t for t in mia.new())  # … nobody was told
    assert error_lines(caplog) == []


async def test_a_double_tap_on_i_am_18_never_accepts_the_terms(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    lea = person("en", "Lea")
    await up_to_the_adult_question(lea, ("Mon",))
    adult, yes = data(lea, "Yes, 18 or older")
    assert yes == "ob:adult:yes"  # the button names the question it answers
    await lea.user.presses(adult, yes)
    await lea.user.presses(adult, yes)  # the double tap arrives after the next question
    alerts = [p for api, p in lea.api.calls if api == "answerCallbackQuery" and p.get("text")]
    assert alerts[-1]["text"] == "This button is no longer valid."
    with bot_services.uow() as u:
        helper = u.helpers.by_telegram_id(TelegramUserId(lea.user.id))
    assert helper is not None and helper.adult and not helper.terms_accepted
    await press(lea, "I accept")
    assert "your profile is complete" in lea.new()[-2]


async def test_a_relayed_text_near_the_limit_arrives_whole_and_a_400_is_not_read_as_blocked(
    person: Callable[..., Chat], bot_services: BotServices, caplog: pytest.LogCaptureFixture
) -> None:
    anna, jan = person("de", "Anna"), person("de", "Jan")
    problem = "Mein Drucker druckt nur noch leere Seiten. " * 94  # 4,042 characters
    await booked(anna, jan, bot_services, "10243", problem.strip())
    offer = next(t for t in jan.seen() if "Seiten. Mein Drucker" in t)  # the offer quoting it arrived
    assert "".join(jan.seen()).count("leere Seiten") >= 94 or "…" in offer
    long = "Ich komme. " + "x" * 4080  # with the "who wrote" header over 4,096 characters
    await anna.user.says(long)
    arrived = "".join(jan.new())
    assert "x" * 4080 in arrived.replace("\n", "")
    assert not anna.new()  # the sender is not told the helper is unreachable

    caplog.set_level(logging.INFO)
    jan.api.failures.append(("sendMessage", 400, {"description": "Bad Request: can't parse entities"}))
    await anna.user.says("Bis gleich")
    await drain(anna.app.bot, bot_services)  # what the failure queued, if anything
    assert not [t for t in anna.new() if "nicht erreichbar" in t or "unreachable" in t]
    assert [r for r in caplog.records if "refused by Telegram" in r.getMessage()]  # our error, logged
    jan.api.blocked.add(jan.user.id)  # a 403: now Jan really is unreachable
    await anna.user.says("Hallo?")
    await drain(anna.app.bot, bot_services)
    assert any("erreich" in t for t in anna.new())
    jan.api.blocked.discard(jan.user.id)


async def test_a_person_who_never_consented_and_blocks_the_bot_gets_nothing(
    person: Callable[..., Chat], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    kai = person("de", "Kai", consent=False)
    kai.api.blocked.add(kai.user.id)
    member = {"user": BOT, "status": "kicked", "until_date": 0}
    await kai.user.push(
        {
            "update_id": int(time.time() * 1000) % 10**9,
            "my_chat_member": {
                "chat": kai.user.chat,
                "from": kai.user.user,
                "date": int(time.time()),
                "old_chat_member": {"user": BOT, "status": "member"},
                "new_chat_member": member,
            },
        }
    )
    assert [api for api, p in kai.api.calls if str(p.get("chat_id")) == str(kai.user.id)] == []
    assert error_lines(caplog) == []
    kai.api.blocked.discard(kai.user.id)


async def test_impossible_locations_and_messages_without_a_sender_are_refused_at_the_edge(
    person: Callable[..., Chat], bot_services: BotServices, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ida = person("de", "Ida")
    await ida.user.says("Mein WLAN geht nicht")
    ida.new()
    for lat, lon in ((float("nan"), 13.4), (52.5, float("inf")), (91.0, 13.4)):
        await ida.user.shares_location(lat, lon)
    message = {"message_id": 99, "date": int(time.time()), "chat": ida.user.chat, "text": "hallo"}
    await ida.user.push({"update_id": int(time.time() * 1000) % 10**9 + 7, "message": message})
    assert ida.new() == []
    assert error_lines(caplog) == []
    customer = intake.ensure_customer(
        bot_services.uow(),
        TelegramUserId(ida.user.id),
        name="Ida",
        language_code="de",
        now=bot_services.now(),
    )
    request = intake.open_request(bot_services.uow(), customer.id)
    assert request is not None and request.lat is None  # nothing deeper saw the bad location
    privacy.erase(bot_services.uow(), customer.id, now=bot_services.now())


BOT = {"id": 777000, "is_bot": True, "first_name": "Service Friends"}
