"""Durable timers: set, cancelled, claimed once when due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.booking import (
    Timer,
    TimerKind,
)
from core.ids import BookingId
from storage.rows.timers import TimerRow


class SqlTimers:
    def __init__(self, session: Session) -> None:
        self.session = session

    def set(self, booking_id: BookingId, kind: TimerKind, due_at: datetime) -> None:
        row = self.session.scalar(
            select(TimerRow).where(TimerRow.booking_id == booking_id, TimerRow.kind == str(kind))
        )
        if row is None:
            self.session.add(TimerRow(booking_id=booking_id, kind=str(kind), due_at=due_at, cancelled=False))
        else:
            row.due_at, row.fired_at, row.cancelled = due_at, None, False
        self.session.flush()

    def cancel(self, booking_id: BookingId, kinds: Iterable[TimerKind] | None = None) -> None:
        stmt = update(TimerRow).where(TimerRow.booking_id == booking_id, TimerRow.fired_at.is_(None))
        if kinds is not None:
            stmt = stmt.where(TimerRow.kind.in_([str(k) for k in kinds]))
        self.session.execute(stmt.values(cancelled=True).execution_options(synchronize_session=False))

    def due(self, now: datetime, *, limit: int) -> list[Timer]:
        stmt = (
            select(TimerRow)
            .where(TimerRow.fired_at.is_(None), TimerRow.cancelled.is_(False), TimerRow.due_at <= now)
            .order_by(TimerRow.due_at, TimerRow.id)
            .limit(limit)
        )
        return [
            Timer(r.id, TimerKind(r.kind), BookingId(r.booking_id), r.due_at)
            for r in self.session.scalars(stmt)
        ]

    def overdue(self, now: datetime) -> int:
        """Timers that are due but have not fired."""
        stmt = select(func.count(TimerRow.id)).where(
            TimerRow.fired_at.is_(None), TimerRow.cancelled.is_(False), TimerRow.due_at <= now
        )
        return int(self.session.scalar(stmt) or 0)

    def get(self, timer_id: int) -> Timer | None:
        r = self.session.get(TimerRow, timer_id)
        return None if r is None else Timer(r.id, TimerKind(r.kind), BookingId(r.booking_id), r.due_at)

    def claim(self, timer_id: int, *, now: datetime) -> bool:
        """The row lock of this UPDATE makes a second claimer wait, then find it fired."""
        result = self.session.execute(
            update(TimerRow)
            .where(TimerRow.id == timer_id, TimerRow.fired_at.is_(None), TimerRow.cancelled.is_(False))
            .values(fired_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]
