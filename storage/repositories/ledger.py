"""The money ledger and the payment provider's events (deduplicated by event id)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.ids import BookingId, Cents, HelperId
from core.payments import LedgerEntry, LedgerKind
from storage.rows.ledger import LedgerRow, ProviderEventRow


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
