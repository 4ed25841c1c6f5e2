"""Which of our languages a text is written in (lingua, restricted to German and English)."""

from __future__ import annotations

from functools import cached_property

from lingua import Language as LinguaLanguage
from lingua import LanguageDetectorBuilder

from core.language import Language


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
