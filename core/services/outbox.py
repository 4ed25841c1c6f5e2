"""The outbox as use cases: claim what is due, then mark each sent, retry it later, or give up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from core.notices import Outgoing
from core.ports import UnitOfWork

#: A claimed message not marked within this time is claimed again (its drainer died).
LEASE: Final = timedelta(seconds=60)
#: Network trouble: wait 2, 4, 8 … seconds, at most this long, and give up after MAX_ATTEMPTS.
MAX_BACKOFF: Final = timedelta(minutes=5)
MAX_ATTEMPTS: Final = 12


def claim(uow: UnitOfWork, *, now: datetime, limit: int, lease: timedelta = LEASE) -> list[Outgoing]:
    with uow:
        items = uow.outbox.claim(now=now, limit=limit, lease=lease)
        uow.commit()
        return items


@dataclass(frozen=True)
class Sent:
    """Telegram accepted an outbox message: its id there (a reply to it routes to its booking),
    and the line (Telegram id, text) the chat log keeps of it, naming the booking or helper card
    it is about (erasing that person erases the line; retention erases the "relay" lines)."""

    outbox_id: int
    at: datetime
    message_id: int | None = None
    chat_line: tuple[int, str] | None = None
    line_kind: str = "bot"
    booking_id: int | None = None
    helper_id: int | None = None


def mark_sent(uow: UnitOfWork, sent: Sequence[Sent]) -> None:
    """Messages sent, marked in one transaction with their chat-log lines."""
    with uow:
        for item in sent:
            uow.outbox.mark_sent(item.outbox_id, now=item.at, message_id=item.message_id)
            if item.chat_line is not None:
                uow.chats.log(
                    item.chat_line[0],
                    incoming=False,
                    kind=item.line_kind,
                    text=item.chat_line[1],
                    now=item.at,
                    booking_id=item.booking_id,
                    helper_id=item.helper_id,
                )
        uow.commit()


def retry_later(
    uow: UnitOfWork, item: Outgoing, *, now: datetime, error: str, after: timedelta | None = None
) -> bool:
    """Telegram said "later" (after = its retry_after) or the network failed (exponential
    back-off). False when the message gave up after MAX_ATTEMPTS."""
    with uow:
        if after is None and item.attempts >= MAX_ATTEMPTS:
            uow.outbox.give_up(item.id, now=now, error=error)
            uow.commit()
            return False
        wait = after if after is not None else min(timedelta(seconds=2**item.attempts), MAX_BACKOFF)
        uow.outbox.retry_at(item.id, now + wait, error=error)
        uow.commit()
        return True


@dataclass(frozen=True)
class Backlog:
    """What operators watch: messages not sent yet, how long the oldest waits, late timers."""

    outbox_size: int
    outbox_lag_s: float
    overdue_timers: int


def backlog(uow: UnitOfWork, *, now: datetime) -> Backlog:
    with uow:
        size, oldest = uow.outbox.backlog(now)
        lag = (now - oldest).total_seconds() if oldest is not None else 0.0
        return Backlog(size, max(lag, 0.0), uow.timers.overdue(now))


def give_up(uow: UnitOfWork, item: Outgoing, *, now: datetime, error: str) -> None:
    """Telegram refused the message itself (400): never retried; the person is not unreachable."""
    with uow:
        uow.outbox.give_up(item.id, now=now, error=error)
        uow.commit()
