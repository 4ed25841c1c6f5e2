"""`friends classify`: JSON Lines in, the same lines out with category, intent, confidence, language."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import TextIO

from core.intake import nlu_text
from gateways.language_detector import LanguageDetector
from gateways.rasa_client import RasaClient

CONCURRENCY = 4


async def classify(rasa: RasaClient, lines: Iterable[str], out: TextIO) -> int:
    """Classifies every line, writing results in input order; returns how many were written."""
    items = [json.loads(line) for line in lines if line.strip()]
    detector = LanguageDetector()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: dict[str, object]) -> dict[str, object]:
        text = str(item.get("text") or "")
        async with gate:
            parse = await rasa.parse(nlu_text(text) or "?")
        return {
            **item,
            "category": str(parse.category),
            "intent": parse.intent,
            "confidence": round(parse.confidence, 4),
            "language": str(detector.detect(text)),
        }

    results = await asyncio.gather(*(one(item) for item in items))
    for result in results:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return len(results)
