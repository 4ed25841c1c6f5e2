"""What core needs from the outside, as Protocols; storage implements them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol

from core.categories import Category
from core.geo import Place
from core.helpers import Helper
from core.ids import CustomerId, HelperId, RequestId, TelegramUserId
from core.intake import Customer, Problem, Request, RequestStatus
from core.language import Language
from core.matching import IndexEntry


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


class Helpers(Protocol):
    def get(self, helper_id: HelperId) -> Helper | None: ...
    def by_telegram_id(self, telegram_id: TelegramUserId) -> Helper | None: ...
    def save(self, helper: Helper, *, now: datetime) -> Helper:
        """Insert (id 0) or update a helper, and keep the matching index in step."""
        ...

    def many(self, ids: Iterable[int]) -> list[Helper]: ...
    def known_telegram_ids(self, telegram_ids: Sequence[int]) -> set[int]: ...
    def add_many(self, helpers: Sequence[Helper], *, now: datetime) -> None: ...
    def in_cells(
        self,
        category: Category,
        language: Language,
        cells: Sequence[int],
        *,
        max_static_cost: float | None = None,
        cheapest: int | None = None,
    ) -> list[IndexEntry]:
        """Index entries in these grid cells; with max_static_cost only those whose rating and
        price cost (Ranking.static_cost) is at most that; with cheapest only that many, lowest
        static cost first."""
        ...

    def serving(self, category: Category, language: Language, district: str) -> list[IndexEntry]: ...
    def count(self) -> int: ...


class ProcessedUpdates(Protocol):
    def claim(self, source: str, update_id: int, *, now: datetime) -> bool:
        """Record an incoming update; False when it was recorded before (a repeat)."""
        ...


class UnitOfWork(Protocol):
    customers: Customers
    requests: Requests
    updates: ProcessedUpdates
    helpers: Helpers

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
