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
        #: People who blocked the bot: Telegram answers 403 to anything sent to them.
        self.blocked: set[int] = set()
        self._answered: set[str] = set()  # callback queries answered (a second answer is refused)
        #: What Telegram refused (method, status, description), for tests to look at.
        self.refused: list[tuple[str, int, str]] = []
        #: Updates waiting for the bot's getUpdates (tests).
        self.incoming: list[dict[str, Any]] = []

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
        if (refusal := self._refusal(api, params)) is not None:
            status, description = refusal
            self.refused.append((api, status, description))
            return status, json.dumps(
                {"ok": False, "error_code": status, "description": description}
            ).encode()
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
        elif api == "getUpdates":  # kept until a later call's offset confirms them, as Telegram does
            offset = int(params.get("offset") or 0)
            self.incoming = [u for u in self.incoming if u["update_id"] >= offset]
            result = self.incoming
        elif api == "getFile":
            file_id = str(params["file_id"])
            size = len(self.files.get(file_id, b""))
            result = {"file_id": file_id, "file_unique_id": file_id, "file_size": size}
            result["file_path"] = f"photos/{file_id}.jpg"
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _refusal(self, api: str, params: dict[str, Any]) -> tuple[int, str] | None:
        """What Telegram refuses, as Telegram says it (status, description); None: accepted."""
        chat = params.get("chat_id")
        if api.startswith(("send", "copy", "forward")) and chat is not None and int(chat) in self.blocked:
            return 403, "Forbidden: bot was blocked by the user"
        text, caption = params.get("text"), params.get("caption")
        if api == "sendMessage" and not str(text or "").strip():
            return 400, "Bad Request: message text is empty"
        if api == "sendMessage" and _units(str(text)) > 4096:
            return 400, "Bad Request: message is too long"
        if caption is not None and _units(str(caption)) > 1024:
            return 400, "Bad Request: message caption is too long"
        markup = json.loads(params.get("reply_markup") or "{}")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    return 400, "Bad Request: BUTTON_DATA_INVALID"
        if api == "answerCallbackQuery":
            query = str(params.get("callback_query_id"))
            if query in self._answered:
                return (
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is invalid",
                )
            self._answered.add(query)
        if api == "editMessageText" and _units(str(text or "")) > 4096:
            return 400, "Bad Request: MESSAGE_TOO_LONG"
        if api in {"editMessageReplyMarkup", "editMessageText"}:
            return self._edit_refusal(params, markup)
        return None

    def _edit_refusal(self, params: dict[str, Any], markup: dict[str, Any]) -> tuple[int, str] | None:
        chat, message = int(params["chat_id"]), int(params["message_id"])
        found = [s for s in self.sent if s.chat_id == chat and s.message_id == message]
        if not found:
            return 400, "Bad Request: message to edit not found"
        wanted = [
            (b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row
        ]
        same_text = "text" not in params or params["text"] == found[-1].text
        if wanted == found[-1].buttons and same_text:
            return 400, (
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        return None

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


def _units(text: str) -> int:
    """Telegram counts a text's length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def callback_update(
    update_id: int, user: dict[str, Any], chat: dict[str, Any], sent: Sent, data: str
) -> dict[str, Any]:
    """The update Telegram sends when `user` taps a button (`data`) under a message the bot sent."""
    message = {"message_id": sent.message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER}
    query = {
        "id": str(update_id),
        "from": user,
        "chat_instance": str(chat["id"]),
        "message": {**message, "text": sent.text},
        "data": data,
    }
    return {"update_id": update_id, "callback_query": query}


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
        return await self.push(callback_update(next(self._update_ids), self.user, self.chat, sent, data))

    async def push(self, data: dict[str, Any]) -> Update:
        update = Update.de_json(data, self.app.bot)
        await self.app.process_update(update)
        return update
