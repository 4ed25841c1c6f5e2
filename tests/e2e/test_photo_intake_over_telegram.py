"""A photo of the problem through the Bot API emulator, in German and English: the real
Tesseract reads a generated error screen, Rasa classifies it, the customer gets helpers."""

from __future__ import annotations

import pytest

from friends.bench.ocr import SCREENS, draw, photographed, png
from gateways.ocr import installed
from tests.tg.adapter import EmulatorRequest, TgClient

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.rasa,
    pytest.mark.skipif(not installed(), reason="the set-up installs tesseract-ocr (deu, eng)"),
]
SCREEN = {s.name: s for s in SCREENS}


def text(m: dict) -> str:  # type: ignore[type-arg]
    return str(m["message"].get("text", "")).replace("\xa0", " ")


async def test_german_photo_of_a_tv_error_with_a_caption(customer_factory) -> None:  # type: ignore[no-untyped-def]
    oma: TgClient = customer_factory("de")
    EmulatorRequest.FILES["AgAD-tv-photo"] = png(photographed(draw(SCREEN["tv"])), "JPEG")
    await oma.send_photo("Was heißt das?", file_id="AgAD-tv-photo")
    understood, ask_place = await oma.replies(2, timeout=40)
    assert "Fernseher und Streaming" in text(understood)
    assert ask_place["message"]["reply_markup"]["keyboard"][0][0]["request_location"] is True
    await oma.send_text("12627")
    stored, *_ = await oma.until("Auswählen")
    assert text(stored).startswith("Danke! Deine Anfrage ist gespeichert: Fernseher und Streaming in 12627")


async def test_english_photo_of_a_printer_error_without_a_caption(customer_factory) -> None:  # type: ignore[no-untyped-def]
    sam: TgClient = customer_factory("en")
    EmulatorRequest.FILES["AgAD-printer"] = png(draw(SCREEN["printer"]))
    await sam.send_photo(file_id="AgAD-printer")
    understood, _ask_place = await sam.replies(2, timeout=40)
    assert "computer or printer" in text(understood)
    await sam.send_voice()
    [kind] = await sam.replies(1)
    assert text(kind).startswith("Thanks for your voice message! I can't listen to it, sorry.")
