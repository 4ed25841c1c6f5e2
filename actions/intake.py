"""Intake actions: store the problem the customer described and say what comes next."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import FriendsAction, customer_of, first_entity
from core.categories import Category, category_of
from core.intake import READ_ENTITY, Problem, Urgency
from core.services import intake


def problem_from(tracker: Tracker) -> Problem:
    """The problem as the bot read it (the READ_ENTITY it triggered the intent with), or as Rasa
    read a message it parsed itself."""
    message = tracker.latest_message
    intent = (message.get("intent") or {}).get("name") or "nlu_fallback"
    read = next((e for e in message.get("entities") or [] if e.get("entity") == READ_ENTITY), None)
    if read is None:
        read = {
            "value": message.get("text") or "",
            "confidence": (message.get("intent") or {}).get("confidence"),
            "best": intent,
        }
    return Problem(
        text=str(read.get("value") or ""),
        intent=intent,
        category=category_of(intent),
        confidence=float(read.get("confidence") or 0.0),
        device=first_entity(tracker, "device"),
        brand=first_entity(tracker, "brand"),
        urgency=Urgency.URGENT if first_entity(tracker, "urgency") else Urgency.NORMAL,
        guess=category_of(str(read.get("best") or "")),
        runner_up=Category(read.get("runner_up") or Category.NONE),
        runner_up_confidence=float(read.get("runner_up_confidence") or 0.0),
    )


class ActionRegisterProblem(FriendsAction):
    """A problem in a category, or one we must ask about: stored as the customer's request."""

    def name(self) -> str:
        return "action_register_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = customer_of(tracker)
        if customer is None:  # not sent by our bot: nobody to store a request for
            dispatcher.utter_message(json_message={"key": "intake.no_open_request"})
            return []
        replies = await self.call(
            intake.describe_problem, customer, problem_from(tracker), now=self.services.now()
        )
        for reply in replies:
            dispatcher.utter_message(json_message=reply.as_payload())
        return []


ACTIONS = (ActionRegisterProblem,)
