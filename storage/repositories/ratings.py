"""Ratings of a booking, one per side."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking import (
    Actor,
    Rating,
)
from core.ids import BookingId
from storage.rows.ratings import RatingRow


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
