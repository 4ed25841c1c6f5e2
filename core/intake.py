"""A customer's request for help, from the first message until it is ready for matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from core.categories import Category
from core.geo import Location, Place
from core.ids import CustomerId, RequestId, TelegramUserId
from core.language import Language

#: What we keep of a description: a whole Telegram message (4,096 characters at most).
MAX_DESCRIPTION_CHARS: Final = 4096


class RequestStatus(StrEnum):
    AWAITING_CATEGORY = "awaiting_category"  # message too vague or classifier unsure: customer picks
    AWAITING_LOCATION = "awaiting_location"  # problem known, place not yet
    SEARCHING = "searching"  # complete: waiting for matching (a later capability)
    BOOKED = "booked"  # a helper accepted: the booking carries on
    CANCELLED = "cancelled"


OPEN_STATUSES: Final = frozenset(
    {RequestStatus.AWAITING_CATEGORY, RequestStatus.AWAITING_LOCATION, RequestStatus.SEARCHING}
)
#: Drafts a new problem description replaces; a request that is already searching stays.
DRAFT_STATUSES: Final = frozenset({RequestStatus.AWAITING_CATEGORY, RequestStatus.AWAITING_LOCATION})


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


@dataclass(frozen=True)
class Customer:
    id: CustomerId
    telegram_id: TelegramUserId
    name: str
    language: Language
    taken_over_by: int | None = None  # a support agent answers this person; the bot waits
    consented: bool = False  # accepted the terms and the privacy notice
    blocked: bool = False


@dataclass(frozen=True)
class Problem:
    """What the classifier made of a message."""

    text: str
    intent: str
    category: Category
    confidence: float
    device: str | None = None
    brand: str | None = None
    urgency: Urgency = Urgency.NORMAL


@dataclass(frozen=True)
class Request:
    id: RequestId
    customer_id: CustomerId
    status: RequestStatus
    category: Category
    description: str
    language: Language
    urgency: Urgency
    device: str | None
    brand: str | None
    created_at: datetime
    postcode: str | None = None
    district: str | None = None
    place_label: str | None = None
    lat: float | None = None
    lon: float | None = None
    chosen_helper_id: int | None = None
    notify: bool = False  # tell the customer when a helper becomes available
    photo: str | None = None  # a photo of the problem (Telegram file id), shown to the offered helper
    remote: bool = False  # help by phone or video call: no address, no travel, any distance

    @property
    def place(self) -> Place | None:
        """Where help is needed, once the customer said so."""
        if self.lat is None or self.lon is None:
            return None
        return Place(self.place_label or "", self.district or "", Location(self.lat, self.lon), self.postcode)


def clip_description(text: str) -> str:
    """A description as stored: trimmed, whitespace collapsed, at most MAX_DESCRIPTION_CHARS."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MAX_DESCRIPTION_CHARS else text[: MAX_DESCRIPTION_CHARS - 1] + "…"


def nlu_text(text: str) -> str:
    """The text as Rasa reads (and the action stores) it: whitespace collapsed."""
    return clip_description(text)


def has_words(text: str) -> bool:
    """False for emoji-only, punctuation-only or empty text: nothing to classify."""
    return any(ch.isalnum() for ch in text)


CONVERSATION_PREFIX: Final = "customer-"


def conversation_id(customer_id: CustomerId) -> str:
    """The id of a customer's conversation with Rasa (its REST channel passes no metadata on)."""
    return f"{CONVERSATION_PREFIX}{customer_id}"


def customer_from_conversation(conversation: str) -> CustomerId | None:
    number = conversation.removeprefix(CONVERSATION_PREFIX)
    return (
        CustomerId(int(number)) if conversation.startswith(CONVERSATION_PREFIX) and number.isdigit() else None
    )
