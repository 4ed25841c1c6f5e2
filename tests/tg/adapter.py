"""PTB ↔ telegram-test-api: the request adapter and the emulated user (TESTING-RECIPES §1)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from telegram.request import HTTPXRequest


class EmulatorRequest(HTTPXRequest):
    """Fixes what the emulator returns so that stock PTB 22 can run against it."""

    #: Photos the emulated users sent, by file id: the emulator has no getFile and no file
    #: downloads, so this adapter answers both (an unknown id downloads as no bytes).
    FILES: dict[str, bytes] = {}

    ACCEPTED = frozenset({"setMyCommands", "sendChatAction"})
    AS_MESSAGE = {
        "sendPhoto": "[photo]",
        "sendDocument": "[document]",
        "sendLocation": "[location]",
        "copyMessage": "[copy]",
        "forwardMessage": "[forward]",
    }

    async def do_request(
        self, url: str, method: str, request_data: Any = None, **timeouts: Any
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        if "/file/bot" in url:  # a download of what getFile described
            return 200, self.FILES.get(api.removesuffix(".jpg"), b"")
        if api == "getFile":
            file_id = str((request_data.json_parameters if request_data else {}).get("file_id"))
            result = {
                "file_id": file_id,
                "file_unique_id": file_id[-8:],
                "file_path": f"photos/{file_id}.jpg",
            }
            return 200, json.dumps({"ok": True, "result": result}).encode()
        if api in self.ACCEPTED:  # not implemented by the emulator; nothing to show a user
            return 200, json.dumps({"ok": True, "result": True}).encode()
        if api in self.AS_MESSAGE:  # not implemented by the emulator: deliver as text
            p = request_data.json_parameters if request_data else {}
            data = {"chat_id": p.get("chat_id"), "text": p.get("caption") or self.AS_MESSAGE[api]}
            data.update({k: p[k] for k in ("latitude", "longitude", "reply_markup") if k in p})
            res = await self._client.post(url.rsplit("/", 1)[0] + "/sendMessage", data=data)
            code, content = res.status_code, res.content
        else:
            code, content = await super().do_request(url, method, request_data, **timeouts)
        try:
            body = json.loads(content)
        except ValueError:
            return code, content
        result = body.get("result")
        if api == "getMe" and isinstance(result, dict):
            result.setdefault("is_bot", True)
        if body.get("ok") and result is None:
            body["result"] = True
        if isinstance(result, dict) and result.get("date", 0) > 10**11:
            result["date"] //= 1000  # bot messages carry milliseconds
        if api == "getUpdates" and isinstance(result, list):
            for u in result:
                if (cq := u.get("callback_query")) is not None:
                    cq.setdefault(
                        "chat_instance", str((cq.get("message") or {}).get("chat", {}).get("id", 0))
                    )
        if "message" in body and "ok" not in body:
            body, code = {"ok": False, "description": body["message"]}, 400
        if code == 200 and body.get("ok") is False:
            code = 400
        return code, json.dumps(body).encode()


class TgClient:
    """A Telegram user talking to the bot through the emulator's client API."""

    def __init__(self, base: str, token: str, chat_id: int, language_code: str = "de") -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=5)
        self.token, self.chat_id = token, chat_id
        self.user = {
            "id": chat_id,
            "is_bot": False,
            "first_name": f"User{chat_id}",
            "language_code": language_code,
        }
        self.chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}

    def _msg(self, **fields: Any) -> dict[str, Any]:
        return {
            "botToken": self.token,
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            **fields,
        }

    async def send_text(self, text: str) -> None:
        (await self.http.post("/sendMessage", json=self._msg(text=text))).raise_for_status()

    async def send_photo(self, caption: str = "", file_id: str = "AgAD-test-photo") -> None:
        photo = [{"file_id": file_id, "file_unique_id": file_id[-8:], "width": 640, "height": 480}]
        body = self._msg(photo=photo, **({"caption": caption} if caption else {}))
        (await self.http.post("/sendMessage", json=body)).raise_for_status()

    async def send_voice(self, file_id: str = "AwAD-test-voice") -> None:
        voice = {"file_id": file_id, "file_unique_id": file_id[-8:], "duration": 4}
        (await self.http.post("/sendMessage", json=self._msg(voice=voice))).raise_for_status()

    async def reply_text(self, text: str, to: dict[str, Any]) -> None:
        """Answer one of the bot's messages (Telegram's reply), e.g. to route it to a job."""
        replied = {"message_id": to["messageId"], "date": int(time.time()), "chat": self.chat, "text": ""}
        (
            await self.http.post("/sendMessage", json=self._msg(text=text, reply_to_message=replied))
        ).raise_for_status()

    async def send_command(self, text: str) -> None:
        n = text.find(" ") if " " in text else len(text)
        entities = [{"offset": 0, "length": n, "type": "bot_command"}]
        (
            await self.http.post("/sendCommand", json=self._msg(text=text, entities=entities))
        ).raise_for_status()

    async def send_location(self, lat: float, lon: float) -> None:
        location = {"latitude": lat, "longitude": lon}
        (await self.http.post("/sendMessage", json=self._msg(location=location))).raise_for_status()

    async def press(self, bot_msg: dict[str, Any], data: str) -> None:
        message = {
            "message_id": bot_msg["messageId"],
            "date": int(time.time()),
            "chat": self.chat,
            "text": bot_msg["message"].get("text", ""),
        }
        body = {"botToken": self.token, "from": self.user, "message": message, "data": data}
        (await self.http.post("/sendCallback", json=body)).raise_for_status()

    async def replies(self, n: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Wait (polling, with a deadline) until n new bot messages arrived in this chat."""
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(got) < n:
            res = await self.http.post("/getUpdates", json={"token": self.token, "chatId": self.chat_id})
            got += res.json().get("result", [])
            if len(got) >= n:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {n} replies, got {[m['message'].get('text') for m in got]}")
            await asyncio.sleep(0.05)
        return got

    async def until(self, fragment: str, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Every new bot message up to and including the first whose text contains `fragment`."""
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while not any(fragment in m["message"].get("text", "") for m in got):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no message with {fragment!r}, got {[m['message'].get('text') for m in got]}"
                )
            res = await self.http.post("/getUpdates", json={"token": self.token, "chatId": self.chat_id})
            got += res.json().get("result", [])
            await asyncio.sleep(0.05)
        return got

    async def aclose(self) -> None:
        await self.http.aclose()
