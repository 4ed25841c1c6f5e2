"""Read-only views for the staff console: small DTOs, no domain rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.booking_rows import BookingEventRow, BookingRow, FlagRow, LedgerRow, RatingRow
from storage.helper_rows import HelperRow
from storage.rows import CustomerRow, RequestRow


@dataclass(frozen=True)
class HelperLine:
    id: int
    name: str
    status: str
    verified: bool
    skills: str
    rate_cents: int
    rating_count: int
    rating_sum: int
    created_at: datetime


@dataclass(frozen=True)
class BookingLine:
    id: int
    state: str
    category: str
    customer: str
    helper: str
    start: datetime | None
    amount_cents: int | None
    payment: str | None
    updated_at: datetime


@dataclass(frozen=True)
class EventLine:
    at: datetime
    actor: str
    trigger: str
    from_state: str
    to_state: str
    reason: str
    source: str


@dataclass(frozen=True)
class Dashboard:
    waiting_requests: int
    oldest_waiting: datetime | None
    bookings_by_state: dict[str, int]
    open_flags: int
    holds_expiring: int


class Queries:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def dashboard(self, now: datetime) -> Dashboard:
        with self.sessions() as s:
            waiting = s.execute(
                select(func.count(), func.min(RequestRow.created_at)).where(RequestRow.status == "searching")
            ).one()
            states = dict(
                s.execute(select(BookingRow.state, func.count()).group_by(BookingRow.state)).tuples().all()
            )
            flags = s.scalar(select(func.count()).select_from(FlagRow).where(FlagRow.resolved_at.is_(None)))
            expiring = s.scalar(
                select(func.count())
                .select_from(BookingRow)
                .where(
                    BookingRow.hold_expires_at.is_not(None),
                    BookingRow.hold_expires_at < now + timedelta(days=1),
                )
            )
        return Dashboard(int(waiting[0]), waiting[1], states, int(flags or 0), int(expiring or 0))

    def helpers(self, *, limit: int = 200) -> list[HelperLine]:
        """Unverified first, then newest."""
        with self.sessions() as s:
            rows = s.scalars(
                select(HelperRow).order_by(HelperRow.verified, HelperRow.created_at.desc()).limit(limit)
            )
            return [
                HelperLine(
                    r.id,
                    r.name,
                    r.status,
                    r.verified,
                    r.skills,
                    r.rate_cents,
                    r.rating_count,
                    r.rating_sum,
                    r.created_at,
                )
                for r in rows
            ]

    def bookings(self, *, state: str | None = None, limit: int = 200) -> list[BookingLine]:
        with self.sessions() as s:
            stmt = (
                select(BookingRow, CustomerRow.name, HelperRow.name)
                .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
                .join(HelperRow, HelperRow.id == BookingRow.helper_id)
                .order_by(BookingRow.updated_at.desc())
                .limit(limit)
            )
            if state:
                stmt = stmt.where(BookingRow.state == state)
            return [
                BookingLine(b.id, b.state, b.category, c, h, b.start, b.amount_cents, b.payment, b.updated_at)
                for b, c, h in s.execute(stmt).tuples()
            ]

    def timeline(self, booking_id: int) -> list[EventLine]:
        with self.sessions() as s:
            rows = s.scalars(
                select(BookingEventRow)
                .where(BookingEventRow.booking_id == booking_id)
                .order_by(BookingEventRow.id)
            )
            return [
                EventLine(r.at, r.actor, r.trigger, r.from_state, r.to_state, r.reason, r.source)
                for r in rows
            ]

    def ledger(self, booking_id: int) -> list[tuple[datetime, str, int, str, str]]:
        with self.sessions() as s:
            rows = s.scalars(
                select(LedgerRow).where(LedgerRow.booking_id == booking_id).order_by(LedgerRow.id)
            )
            return [(r.at, r.kind, r.amount_cents, r.reference, r.note) for r in rows]

    def ratings(self, booking_id: int) -> list[tuple[str, int, str]]:
        with self.sessions() as s:
            rows = s.scalars(select(RatingRow).where(RatingRow.booking_id == booking_id))
            return [(r.by, r.stars, r.comment) for r in rows]
