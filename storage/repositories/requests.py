"""Customers' requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.categories import Category
from core.geo import Place
from core.ids import CustomerId, RequestId
from core.intake import OPEN_STATUSES, Customer, Problem, Request, RequestStatus, Urgency
from core.language import Language
from storage.rows.requests import RequestRow


def _request(row: RequestRow) -> Request:
    return Request(
        id=RequestId(row.id),
        customer_id=CustomerId(row.customer_id),
        status=RequestStatus(row.status),
        category=Category(row.category),
        description=row.description,
        language=Language(row.language),
        urgency=Urgency(row.urgency),
        device=row.device,
        brand=row.brand,
        created_at=row.created_at,
        postcode=row.postcode,
        district=row.district,
        place_label=row.place_label,
        lat=row.lat,
        lon=row.lon,
        chosen_helper_id=row.chosen_helper_id,
        notify=bool(row.notify),
        photo=row.photo,
        remote=bool(row.remote),
    )


class SqlRequests:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_for(self, customer_id: CustomerId) -> Request | None:
        row = self.session.scalar(
            select(RequestRow)
            .where(
                RequestRow.customer_id == customer_id, RequestRow.status.in_([str(s) for s in OPEN_STATUSES])
            )
            .order_by(RequestRow.id.desc())
            .limit(1)
        )
        return None if row is None else _request(row)

    def latest_for(self, customer_id: CustomerId) -> Request | None:
        row = self.session.scalar(
            select(RequestRow)
            .where(RequestRow.customer_id == customer_id)
            .order_by(RequestRow.id.desc())
            .limit(1)
        )
        return None if row is None else _request(row)

    def get(self, request_id: RequestId) -> Request | None:
        row = self.session.get(RequestRow, request_id)
        return None if row is None else _request(row)

    def add(self, customer: Customer, problem: Problem, *, description: str, now: datetime) -> Request:
        status = (
            RequestStatus.AWAITING_CATEGORY
            if problem.category is Category.NONE
            else RequestStatus.AWAITING_LOCATION
        )
        row = RequestRow(
            customer_id=customer.id,
            status=str(status),
            category=str(problem.category),
            intent=problem.intent,
            confidence=problem.confidence,
            description=description,
            language=str(customer.language),
            urgency=str(problem.urgency),
            device=problem.device,
            brand=problem.brand,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return _request(row)

    def set_category(self, request_id: RequestId, category: Category, *, now: datetime) -> None:
        row = self.session.get_one(RequestRow, request_id)
        row.category, row.updated_at = str(category), now

    def set_place(self, request_id: RequestId, place: Place, *, now: datetime) -> None:
        row = self.session.get_one(RequestRow, request_id)
        row.postcode, row.district, row.place_label = place.postcode, place.district, place.label
        row.lat, row.lon, row.updated_at = place.location.lat, place.location.lon, now

    def clear_place(self, request_id: RequestId, *, now: datetime) -> None:
        row = self.session.get_one(RequestRow, request_id)
        row.postcode = row.district = row.place_label = None
        row.lat = row.lon = None
        row.updated_at = now

    def set_notify(self, request_id: RequestId, notify: bool, *, now: datetime) -> None:
        row = self.session.get_one(RequestRow, request_id)
        row.notify, row.updated_at = notify, now

    def set_remote(self, request_id: RequestId, remote: bool, *, now: datetime) -> None:
        row = self.session.get_one(RequestRow, request_id)
        row.remote, row.updated_at = remote, now

    def waiting_for_helpers(self) -> list[Request]:
        stmt = select(RequestRow).where(
            RequestRow.notify.is_(True), RequestRow.status == str(RequestStatus.SEARCHING)
        )
        return [_request(r) for r in self.session.scalars(stmt)]

    def choose_helper(self, request_id: RequestId, helper_id: int, *, now: datetime) -> None:
        row = self.session.get_one(RequestRow, request_id)
        row.chosen_helper_id, row.updated_at = helper_id, now

    def set_status(self, request_id: RequestId, status: RequestStatus, *, now: datetime) -> None:
        row = self.session.get_one(RequestRow, request_id)
        row.status, row.updated_at = str(status), now
        self.session.flush()

    def attach_photo(self, request_id: RequestId, photo: str, *, now: datetime) -> None:
        row = self.session.get_one(RequestRow, request_id)
        row.photo, row.updated_at = photo, now
