"""A helper registers in the chat with buttons, text, a photo and a location, then edits and pauses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.context import BotServices
from core.helpers import HelperStatus
from core.ids import TelegramUserId
from tests.bot.conftest import Chat

pytestmark = pytest.mark.rasa
PHOTO = [{"file_id": "AgACAgIAAxkBAAIBen", "file_unique_id": "AQADben", "width": 640, "height": 640}]


async def press(chat: Chat, label: str) -> None:
    sent = next(s for s in reversed(chat.api.to(chat.user.id)) if any(lbl == label for lbl, _ in s.buttons))
    await chat.user.presses(sent, next(data for lbl, data in sent.buttons if lbl == label))


async def test_a_helper_registers_in_german_and_is_offered_after_verification(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    ben = person("de", "Ben")
    await ben.user.says("/start helper")
    welcome, ask_name = ben.new()
    assert welcome.startswith("Schön, dass du deinen Nachbarn helfen möchtest!") and "Namen" in ask_name
    await ben.user.says("B")
    assert ben.new() == ["Bitte schick einen Namen mit mindestens zwei Buchstaben."]
    await ben.user.says("Ben K.")
    assert "Foto" in ben.new()[0]
    await ben.user.send(photo=PHOTO)
    assert "Wobei kannst du helfen?" in ben.new()[0]
    await press(ben, "🌐 Internet / WLAN")
    await press(ben, "📺 Fernseher / Streaming")
    assert [lbl for lbl, _ in ben.last().buttons][:2] == ["📱 Handy / Tablet", "✅ 🌐 Internet / WLAN"]
    await press(ben, "Fertig ✔")
    await ben.user.says("FritzBox, Sky-Receiver")
    await press(ben, "Überspringen")
    assert "Stundensatz" in ben.new()[-1]
    await ben.user.says("45 €")
    assert ben.new() == ["Bitte schick einen Stundensatz zwischen 7 und 30 €, z. B. „18“ oder „18,50“."]
    await ben.user.says("19,50")
    assert ben.last().location_button
    await ben.user.shares_location(52.4876, 13.4253)
    await press(ben, "5 km")
    await press(ben, "🇬🇧 English")
    await press(ben, "Fertig ✔")
    assert "aus der Ferne" in ben.new()[-1]
    await press(ben, "Nein, nur vor Ort")
    for day in ("Mo", "Mi", "Sa"):
        await press(ben, day)
    await press(ben, "Fertig ✔")
    await ben.user.says("10-18 Uhr")
    await ben.user.says("24.12.-26.12.")
    await press(ben, "Ja, 18 oder älter")
    ben.new()
    await press(ben, "Ich stimme zu")
    complete, card = ben.new()
    assert complete.startswith("Danke, dein Profil ist vollständig!")
    assert card.startswith("👤 Ben K. · ⏳ wartet auf Prüfung") and "19,50 € pro Stunde" in card
    assert "Deutsch, Englisch" in card and "Mo, Mi, Sa · 10:00–18:00 Uhr" in card
    assert ben.last().photo == PHOTO[0]["file_id"]

    with bot_services.uow() as u:
        stored = u.helpers.by_telegram_id(TelegramUserId(ben.user.id))
    assert stored is not None and stored.status is HelperStatus.ACTIVE and not stored.verified
    assert stored.rate == 1950 and stored.radius_km == 5 and stored.availability.absences

    await press(ben, "Stundensatz")
    await ben.user.says("21")
    saved, card = ben.new()[-2:]
    assert saved == "Gespeichert." and "21 € pro Stunde" in card
    await press(ben, "⏸ Vermittlung pausieren")
    assert ben.new()[-2].startswith("Pausiert")
    await ben.user.says("/profile")
    card, money = ben.api.to(ben.user.id)[-2:]
    assert [lbl for lbl, _ in card.buttons][-1] == "▶️ Vermittlung fortsetzen"
    assert money.text == "💶 Keine offenen Gebühren. Auszahlungen per Karte: /payouts"


async def test_registration_resumes_after_leaving(person: Callable[..., Chat]) -> None:
    sam = person("en", "Sam")
    await sam.user.says("/helper")
    await sam.user.says("Sam O.")
    sam.new()
    await sam.user.says("/cancel")
    sam.new()
    await sam.user.says("/helper")
    resume, question = sam.new()
    assert resume == "Welcome back! Let's continue with your profile." and question.startswith(
        "Send a friendly photo"
    )


async def up_to_the_adult_question(lea: Chat, days: tuple[str, ...]) -> None:
    """Lea registers as a TV helper in Spandau (8 €, 5 km, remote help too), free on `days`
    around the clock, without photo, brands or bio; the bot now asks whether she is 18."""
    await lea.user.says("/helper")
    await lea.user.says("Lea N.")
    await press(lea, "Skip")
    await press(lea, "📺 TV / streaming")
    await press(lea, "Done ✔")
    await press(lea, "Skip")
    await press(lea, "Skip")
    await lea.user.says("8")
    await lea.user.says("13583")  # Spandau
    await press(lea, "5 km")
    await press(lea, "Done ✔")  # languages: English is ticked from Telegram's language
    await press(lea, "Yes, by phone/video too")
    for day in days:
        await press(lea, day)
    await press(lea, "Done ✔")
    await lea.user.says("0-24")
    await press(lea, "Skip")


async def test_a_registered_and_verified_helper_shows_up_in_a_customers_top_three(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    from core.services.matching import verify_helper

    lea = person("en", "Lea")
    await up_to_the_adult_question(lea, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    await press(lea, "Yes, 18 or older")
    await press(lea, "I accept")
    assert "your profile is complete" in lea.new()[-2]
    with bot_services.uow() as u:
        helper = u.helpers.by_telegram_id(TelegramUserId(lea.user.id))
    assert helper is not None
    verify_helper(bot_services.uow(), helper.id, now=bot_services.now())

    tom = person("en", "Tom")
    await tom.user.says("the TV shows no picture, only no signal")
    await tom.user.says("13583")
    cards = [s for s in tom.api.to(tom.user.id) if any(data.startswith("hp:") for _, data in s.buttons)]
    assert any(card.text.startswith("👤 Lea N.") for card in cards[:3]), [c.text[:30] for c in cards]
