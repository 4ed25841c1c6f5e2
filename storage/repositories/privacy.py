"""A person's data: gathered for an export, erased on request, transcripts erased after a while."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage.rows.addresses import VisitAddressRow
from storage.rows.bookings import BookingRow
from storage.rows.customers import ChatMessageRow, CustomerRow
from storage.rows.helpers import HelperRow
from storage.rows.outbox import OutboxRow
from storage.rows.ratings import RatingRow
from storage.rows.relay import RelayMessageRow
from storage.rows.requests import RequestRow

ERASED = "[erased]"


def _plain(row: Any, *skip: str) -> dict[str, Any]:
    return {
        c.name: (v.isoformat() if hasattr(v, "isoformat") else v)
        for c in row.__table__.columns
        if c.name not in skip and (v := getattr(row, c.name)) is not None
    }


class SqlPrivacy:
    def __init__(self, session: Session) -> None:
        self.session = session

    def export(self, customer_id: int) -> dict[str, Any]:
        s = self.session
        customer = s.get_one(CustomerRow, customer_id)
        bookings = list(s.scalars(select(BookingRow).where(BookingRow.customer_id == customer_id)))
        helper = s.scalar(select(HelperRow).where(HelperRow.telegram_id == customer.telegram_id))
        if helper is not None:
            bookings += list(s.scalars(select(BookingRow).where(BookingRow.helper_id == helper.id)))
        ids = [b.id for b in bookings]
        customer_own = [b.id for b in bookings if b.customer_id == customer_id]  # a helper never gives one
        return {
            "customer": _plain(customer),
            "helper_profile": _plain(helper, "answered", "editing") if helper else None,
            "requests": [
                _plain(r) for r in s.scalars(select(RequestRow).where(RequestRow.customer_id == customer_id))
            ],
            "bookings": [_plain(b, "version", "proposal_no") for b in bookings],
            "messages_with_the_assistant": [
                _plain(m, "id", "telegram_id")
                for m in s.scalars(
                    select(ChatMessageRow).where(ChatMessageRow.telegram_id == customer.telegram_id)
                )
            ],
            "relayed_messages": [
                _plain(m, "file_id")
                for m in s.scalars(select(RelayMessageRow).where(RelayMessageRow.booking_id.in_(ids)))
            ],
            "ratings": [_plain(r) for r in s.scalars(select(RatingRow).where(RatingRow.booking_id.in_(ids)))],
            "visit_addresses": [
                _plain(a)
                for a in s.scalars(
                    select(VisitAddressRow).where(VisitAddressRow.booking_id.in_(customer_own))
                )
            ],
        }

    def erase(self, customer_id: int, telegram_id: int, helper_id: int | None) -> None:
        s = self.session
        customer = s.get_one(CustomerRow, customer_id)
        own = [b for b in s.scalars(select(BookingRow.id).where(BookingRow.customer_id == customer_id))]
        if helper_id is not None:
            own += list(s.scalars(select(BookingRow.id).where(BookingRow.helper_id == helper_id)))
            s.execute(update(HelperRow).where(HelperRow.id == helper_id).values(telegram_id=-helper_id))
        s.execute(delete(ChatMessageRow).where(ChatMessageRow.telegram_id == telegram_id))
        s.execute(delete(OutboxRow).where(OutboxRow.telegram_id == telegram_id))
        s.execute(
            update(RequestRow)
            .where(RequestRow.customer_id == customer_id)
            .values(
                description=ERASED,
                photo=None,
                device=None,
                brand=None,
                postcode=None,
                place_label=None,
                lat=None,
                lon=None,
            )
        )
        s.execute(
            update(RelayMessageRow)
            .where(RelayMessageRow.booking_id.in_(own))
            .values(text=ERASED, file_id=None)
        )
        s.execute(update(RatingRow).where(RatingRow.booking_id.in_(own)).values(comment=""))
        s.execute(delete(VisitAddressRow).where(VisitAddressRow.booking_id.in_(own)))
        customer.name, customer.telegram_id = ERASED, -customer_id  # the Telegram id is free again
        customer.taken_over_by = None
        s.flush()

    def erase_relay(self, booking_id: int) -> int:
        """The transcript and the visit address of a booking, and the photo of its request, once
        the retention period is over."""
        self.session.execute(delete(VisitAddressRow).where(VisitAddressRow.booking_id == booking_id))
        request_id = select(BookingRow.request_id).where(BookingRow.id == booking_id).scalar_subquery()
        self.session.execute(
            update(RequestRow)
            .where(RequestRow.id == request_id, RequestRow.photo.is_not(None))
            .values(photo=None)
            .execution_options(synchronize_session=False)
        )
        result = self.session.execute(
            update(RelayMessageRow)
            .where(
                RelayMessageRow.booking_id == booking_id,
                or_(RelayMessageRow.text != ERASED, RelayMessageRow.file_id.is_not(None)),
            )
            .values(text=ERASED, file_id=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
