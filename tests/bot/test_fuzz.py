"""A fuzz through the real application: thousands of generated updates (fixed seed) from
customers, helpers, people who block the bot and broken clients, against a Bot API double that
refuses what Telegram refuses (friends/botapi.py). Not one error may be logged.

FRIENDS_FUZZ_UPDATES sets how many (default 10,000); FRIENDS_FUZZ_SEED another seed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.context import BotServices, FriendsApp
from core.language import Language
from friends.botapi import BOT_USER, InProcessBotApi, TelegramUser, callback_update
from tests.bot.conftest import Chat
from tests.conftest import top_helper

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
UPDATES = int(os.environ.get("FRIENDS_FUZZ_UPDATES", "10000"))
SEED = int(os.environ.get("FRIENDS_FUZZ_SEED", "20261130"))
LANES = int(os.environ.get("FRIENDS_FUZZ_LANES", "16"))

TEXTS = (
    "Mein WLAN geht nicht",
    "Das Internet ist seit gestern weg, Router blinkt rot",
    "my phone screen is cracked",
    "Fernseher zeigt kein Bild mehr",
    "Drucker druckt nur leere Seiten",
    "laptop is very slow since the update",
    "hallo",
    "danke!",
    "Was kostet das?",
    "Ich möchte Helfer werden",
    "Ich will meinen Vertrag kündigen",
    "10243",
    "10437",
    "12049",
    "99999",
    "Neukölln",
    "Mitte",
    "Hamburg",
    "18",
    "7,50",
    "10-18 Uhr",
    "24.12.-26.12.",
    "Ben K.",
    "ok",
    "ruf mich an: 0171 2345678",
    "mail: a@b.de",
    "",
    " ",
    "😀" * 40,
    "ä" * 4096,
    "x" * 4096,
    "Kommen Sie morgen? " * 200,
)
COMMANDS = (
    "/start",
    "/start helper",
    "/help",
    "/language",
    "/cancel",
    "/privacy",
    "/datenschutz",
    "/mydata",
    "/deletemydata",
    "/helper",
    "/profile",
    "/jobs",
    "/payouts",
    "/nonsense",
    "/start@ServiceFriendsBot",
)
FORGED = (
    "bk:acc:999999",
    "bk:zz:1",
    "hp:1:2",
    "cat:1:internet",
    "ob:terms:yes",
    "ob:yes",
    "pv:delyes",
    "lang:xx",
    "mh:0",
    "x" * 64,
    "",
    "💥",
)
PHOTO = [{"file_id": "AgACAgIAAxkBAAIBen", "file_unique_id": "AQADben", "width": 640, "height": 640}]
MEDIA: tuple[dict[str, Any], ...] = (
    {"photo": PHOTO},
    {"photo": PHOTO, "caption": "So sieht es aus"},
    {"voice": {"file_id": "AwACAgIAAxkBAAI", "file_unique_id": "AgADv", "duration": 4}},
    {
        "sticker": {
            "file_id": "CAAC",
            "file_unique_id": "AgAD",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    },
    {"document": {"file_id": "BQAC", "file_unique_id": "AgADd", "file_name": "rechnung.pdf"}},
    {"contact": {"phone_number": "+49171234567", "first_name": "Max"}},
)


class Fuzzer:
    """One lane of people: their updates in order, as Telegram delivers one chat's updates."""

    def __init__(
        self, app: FriendsApp, api: InProcessBotApi, people: list[TelegramUser], rng: random.Random, lane: int
    ):
        self.app, self.api, self.people, self.rng = app, api, people, rng
        self.update_ids = iter(range(7 * 10**8 + lane * 10**7, 10**12))
        self.last: dict[str, Any] | None = None
        self.keyboards: dict[tuple[int, int], list[tuple[str, str]]] = {}  # as first shown

    async def run(self, updates: int) -> None:
        for _ in range(updates):
            await self.one()

    async def one(self) -> None:
        person = self.rng.choice(self.people)
        roll = self.rng.random()
        if roll < 0.02 and self.last is not None:
            await self.push(self.last)  # Telegram delivers an update again
            return
        update = await self.make(person, roll)
        if "my_chat_member" not in update:  # writing to the bot unblocks it, as in Telegram
            self.api.blocked.discard(person.id)
        self.last = update
        await self.push(update)

    async def make(self, person: TelegramUser, roll: float) -> dict[str, Any]:
        rng = self.rng
        if roll < 0.47:
            return self.press(person)
        if roll < 0.55:  # texts go to the real Rasa: the slowest kind, so fewer of them
            return self.message(person, text=rng.choice(TEXTS))
        if roll < 0.68:
            text = rng.choice(COMMANDS)
            entity = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            return self.message(person, text=text, entities=entity)
        if roll < 0.75:
            lat, lon = rng.choice(
                (
                    (rng.uniform(52.35, 52.65), rng.uniform(13.1, 13.7)),
                    (48.1, 11.5),
                    (float("nan"), 13.4),
                    (52.5, float("inf")),
                    (95.0, 13.4),
                )
            )
            return self.message(person, location={"latitude": lat, "longitude": lon})
        if roll < 0.82:
            return self.message(person, **rng.choice(MEDIA))
        if roll < 0.86:
            edited = self.message(person, text="korrigiert", edit_date=int(time.time()))
            edited["edited_message"] = edited.pop("message")
            return edited
        if roll < 0.90:
            return self.member(person, blocked=rng.random() < 0.6)
        if roll < 0.93:
            update = self.message(person, text=rng.choice(TEXTS[:12]))
            del update["message"]["from"]  # a broken client: no sender
            return update
        if roll < 0.95:
            group = {"id": -100123, "type": "group", "title": "Nachbarn"}
            return self.message(person, text="/start", chat=group)
        return self.press(person, data=rng.choice(FORGED))

    def press(self, person: TelegramUser, data: str | None = None) -> dict[str, Any]:
        """A button of one of the person's recent messages (or an older one, or forged data)."""
        for s in self.api.sent[-400:]:  # a keyboard stays tappable a moment after it was removed
            if s.chat_id == person.id and s.buttons:
                self.keyboards.setdefault((s.chat_id, s.message_id), list(s.buttons))
        mine = [s for s in self.api.sent[-400:] if (s.chat_id, s.message_id) in self.keyboards]
        mine = [s for s in mine if s.chat_id == person.id]
        sent = self.rng.choice(mine[-4:]) if mine else None
        if sent is None:  # Telegram only sends taps on a message the bot sent: start a chat
            entity = [{"type": "bot_command", "offset": 0, "length": 6}]
            return self.message(person, text="/start", entities=entity)
        if data is None:
            data = self.rng.choice(self.keyboards[(sent.chat_id, sent.message_id)])[1]
        return callback_update(next(self.update_ids), person.user, person.chat, sent, data)

    def message(
        self, person: TelegramUser, chat: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        message = {
            "message_id": self.rng.randrange(1, 10**6),
            "date": int(time.time()),
            "chat": chat or person.chat,
            "from": person.user,
            **fields,
        }
        return {"update_id": next(self.update_ids), "message": message}

    def member(self, person: TelegramUser, *, blocked: bool) -> dict[str, Any]:
        """The person blocks (or unblocks) the bot: from now on Telegram answers 403."""
        if blocked:
            self.api.blocked.add(person.id)
        else:
            self.api.blocked.discard(person.id)
        bot = {"id": BOT_USER["id"], "is_bot": True, "first_name": BOT_USER["first_name"]}
        change = {
            "chat": person.chat,
            "from": person.user,
            "date": int(time.time()),
            "old_chat_member": {"user": bot, "status": "member" if blocked else "kicked", "until_date": 0},
            "new_chat_member": {"user": bot, "status": "kicked" if blocked else "member", "until_date": 0},
        }
        return {"update_id": next(self.update_ids), "my_chat_member": change}

    async def push(self, data: dict[str, Any]) -> None:
        from telegram import Update

        kind = next(k for k in data if k != "update_id")
        if kind == "message":
            kind += ":" + next(
                (k for k in ("text", "location", "photo", "voice") if k in data["message"]), "other"
            )
            if str(data["message"].get("text", "")).startswith("/"):
                kind = "command"
        t = time.monotonic()
        await self.app.process_update(Update.de_json(data, self.app.bot))
        TIMES[kind] = TIMES.get(kind, 0.0) + time.monotonic() - t
        COUNTS[kind] = COUNTS.get(kind, 0) + 1


TIMES: dict[str, float] = {}
COUNTS: dict[str, int] = {}


async def test_ten_thousand_generated_updates_log_no_error(
    bot_app: tuple[FriendsApp, InProcessBotApi],
    person: Callable[..., Chat],
    bot_services: BotServices,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, api = bot_app
    rng = random.Random(SEED)
    customers = [
        person(rng.choice(("de", "en", None)), f"Kunde{n}", consent=rng.random() < 0.7) for n in range(24)
    ]
    helpers = [person("de", f"Helfer{n}") for n in range(8)]
    for n, chat in enumerate(helpers):
        top_helper(bot_services.uow, chat.user.id, f"Helfer{n}", ("10243", "10437", "12049")[n % 3], "de")
    people = [c.user for c in customers + helpers]
    # Lanes of people run side by side (different chats are independent), each in its order.
    lanes = [Fuzzer(app, api, people[n::LANES], random.Random(SEED + n), n) for n in range(LANES)]
    caplog.set_level(logging.WARNING)
    refused_before = len(api.refused)
    started = time.monotonic()
    try:
        await asyncio.gather(*(lane.run(UPDATES // LANES) for lane in lanes))
    finally:
        api.blocked.clear()
    took = time.monotonic() - started
    errors = [
        f"{r.name}: {r.getMessage()} {r.exc_text or ''}"[:600]
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]
    refused = [
        (m, s, d)
        for m, s, d in api.refused[refused_before:]
        if s == 400 and "not modified" not in d and m != "answerCallbackQuery"
    ]
    sorry = {bot_services.catalog.render("error.generic", lang) for lang in (Language.DE, Language.EN)}
    apologies = sum(s.text in sorry for s in api.sent)
    print(
        f"\nfuzz: {UPDATES} updates in {took:.1f} s, seed {SEED}; {len(api.refused) - refused_before} refusals by the double"
    )
    print({k: (COUNTS[k], round(v, 2)) for k, v in sorted(TIMES.items(), key=lambda kv: -kv[1])})
    assert errors == []
    assert refused == []  # nothing we sent was refused by Telegram (except harmless repeats)
    assert apologies == 0
