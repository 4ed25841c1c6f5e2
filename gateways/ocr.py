"""Text on a photo, read by Tesseract OCR (Debian's tesseract-ocr with the deu and eng models)
through pytesseract. Implements core.photos.ReadsText."""

from __future__ import annotations

import io
import logging

import pytesseract
from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

LANGUAGES = "deu+eng"
#: Photos smaller than this on the short side (thumbnails, cropped shots) are scaled up first.
MIN_SIDE_PX = 600
TIMEOUT_S = 20


class TesseractOcr:
    def __init__(self, languages: str = LANGUAGES, timeout_s: float = TIMEOUT_S) -> None:
        self.languages, self.timeout_s = languages, timeout_s

    def read(self, image: bytes) -> str:
        """The text on the image; "" for an image without text or one that cannot be read."""
        try:
            picture = _prepared(Image.open(io.BytesIO(image)))
            return str(pytesseract.image_to_string(picture, lang=self.languages, timeout=self.timeout_s))
        except (UnidentifiedImageError, OSError, RuntimeError, pytesseract.TesseractError):
            log.warning("could not read the text on a photo", exc_info=True)
            return ""


def _prepared(picture: Image.Image) -> Image.Image:
    """Upright (EXIF), grey, and large enough for Tesseract."""
    picture = ImageOps.grayscale(ImageOps.exif_transpose(picture) or picture)
    short = min(picture.size)
    if 0 < short < MIN_SIDE_PX:
        factor = MIN_SIDE_PX / short
        picture = picture.resize((round(picture.width * factor), round(picture.height * factor)))
    return picture


def installed() -> bool:
    """Tesseract and both language models are there (the set-up installs them)."""
    try:
        return {"deu", "eng"} <= set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError):
        return False
