"""The intake action: tracker in, stored request and keyed replies out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ActionServices
from actions.intake import ActionRegisterProblem
from core.ids import TelegramUserId
from core.intake import READ_ENTITY, Urgency, conversation_id
from core.ports import UnitOfWork
from core.services import intake
from tests.conftest import FrozenClock


def tracker(
    sender: str,
    text: str,
    intent: str,
    confidence: float = 0.91,
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    return Tracker(sender, {}, message, [], False, None, {}, "action_listen")


async def run(uow: Callable[[], UnitOfWork], clock: FrozenClock, t: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionRegisterProblem(ActionServices(uow, clock)).run(dispatcher, t, {})
    assert events == []
    return [m["custom"] for m in dispatcher.messages]


async def test_problem_with_entities_is_stored_for_the_conversations_customer(
    uow: Callable[[], UnitOfWork], clock: FrozenClock
) -> None:
    anna = intake.ensure_customer(uow(), TelegramUserId(11), name="Anna", language_code="de", now=clock())
    entities = [
        {"entity": "brand", "value": "FritzBox"},
        {"entity": "device", "value": "WLAN"},
        {"entity": "urgency", "value": "dringend"},
    ]
    sent = await run(
        uow,
        clock,
        tracker(
            conversation_id(anna.id),
            "FritzBox blinkt, WLAN weg, dringend",
            "problem_internet",
            entities=entities,
        ),
    )
    assert [m["key"] for m in sent] == ["intake.understood", "intake.noted_urgent", "intake.ask_location"]
    assert sent[0]["params"] == {"category": "internet"} and sent[0]["choices"] == ["categories"]
    request = intake.open_request(uow(), anna.id)
    assert request is not None and sent[0]["request_id"] == request.id
    assert (request.brand, request.device, request.urgency) == ("FritzBox", "WLAN", Urgency.URGENT)


async def test_fallback_asks_which_area(uow: Callable[[], UnitOfWork], clock: FrozenClock) -> None:
    anna = intake.ensure_customer(uow(), TelegramUserId(12), name="Anna", language_code="de", now=clock())
    sent = await run(
        uow, clock, tracker(conversation_id(anna.id), "dat dingens macht nich", "nlu_fallback", 0.3)
    )
    assert [(m["key"], m["choices"]) for m in sent] == [("intake.unsure", ["categories"])]


async def test_a_sender_that_is_not_our_customer_stores_nothing(
    uow: Callable[[], UnitOfWork], clock: FrozenClock
) -> None:
    sent = await run(uow, clock, tracker("someone-else", "Handy kaputt", "problem_phone"))
    assert [m["key"] for m in sent] == ["intake.no_open_request"]


async def test_a_triggered_intent_brings_the_text_and_the_models_doubt(
    uow: Callable[[], UnitOfWork], clock: FrozenClock
) -> None:
    """The bot reads a message once and triggers the intent; the text, the confidence and the
    runner-up travel in the READ_ENTITY (Rasa's own text is then "EXTERNAL: …")."""
    anna = intake.ensure_customer(uow(), TelegramUserId(13), name="Anna", language_code="de", now=clock())
    read = {
        "entity": READ_ENTITY,
        "value": "Outlook geht nicht, am Handy oder am Laptop",
        "confidence": 0.52,
        "runner_up": "phone",
        "runner_up_confidence": 0.41,
        "best": "problem_pc",
    }
    t = tracker(conversation_id(anna.id), "EXTERNAL: problem_pc", "problem_pc", 1.0, [read])
    [ask] = await run(uow, clock, t)
    assert ask["key"] == "intake.unsure_between" and ask["params"]["categories"] == "pc,phone"
    request = intake.open_request(uow(), anna.id)
    assert request is not None and request.description == "Outlook geht nicht, am Handy oder am Laptop"


async def test_an_unsure_reading_still_offers_the_two_closest_areas(
    uow: Callable[[], UnitOfWork], clock: FrozenClock
) -> None:
    anna = intake.ensure_customer(uow(), TelegramUserId(14), name="Anna", language_code="de", now=clock())
    read = {"entity": READ_ENTITY, "value": "kiste spinnt", "confidence": 0.27, "best": "problem_tv"}
    read |= {"runner_up": "internet", "runner_up_confidence": 0.25}
    [ask] = await run(
        uow, clock, tracker(conversation_id(anna.id), "EXTERNAL: nlu_fallback", "nlu_fallback", 1.0, [read])
    )
    assert ask["key"] == "intake.unsure_between" and ask["params"]["categories"] == "tv,internet"
