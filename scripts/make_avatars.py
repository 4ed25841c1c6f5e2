"""Draws the demo helpers' avatars (data/avatars/A.png … Z.png): an initial on a coloured disc.

Run once with any Python that has Pillow, e.g. `.venv-rasa/bin/python scripts/make_avatars.py`
(Rasa's virtualenv carries Pillow through matplotlib); the PNGs are committed, so the product
does not depend on Pillow.
"""

from __future__ import annotations

import string
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

COLOURS = ("#e4572e", "#29335c", "#f3a712", "#669bbc", "#2a9d8f", "#8f2d56", "#3a86ff", "#6a994e")
OUT = Path(__file__).resolve().parent.parent / "data" / "avatars"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    font = ImageFont.load_default(size=150)
    for n, letter in enumerate(string.ascii_uppercase):
        image = Image.new("RGB", (320, 320), "#f4f1ea")
        draw = ImageDraw.Draw(image)
        draw.ellipse((20, 20, 300, 300), fill=COLOURS[n % len(COLOURS)])
        draw.text((160, 165), letter, font=font, fill="white", anchor="mm")
        image.save(OUT / f"{letter}.png", optimize=True)
    print(f"26 avatars in {OUT}")


if __name__ == "__main__":
    main()
