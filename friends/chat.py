"""`friends chat`: a customer's chat with the real bot, in the terminal or as JSON Lines.

The very same PTB application, handlers, Rasa server, action server and database as on
Telegram; only the Bot API is the in-process one from friends/botapi.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from bot.app import BotConfig, build_application
from bot.context import BotServices, FriendsApp
from core.ids import TelegramUserId
from core.services import intake, matching, onboarding, privacy
from friends import wiring
from friends.botapi import InProcessBotApi, Sent, TelegramUser
from friends.settings import Settings
from gateways.language_detector import LanguageDetector

DEMO_TOKEN = "777000:in-process-demo"


async def start_app(services: BotServices) -> tuple[FriendsApp, InProcessBotApi]:
    api = InProcessBotApi()
    config = BotConfig(token=DEMO_TOKEN, request=api, get_updates_request=api, rate_limit=False)
    app = build_application(config, services)
    await app.initialize()
    await app.start()  # the job queue: the outbox reaches this chat too
    return app, api


def services_for(settings: Settings, token: str) -> BotServices:
    return wiring.bot_services(settings.model_copy(update={"rasa_token": SecretStr(token)}))


def show(
    batch: list[Sent], labels: dict[int, str] | None = None, out: TextIO = sys.stdout
) -> list[tuple[Sent, str]]:
    """Print what the bot sent; buttons are numbered across the batch. Returns the buttons.
    With labels, messages to other chats (a helper's) are marked with whose chat they are in."""
    buttons: list[tuple[Sent, str]] = []
    for sent in batch:
        whose = (labels or {}).get(sent.chat_id)
        prefix = f"[{whose}'s chat] " if whose else ""
        print(f"\n🤖 {prefix}{'🖼  ' if sent.photo else ''}{sent.text}", file=out)
        for label, data in sent.buttons:
            buttons.append((sent, data))
            print(f"   [{len(buttons)}] {label}", file=out)
        if sent.location_button:
            print("   [📍] share a location: /loc 52.5200 13.4050 — or type a postcode or district", file=out)
    return buttons


async def interactive(settings: Settings, token: str, *, lang: str | None) -> None:
    """You are the customer – and, once you chose a helper, you can also answer as that helper
    (/as helper, /as customer): a whole booking, both sides, in one terminal."""
    services = services_for(settings, token)
    app, api = await start_app(services)
    # Like Telegram's language_code, the demo takes the language of this terminal (LANG).
    lang = lang or os.environ.get("LANG", "en").split("_")[0].split(".")[0]
    user = TelegramUser(app, int(time.time()) % 10**8, first_name="Demo", language_code=lang)
    people: dict[int, TelegramUser] = {user.id: user}
    labels: dict[int, str] = {}
    me = user
    print("Service Friends demo chat — you are a customer. Type /quit to leave, /help for the bot's help.")
    print("Press a button by typing its number; share a location with /loc LAT LON; /language switches.")
    print("Send a photo of the problem with /photo PATH [caption] (e.g. a screenshot of an error message).")
    print(
        "Once a helper has your request, their chat shows here too: "
        "/as helper answers as that helper, /as customer switches back."
    )
    print("Card payments in the demo are test payments: no money moves.")
    seen, buttons = 0, []
    await user.says("/start")
    while True:
        batch = api.shown[seen:]
        seen = len(api.shown)
        for sent in batch:
            if sent.chat_id not in people:  # a helper we asked: the person can play them too
                helper = await asyncio.to_thread(
                    onboarding.helper_of, services.uow(), TelegramUserId(sent.chat_id)
                )
                name = helper.name if helper else str(sent.chat_id)
                people[sent.chat_id] = TelegramUser(app, sent.chat_id, first_name=name, language_code=lang)
                labels[sent.chat_id] = f"{name} (helper)"
        buttons = show(batch, labels) or buttons
        try:
            who = "you" if me is user else labels.get(me.id, "helper")
            line = (await ask(f"\n{who} › ")).strip()
        except (EOFError, KeyboardInterrupt):
            break
        if line in {"/quit", "/exit"}:
            break
        if line.startswith("/as"):
            me = switch(line, user, people)
            print(f"(you now type as {'the customer' if me is user else labels[me.id]})")
            continue
        await play_line(me, buttons, line, people)
    await app.stop()
    await app.shutdown()
    await services.rasa.aclose()


def switch(line: str, customer: TelegramUser, people: dict[int, TelegramUser]) -> TelegramUser:
    """/as customer or /as helper (the helper asked last): who types from now on. Buttons are
    pressed by the person whose chat they are in, whoever types."""
    helpers = [p for chat, p in people.items() if chat != customer.id]
    return customer if "customer" in line.lower() or not helpers else helpers[-1]


async def ask(prompt: str) -> str:
    """input() in a daemon thread: Ctrl-C ends the demo at once instead of waiting for a line."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def read() -> None:
        try:
            line = input(prompt)
        except BaseException as exc:  # EOFError at the end of input; handed to the waiting coroutine
            loop.call_soon_threadsafe(answer.set_exception, EOFError() if isinstance(exc, EOFError) else exc)
        else:
            loop.call_soon_threadsafe(answer.set_result, line)

    threading.Thread(target=read, daemon=True).start()
    return await answer


async def play_line(
    user: TelegramUser,
    buttons: list[tuple[Sent, str]],
    line: str,
    people: dict[int, TelegramUser] | None = None,
) -> None:
    """A typed line: a button number (pressed by the person whose chat it is in), a location
    share, a photo, or text to send."""
    if line.isdigit() and 1 <= int(line) <= len(buttons):
        sent, data = buttons[int(line) - 1]
        await (people or {}).get(sent.chat_id, user).presses(sent, data)
    elif line.startswith("/photo"):
        parts = line.split(maxsplit=2)
        try:
            image = await asyncio.to_thread(read_file, parts[1])
        except (IndexError, OSError) as err:
            print(f"usage: /photo PATH [caption] ({err})")
            return
        await user.sends_photo(image, parts[2] if len(parts) > 2 else None)
    elif line.startswith("/loc"):
        try:
            lat, lon = (float(x) for x in line.split()[1:3])
        except ValueError:
            print("usage: /loc 52.52 13.40")
            return
        await user.shares_location(lat, lon)
    elif line:
        await user.says(line)


def read_file(path: str) -> bytes:
    return Path(path).expanduser().read_bytes()


async def batch(settings: Settings, token: str, lines: Iterable[str], out: TextIO) -> None:
    """Each line a scenario {"id", "turns": [{"text"} | {"location": [lat, lon]} | {"postcode"}]}."""
    services = services_for(settings, token)
    app, api = await start_app(services)
    detector = LanguageDetector()
    base = int(time.time() * 1000) % 10**11 * 100
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        scenario = json.loads(line)
        turns: list[dict[str, Any]] = scenario.get("turns") or []
        lang = scenario.get("language") or next(
            (str(detector.detect(t["text"])) for t in turns if t.get("text")), "de"
        )
        user = TelegramUser(app, base + number, language_code=lang)
        # scenarios test the intake: the person accepted the privacy notice before
        await asyncio.to_thread(
            intake.ensure_customer,
            services.uow(),
            TelegramUserId(user.id),
            name="",
            language_code=lang,
            now=services.now(),
        )
        await asyncio.to_thread(privacy.consent, services.uow(), TelegramUserId(user.id), now=services.now())
        for turn in turns:
            if "location" in turn:
                await user.shares_location(*turn["location"])
            elif "postcode" in turn:
                await user.says(str(turn["postcode"]))
            elif "text" in turn:
                await user.says(str(turn["text"]))
        customer = await asyncio.to_thread(
            intake.ensure_customer,
            services.uow(),
            TelegramUserId(user.id),
            name="",
            language_code=lang,
            now=services.now(),
        )
        request = await asyncio.to_thread(intake.latest_request, services.uow(), customer.id)
        result = {
            "id": scenario.get("id"),
            "category": str(request.category) if request else "none",
            "offers": await asyncio.to_thread(matching.offered, services.uow(), request.id)
            if request
            else [],
            "replies": [s.text for s in api.to(user.id)],
        }
        print(json.dumps(result, ensure_ascii=False), file=out, flush=True)
    await app.stop()
    await app.shutdown()
    await services.rasa.aclose()
