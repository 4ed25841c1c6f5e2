"""`friends classify` with a photo: the text Tesseract read is classified with the text given."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from friends import wiring
from friends.bench.ocr import SCREENS, draw, photographed, png
from friends.classify import classify
from gateways.ocr import installed
from tests.conftest import NluStack

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.skipif(not installed(), reason="the set-up installs tesseract-ocr (deu, eng)"),
]


async def test_photo_lines_report_the_category_and_the_text_read(nlu_stack: NluStack, tmp_path: Path) -> None:
    screens = {s.name: s for s in SCREENS}
    (tmp_path / "tv.jpg").write_bytes(png(photographed(draw(screens["tv"])), "JPEG"))
    (tmp_path / "printer.png").write_bytes(png(draw(screens["printer"])))
    lines = [
        json.dumps({"id": 1, "photo": "printer.png"}),
        json.dumps({"id": 2, "text": "Was heißt das?", "photo": "tv.jpg"}),
        json.dumps({"id": 3, "text": "my phone won't charge"}),
    ]
    out = io.StringIO()
    rasa = wiring.rasa_client(nlu_stack.settings)  # type: ignore[arg-type]
    assert await classify(rasa, lines, out, base=tmp_path) == 3
    printer, tv, phone = (json.loads(line) for line in out.getvalue().splitlines())
    assert printer["category"] == "pc" and printer["ocr_text"].startswith("Printer offline HP LaserJet")
    assert tv["category"] == "tv" and tv["language"] == "de" and "Kein Signal" in tv["ocr_text"]
    assert phone["category"] == "phone" and "ocr_text" not in phone
    await rasa.aclose()
