"""A photo of the problem at intake: Tesseract reads it, Rasa classifies it with the caption,
the request keeps the photo. A voice note is answered kindly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PIL import Image

from bot.context import BotServices
from core.ids import TelegramUserId
from friends.bench.ocr import SCREENS, draw, png
from gateways.ocr import installed
from tests.bot.conftest import Chat

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.skipif(not installed(), reason="the set-up installs tesseract-ocr (deu, eng)"),
]
SCREEN = {s.name: s for s in SCREENS}


def request_of(services: BotServices, chat: Chat):  # type: ignore[no-untyped-def]
    with services.uow() as u:
        customer = u.customers.by_telegram_id(TelegramUserId(chat.user.id))
        assert customer is not None
        return u.requests.latest_for(customer.id)


async def test_a_photo_with_a_caption_is_read_and_classified(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    anna = person("de")
    update = await anna.user.sends_photo(png(draw(SCREEN["fritzbox"])), caption="Was heißt das?")
    understood, ask_place = anna.new()
    assert "Internet und WLAN zu Hause" in understood and ask_place.startswith("Wo brauchst du Hilfe?")
    request = request_of(bot_services, anna)
    assert request.photo == update.message.photo[-1].file_id  # the largest size, kept for the helper
    assert request.description.startswith("Was heißt das? FRITZ!Box 7590")


async def test_a_photo_without_a_caption_is_enough(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    sam = person("en", "Sam")
    await sam.user.sends_photo(png(draw(SCREEN["bluescreen"])))
    assert "computer or printer" in sam.new()[0]
    assert "Stop code" in request_of(bot_services, sam).description
    kinds = [a for a, p in sam.api.calls if str(p.get("chat_id")) == str(sam.user.id)]
    assert "sendChatAction" in kinds  # "typing…" while the photo is read


async def test_a_photo_without_words_asks_for_a_description(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    sam = person("en", "Sam")
    await sam.user.sends_photo(png(Image.new("RGB", (800, 600), "#3a7")))
    assert sam.new() == [
        "Thanks for the photo! I couldn't read any text on it. Please tell me in a few words what's wrong."
    ]
    assert request_of(bot_services, sam) is None


async def test_a_voice_note_is_answered_kindly(person: Callable[..., Chat]) -> None:
    ida = person("de", "Ida")
    await ida.user.send(voice={"file_id": "AwACAgIAAxkBAAI", "file_unique_id": "AgADv", "duration": 4})
    [answer] = ida.new()
    assert answer.startswith("Danke für deine Sprachnachricht! Anhören kann ich sie leider nicht.")
    assert "Foto" in answer


async def test_the_offered_helper_gets_the_photo_with_the_offer(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    from tests.bot.test_booking_chat import data, register

    eva, ole = person("de", "Eva"), person("de", "Fridolin")
    register(bot_services, ole, "10247")
    update = await eva.user.sends_photo(png(draw(SCREEN["tv"])), caption="Das steht auf dem Fernseher")
    await eva.user.says("10247")
    sent, pick = data(eva, "✅ Fridolin")
    await eva.user.presses(sent, pick)
    offer = next(s for s in ole.api.to(ole.user.id) if "Neuer Auftrag" in s.text)
    assert offer.photo == update.message.photo[-1].file_id  # the customer's photo, the offer as caption
    assert (
        "Fernseher und Streaming" in offer.text and "„Das steht auf dem Fernseher Kein Signal" in offer.text
    )
    assert [label for label, _ in offer.buttons] == ["✅ Annehmen", "❌ Ablehnen"]
