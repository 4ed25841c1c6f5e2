"""Repositories: intention-revealing methods over rows, returning core snapshots."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.categories import Category
from core.geo import Place
from core.ids import CustomerId, RequestId, TelegramUserId
from core.intake import OPEN_STATUSES, Customer, Problem, Request, RequestStatus, Urgency
from core.language import Language
from core.notices import Copy, Outgoing, Reply
from storage.rows import ChatMessageRow, CustomerRow, OutboxRow, ProcessedUpdateRow, RequestRow


def _customer(row: CustomerRow) -> Customer:
    return Customer(
        id=CustomerId(row.id),
        telegram_id=TelegramUserId(row.telegram_id),
        name=row.name,
        language=Language(row.language),
        taken_over_by=row.taken_over_by,
        consented=row.consented_at is not None,
        blocked=row.blocked_at is not None,
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

    def set_taken_over(self, customer_id: CustomerId, staff_id: int | None) -> None:
        self.session.get_one(CustomerRow, customer_id).taken_over_by = staff_id

    def set_consented(self, customer_id: CustomerId, now: datetime | None) -> None:
        self.session.get_one(CustomerRow, customer_id).consented_at = now

    def set_blocked(self, customer_id: CustomerId, now: datetime | None) -> None:
        self.session.get_one(CustomerRow, customer_id).blocked_at = now


class SqlChatLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def note_nlu(self, telegram_id: int, text: str, intent: str, confidence: float) -> None:
        row = self.session.scalar(
            select(ChatMessageRow)
            .where(ChatMessageRow.telegram_id == telegram_id, ChatMessageRow.incoming.is_(True))
            .order_by(ChatMessageRow.id.desc())
            .limit(1)
        )
        if row is not None and row.intent is None and " ".join(row.text.split()) == text:
            row.intent, row.confidence = intent[:40], confidence

    def log(
        self,
        telegram_id: int,
        *,
        incoming: bool,
        kind: str,
        text: str,
        now: datetime,
        staff_id: int | None = None,
    ) -> None:
        self.session.add(
            ChatMessageRow(
                telegram_id=telegram_id,
                incoming=incoming,
                kind=kind,
                text=text[:4096],
                staff_id=staff_id,
                at=now,
            )
        )
        self.session.flush()


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

    def add(
        self,
        telegram_id: int,
        language: Language,
        reply: Reply,
        *,
        now: datetime,
        booking_id: int | None = None,
        copy: Copy | None = None,
    ) -> None:
        payload = json.dumps(reply.as_payload(), ensure_ascii=False)
        self.session.add(
            OutboxRow(
                telegram_id=telegram_id,
                language=str(language),
                payload=payload,
                created_at=now,
                booking_id=booking_id,
                copy_from_chat=copy.from_chat_id if copy else None,
                copy_message_id=copy.message_id if copy else None,
                copy_captioned=bool(copy and copy.captioned),
                attempts=0,
            )
        )
        self.session.flush()

    def claim(self, *, now: datetime, limit: int, lease: timedelta) -> list[Outgoing]:
        """Due rows, oldest first; each is leased (next_attempt_at moves on) so that a second
        drainer skips it, and a drainer that died leaves it to be retried after the lease."""
        stmt = (
            select(OutboxRow)
            .where(
                OutboxRow.sent_at.is_(None),
                OutboxRow.error.is_(None) | OutboxRow.next_attempt_at.is_not(None),
                OutboxRow.next_attempt_at.is_(None) | (OutboxRow.next_attempt_at <= now),
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(self.session.scalars(stmt))
        for row in rows:
            row.next_attempt_at = now + lease
            row.attempts += 1
        self.session.flush()
        return [
            Outgoing(
                id=r.id,
                telegram_id=r.telegram_id,
                language=Language(r.language),
                reply=Reply.from_payload(json.loads(r.payload)),
                booking_id=r.booking_id,
                copy=Copy(r.copy_from_chat, r.copy_message_id, r.copy_captioned)
                if r.copy_from_chat is not None and r.copy_message_id is not None
                else None,
                attempts=r.attempts,
            )
            for r in rows
        ]

    def mark_sent(self, outbox_id: int, *, now: datetime, message_id: int | None = None) -> None:
        row = self.session.get_one(OutboxRow, outbox_id)
        row.sent_at, row.message_id, row.next_attempt_at = now, message_id, None

    def retry_at(self, outbox_id: int, at: datetime, *, error: str) -> None:
        row = self.session.get_one(OutboxRow, outbox_id)
        row.next_attempt_at, row.error = at, error[:500]

    def give_up(self, outbox_id: int, *, now: datetime, error: str) -> None:
        row = self.session.get_one(OutboxRow, outbox_id)
        row.next_attempt_at, row.error = None, error[:500]

    def booking_of_message(self, telegram_id: int, message_id: int) -> int | None:
        return self.session.scalar(
            select(OutboxRow.booking_id).where(
                OutboxRow.telegram_id == telegram_id, OutboxRow.message_id == message_id
            )
        )
