"""A customer's intake through the real bot, real Rasa and the real action server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.intake import RequestStatus
from core.services import intake
from tests.bot.conftest import Chat

pytestmark = pytest.mark.rasa


async def test_german_customer_is_asked_for_the_place_and_the_request_is_stored(
    person: Callable[..., Chat],
) -> None:
    anna = person("de")
    await anna.user.says("/start")
    assert anna.new()[0].startswith("Hallo Anna! Ich bin Service Friends")

    await anna.user.says("Mein WLAN bricht ständig ab, die FritzBox blinkt")
    understood, ask_place = anna.new()
    assert "Internet und WLAN" in understood
    assert [label for label, _ in anna.api.to(anna.user.id)[-2].buttons] == [
        "📱 Handy / Tablet",
        "🌐 Internet / WLAN",
        "📺 Fernseher / Streaming",
        "💻 Computer / Drucker",
    ]
    assert "Postleitzahl" in ask_place and anna.last().location_button

    await anna.user.says("10437")
    stored, intro, *cards, next_step = anna.new()
    assert stored == "Danke! Deine Anfrage ist gespeichert: Internet und WLAN zu Hause in 10437 (Pankow)."
    assert intro == "Das sind die passendsten Helfer in deiner Nähe:" and len(cards) == 3
    assert all("Internet und WLAN zu Hause" in card and "pro Stunde" in card for card in cards)
    assert next_step.startswith("Tippe unter dem Helfer")
    buttons = anna.last().buttons
    assert [label for label, _ in buttons] == [
        "🔄 Weitere Helfer",
        "✏️ Anfrage ändern",
        "💻 Lieber per Telefon oder Video",
    ]

    await anna.user.presses(anna.last(), buttons[2][1])  # help by phone or video instead
    intro, *cards, next_step = anna.new()
    assert intro.startswith("Diese Helfer helfen dir per Telefon oder Videoanruf") and cards
    assert all("💻 per Telefon oder Video" in card and " km" not in card for card in cards)
    assert [label for label, _ in anna.last().buttons][-1] == "🏠 Lieber bei mir vor Ort"


async def test_english_customer_shares_a_location(person: Callable[..., Chat], bot_services) -> None:  # type: ignore[no-untyped-def]
    sam = person("en-GB", "Sam")
    await sam.user.says("my printer stopped printing, it's urgent")
    texts = sam.new()
    assert "computer or printer" in texts[0]
    assert "urgent" in texts[1]
    assert sam.last().location_button

    await sam.user.shares_location(52.4876, 13.4253)  # Reuterkiez, Neukölln
    assert sam.new()[0] == "Thanks! Your request is stored: computer or printer in 12047 (Neukölln)."

    customer = intake.ensure_customer(
        bot_services.uow(), sam.user.id, name="Sam", language_code="en", now=bot_services.now()
    )
    request = intake.latest_request(bot_services.uow(), customer.id)
    assert request is not None and request.status is RequestStatus.SEARCHING
    assert request.urgency == "urgent" and request.language == "en" and request.district == "Neukölln"
    assert request.description == "my printer stopped printing, it's urgent"


async def test_vague_message_gets_a_question_and_category_buttons(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("hilfe bitte")
    [question] = anna.new()
    assert "Was funktioniert denn nicht?" in question
    buttons = anna.last().buttons
    await anna.user.presses(anna.last(), buttons[2][1])  # 📺
    chosen, _ask_place = anna.new()
    assert chosen == "Alles klar: Fernseher und Streaming."
    assert anna.last().location_button


async def test_customer_corrects_a_wrong_category(person: Callable[..., Chat]) -> None:
    sam = person("en")
    await sam.user.says("my laptop won't start anymore")
    understood_message = sam.api.to(sam.user.id)[-2]
    assert "computer" in understood_message.text
    phone_button = understood_message.buttons[0][1]
    await sam.user.presses(understood_message, phone_button)
    assert "OK: phone or tablet." in sam.new()
    await sam.user.says("Kreuzberg")
    assert "Thanks! Your request is stored: phone or tablet in Kreuzberg." in sam.new()


async def test_out_of_scope_gets_directions_and_no_request(person: Callable[..., Chat], bot_services) -> None:  # type: ignore[no-untyped-def]
    anna = person("de")
    await anna.user.says("Ich möchte meinen Vodafone Vertrag kündigen, wie geht das?")
    [answer] = anna.new()
    assert "Anbieter" in answer and "0800" in answer
    assert not anna.last().location_button


async def test_postcode_outside_berlin_is_refused_clearly(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("Fernseher zeigt kein Bild mehr")
    anna.new()
    await anna.user.says("80331")
    [answer] = anna.new()
    assert answer.startswith("Tut mir leid, 80331 liegt nicht in Berlin")
    await anna.user.says("neukoelln")
    assert "in Neukölln" in anna.new()[0]


async def test_location_outside_berlin_is_refused(person: Callable[..., Chat]) -> None:
    sam = person("en")
    await sam.user.says("the TV has no signal since yesterday")
    sam.new()
    await sam.user.shares_location(48.137, 11.575)  # Munich
    assert sam.new()[0].startswith("Sorry, that location is outside Berlin")


async def test_language_can_be_switched(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("/language")
    await anna.user.presses(anna.last(), "lang:en")
    assert anna.new()[-1] == "OK, I'll write in English from now on."
    await anna.user.says("/help")
    assert anna.new()[0].startswith("How it works")


async def test_cancel_closes_the_open_request(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("/cancel")
    assert "nichts abzubrechen" in anna.new()[0]
    await anna.user.says("Handy geht nicht mehr an")
    anna.new()
    await anna.user.says("/cancel")
    assert anna.new() == [
        "Deine Anfrage ist abgebrochen. Wenn du Hilfe brauchst, beschreib mir einfach dein Problem."
    ]
    assert anna.last().removes_keyboard


async def test_start_after_restart_resumes_the_open_request(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("Drucker druckt nur noch leere Seiten")
    anna.new()
    await anna.user.says("/start")
    _welcome, resume = anna.new()
    assert "Du hast noch eine offene Anfrage (Computer oder Drucker)" in resume
