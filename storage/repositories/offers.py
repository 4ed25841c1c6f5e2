"""The helper cards shown for a request (a pick is only valid among them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.rows.offers import OfferRow


class SqlOffers:
    def __init__(self, session: Session) -> None:
        self.session = session

    def shown(self, request_id: int) -> list[int]:
        stmt = select(OfferRow.helper_id).where(OfferRow.request_id == request_id).order_by(OfferRow.position)
        return list(self.session.scalars(stmt))

    def record(self, request_id: int, helper_ids: Sequence[int], *, now: datetime) -> None:
        start = len(self.shown(request_id))
        for position, helper_id in enumerate(helper_ids, start):
            self.session.add(
                OfferRow(request_id=request_id, helper_id=helper_id, position=position, shown_at=now)
            )
        self.session.flush()
