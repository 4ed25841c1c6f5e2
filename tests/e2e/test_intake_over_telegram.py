"""Whole intakes through the Bot API emulator: German and English, vague start, location share."""

from __future__ import annotations

import pytest

from tests.tg.adapter import TgClient

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def texts(messages: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [m["message"].get("text", "") for m in messages]


async def test_german_intake_from_a_vague_first_message_to_a_shared_location(customer_factory) -> None:  # type: ignore[no-untyped-def]
    oma: TgClient = customer_factory("de")
    await oma.send_command("/start")
    [welcome] = await oma.replies(1)
    assert welcome["message"]["text"].startswith("Hallo User")

    await oma.send_text("hilfe bitte")
    [question] = await oma.replies(1)
    assert "Was funktioniert denn nicht?" in question["message"]["text"]
    assert "inline_keyboard" in question["message"]["reply_markup"]

    await oma.send_text("Mein Fernseher zeigt seit gestern kein Bild mehr, nur Kein Signal")
    understood, ask_place = await oma.replies(2)
    assert "Fernseher und Streaming" in understood["message"]["text"]
    keyboard = ask_place["message"]["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True and keyboard[0][0]["text"] == "📍 Standort teilen"

    await oma.send_location(52.5366, 13.6047)  # Marzahn
    stored, intro, *cards, _next_step = await oma.until("Auswählen")
    assert stored["message"]["text"].startswith(
        "Danke! Deine Anfrage ist gespeichert: Fernseher und Streaming in 12"
    )
    assert "Marzahn-Hellersdorf" in stored["message"]["text"]
    assert intro["message"]["text"] == "Das sind die passendsten Helfer in deiner Nähe:"
    assert len(cards) == 3 and all("pro Stunde" in c["message"]["text"] for c in cards)
    choose = cards[0]["message"]["reply_markup"]["inline_keyboard"][0][0]
    assert choose["text"].endswith("auswählen")
    await oma.press(cards[0], choose["callback_data"])
    [asked] = await oma.replies(1)
    assert asked["message"]["text"].startswith("Ich habe ") and "15 Minuten Zeit" in asked["message"]["text"]


async def test_english_intake_with_category_correction_and_postcode(customer_factory) -> None:  # type: ignore[no-untyped-def]
    sam: TgClient = customer_factory("en")
    await sam.send_text("hi there")
    [hello] = await sam.replies(1)
    assert hello["message"]["text"].startswith("Hello! 👋 What can I help you with?")

    await sam.send_text("my laptop can't get online but my phone works fine on the wifi")
    understood, _ = await sam.replies(2)
    assert "computer or printer" in understood["message"]["text"]
    buttons = [b for row in understood["message"]["reply_markup"]["inline_keyboard"] for b in row]
    internet = next(b for b in buttons if b["text"].startswith("🌐"))
    await sam.press(understood, internet["callback_data"])
    chosen, _ask_place = await sam.replies(2)
    assert chosen["message"]["text"] == "OK: home internet and Wi-Fi."

    await sam.send_text("12345")
    [outside] = await sam.replies(1)
    assert outside["message"]["text"].startswith("Sorry, 12345 is not in Berlin")
    await sam.send_text("10245")
    stored, intro, *cards, next_step = await sam.until("under the helper you like")
    assert (
        stored["message"]["text"]
        == "Thanks! Your request is stored: home internet and Wi-Fi in 10245 (Friedrichshain-Kreuzberg)."
    )
    assert intro["message"]["text"] == "Here are the best helpers near you:"
    assert len(cards) == 3 and all("per hour" in c["message"]["text"] for c in cards)
    more = next_step["message"]["reply_markup"]["inline_keyboard"][0][0]
    assert more["text"] == "🔄 More helpers"
    await sam.press(next_step, more["callback_data"])
    _, *more_cards, _ = await sam.until("under the helper you like")
    assert len(more_cards) == 3
    assert {c["message"]["text"] for c in more_cards}.isdisjoint(c["message"]["text"] for c in cards)


async def test_sticker_and_unknown_command_over_telegram(customer_factory) -> None:  # type: ignore[no-untyped-def]
    sam: TgClient = customer_factory("en")
    await sam.send_command("/frobnicate")
    [answer] = await sam.replies(1)
    assert answer["message"]["text"] == "I don't know that command. Type /help to see what I can do."
