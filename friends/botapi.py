"""An in-process Bot API: the real PTB application talks to it instead of Telegram.

Used by the terminal demo (`friends chat`) and by the handler tests. It answers every
method the bot uses with results shaped like Telegram's and records what was sent, so a
person (or a test) sees exactly what a Telegram user would see.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "Service Friends", "username": "ServiceFriendsBot"}


@dataclass
class Sent:
    """One message the bot sent (or edited), as the user's app would show it."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, callback_data)
    location_button: bool = False
    removes_keyboard: bool = False
    photo: str | None = None  # file id, when a photo was sent (the text is its caption)


class InProcessBotApi(BaseRequest):
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.shown: list[Sent] = []  # what a person's app shows, in order: new messages and edited ones
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.commands: dict[str, list[str]] = {}  # the command menu per language code ("" = default)
        self.files: dict[str, bytes] = {}  # what people sent (photos), by file id, for getFile
        self._ids = itertools.count(1000)
        #: Answers Telegram would give instead of success, for the next calls of a method (tests).
        self.failures: list[tuple[str, int, dict[str, Any]]] = []

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        if "/file/bot" in url:  # downloading a file getFile described
            return 200, self.files.get(api.removesuffix(".jpg"), b"")
        params = request_data.json_parameters if request_data else {}
        self.calls.append((api, params))
        for n, (method, status, body) in enumerate(self.failures):
            if method == api:
                del self.failures[n]
                return status, json.dumps({"ok": False, "error_code": status, **body}).encode()
        result: Any = True
        if api == "getMe":
            result = BOT_USER
        elif api == "sendMessage":
            result = self._record(params)
        elif api == "sendPhoto":
            result = self._record(
                {**params, "text": params.get("caption", "")}, photo=str(params.get("photo"))
            )
        elif api == "sendDocument":  # the text shows the caption; the file itself is not kept
            result = self._record({**params, "text": params.get("caption", "") or "[document]"})
        elif api == "copyMessage":  # the relay: the copy shows the caption, or a note of what was copied
            copied = self._record({**params, "text": params.get("caption") or "[copied message]"})
            result = {"message_id": copied["message_id"]}
        elif api == "editMessageReplyMarkup":
            self._edit_buttons(params)
        elif api == "editMessageText":
            result = self._edit_text(params)
        elif api == "setMyCommands":
            commands = params["commands"]
            commands = json.loads(commands) if isinstance(commands, str) else commands
            self.commands[params.get("language_code") or ""] = [c["command"] for c in commands]
        elif api == "getUpdates":
            result = []
        elif api == "getFile":
            file_id = str(params["file_id"])
            size = len(self.files.get(file_id, b""))
            result = {"file_id": file_id, "file_unique_id": file_id, "file_size": size}
            result["file_path"] = f"photos/{file_id}.jpg"
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _record(self, params: dict[str, Any], photo: str | None = None) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message_id = next(self._ids)
        markup = json.loads(params.get("reply_markup") or "{}")
        buttons = [
            (b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row
        ]
        location = any(b.get("request_location") for row in markup.get("keyboard", []) for b in row)
        sent = Sent(
            chat_id,
            message_id,
            params.get("text", ""),
            buttons,
            location,
            bool(markup.get("remove_keyboard")),
            photo,
        )
        self.sent.append(sent)
        self.shown.append(sent)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }

    def _edit_buttons(self, params: dict[str, Any]) -> None:
        markup = json.loads(params.get("reply_markup") or "{}")
        for sent in self.sent:
            if sent.chat_id == int(params["chat_id"]) and sent.message_id == int(params["message_id"]):
                sent.buttons = [
                    (b["text"], b.get("callback_data", ""))
                    for row in markup.get("inline_keyboard", [])
                    for b in row
                ]
                if sent.buttons:  # buttons taken away need no second look
                    self.shown.append(sent)

    def _edit_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        """The message keeps its place in the chat; its text (and buttons) change."""
        for sent in self.sent:
            if sent.chat_id == int(params["chat_id"]) and sent.message_id == int(params["message_id"]):
                sent.text = params.get("text", "")
                self._edit_buttons(params)
                if not sent.buttons:  # a changed text needs a second look even without buttons
                    self.shown.append(sent)
                return {
                    "message_id": sent.message_id,
                    "date": int(time.time()),
                    "chat": {"id": sent.chat_id, "type": "private"},
                    "from": BOT_USER,
                    "text": sent.text,
                }
        return True

    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


class TelegramUser:
    """A person in a private chat with the bot: builds the updates Telegram would send."""

    _update_ids = itertools.count(int(time.time() * 1000) % 10**9)

    def __init__(
        self, app: Any, user_id: int, *, first_name: str = "Alex", language_code: str | None = "de"
    ) -> None:
        self.app, self.id = app, user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._message_ids = itertools.count(1)

    async def send(self, **fields: Any) -> Update:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **fields,
        }
        return await self.push({"update_id": next(self._update_ids), "message": message})

    async def says(self, text: str) -> Update:
        if text.startswith("/"):
            command = text.split()[0]
            return await self.send(
                text=text, entities=[{"type": "bot_command", "offset": 0, "length": len(command)}]
            )
        return await self.send(text=text)

    async def sends_photo(self, image: bytes, caption: str | None = None) -> Update:
        """A photo (its bytes are what the bot downloads), in the sizes Telegram makes of it."""
        api = self.app.bot.request
        file_id = f"photo-{self.id}-{next(self._message_ids)}"
        if isinstance(api, InProcessBotApi):
            api.files[file_id] = image
        sizes = [
            {"file_id": f"{file_id}-small", "file_unique_id": f"{file_id}-s", "width": 90, "height": 51},
            {"file_id": file_id, "file_unique_id": file_id, "width": 1280, "height": 720},
        ]
        return await self.send(photo=sizes, **({"caption": caption} if caption else {}))

    async def shares_location(self, lat: float, lon: float) -> Update:
        return await self.send(location={"latitude": lat, "longitude": lon})

    async def presses(self, sent: Sent, data: str) -> Update:
        message = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": BOT_USER,
            "text": sent.text,
        }
        query = {
            "id": str(next(self._update_ids)),
            "from": self.user,
            "chat_instance": str(self.id),
            "message": message,
            "data": data,
        }
        return await self.push({"update_id": next(self._update_ids), "callback_query": query})

    async def push(self, data: dict[str, Any]) -> Update:
        update = Update.de_json(data, self.app.bot)
        await self.app.process_update(update)
        return update
