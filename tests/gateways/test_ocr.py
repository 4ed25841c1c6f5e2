"""The real Tesseract (Debian's tesseract-ocr, deu+eng) reads generated error screens."""

from __future__ import annotations

import pytest

from core.photos import problem_text, tidy
from friends.bench.ocr import SCREENS, accuracy, draw, photographed, png
from gateways.ocr import TesseractOcr, installed

pytestmark = pytest.mark.skipif(not installed(), reason="the set-up installs tesseract-ocr (deu, eng)")
OCR = TesseractOcr()


@pytest.mark.parametrize("screen", SCREENS[:3], ids=lambda s: s.name)
def test_a_screenshot_is_read_word_for_word(screen) -> None:  # type: ignore[no-untyped-def]
    read = OCR.read(png(draw(screen)))
    assert accuracy(screen.words, read) >= 0.95, read


def test_umlauts_and_a_blurred_tilted_photo_are_read() -> None:
    fritzbox = SCREENS[0]
    read = OCR.read(png(photographed(draw(fritzbox)), "JPEG"))
    assert accuracy(fritzbox.words, read) >= 0.8, read
    assert "prüfen" in read and "FRITZ!Box" in read


def test_a_picture_without_text_or_no_picture_at_all_reads_as_nothing() -> None:
    from PIL import Image

    assert tidy(OCR.read(png(Image.new("RGB", (640, 480), "#3a7")))) == ""
    assert OCR.read(b"not an image") == ""


def test_the_caption_comes_first_then_the_words_on_the_photo() -> None:
    assert problem_text("Was heißt das?", "Kein Signal\n\n  ~~ |\nBitte prüfen") == (
        "Was heißt das? Kein Signal Bitte prüfen"
    )
    assert problem_text(None, " ") == ""
