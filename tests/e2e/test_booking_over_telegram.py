"""Whole bookings through the Bot API emulator, a customer and a helper in two chats:
problem → cards → choose → accept → relay both ways → proposal → confirm → pay → check in/out
→ ratings, in German and in English; and the unhappy paths."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.tg.adapter import TgClient

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]
Msg = dict[str, Any]


def text(m: Msg) -> str:
    """The text as a person reads it (the no-break space in "18 €" looks like a space)."""
    return str(m["message"].get("text", "")).replace("\xa0", " ")


def button(m: Msg, starts: str) -> str:
    """The callback data of the button whose label starts with `starts`."""
    rows = m["message"].get("reply_markup", {}).get("inline_keyboard", [])
    for row in rows:
        for b in row:
            if b["text"].startswith(starts):
                return str(b["callback_data"])
    raise AssertionError(f"no button {starts!r} in {[b['text'] for r in rows for b in r]}")


async def press(who: TgClient, m: Msg, starts: str) -> None:
    await who.press(m, button(m, starts))


async def test_a_whole_booking_in_german(customer_factory, helper_at) -> None:  # type: ignore[no-untyped-def]
    anna: TgClient = customer_factory("de")
    jonas: TgClient = customer_factory("de")
    helper_at(jonas.chat_id, "Jonas", "12043", "de")

    await anna.send_text("Mein WLAN bricht ständig ab, seit gestern geht gar nichts mehr")
    await anna.until("Wo brauchst du Hilfe?")
    await anna.send_text("12043")
    _stored, _intro, first, *_ = await anna.until("– oder:")
    assert first["message"]["text"].startswith("👤 Jonas"), text(first)
    await press(anna, first, "✅ Jonas")
    [asked] = await anna.replies(1)
    assert text(asked).startswith("Ich habe Jonas gefragt. Jonas hat 15 Minuten Zeit für eine Antwort")

    [offer] = await jonas.replies(1)
    assert re.match(
        r"📩 Neuer Auftrag #\d+: Internet und WLAN zu Hause in Neukölln, 0 km von dir\n", text(offer)
    )
    assert "„Mein WLAN bricht ständig ab" in text(offer) and "anna" not in text(offer).lower()
    await press(jonas, offer, "✅ Annehmen")
    [accepted] = await jonas.replies(1)
    assert "gehört dir" in text(accepted)
    [told] = await anna.replies(1)
    assert text(told).startswith("🎉 Jonas hat deine Anfrage angenommen!")

    # a stale button: Jonas taps "accept" again – nothing new happens in either chat
    await press(jonas, offer, "✅ Annehmen")

    # the relay, both ways; neither sees the other's account
    await anna.send_text("Hallo Jonas, passt es morgen Nachmittag?")
    [relayed] = await jonas.replies(1)
    assert re.fullmatch(r"💬 Kunde · Auftrag #\d+:\nHallo Jonas, passt es morgen Nachmittag\?", text(relayed))
    assert str(anna.chat_id) not in str(relayed["message"])
    await jonas.send_photo("So sieht dein Router aus, oder?")
    [photo] = await anna.replies(1)
    assert text(photo) == "💬 Jonas (Helfer):\nSo sieht dein Router aus, oder?"

    await press(jonas, accepted, "📅 Termin")
    [ask_time] = await jonas.replies(1)
    assert "Wann kannst du" in text(ask_time)
    await jonas.send_text("morgen 15 Uhr, 2 Stunden")
    [sent] = await jonas.replies(1)
    assert "Dein Vorschlag" in text(sent)
    [proposal] = await anna.replies(1)
    assert text(proposal).startswith("📅 Jonas schlägt vor: morgen um 15:00 Uhr (ca. 2 Stunden)\n")
    assert "Geschätzter Preis: 14 €" in text(proposal)  # 7 € × 2 h
    await press(anna, proposal, "✅ Passt")
    [ask_address] = await anna.replies(1)
    assert "Wohin soll Jonas kommen?" in text(ask_address)
    [confirmed] = await jonas.replies(1)
    assert text(confirmed).startswith("✅ Bestätigt") and "Straße" not in text(confirmed)
    await anna.send_text("Hausnummer? Keine Ahnung")  # not an address: passed on, and a hint
    [passed] = await jonas.replies(1)
    assert "Keine Ahnung" in text(passed)
    [hint] = await anna.replies(1)
    assert "nicht nach einer Adresse" in text(hint)
    await press(anna, hint, "📍 Adresse")
    await anna.replies(1)
    await anna.send_text("Kastanienallee 12, Hinterhaus 2. OG, Klingel Schulz")
    [payment] = await anna.replies(1)
    assert "Kastanienallee 12" in text(payment) and "reserviere ich jetzt 16,80 €" in text(payment)
    [address] = await jonas.replies(1)
    assert "Kastanienallee 12" in text(address) and "google.com/maps" in text(address)
    await press(anna, payment, "💳 Karte")
    [held] = await anna.replies(1)
    assert text(held).startswith("💳 TESTZAHLUNG (Demo – es fließt kein echtes Geld): 16,80 €")
    await jonas.replies(1)

    await jonas.send_command("/jobs")
    [card] = await jonas.replies(1)
    assert "gebucht, per Karte" in text(card)
    await press(jonas, card, "📍 Bin da")  # a day early: asked first
    [early] = await jonas.replies(1)
    assert "Jetzt schon anfangen?" in text(early)
    await press(jonas, early, "▶️ Ja, jetzt anfangen")
    [started] = await jonas.replies(1)
    [arrived] = await anna.replies(1)
    assert text(arrived).startswith("👋 Jonas ist bei dir")
    await press(jonas, started, "🏁 Fertig")
    await jonas.replies(1)
    [confirm] = await anna.replies(1)
    assert "Arbeitszeit: 1 Minute, abgerechnet 1 Stunde (7 € pro Stunde) = 7 €" in text(confirm)
    await press(anna, confirm, "✅ Stimmt")
    receipt, ask_rating = await anna.replies(2)
    assert text(receipt).startswith(
        "🧾 Beleg für Auftrag"
    ) and "Summe: 7 € (inkl. Service-Friends-Gebühr 1,40 €) · bezahlt per Test-Kartenzahlung" in text(receipt)
    receipt_helper, ask_helper = await jonas.replies(2)
    assert "abgerechnet: 1 Stunde = 7 €" in text(receipt_helper) and "dein Anteil 5,60 €" in text(
        receipt_helper
    )

    await press(anna, ask_rating, "5⭐")
    [thanks] = await anna.replies(1)
    assert "Danke für deine Bewertung: 5 Sterne" in text(thanks)
    await anna.send_text("Sehr geduldig und freundlich!")
    [saved] = await anna.replies(1)
    assert "Kommentar ist gespeichert" in text(saved)
    await press(jonas, ask_helper, "4⭐")
    _thanks, revealed = await jonas.replies(2)
    assert text(revealed).endswith("Dein Kunde gibt dir 5 von 5 Sternen.\n💬 Sehr geduldig und freundlich!")
    [revealed_customer] = await anna.replies(1)
    assert "gibt dir 4 von 5 Sternen" in text(revealed_customer)


async def test_a_whole_booking_in_english_with_a_decline_first(customer_factory, helper_at) -> None:  # type: ignore[no-untyped-def]
    sam: TgClient = customer_factory("en")
    lea: TgClient = customer_factory("en")
    tom: TgClient = customer_factory("en")
    helper_at(lea.chat_id, "Lea", "10115", "en", rate=700)
    helper_at(tom.chat_id, "Tom", "10115", "en", rate=800)

    await sam.send_text("my laptop won't turn on anymore")
    await sam.until("Where do you need help?")
    await sam.send_text("10115")
    _stored, _intro, first, second, *_ = await sam.until("Tap")
    assert text(first).startswith("👤 Lea") and text(second).startswith("👤 Tom")
    await press(sam, first, "✅ Choose Lea")
    await sam.replies(1)
    [offer] = await lea.replies(1)
    await press(lea, offer, "❌ Decline")
    await lea.replies(1)
    [moved] = await sam.replies(1)
    assert text(moved).startswith("Lea can't take it, sorry. I've asked Tom instead")
    [offer] = await tom.replies(1)
    assert "New job" in text(offer)
    await press(tom, offer, "✅ Accept")
    [accepted] = await tom.replies(1)
    await sam.replies(1)

    await tom.send_text("Hi! Could you send me a photo of the laptop?")
    [relayed] = await sam.replies(1)
    assert text(relayed) == "💬 Tom (helper):\nHi! Could you send me a photo of the laptop?"
    await sam.send_photo("here it is")
    [photo] = await tom.replies(1)
    assert re.fullmatch(r"💬 Customer · job #\d+:\nhere it is", text(photo))
    await sam.send_text("you can call me on 0151 23456789")
    [warning] = await sam.replies(1)
    assert "Please don't share phone numbers" in text(warning)
    await tom.replies(1)

    await press(tom, accepted, "📅 Propose")
    await tom.replies(1)
    await tom.send_text("tomorrow at 10am")
    [how_long] = await tom.replies(1)
    await press(tom, how_long, "1½ h")
    await tom.replies(1)
    [proposal] = await sam.replies(1)
    assert "Tom suggests: tomorrow at 10:00 (about 1 hour 30 minutes)" in text(proposal)
    assert "Estimated price: €12" in text(proposal)  # 8 € × 1.5 h
    await press(sam, proposal, "✅ Suits me")
    [ask_address] = await sam.replies(1)
    assert "Where should Tom come?" in text(ask_address)
    await tom.replies(1)
    await sam.send_text("Torstraße 112, 4th floor, bell: Miller")
    [payment] = await sam.replies(1)
    assert text(payment).startswith("📍 Thanks, noted: Torstraße 112, 10115 Berlin (4th floor, 🔔 Miller)")
    [address] = await tom.replies(1)
    assert "Torstraße 112" in text(address) and "maps" in text(address)
    await press(sam, payment, "💶 Cash")
    [cash] = await sam.replies(1)
    assert text(cash).startswith("💶 Cash it is")
    [told] = await tom.replies(1)
    assert "in cash" in text(told)

    await tom.send_command("/jobs")
    [card] = await tom.replies(1)
    await press(tom, card, "📍 I'm here")
    [early] = await tom.replies(1)
    assert "Start now?" in text(early)
    await press(tom, early, "▶️ Yes, start now")
    [started] = await tom.replies(1)
    await sam.replies(1)
    await press(tom, started, "🏁 Finished")
    await tom.replies(1)
    [confirm] = await sam.replies(1)
    await press(sam, confirm, "✅ That's right")
    receipt, ask = await sam.replies(2)
    assert "Total: €8 (incl. Service Friends fee €1.60) · paid by cash" in text(receipt)
    settled, _ask_tom = await tom.replies(2)
    assert "paid to you in cash" in text(settled)
    await press(tom, settled, "💶 Cash received")
    [noted] = await tom.replies(1)
    assert "The Service Friends fee of €1.60 is added to what you owe (now €1.60)" in text(noted)
    await press(sam, ask, "4⭐")
    [comment] = await sam.replies(1)
    await press(sam, comment, "Skip")
    [skipped] = await sam.replies(1)
    assert "no comment" in text(skipped)


async def test_a_customer_cancels_and_the_helper_is_told(customer_factory, helper_at) -> None:  # type: ignore[no-untyped-def]
    ute: TgClient = customer_factory("de")
    ali: TgClient = customer_factory("de")
    helper_at(ali.chat_id, "Ali", "13353", "de")
    await ute.send_text("Der Fernseher findet keine Sender mehr")
    await ute.until("Wo brauchst du Hilfe?")
    await ute.send_text("13353")
    _s, _i, first, *_ = await ute.until("– oder:")
    await press(ute, first, "✅ Ali")
    await ute.replies(1)
    [offer] = await ali.replies(1)
    await press(ali, offer, "✅ Annehmen")
    await ali.replies(1)
    [accepted] = await ute.replies(1)
    await press(ute, accepted, "🗑 Auftrag stornieren")
    [confirm] = await ute.replies(1)
    assert text(confirm).endswith("Das ist kostenlos.")
    await press(ute, confirm, "Ja, stornieren")
    [done] = await ute.replies(1)
    assert re.fullmatch(r"Auftrag #\d+ ist storniert\.", text(done))
    [told] = await ali.replies(1)
    assert "hat Auftrag" in text(told) and "storniert" in text(told)
    await press(ute, confirm, "Ja, stornieren")  # stale: nothing more happens
    await ute.send_text("Mein Handy lädt nicht mehr")  # no relay any more: a new problem
    understood, *_ = await ute.until("Wo brauchst du Hilfe?")
    assert "Handy" in text(understood)


async def test_a_remote_booking_in_english_has_no_address_and_no_travel(customer_factory, helper_at) -> None:  # type: ignore[no-untyped-def]
    kim: TgClient = customer_factory("en")
    nina: TgClient = customer_factory("en")
    # Spandau, far from Mitte; rated more often than any other test's helper, so she comes first
    helper_at(nina.chat_id, "Nina", "13583", "en", rate=700, remote=True, ratings=1000)

    await kim.send_text("outlook on my laptop keeps asking for the password")
    await kim.until("Where do you need help?")
    await kim.send_text("10115")
    *_cards, next_step = await kim.until("– or:")
    assert "Nina" not in str([text(c) for c in _cards])  # on site, Spandau is too far
    await press(kim, next_step, "💻 By phone or video")
    intro, first, *shown = await kim.until("– or:")
    assert text(intro).startswith("These helpers help you by phone or video call")
    assert text(first).startswith("👤 Nina")
    cards = [first, *(m for m in shown if text(m).startswith("👤"))]
    assert all("💻 by phone or video" in text(c) and " km" not in text(c) for c in cards)
    await press(kim, first, "✅ Choose Nina")
    await kim.replies(1)
    [offer] = await nina.replies(1)
    assert "💻 by phone or video" in text(offer) and " km " not in text(offer)
    await press(nina, offer, "✅ Accept")
    [accepted] = await nina.replies(1)
    await kim.replies(1)
    await press(nina, accepted, "📅 Propose")
    await nina.replies(1)
    await nina.send_text("tomorrow 18:00, 1 hour")
    await nina.replies(1)
    [proposal] = await kim.replies(1)
    await press(kim, proposal, "✅ Suits me")
    [pay] = await kim.replies(1)
    assert "by phone or video" in text(pay) and "Where should" not in text(pay)
    assert [b["text"] for r in pay["message"]["reply_markup"]["inline_keyboard"] for b in r] == [
        "💳 Card / PayPal"
    ]
    [confirmed] = await nina.replies(1)
    assert "by phone or video" in text(confirmed)
    await press(kim, pay, "💳 Card")
    [held] = await kim.replies(1)
    assert "€8.40" in text(held)  # the hold: €7 estimate + 20 %
