"""A photo the customer sent of their problem: kept with the request it started."""

from __future__ import annotations

from datetime import datetime

from core.ids import CustomerId
from core.ports import UnitOfWork


def attach_to_new_request(
    uow: UnitOfWork, customer_id: CustomerId, photo: str, *, since: datetime, now: datetime
) -> bool:
    """Attach the photo (Telegram file id) to the request its text just started – not to an
    older one when the photo turned out to be no problem (small talk, out of scope)."""
    with uow:
        request = uow.requests.latest_for(customer_id)
        if request is None or request.created_at < since:
            return False
        uow.requests.attach_photo(request.id, photo, now=now)
        uow.commit()
        return True
