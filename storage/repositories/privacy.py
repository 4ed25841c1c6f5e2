"""A person's data: gathered for an export, erased on request, transcripts erased after a while.
Both read storage.personal_data.PLACES, the one list of where personal data lives."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.personal_data import ERASED, PLACES, Person, scrub_payload
from storage.rows.addresses import VisitAddressRow
from storage.rows.bookings import BookingRow
from storage.rows.customers import ChatMessageRow, CustomerRow
from storage.rows.helpers import HelperRow
from storage.rows.outbox import OutboxRow
from storage.rows.relay import RelayMessageRow
from storage.rows.requests import RequestRow

__all__ = ["ERASED", "SqlPrivacy"]


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class SqlPrivacy:
    def __init__(self, session: Session) -> None:
        self.session = session

    def person(self, customer_id: int, helper_id: int | None = None) -> Person:
        s = self.session
        customer = s.get_one(CustomerRow, customer_id)
        if helper_id is None:
            helper_id = s.scalar(select(HelperRow.id).where(HelperRow.telegram_id == customer.telegram_id))
        as_customer = tuple(s.scalars(select(BookingRow.id).where(BookingRow.customer_id == customer_id)))
        as_helper = (
            tuple(s.scalars(select(BookingRow.id).where(BookingRow.helper_id == helper_id)))
            if helper_id is not None
            else ()
        )
        name = s.scalar(select(HelperRow.name).where(HelperRow.id == helper_id)) if helper_id else None
        return Person(customer_id, customer.telegram_id, helper_id, as_customer, as_helper, name or "")

    def export(self, customer_id: int) -> dict[str, Any]:
        """Everything erasure would remove or change, place by place (storage.personal_data)."""
        who = self.person(customer_id)
        data: dict[str, Any] = {}
        for place in PLACES:
            rows = self.session.scalars(select(place.table).where(place.rows(who))).all()
            found = [
                {c: _plain(v) for c in place.columns if (v := getattr(row, c)) is not None} for row in rows
            ]
            data[place.name] = (found[0] if found else None) if place.one else found
        data["bookings"] = [
            {c.name: _plain(getattr(b, c.name)) for c in BookingRow.__table__.columns}
            for b in self.session.scalars(select(BookingRow).where(BookingRow.id.in_(who.bookings)))
        ]
        return data

    def erase(self, customer_id: int, telegram_id: int, helper_id: int | None) -> None:
        s = self.session
        who = self.person(customer_id, helper_id)
        assert who.telegram_id == telegram_id
        for place in PLACES:
            where = place.rows(who)
            if place.rewrite is not None:
                for row in s.scalars(select(place.table).where(where)):
                    place.rewrite(row, who)
            elif place.erase is None:
                s.execute(delete(place.table).where(where).execution_options(synchronize_session=False))
            else:
                s.execute(
                    update(place.table)
                    .where(where)
                    .values(**place.erase)
                    .execution_options(synchronize_session=False)
                )
        # the Telegram ids are free again (a new /start is a new person); negative: never real
        s.execute(update(CustomerRow).where(CustomerRow.id == customer_id).values(telegram_id=-customer_id))
        if helper_id is not None:
            s.execute(update(HelperRow).where(HelperRow.id == helper_id).values(telegram_id=-helper_id))
        s.flush()
        s.expire_all()

    def erase_relay(self, booking_id: int) -> int:
        """Retention: a booking's transcript, visit address and the photo of its request, and the
        copies of the transcript (the relayed lines in the chat log and the queued messages)."""
        s = self.session
        s.execute(delete(VisitAddressRow).where(VisitAddressRow.booking_id == booking_id))
        request_id = select(BookingRow.request_id).where(BookingRow.id == booking_id).scalar_subquery()
        s.execute(  # the photo of the problem, too
            update(RequestRow)
            .where(RequestRow.id == request_id, RequestRow.photo.is_not(None))
            .values(photo=None)
            .execution_options(synchronize_session=False)
        )
        result = s.execute(
            update(RelayMessageRow)
            .where(
                RelayMessageRow.booking_id == booking_id,
                or_(RelayMessageRow.text != ERASED, RelayMessageRow.file_id.is_not(None)),
            )
            .values(text=ERASED, file_id=None)
            .execution_options(synchronize_session=False)
        )
        s.execute(
            update(ChatMessageRow)
            .where(and_(ChatMessageRow.booking_id == booking_id, ChatMessageRow.kind == "relay"))
            .values(text=ERASED)
            .execution_options(synchronize_session=False)
        )
        for row in s.scalars(select(OutboxRow).where(OutboxRow.booking_id == booking_id)):
            if '"relay.from_' in row.payload:
                scrub_payload(row, frozenset({"text"}))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
