"""The relay between customer and helper: what a message is, which booking it belongs to,
and the answers the bot waits for in a chat (a proposed time, a comment, a report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from core.booking import Booking
from core.ids import BookingId


class MessageKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"
    DOCUMENT = "document"
    ANIMATION = "animation"
    LOCATION = "location"
    STICKER = "sticker"


#: Kinds a copy can carry a caption on; the others get the "who wrote" header before them.
CAPTIONED: Final = frozenset(
    {
        MessageKind.PHOTO,
        MessageKind.VOICE,
        MessageKind.AUDIO,
        MessageKind.VIDEO,
        MessageKind.DOCUMENT,
        MessageKind.ANIMATION,
    }
)


@dataclass(frozen=True)
class Incoming:
    """A message a person sent while a relay may be open."""

    telegram_id: int
    message_id: int
    kind: MessageKind
    text: str = ""  # the text, or a caption
    file_id: str | None = None
    reply_to: int | None = None  # the id of our message they answered, if any


class PromptKind(StrEnum):
    PROPOSE_TIME = "propose_time"  # a helper is asked when they will come
    PROPOSE_MINUTES = "propose_minutes"  # … and for how long (data: the start, ISO)
    COMMENT = "comment"  # an optional comment after the stars
    REPORT = "report"  # what went wrong
    ROUTE = "route"  # which job a message is for (data: the message id)
    ADDRESS = "address"  # where the helper rings (the customer, after agreeing a time)


@dataclass(frozen=True)
class Prompt:
    telegram_id: int
    kind: PromptKind
    booking_id: BookingId
    data: str = ""


def route(open_relays: Sequence[Booking], replied_booking: int | None) -> Booking | None:
    """The booking a message belongs to: the one replied to, or the only open one;
    None when the person must choose (several open and no reply)."""
    if replied_booking is not None:
        for booking in open_relays:
            if booking.id == replied_booking:
                return booking
    return open_relays[0] if len(open_relays) == 1 else None
