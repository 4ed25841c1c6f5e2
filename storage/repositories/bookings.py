"""Bookings and their events: version-guarded saves, lookups by request, customer, helper."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.booking import (
    RELAY_STATES,
    Actor,
    Booking,
    BookingEvent,
    BookingState,
    Trigger,
)
from core.categories import Category
from core.errors import Conflict
from core.ids import BookingId, Cents, CustomerId, HelperId, RequestId
from core.payments import PaymentState
from storage.rows.bookings import BookingEventRow, BookingRow

#: Booking fields stored under the same name.
_SAME = (
    "start",
    "minutes",
    "proposal_no",
    "proposed_start",
    "proposed_minutes",
    "payment_ref",
    "checked_in_at",
    "checked_out_at",
    "relay_closed_at",
    "checkout_id",
    "hold_expires_at",
    "km",
    "offered_at",
    "deadline",
)


def _booking(row: BookingRow) -> Booking:
    return Booking(
        id=BookingId(row.id),
        request_id=RequestId(row.request_id),
        customer_id=CustomerId(row.customer_id),
        helper_id=HelperId(row.helper_id),
        state=BookingState(row.state),
        category=Category(row.category),
        rate=Cents(row.rate_cents),
        version=row.version,
        hold=None if row.hold_cents is None else Cents(row.hold_cents),
        amount=None if row.amount_cents is None else Cents(row.amount_cents),
        fee=None if row.fee_cents is None else Cents(row.fee_cents),
        payment=None if row.payment is None else PaymentState(row.payment),
        **{name: getattr(row, name) for name in _SAME},
    )


def _values(booking: Booking) -> dict[str, object]:
    return {
        "request_id": booking.request_id,
        "customer_id": booking.customer_id,
        "helper_id": booking.helper_id,
        "state": str(booking.state),
        "category": str(booking.category),
        "rate_cents": booking.rate,
        "hold_cents": booking.hold,
        "amount_cents": booking.amount,
        "fee_cents": booking.fee,
        "payment": None if booking.payment is None else str(booking.payment),
        **{name: getattr(booking, name) for name in _SAME},
    }


class SqlBookings:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, booking_id: BookingId) -> Booking | None:
        row = self.session.get(BookingRow, booking_id)
        return None if row is None else _booking(row)

    def add(self, booking: Booking) -> Booking:
        row = BookingRow(**_values(booking), version=1, updated_at=booking.offered_at)
        self.session.add(row)
        self.session.flush()
        return _booking(row)

    def save(self, booking: Booking) -> Booking:
        """Optimistic: written only if nobody changed the row since `booking` was read."""
        result = self.session.execute(
            update(BookingRow)
            .where(BookingRow.id == booking.id, BookingRow.version == booking.version)
            .values(**_values(booking), version=booking.version + 1, updated_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict()
        self.session.expire_all()
        saved = self.get(booking.id)
        assert saved is not None
        return saved

    def by_payment_ref(self, reference: str) -> Booking | None:
        row = self.session.scalar(select(BookingRow).where(BookingRow.payment_ref == reference))
        return None if row is None else _booking(row)

    def for_request(self, request_id: RequestId) -> list[Booking]:
        stmt = select(BookingRow).where(BookingRow.request_id == request_id).order_by(BookingRow.id)
        return [_booking(r) for r in self.session.scalars(stmt)]

    def of_customer(self, customer_id: CustomerId, states: Iterable[BookingState]) -> list[Booking]:
        stmt = select(BookingRow).where(
            BookingRow.customer_id == customer_id, BookingRow.state.in_([str(s) for s in states])
        )
        return [_booking(r) for r in self.session.scalars(stmt.order_by(BookingRow.id))]

    def of_helper(self, helper_id: HelperId, states: Iterable[BookingState]) -> list[Booking]:
        stmt = select(BookingRow).where(
            BookingRow.helper_id == helper_id, BookingRow.state.in_([str(s) for s in states])
        )
        return [_booking(r) for r in self.session.scalars(stmt.order_by(BookingRow.id))]

    def with_open_relay(self, *, customer_id: CustomerId | None, helper_id: HelperId | None) -> list[Booking]:
        sides = []
        if customer_id is not None:
            sides.append(BookingRow.customer_id == customer_id)
        if helper_id is not None:
            sides.append(BookingRow.helper_id == helper_id)
        if not sides:
            return []
        stmt = select(BookingRow).where(
            or_(*sides),
            BookingRow.state.in_([str(s) for s in RELAY_STATES]),
            BookingRow.relay_closed_at.is_(None),
        )
        return [_booking(r) for r in self.session.scalars(stmt.order_by(BookingRow.id))]

    def record(self, event: BookingEvent) -> None:
        self.session.add(
            BookingEventRow(
                booking_id=event.booking_id,
                at=event.at,
                actor=str(event.actor),
                trigger=str(event.trigger),
                from_state=str(event.from_state),
                to_state=str(event.to_state),
                reason=event.reason[:2000],
                source=event.source[:64],
            )
        )

    def events(self, booking_id: BookingId) -> list[BookingEvent]:
        stmt = select(BookingEventRow).where(BookingEventRow.booking_id == booking_id)
        return [
            BookingEvent(
                booking_id=BookingId(r.booking_id),
                at=r.at,
                actor=Actor(r.actor),
                trigger=Trigger(r.trigger) if r.trigger in Trigger.__members__.values() else r.trigger,
                from_state=BookingState(r.from_state),
                to_state=BookingState(r.to_state),
                reason=r.reason,
                source=r.source,
            )
            for r in self.session.scalars(stmt.order_by(BookingEventRow.id))
        ]
