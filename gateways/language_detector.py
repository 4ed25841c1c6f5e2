"""Which of our languages a text is written in (lingua, restricted to German and English)."""

from __future__ import annotations

import re
from functools import cached_property

from lingua import Language as LinguaLanguage
from lingua import LanguageDetectorBuilder

from core.language import Language

#: Fewer words than this say too little about the language ("ok", "Handy kaputt", "FritzBox?").
MIN_WORDS = 3
#: How sure lingua must be (its relative confidence, 0.5 = a coin toss between our two).
MIN_CONFIDENCE = 0.75


class LanguageDetector:
    """Loaded lazily: the models load on the first call, not at import."""

    @cached_property
    def _detector(self):  # type: ignore[no-untyped-def]
        return LanguageDetectorBuilder.from_languages(LinguaLanguage.GERMAN, LinguaLanguage.ENGLISH).build()

    def detect(self, text: str, default: Language = Language.DE) -> Language:
        found = self._detector.detect_language_of(text)
        if found is None:
            return default
        return Language.DE if found == LinguaLanguage.GERMAN else Language.EN

    def written_in(self, text: str) -> Language | None:
        """The language of a message long enough to tell, else None (keep the one we have)."""
        if len(re.findall(r"[^\W\d_]{2,}", text)) < MIN_WORDS:
            return None
        values = self._detector.compute_language_confidence_values(text)
        if not values or values[0].value < MIN_CONFIDENCE:
            return None
        return Language.DE if values[0].language == LinguaLanguage.GERMAN else Language.EN
