"""`friends classify`: JSON Lines in, the same lines out with category, intent, confidence, language.

A line may name a photo of the problem ({"id", "photo": "path.png"}, with or without "text"):
its text is read by OCR and classified together with the text, as at the bot's intake, and
reported as "ocr_text"."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from core.intake import nlu_text
from core.photos import ReadsText, problem_text, tidy
from gateways.language_detector import LanguageDetector
from gateways.ocr import TesseractOcr
from gateways.rasa_client import RasaClient

CONCURRENCY = 4


async def classify(
    rasa: RasaClient,
    lines: Iterable[str],
    out: TextIO,
    *,
    ocr: ReadsText | None = None,
    base: Path | None = None,
) -> int:
    """Classifies every line, writing results in input order; returns how many were written.
    Photo paths are relative to `base` (the working directory)."""
    items = [json.loads(line) for line in lines if line.strip()]
    detector = LanguageDetector()
    gate = asyncio.Semaphore(CONCURRENCY)
    reader = ocr or TesseractOcr()

    async def one(item: dict[str, object]) -> dict[str, object]:
        text, read = str(item.get("text") or ""), None
        if item.get("photo"):
            image = ((base or Path.cwd()) / str(item["photo"])).read_bytes()
            read = tidy(await asyncio.to_thread(reader.read, image))
            text = problem_text(text, read)
        async with gate:
            parse = await rasa.parse(nlu_text(text) or "?")
        return {
            **item,
            "category": str(parse.category),
            "intent": parse.intent,
            "confidence": round(parse.confidence, 4),
            "language": str(detector.detect(text)),
            **({"ocr_text": read} if read is not None else {}),
        }

    results = await asyncio.gather(*(one(item) for item in items))
    for result in results:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return len(results)
