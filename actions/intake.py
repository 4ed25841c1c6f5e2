"""Intake actions: store the problem the customer described and say what comes next."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import FriendsAction, customer_of, first_entity
from core.categories import category_of
from core.intake import Problem, Urgency
from core.services import intake


def problem_from(tracker: Tracker) -> Problem:
    message = tracker.latest_message
    intent = (message.get("intent") or {}).get("name") or "nlu_fallback"
    return Problem(
        text=message.get("text") or "",
        intent=intent,
        category=category_of(intent),
        confidence=float((message.get("intent") or {}).get("confidence") or 0.0),
        device=first_entity(tracker, "device"),
        brand=first_entity(tracker, "brand"),
        urgency=Urgency.URGENT if first_entity(tracker, "urgency") else Urgency.NORMAL,
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
