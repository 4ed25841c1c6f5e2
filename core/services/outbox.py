"""The outbox as use cases: what is waiting to be sent, and marking it sent."""

from __future__ import annotations

from datetime import datetime

from core.language import Language
from core.notices import Reply
from core.ports import UnitOfWork


def pending(uow: UnitOfWork, *, limit: int) -> list[tuple[int, int, Language, Reply]]:
    with uow:
        return uow.outbox.pending(limit=limit)


def mark_sent(uow: UnitOfWork, outbox_id: int, *, now: datetime) -> None:
    with uow:
        uow.outbox.mark_sent(outbox_id, now=now)
        uow.commit()
