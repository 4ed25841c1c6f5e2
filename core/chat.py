"""What a chat is doing, as plain values read in one query (the hot path of every update)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.booking import BookingState
from core.ids import BookingId, CustomerId, HelperId
from core.intake import Customer, RequestStatus
from core.language import Language
from core.relay import Prompt


@dataclass(frozen=True)
class Claim:
    """An update to claim (core.services.updates): leased to this process until `now + lease`
    unless done, leased to another, or tried `tries` times already."""

    source: str
    update_id: int
    chat_id: int | None  # the person's chat, where it has one
    now: datetime
    lease: timedelta
    tries: int


@dataclass(frozen=True)
class ChatFacts:
    """The person behind a Telegram id and what their chat waits for."""

    customer: Customer | None
    helper_id: HelperId | None
    filling_in: bool  # a helper registering or editing a profile field
    prompt: Prompt | None
    request_status: RequestStatus | None  # of their open request, if any
    targets: tuple[RelayTarget, ...] = ()  # bookings with an open relay (when asked for)


@dataclass(frozen=True)
class RelayTarget:
    """A booking with an open relay, with what a relayed message needs of both sides."""

    booking_id: BookingId
    state: BookingState
    customer_id: CustomerId
    helper_id: HelperId
    customer_chat: tuple[int, Language]  # Telegram id and the language they are written to in
    helper_chat: tuple[int, Language]
    params: dict[str, Any]  # the header's parameters (as steps.params gives them)
