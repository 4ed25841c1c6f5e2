"""Which language a customer writes in: enough words decide, too few keep the conversation's."""

from __future__ import annotations

import pytest

from core.language import Language
from gateways.language_detector import LanguageDetector

DETECTOR = LanguageDetector()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mein Fernseher zeigt seit gestern kein Bild mehr", Language.DE),
        ("die fritzbox blinkt rot und nix geht", Language.DE),
        ("my printer stopped printing, it's urgent", Language.EN),
        ("the mail program does not download new messages anymore", Language.EN),
        ("My smart TV lost all its channels after the update and the Netflix app hangs. " * 50, Language.EN),
        ("Handy kaputt", None),
        ("hmm ok", None),
        ("FritzBox 7590 AX", None),
    ],
)
def test_language_of_a_message(text: str, language: Language | None) -> None:
    assert DETECTOR.written_in(text) is language
