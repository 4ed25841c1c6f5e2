"""What core needs from the outside, as Protocols; storage implements them."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol

from core.categories import Category
from core.geo import Place
from core.ids import CustomerId, RequestId, TelegramUserId
from core.intake import Customer, Problem, Request, RequestStatus
from core.language import Language


class Customers(Protocol):
    def by_telegram_id(self, telegram_id: TelegramUserId) -> Customer | None: ...
    def get(self, customer_id: CustomerId) -> Customer: ...
    def add(
        self, telegram_id: TelegramUserId, *, name: str, language: Language, now: datetime
    ) -> Customer: ...
    def set_language(self, customer_id: CustomerId, language: Language) -> None: ...


class Requests(Protocol):
    def open_for(self, customer_id: CustomerId) -> Request | None: ...
    def latest_for(self, customer_id: CustomerId) -> Request | None: ...
    def get(self, request_id: RequestId) -> Request | None: ...
    def add(self, customer: Customer, problem: Problem, *, description: str, now: datetime) -> Request: ...
    def set_category(self, request_id: RequestId, category: Category, *, now: datetime) -> None: ...
    def set_place(self, request_id: RequestId, place: Place, *, now: datetime) -> None: ...
    def set_status(self, request_id: RequestId, status: RequestStatus, *, now: datetime) -> None: ...


class ProcessedUpdates(Protocol):
    def claim(self, source: str, update_id: int, *, now: datetime) -> bool:
        """Record an incoming update; False when it was recorded before (a repeat)."""
        ...


class UnitOfWork(Protocol):
    customers: Customers
    requests: Requests
    updates: ProcessedUpdates

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
