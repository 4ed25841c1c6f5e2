"""What makes the bot feel at home in Telegram: the command menu in both languages, "typing…"
while it thinks, answers that replace the question they answer, and no message lost to consent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from tests.bot.conftest import Chat

pytestmark = pytest.mark.rasa


async def test_the_command_menu_is_published_in_both_languages(person: Callable[..., Chat]) -> None:
    api = person("de").api
    for _ in range(50):  # published by a job right after the start
        if {"de", "en", ""} <= set(api.commands):
            break
        await asyncio.sleep(0.05)
    assert api.commands["de"][:3] == ["start", "help", "language"]
    assert api.commands["de"] == api.commands["en"] == api.commands[""]
    menus = {p.get("language_code"): json.loads(p["commands"]) for a, p in api.calls if a == "setMyCommands"}
    assert {"command": "cancel", "description": "Aktuelle Anfrage abbrechen"} in menus["de"]
    assert {"command": "cancel", "description": "Cancel your current request"} in menus["en"]


async def test_the_chat_shows_typing_while_the_bot_reads_a_problem(person: Callable[..., Chat]) -> None:
    ida = person("de", "Ida")
    await ida.user.says("Mein Drucker druckt nur leere Seiten")
    calls = [(a, p) for a, p in ida.api.calls if str(p.get("chat_id")) == str(ida.user.id)]
    kinds = [a for a, _ in calls]
    assert "sendChatAction" in kinds and kinds.index("sendChatAction") < kinds.index("sendMessage")
    assert dict(calls[kinds.index("sendChatAction")][1])["action"] == "typing"
    assert "Computer oder Drucker" in ida.new()[0]


async def test_choosing_a_language_answers_in_the_question_itself(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("/language")
    question = anna.last()
    await anna.user.presses(question, "lang:en")
    assert anna.last() is question  # no new message: the question became the answer
    assert question.text == "OK, I'll write in English from now on." and question.buttons == []


async def test_keeping_the_data_answers_in_the_question_itself(person: Callable[..., Chat]) -> None:
    ole = person("en", "Ole")
    await ole.user.says("/deletemydata")
    question = ole.last()
    keep = next(data for label, data in question.buttons if label.startswith("No"))
    await ole.user.presses(question, keep)
    assert ole.last() is question and question.text == "Okay, nothing was erased." and not question.buttons


async def test_a_problem_written_before_consent_is_answered_after_it(person: Callable[..., Chat]) -> None:
    mia = person("en", "Mia", consent=False)
    await mia.user.says("my wifi keeps dropping in the evening")
    [ask] = mia.new()
    assert ask.startswith("Hi! Before we start")
    consent = mia.last()
    yes = next(data for label, data in consent.buttons if label.startswith("✅"))
    await mia.user.presses(consent, yes)
    thanks, understood, *_ = mia.new()
    assert thanks.startswith("Thanks! You can take your consent back")
    assert "home internet and Wi-Fi" in understood  # the earlier message, read now
    await mia.user.presses(consent, yes)  # pressed twice: answered once only
    assert not [t for t in mia.new() if t.startswith("Got it")]
