"""What the customer writes decides how the bot reads it: the language it answers in, a follow-up
that refines the request, out-of-scope household trouble, and one NLU reading per message
(real bot, real Rasa, real action server)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from bot.context import BotServices
from core.categories import Category
from core.intake import RequestStatus
from core.language import Language
from core.services import intake
from tests.bot.conftest import Chat

pytestmark = pytest.mark.rasa


def request_of(services: BotServices, chat: Chat):  # type: ignore[no-untyped-def]
    customer = intake.ensure_customer(
        services.uow(), chat.user.id, name="", language_code=None, now=services.now()
    )
    return customer, intake.latest_request(services.uow(), customer.id)


async def test_german_text_from_an_english_phone_gets_german_answers(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    sam = person("en", "Sam")
    await sam.user.says("Mein Fernseher zeigt seit gestern kein Bild mehr, nur schwarz")
    understood, ask_place = sam.new()
    assert "Fernseher und Streaming" in understood and "Postleitzahl" in ask_place
    await sam.user.says("hmm ok")  # too short to tell: the conversation stays German
    assert sam.new() == [
        "Diesen Ort habe ich in Berlin nicht gefunden. Bitte schick mir eine Postleitzahl (z. B. 10115),"
        " einen Bezirk (z. B. Pankow) oder teile deinen Standort."
    ]
    customer, request = request_of(bot_services, sam)
    assert customer.language is Language.DE and request.language is Language.DE  # German helpers first


async def test_a_language_chosen_with_the_command_stays(person: Callable[..., Chat]) -> None:
    anna = person("de")
    await anna.user.says("/language")
    await anna.user.presses(anna.last(), "lang:en")
    anna.new()
    await anna.user.says("Mein Drucker druckt nur noch leere Seiten")
    assert "computer or printer" in anna.new()[0]


async def test_a_detail_after_the_first_message_refines_the_request(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    sam = person("en", "Sam")
    await sam.user.says("I have a problem with my computer")
    assert "computer or printer" in sam.new()[0]
    await sam.user.says("the mail program does not download new messages anymore")
    understood, _ask_place = sam.new()
    assert "computer or printer" in understood
    _, request = request_of(bot_services, sam)
    assert request.category is Category.PC and request.status is RequestStatus.AWAITING_LOCATION
    assert request.description == (
        "I have a problem with my computer the mail program does not download new messages anymore"
    )
    await sam.user.says("10437")
    assert sam.new()[0].startswith("Thanks! Your request is stored: computer or printer")


async def test_a_vague_opener_and_then_the_detail_make_one_request(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    anna = person("de")
    await anna.user.says("hilfe bitte")
    assert "Was funktioniert denn nicht?" in anna.new()[0]
    await anna.user.says("der Router blinkt rot und nichts geht mehr")
    assert "Internet und WLAN" in anna.new()[0]
    _, request = request_of(bot_services, anna)
    assert request.description == "hilfe bitte der Router blinkt rot und nichts geht mehr"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "de",
            "Die Waschmaschine läuft aus und das Wasser steht in der Küche, können Sie heute noch jemanden schicken?",
        ),
        (
            "en",
            "Our boiler shows an error and there's no hot water, it's urgent, can you send someone today?",
        ),
    ],
)
async def test_an_urgent_household_problem_never_reaches_helpers(
    person: Callable[..., Chat], bot_services: BotServices, language: str, text: str
) -> None:
    someone = person(language)
    await someone.user.says(text)
    [answer] = someone.new()
    assert ("Fachbetrieb" if language == "de" else "specialist") in answer
    assert not someone.last().location_button and not someone.last().buttons
    _, request = request_of(bot_services, someone)
    assert request is None


async def test_one_nlu_reading_per_message_over_the_authenticated_api(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    seen: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        seen.append(request)

    hooks = bot_services.rasa._http.event_hooks["request"]
    hooks.append(record)
    try:
        anna = person("de")
        await anna.user.says("Mein Handy lädt nicht mehr, das Kabel geht aber")
    finally:
        hooks.remove(record)
    paths = [r.url.path for r in seen]
    assert paths.count("/model/parse") == 1
    assert [p for p in paths if p != "/model/parse"] == [
        f"/conversations/customer-{_id(bot_services, anna)}/trigger_intent"
    ]
    assert all("token" in r.url.params for r in seen)
    assert "Handy oder Tablet" in anna.new()[0]


def _id(services: BotServices, chat: Chat) -> int:
    customer, _ = request_of(services, chat)
    return int(customer.id)
