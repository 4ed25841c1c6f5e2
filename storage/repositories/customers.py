"""Customers and their chat log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.ids import CustomerId, TelegramUserId
from core.intake import Customer
from core.language import Language
from storage.rows.customers import ChatMessageRow, CustomerRow


def _customer(row: CustomerRow) -> Customer:
    return Customer(
        id=CustomerId(row.id),
        telegram_id=TelegramUserId(row.telegram_id),
        name=row.name,
        language=Language(row.language),
        taken_over_by=row.taken_over_by,
        consented=row.consented_at is not None,
        blocked=row.blocked_at is not None,
        language_chosen=bool(row.language_chosen),
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

    def set_language(self, customer_id: CustomerId, language: Language, *, chosen: bool = True) -> None:
        row = self.session.get_one(CustomerRow, customer_id)
        row.language = str(language)
        row.language_chosen = row.language_chosen or chosen

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
        booking_id: int | None = None,
        helper_id: int | None = None,
    ) -> None:
        self.session.add(
            ChatMessageRow(
                telegram_id=telegram_id,
                incoming=incoming,
                kind=kind,
                text=text[:4096],
                staff_id=staff_id,
                at=now,
                booking_id=booking_id,
                helper_id=helper_id,
            )
        )
        self.session.flush()
