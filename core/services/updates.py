"""Incoming updates: kept from arrival until handled, handled once, handed in again after a
crash (storage.repositories.updates says how)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from core.ports import Received, UnitOfWork

#: A process works on an update at most this long; after that, another may take it over.
LEASE: Final = timedelta(seconds=30)
#: An update no process claimed this long after it arrived is handed in again.
GRACE: Final = timedelta(seconds=30)
#: An update whose handling killed the process this often is given up.
TRIES: Final = 3
#: Done updates are forgotten after this long: Telegram keeps an update for at most a day.
KEPT: Final = timedelta(days=7)


def receive(uow: UnitOfWork, source: str, updates: Sequence[Received], *, now: datetime) -> None:
    with uow:
        uow.updates.receive(source, updates, now=now)
        uow.commit()


def claim(
    uow: UnitOfWork,
    source: str,
    update_id: int,
    *,
    now: datetime,
    lease: timedelta = LEASE,
    chat_id: int | None = None,
) -> bool:
    """True when this process is to handle the update (it was not handled, nor is being)."""
    with uow:
        fresh = uow.updates.claim(source, update_id, now=now, lease=lease, chat_id=chat_id, tries=TRIES)
        uow.commit()
        return fresh


def finish(uow: UnitOfWork, source: str, update_ids: Sequence[int], *, now: datetime) -> None:
    with uow:
        uow.updates.finish(source, update_ids, now=now)
        uow.commit()


def restart(uow: UnitOfWork, source: str, *, now: datetime) -> int:
    """The only process (SQLite) started again: whatever it held when it died, updates being
    handled and messages being sent, is free at once instead of after the leases."""
    with uow:
        released = uow.updates.release(source, now=now) + uow.outbox.release(now=now)
        uow.commit()
        return released


def unfinished(
    uow: UnitOfWork, source: str, *, now: datetime, grace: timedelta = GRACE, limit: int = 100
) -> list[Received]:
    """What to hand in again; done updates older than KEPT are forgotten on the way."""
    with uow:
        uow.updates.prune(source, before=now - KEPT)
        found = uow.updates.unfinished(source, now=now, grace=grace, tries=TRIES, limit=limit)
        uow.commit()
        return found
