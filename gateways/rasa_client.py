"""HTTP client for our Rasa server's authenticated HTTP API: /model/parse reads a message once,
and /conversations/{id}/trigger_intent drives the dialogue with what it read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from core.categories import Category, category_of
from core.intake import READ_ENTITY
from core.notices import Reply


class RasaUnavailable(Exception):
    """Rasa did not answer (down, restarting, or timed out)."""


@dataclass(frozen=True)
class Parse:
    text: str
    intent: str
    confidence: float
    category: Category
    entities: tuple[Mapping[str, Any], ...]
    dialogue_intent: str = ""  # what drives the dialogue: nlu_fallback when Rasa is unsure
    runner_up: Category = Category.NONE  # the best other category, and its confidence
    runner_up_confidence: float = 0.0


class RasaClient:
    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def trigger(self, conversation: str, parse: Parse) -> list[Reply]:
        """Drive a customer's conversation with a message read once by `parse`; returns the
        dialogue's keyed replies."""
        read = {
            "entity": READ_ENTITY,
            "value": parse.text,
            "confidence": parse.confidence,
            "runner_up": str(parse.runner_up),
            "runner_up_confidence": parse.runner_up_confidence,
            "best": parse.intent,
        }
        body = {"name": parse.dialogue_intent or parse.intent, "entities": [*parse.entities, read]}
        data = await self._post(f"/conversations/{conversation}/trigger_intent", body, params=self._auth())
        replies = []
        for item in data.get("messages") or [] if isinstance(data, Mapping) else []:
            payload = item.get("custom")
            if isinstance(payload, Mapping) and "key" in payload:
                replies.append(Reply.from_payload(payload))
        return replies

    async def parse(self, text: str) -> Parse:
        """The classifier's best intent. When it is unsure (Rasa's nlu_fallback), this is still
        its best guess from the ranking, with that guess's (low) confidence."""
        data = await self._post("/model/parse", {"text": text}, params=self._auth())
        ranking = [r for r in data.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        best = ranking[0] if ranking else data.get("intent") or {}
        intent = best.get("name") or "nlu_fallback"
        others = [
            r for r in ranking[1:] if category_of(r.get("name")) not in {Category.NONE, category_of(intent)}
        ]
        return Parse(
            text=text,
            intent=intent,
            confidence=float(best.get("confidence") or 0.0),
            category=category_of(intent),
            entities=tuple(data.get("entities") or ()),
            dialogue_intent=str((data.get("intent") or {}).get("name") or intent),
            runner_up=category_of(others[0].get("name")) if others else Category.NONE,
            runner_up_confidence=float(others[0].get("confidence") or 0.0) if others else 0.0,
        )

    async def status(self) -> Mapping[str, Any] | None:
        """The loaded model's status, or None while Rasa is down or has no model."""
        try:
            res = await self._http.get("/status", params=self._auth(), timeout=3)
        except httpx.HTTPError:
            return None
        if res.status_code != 200:
            return None
        data = res.json()
        return data if data.get("model_file") else None

    def _auth(self) -> dict[str, str]:
        return {"token": self._token} if self._token else {}

    async def _post(self, path: str, body: Mapping[str, Any], params: Mapping[str, str] | None = None) -> Any:
        try:
            res = await self._http.post(path, json=body, params=params)
            res.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{path}: {exc!r}") from exc
        return res.json()
