"""A photo of the problem: the text read on it (an error screen, a router's label, a TV
message) is classified together with the caption."""

from __future__ import annotations

import re
from typing import Protocol

#: Enough of what OCR read for the classifier and the helper; the rest is noise.
MAX_READ_CHARS = 400


class ReadsText(Protocol):
    def read(self, image: bytes) -> str:
        """The text on an image (German and English), "" when there is none."""
        ...


def tidy(read: str) -> str:
    """OCR output as one line of words: no line breaks, no runs of symbols or spaces, clipped."""
    words = [w for w in re.split(r"\s+", read) if re.search(r"\w", w)]
    return " ".join(words)[:MAX_READ_CHARS].strip()


def problem_text(caption: str | None, read: str) -> str:
    """What the customer wrote beside the photo, then what is written on it."""
    return " ".join(part for part in ((caption or "").strip(), tidy(read)) if part)
