"""Visit addresses, one per booking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.address import VisitAddress
from core.ids import BookingId
from storage.rows.addresses import VisitAddressRow


class SqlAddresses:
    def __init__(self, session: Session) -> None:
        self.session = session

    def set(self, booking_id: BookingId, address: VisitAddress, *, now: datetime) -> None:
        row = self.session.get(VisitAddressRow, booking_id) or VisitAddressRow(booking_id=booking_id)
        row.street, row.postcode = address.street[:120], address.postcode
        row.floor, row.doorbell, row.note = address.floor[:120], address.doorbell[:60], address.note[:120]
        row.updated_at = now
        self.session.add(row)
        self.session.flush()

    def of_booking(self, booking_id: BookingId) -> VisitAddress | None:
        row = self.session.get(VisitAddressRow, booking_id)
        if row is None:
            return None
        return VisitAddress(row.street, row.postcode, row.floor, row.doorbell, row.note)

    def erase(self, booking_ids: list[BookingId]) -> int:
        result = self.session.execute(
            delete(VisitAddressRow).where(VisitAddressRow.booking_id.in_(booking_ids))
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
