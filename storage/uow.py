"""SqlUnitOfWork: one session per use case; commit is explicit, rollback the default."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from storage.repositories.addresses import SqlAddresses
from storage.repositories.bookings import SqlBookings
from storage.repositories.chats import SqlChats
from storage.repositories.customers import SqlChatLog, SqlCustomers
from storage.repositories.helpers import SqlHelpers
from storage.repositories.ledger import SqlLedger, SqlProviderEvents
from storage.repositories.offers import SqlOffers
from storage.repositories.outbox import SqlOutbox
from storage.repositories.privacy import SqlPrivacy
from storage.repositories.ratings import SqlRatings
from storage.repositories.relay import SqlRelay
from storage.repositories.requests import SqlRequests
from storage.repositories.staff import SqlAudit, SqlStaff
from storage.repositories.timers import SqlTimers
from storage.repositories.updates import SqlProcessedUpdates


class SqlUnitOfWork:
    customers: SqlCustomers
    requests: SqlRequests
    updates: SqlProcessedUpdates
    helpers: SqlHelpers
    offers: SqlOffers
    outbox: SqlOutbox
    bookings: SqlBookings
    timers: SqlTimers
    relay: SqlRelay
    ratings: SqlRatings
    ledger: SqlLedger
    provider_events: SqlProviderEvents
    staff: SqlStaff
    audit: SqlAudit
    chat: SqlChatLog
    chats: SqlChats
    privacy: SqlPrivacy
    addresses: SqlAddresses

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        if self._session is not None:
            raise RuntimeError("unit of work is already open")
        self._session = self._sessions()
        self.customers = SqlCustomers(self._session)
        self.requests = SqlRequests(self._session)
        self.updates = SqlProcessedUpdates(self._session)
        self.helpers = SqlHelpers(self._session)
        self.offers = SqlOffers(self._session)
        self.outbox = SqlOutbox(self._session)
        self.bookings = SqlBookings(self._session)
        self.timers = SqlTimers(self._session)
        self.relay = SqlRelay(self._session)
        self.ratings = SqlRatings(self._session)
        self.ledger = SqlLedger(self._session)
        self.provider_events = SqlProviderEvents(self._session)
        self.staff = SqlStaff(self._session)
        self.audit = SqlAudit(self._session)
        self.chat = SqlChatLog(self._session)
        self.chats = SqlChats(self._session)
        self.privacy = SqlPrivacy(self._session)
        self.addresses = SqlAddresses(self._session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        assert self._session is not None
        self._session.commit()
