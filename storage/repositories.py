"""Repositories: intention-revealing methods over rows, returning core snapshots."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.categories import Category
from core.geo import Place
from core.ids import CustomerId, RequestId, TelegramUserId
from core.intake import OPEN_STATUSES, Customer, Problem, Request, RequestStatus, Urgency
from core.language import Language
from core.notices import Reply
from storage.rows import CustomerRow, OutboxRow, ProcessedUpdateRow, RequestRow


def _customer(row: CustomerRow) -> Customer:
    return Customer(
        id=CustomerId(row.id),
        telegram_id=TelegramUserId(row.telegram_id),
        name=row.name,
        language=Language(row.language),
    )


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
    )


class SqlCustomers:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_telegram_id(self, telegram_id: TelegramUserId) -> Customer | None:
        row = self.session.scalar(select(CustomerRow).where(CustomerRow.telegram_id == telegram_id))
        return None if row is None else _customer(row)

    def get(self, customer_id: CustomerId) -> Customer:
        return _customer(self.session.get_one(CustomerRow, customer_id))

    def add(self, telegram_id: TelegramUserId, *, name: str, language: Language, now: datetime) -> Customer:
        row = CustomerRow(telegram_id=telegram_id, name=name, language=str(language), created_at=now)
        self.session.add(row)
        self.session.flush()
        return _customer(row)

    def set_language(self, customer_id: CustomerId, language: Language) -> None:
        self.session.get_one(CustomerRow, customer_id).language = str(language)


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


class SqlProcessedUpdates:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, source: str, update_id: int, *, now: datetime) -> bool:
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = (
            insert(ProcessedUpdateRow)
            .values(source=source, update_id=update_id, received_at=now)
            .on_conflict_do_nothing(index_elements=["source", "update_id"])
            .returning(ProcessedUpdateRow.id)
        )
        return self.session.execute(stmt).scalar() is not None


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, telegram_id: int, language: Language, reply: Reply, *, now: datetime) -> None:
        payload = json.dumps(reply.as_payload(), ensure_ascii=False)
        self.session.add(
            OutboxRow(telegram_id=telegram_id, language=str(language), payload=payload, created_at=now)
        )
        self.session.flush()

    def pending(self, *, limit: int) -> list[tuple[int, int, Language, Reply]]:
        stmt = select(OutboxRow).where(OutboxRow.sent_at.is_(None)).order_by(OutboxRow.id).limit(limit)
        return [
            (r.id, r.telegram_id, Language(r.language), Reply.from_payload(json.loads(r.payload)))
            for r in self.session.scalars(stmt)
        ]

    def mark_sent(self, outbox_id: int, *, now: datetime) -> None:
        self.session.get_one(OutboxRow, outbox_id).sent_at = now
