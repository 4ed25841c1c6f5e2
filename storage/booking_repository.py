"""Repositories of bookings, timers, the relay and ratings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from core.booking import (
    RELAY_STATES,
    Actor,
    Booking,
    BookingEvent,
    BookingState,
    Rating,
    Timer,
    TimerKind,
    Trigger,
)
from core.categories import Category
from core.errors import Conflict
from core.ids import BookingId, Cents, CustomerId, HelperId, RequestId
from core.payments import LedgerEntry, LedgerKind
from core.relay import Prompt, PromptKind
from storage.booking_rows import (
    BlockRow,
    BookingEventRow,
    BookingRow,
    FlagRow,
    LedgerRow,
    PromptRow,
    ProviderEventRow,
    RatingRow,
    RelayMessageRow,
    TimerRow,
)

#: Booking fields stored under the same name.
_SAME = (
    "start",
    "minutes",
    "proposal_no",
    "proposed_start",
    "proposed_minutes",
    "payment",
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


class SqlRelay:
    def __init__(self, session: Session) -> None:
        self.session = session

    def log(
        self,
        booking_id: BookingId,
        sender: Actor,
        *,
        kind: str,
        text: str,
        file_id: str | None,
        leaks: Sequence[str],
        now: datetime,
    ) -> int:
        row = RelayMessageRow(
            booking_id=booking_id,
            sender=str(sender),
            kind=kind,
            text=text,
            file_id=file_id,
            leaks=",".join(leaks),
            created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def transcript(self, booking_id: BookingId) -> list[tuple[Actor, str, str]]:
        stmt = select(RelayMessageRow).where(RelayMessageRow.booking_id == booking_id)
        return [
            (Actor(r.sender), r.kind, r.text) for r in self.session.scalars(stmt.order_by(RelayMessageRow.id))
        ]

    def flag(self, booking_id: BookingId | None, kind: str, *, by: Actor, note: str, now: datetime) -> bool:
        if kind in {"unreachable", "block", "payment"} and self.session.scalar(
            select(FlagRow.id).where(
                FlagRow.booking_id == booking_id, FlagRow.kind == kind, FlagRow.resolved_at.is_(None)
            )
        ):
            return False
        self.session.add(
            FlagRow(booking_id=booking_id, kind=kind, by=str(by), note=note[:2000], created_at=now)
        )
        self.session.flush()
        return True

    def flags(self, booking_id: BookingId) -> list[tuple[str, str]]:
        stmt = select(FlagRow).where(FlagRow.booking_id == booking_id).order_by(FlagRow.id)
        return [(r.kind, r.note) for r in self.session.scalars(stmt)]

    def resolve_flag(self, flag_id: int, note: str, *, now: datetime) -> bool:
        row = self.session.get(FlagRow, flag_id)
        if row is None or row.resolved_at is not None:
            return False
        row.resolved_at, row.note = now, f"{row.note}\n✔ {note}".strip()
        return True

    def block(self, customer_id: CustomerId, helper_id: HelperId, *, by: Actor, now: datetime) -> None:
        if self.session.get(BlockRow, (customer_id, helper_id)) is None:
            self.session.add(
                BlockRow(customer_id=customer_id, helper_id=helper_id, by=str(by), created_at=now)
            )
            self.session.flush()

    def blocked_helpers(self, customer_id: CustomerId) -> set[int]:
        return set(
            self.session.scalars(select(BlockRow.helper_id).where(BlockRow.customer_id == customer_id))
        )

    def prompt(self, telegram_id: int) -> Prompt | None:
        row = self.session.get(PromptRow, telegram_id)
        if row is None:
            return None
        return Prompt(row.telegram_id, PromptKind(row.kind), BookingId(row.booking_id), row.data)

    def ask(self, prompt: Prompt, *, now: datetime) -> None:
        row = self.session.get(PromptRow, prompt.telegram_id)
        if row is None:
            row = PromptRow(telegram_id=prompt.telegram_id)
            self.session.add(row)
        row.kind, row.booking_id, row.data, row.created_at = (
            str(prompt.kind),
            prompt.booking_id,
            prompt.data,
            now,
        )
        self.session.flush()

    def answered(self, telegram_id: int) -> None:
        row = self.session.get(PromptRow, telegram_id)
        if row is not None:
            self.session.delete(row)
            self.session.flush()


class SqlLedger:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entries: Sequence[LedgerEntry]) -> None:
        self.session.add_all(
            LedgerRow(
                booking_id=e.booking_id,
                helper_id=e.helper_id,
                kind=str(e.kind),
                amount_cents=e.amount,
                at=e.at,
                reference=e.reference,
                note=e.note,
            )
            for e in entries
        )
        self.session.flush()

    def of_booking(self, booking_id: BookingId) -> list[LedgerEntry]:
        stmt = select(LedgerRow).where(LedgerRow.booking_id == booking_id).order_by(LedgerRow.id)
        return [
            LedgerEntry(
                BookingId(r.booking_id),
                HelperId(r.helper_id),
                LedgerKind(r.kind),
                Cents(r.amount_cents),
                r.at,
                r.reference,
                r.note,
            )
            for r in self.session.scalars(stmt)
        ]

    def balance(self, helper_id: HelperId) -> Cents:
        total = self.session.scalar(
            select(func.coalesce(func.sum(LedgerRow.amount_cents), 0)).where(
                LedgerRow.helper_id == helper_id, LedgerRow.kind == str(LedgerKind.BALANCE)
            )
        )
        return Cents(int(total or 0))

    def bookings(self) -> list[BookingId]:
        stmt = select(LedgerRow.booking_id).group_by(LedgerRow.booking_id).order_by(func.min(LedgerRow.id))
        return [BookingId(b) for b in self.session.scalars(stmt)]


class SqlProviderEvents:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, event_id: str, event_type: str, *, now: datetime) -> bool:
        if self.session.get(ProviderEventRow, event_id) is not None:
            return False
        self.session.add(ProviderEventRow(id=event_id, type=event_type[:64], received_at=now))
        self.session.flush()  # a concurrent second delivery fails here on the primary key
        return True


class SqlRatings:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, rating: Rating, *, now: datetime) -> bool:
        if self.session.get(RatingRow, (rating.booking_id, str(rating.by))) is not None:
            return False
        self.session.add(
            RatingRow(
                booking_id=rating.booking_id,
                by=str(rating.by),
                stars=rating.stars,
                comment=rating.comment,
                created_at=now,
            )
        )
        self.session.flush()
        return True

    def comment(self, booking_id: BookingId, by: Actor, comment: str) -> None:
        row = self.session.get(RatingRow, (booking_id, str(by)))
        if row is not None:
            row.comment = comment[:1000]

    def of_booking(self, booking_id: BookingId) -> list[Rating]:
        stmt = select(RatingRow).where(RatingRow.booking_id == booking_id).order_by(RatingRow.created_at)
        return [
            Rating(BookingId(r.booking_id), Actor(r.by), r.stars, r.comment)
            for r in self.session.scalars(stmt)
        ]
