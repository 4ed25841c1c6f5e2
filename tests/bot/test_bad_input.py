"""Bad input of any kind gets a clear answer, never a crash, and loses or doubles nothing."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import pytest

from bot.context import BotServices
from core.services import intake
from friends.botapi import TelegramUser
from friends.chat import start_app
from gateways.rasa_client import RasaClient
from tests.bot.conftest import Chat
from tests.conftest import consented, free_port

pytestmark = pytest.mark.rasa

STICKER = {
    "file_id": "CAACAgIAAxkBAAE",
    "file_unique_id": "AgAD",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "type": "regular",
}
PHOTO = [{"file_id": "AgACAgIAAxkBAAI", "file_unique_id": "AQAD", "width": 90, "height": 90}]


async def test_a_sticker_gets_asked_for_words(person: Callable[..., Chat]) -> None:
    sam = person("en")
    await sam.user.send(sticker=STICKER)
    assert sam.new() == [
        "Sorry, I can't read this kind of message. Please tell me in a few words what's wrong – or send a photo of it."
    ]


async def test_photo_with_caption_is_read_as_text(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.send(
        photo=PHOTO, caption="Mein Laptop startet seit dem Windows-Update nicht mehr, siehe Foto"
    )
    assert "Computer oder Drucker" in anna.new()[0]


async def test_emoji_only_text_gets_asked_for_words(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("😭😭😭")
    assert anna.new() == ["Ich verstehe nur Worte 🙂 Beschreib mir das Problem bitte in einem kurzen Satz."]


async def test_very_long_text_is_classified_and_stored_whole(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    sam = person("en")
    story = "My smart TV lost all its channels after the update and the Netflix app hangs. " * 80
    await sam.user.says(story[:4096])
    assert "TV and streaming" in sam.new()[0]
    customer = intake.ensure_customer(
        bot_services.uow(), sam.user.id, name="", language_code="en", now=bot_services.now()
    )
    request = intake.latest_request(bot_services.uow(), customer.id)
    assert request is not None and request.description == story[:4096].strip()


async def test_unknown_command_points_to_help(person: Callable[..., Chat]) -> None:
    sam = person("en")
    await sam.user.says("/pizza")
    assert sam.new() == ["I don't know that command. Type /help to see what I can do."]


async def test_edited_message_is_answered_without_a_second_request(person: Callable[..., Chat]) -> None:
    anna = person("de")
    original = await anna.user.says("Handy geht nicht")
    anna.new()
    edited = original.message.to_dict() | {"text": "Tablet geht nicht", "edit_date": int(time.time())}  # type: ignore[union-attr]
    await anna.user.push({"update_id": original.update_id + 10**6, "edited_message": edited})
    assert anna.new() == [
        "Ich lese nur neue Nachrichten, keine Änderungen. Schick mir den korrigierten Text bitte als neue Nachricht."
    ]


async def test_repeated_update_is_handled_once(person: Callable[..., Chat]) -> None:
    anna = person("de")
    update = await anna.user.says("Der Fernseher hat kein Bild")
    first = anna.new()
    await anna.user.push(update.to_dict())
    assert first and anna.new() == []


async def test_stale_and_forged_buttons_are_refused_politely(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("Handy lädt nicht mehr")
    offered = anna.api.to(anna.user.id)[-2]
    await anna.user.says("/cancel")
    anna.new()
    calls_before = len(anna.api.calls)
    await anna.user.presses(offered, offered.buttons[1][1])  # request already cancelled
    await anna.user.presses(offered, "cat:99999999:pc")  # not this customer's request
    await anna.user.presses(offered, "drop table;")  # not ours at all
    answers = [p for api, p in anna.api.calls[calls_before:] if api == "answerCallbackQuery"]
    assert [a.get("text") for a in answers] == [
        "Diese Anfrage ist nicht mehr offen. Beschreib dein Problem einfach noch einmal, dann lege ich eine neue an.",
        "Diese Anfrage ist nicht mehr offen. Beschreib dein Problem einfach noch einmal, dann lege ich eine neue an.",
        "Dieser Knopf gilt nicht mehr.",
    ]
    assert anna.new() == []


async def test_rasa_down_is_an_apology_not_a_crash(bot_services: BotServices) -> None:
    offline = dataclasses.replace(
        bot_services, rasa=RasaClient(f"http://127.0.0.1:{free_port()}", "x", timeout=2)
    )
    app, api = await start_app(offline)
    user = TelegramUser(app, 4_999_999, language_code="en")
    consented(offline.uow, user.id, language="en")
    await user.says("my wifi is down")
    assert [s.text for s in api.to(user.id)] == [
        "Sorry, I can't read messages right now. Please try again in a minute – nothing you sent was lost."
    ]
    await app.stop()
    await app.shutdown()
