"""Which of our languages a text is written in (lingua, restricted to German and English)."""

from __future__ import annotations

import re
from functools import cached_property

from lingua import Language as LinguaLanguage
from lingua import LanguageDetectorBuilder

from core.language import Language

#: Fewer words than this say too little about the language ("ok", "Handy kaputt", "FritzBox?").
MIN_WORDS = 3
#: How sure lingua must be when the common words do not decide (its confidence is unsteady on
#: long or repetitive texts, so the common words come first).
MIN_CONFIDENCE = 0.9
#: Short words of each language that the other one does not use (not "an", "in", "was", "am", "also").
_GERMAN = (
    "ich du sie wir ihr mein meine meinen meinem mir mich der die das dem den des ein eine einen "
    "einem und oder aber nicht kein keine keinen mehr ist sind bin hat habe hab haben geht gehts auch "
    "noch schon immer wieder mit von bei beim zum zur auf aus für fuer wenn weil dass seit nach jetzt "
    "nur sich wie wer warum kann kannst könnt koennt bitte hilfe danke zu im es nix nich ne "
    "nen jemand "
)
_ENGLISH = (
    "i you he she we they my me mine the a and or but not no isn't doesn't don't won't can't is "
    "are has have had does do it its it's this that there with from for when because since "
    "after now only how what who why can could please help thanks to on at of any anymore again "
    "still someone "
)
COMMON = {Language.DE: frozenset(_GERMAN.split()), Language.EN: frozenset(_ENGLISH.split())}


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
        words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
        if len(words) < MIN_WORDS:
            return None
        de, en = (sum(w in COMMON[lang] for w in words) for lang in (Language.DE, Language.EN))
        if de + en >= 2 and max(de, en) >= 2 * min(de, en) and de != en:
            return Language.DE if de > en else Language.EN
        values = self._detector.compute_language_confidence_values(text[:200])
        if not values or values[0].value < MIN_CONFIDENCE:
            return None
        return Language.DE if values[0].language == LinguaLanguage.GERMAN else Language.EN
