"""HTTP client for our Rasa server: the REST channel (dialogue) and /model/parse (NLU only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from core.categories import Category, category_of
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


class RasaClient:
    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        # the REST channel's shared secret (rasa_addons/channels.py): only we post as a customer
        headers = {"X-Friends-Token": token} if token else None
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, headers=headers)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def converse(self, sender: str, text: str, metadata: Mapping[str, Any]) -> list[Reply]:
        """Send a customer's message through Rasa's dialogue; returns its keyed replies."""
        body = {"sender": sender, "message": text, "metadata": dict(metadata)}
        data = await self._post("/webhooks/rest/webhook", body)
        replies = []
        for item in data if isinstance(data, list) else []:
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
        return Parse(
            text=text,
            intent=intent,
            confidence=float(best.get("confidence") or 0.0),
            category=category_of(intent),
            entities=tuple(data.get("entities") or ()),
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
