"""FriendsAction: a rasa-sdk Action with explicit services, plus tracker → core helpers."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker

from core.ids import CustomerId
from core.intake import customer_from_conversation
from core.ports import UnitOfWork

T = TypeVar("T")


@dataclass
class ActionServices:
    uow: Callable[[], UnitOfWork]
    now: Callable[[], datetime]


class FriendsAction(Action, ABC):
    """Constructed with its services (rasa-sdk's executor registers instances)."""

    def __init__(self, services: ActionServices) -> None:
        self.services = services

    @abstractmethod
    def name(self) -> str: ...

    async def call(self, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(use_case, self.services.uow(), *args, **kwargs)


def customer_of(tracker: Tracker) -> CustomerId | None:
    """The customer behind a conversation, or None for a sender that is not ours."""
    return customer_from_conversation(tracker.sender_id or "")


def first_entity(tracker: Tracker, entity: str) -> str | None:
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == entity and found.get("value"):
            return str(found["value"])[:64]
    return None
