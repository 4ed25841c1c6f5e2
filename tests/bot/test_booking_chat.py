"""Booking steps through the real bot: a repeated update, a stale button, a voice note and a
location relayed, and a helper asked which job a message is for."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.context import BotServices
from core.booking import BookingState
from core.ids import TelegramUserId
from tests.bot.conftest import Chat
from tests.conftest import top_helper

pytestmark = pytest.mark.rasa
VOICE = {"file_id": "AwACAgIAAxkBAAI", "file_unique_id": "AgADv", "duration": 4}


def register(services: BotServices, chat: Chat, postcode: str) -> None:
    top_helper(services.uow, chat.user.id, chat.user.user["first_name"], postcode, "de")


def data(chat: Chat, label: str) -> tuple[Any, str]:
    """The newest message in this chat with a button starting with `label`, and its data."""
    for sent in reversed(chat.api.to(chat.user.id)):
        for text, callback in sent.buttons:
            if text.startswith(label):
                return sent, callback
    raise AssertionError(f"no button {label!r}")


async def booked(customer: Chat, helper: Chat, services: BotServices, postcode: str, problem: str) -> None:
    register(services, helper, postcode)
    await customer.user.says(problem)
    await customer.user.says(postcode)
    sent, pick = data(customer, f"✅ {helper.user.user['first_name']}")
    await customer.user.presses(sent, pick)
    sent, accept = data(helper, "✅ Annehmen")
    await helper.user.presses(sent, accept)
    customer.new(), helper.new()


async def test_a_repeated_update_and_a_stale_button_accept_once(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    anna, jan = person("de", "Anna"), person("de", "Jan")
    register(bot_services, jan, "10243")
    await anna.user.says("Mein Drucker druckt nur noch leere Seiten")
    await anna.user.says("10243")
    sent, pick = data(anna, "✅ Jan")
    await anna.user.presses(sent, pick)
    anna.new(), jan.new()
    offer, accept = data(jan, "✅ Annehmen")
    update = {
        "update_id": int(time.time() * 1000) % 10**9,
        "callback_query": {
            "id": "dup-1",
            "from": jan.user.user,
            "chat_instance": "1",
            "message": {"message_id": offer.message_id, "date": 0, "chat": jan.user.chat, "text": offer.text},
            "data": accept,
        },
    }
    await jan.user.push(update)
    await jan.user.push(update)  # Telegram delivers the same update again
    [accepted] = jan.new()
    assert re.match(
        r"🎉 Auftrag #\d+ gehört dir: Computer oder Drucker in Friedrichshain-Kreuzberg\.", accepted
    )
    assert len([t for t in anna.new() if "hat deine Anfrage angenommen" in t]) == 1

    await jan.user.presses(offer, accept)  # the old button, pressed once more
    alerts = [p for api, p in jan.api.calls if api == "answerCallbackQuery" and p.get("text")]
    assert alerts[-1]["text"] == "Schon erledigt ✓"
    assert jan.new() == [] and anna.new() == []


async def test_voice_notes_and_locations_are_copied_with_who_wrote(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    eva, ole = person("de", "Eva"), person("de", "Ole")
    await booked(eva, ole, bot_services, "10245", "Mein Fernseher hat kein Bild mehr")
    await eva.user.send(voice=VOICE, caption="Hör mal, dieses Piepen")
    [voice] = ole.new()
    assert voice.startswith("💬 Kunde · Auftrag #") and voice.endswith("Hör mal, dieses Piepen")
    copy = [p for api, p in ole.api.calls if api == "copyMessage"][-1]
    assert int(copy["from_chat_id"]) == eva.user.id and int(copy["chat_id"]) == ole.user.id
    await ole.user.shares_location(52.5, 13.45)
    header, copied = eva.new()
    assert header == "💬 Ole (Helfer):" and copied == "[copied message]"
    await eva.user.send(contact={"phone_number": "+4915112345678", "first_name": "Eva"})
    [refused] = eva.new()
    assert refused.startswith("Diese Art Nachricht kann ich leider nicht lesen")
    assert ole.new() == []  # a contact card is never passed on


async def test_a_helper_with_two_jobs_is_asked_which_one(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    kim, lou, max_ = person("de", "Kim"), person("de", "Lou"), person("de", "Maxi")
    await booked(kim, max_, bot_services, "12435", "Unser WLAN ist total langsam")
    await lou.user.says("Das WLAN im Wohnzimmer fällt immer aus")
    await lou.user.says("12435")
    sent, pick = data(lou, "✅ Maxi")
    await lou.user.presses(sent, pick)
    sent, accept = data(max_, "✅ Annehmen")
    await max_.user.presses(sent, accept)
    max_.new(), lou.new()
    await max_.user.says("Ich bin in 10 Minuten da")
    [question] = max_.new()
    assert question == "Du hast mehrere offene Aufträge. Für welchen ist diese Nachricht?"
    sent, route = data(max_, "Auftrag #")
    await max_.user.presses(sent, route)
    assert [t for t in kim.new() + lou.new() if t.endswith("Ich bin in 10 Minuten da")]


async def test_text_that_is_not_a_time_goes_to_the_customer_and_a_report_reaches_support(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    ida, tim = person("de", "Ida"), person("de", "Tim")
    await booked(ida, tim, bot_services, "12559", "Das Tablet lädt nicht mehr")
    sent, propose = data(tim, "📅 Termin")
    await tim.user.presses(sent, propose)
    assert tim.new()[0].startswith("Wann kannst du")
    await tim.user.says("Bin gleich wieder da, muss kurz telefonieren")
    [relayed] = ida.new()
    assert relayed.endswith("Bin gleich wieder da, muss kurz telefonieren")
    [hint] = tim.new()
    assert hint.startswith("Darin habe ich keine Uhrzeit gefunden")
    await tim.user.says("morgen 10 Uhr, 1 Stunde")  # after tapping again, a time is a proposal
    assert not [t for t in ida.new() if "schlägt vor" in t]
    sent, propose = data(tim, "📅 Termin")
    await tim.user.presses(sent, propose)
    await tim.user.says("morgen 10 Uhr, 1 Stunde")
    assert [t for t in ida.new() if t.startswith("📅 Tim schlägt vor: morgen um 10:00 Uhr (ca. 1 Stunde)")]

    tim.new()
    await ida.user.says("/jobs")
    assert ida.new()[0].startswith("📋 Auftrag #")
    sent, report = data(ida, "⚠️ Problem")
    await ida.user.presses(sent, report)
    assert ida.new() == ["Was ist passiert? Schreib ein paar Worte, der Support schaut es sich an."]
    await ida.user.says("Er war sehr unfreundlich am Telefon")
    [thanks] = ida.new()
    assert thanks.startswith("Danke! Deine Meldung zu Auftrag")
    assert tim.new() == []  # the report is not relayed
    with bot_services.uow() as u:
        customer = u.customers.by_telegram_id(TelegramUserId(ida.user.id))
        assert customer is not None
        [job] = u.bookings.of_customer(customer.id, [BookingState.ACCEPTED])
        assert ("report", "Er war sehr unfreundlich am Telefon") in u.relay.flags(job.id)
