"""The intake action: tracker in, stored request and keyed replies out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ActionServices
from actions.intake import ActionRegisterProblem
from core.ids import TelegramUserId
from core.intake import Urgency, conversation_id
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
