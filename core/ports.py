"""What core needs from the outside, as Protocols; storage implements them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

from core.address import VisitAddress
from core.booking import Actor, Booking, BookingEvent, BookingState, Rating, Timer, TimerKind
from core.categories import Category
from core.chat import ChatFacts, Claim
from core.geo import Location, Place
from core.helpers import Helper
from core.ids import BookingId, Cents, CustomerId, HelperId, RequestId, TelegramUserId
from core.intake import Customer, Problem, Request, RequestStatus
from core.language import Language
from core.matching import IndexEntry
from core.notices import Copy, Outgoing, Reply
from core.payments import LedgerEntry
from core.relay import Prompt
from core.staff import AuditEntry, Role, StaffMember


class Customers(Protocol):
    def by_telegram_id(self, telegram_id: TelegramUserId) -> Customer | None: ...
    def get(self, customer_id: CustomerId) -> Customer: ...
    def add(
        self, telegram_id: TelegramUserId, *, name: str, language: Language, now: datetime
    ) -> Customer: ...
    def set_language(self, customer_id: CustomerId, language: Language, *, chosen: bool = True) -> None:
        """chosen: the person picked it (/language); else it follows what they write."""
        ...

    def set_taken_over(self, customer_id: CustomerId, staff_id: int | None) -> None: ...
    def set_consented(self, customer_id: CustomerId, now: datetime | None) -> None: ...
    def set_blocked(self, customer_id: CustomerId, now: datetime | None) -> None: ...


class ChatLog(Protocol):
    def note_nlu(self, telegram_id: int, text: str, intent: str, confidence: float) -> None:
        """What the NLU read in the person's latest message (when it is this text)."""
        ...

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
        """booking_id, helper_id: what a line the bot sent is about (a booking, a helper's card),
        so erasing that person also erases the line."""
        ...


class Requests(Protocol):
    def open_for(self, customer_id: CustomerId) -> Request | None: ...
    def latest_for(self, customer_id: CustomerId) -> Request | None: ...
    def get(self, request_id: RequestId) -> Request | None: ...
    def add(self, customer: Customer, problem: Problem, *, description: str, now: datetime) -> Request: ...
    def refine(self, request_id: RequestId, problem: Problem, *, description: str, now: datetime) -> Request:
        """A follow-up message read together with what came before: the same request, re-read."""
        ...

    def set_category(
        self, request_id: RequestId, category: Category, *, now: datetime, picked: bool = False
    ) -> None:
        """picked: the customer's button (recorded, and it wins over later messages)."""
        ...

    def set_place(self, request_id: RequestId, place: Place, *, now: datetime) -> None: ...
    def set_status(self, request_id: RequestId, status: RequestStatus, *, now: datetime) -> None: ...
    def choose_helper(self, request_id: RequestId, helper_id: int, *, now: datetime) -> None: ...
    def clear_place(self, request_id: RequestId, *, now: datetime) -> None: ...
    def set_notify(self, request_id: RequestId, notify: bool, *, now: datetime) -> None: ...
    def attach_photo(self, request_id: RequestId, photo: str, *, now: datetime) -> None: ...
    def set_remote(self, request_id: RequestId, remote: bool, *, now: datetime) -> None: ...
    def waiting_for_helpers(self) -> list[Request]:
        """Searching requests whose customer asked to be told when a helper is available."""
        ...


class Helpers(Protocol):
    def get(self, helper_id: HelperId) -> Helper | None: ...
    def by_telegram_id(self, telegram_id: TelegramUserId) -> Helper | None: ...
    def by_stripe_account(self, account: str) -> Helper | None: ...
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
        reaching: tuple[Location, float] | None = None,
        bar: float | None = None,
    ) -> list[IndexEntry]:
        """Index entries in these grid cells (a long list may be read as the range from its
        lowest to its highest cell, and then others come too); with max_static_cost only
        those whose rating and price cost (Ranking.static_cost) is at most that; with reaching
        (a place, slack km) only helpers whose radius (plus the slack) may reach the place,
        and with a bar too only those whose lower bound there (IndexEntry.lower_bound) may be
        at most the bar (database-side pre-filters: never drop one who reaches or may win)."""
        ...

    def first_look(
        self,
        category: Category,
        language: Language,
        district: str,
        cells: Sequence[int],
        *,
        per_cell: int,
        reaching: tuple[Location, float] | None = None,
    ) -> tuple[list[IndexEntry], list[IndexEntry]]:
        """The entries of helpers who serve the whole district, and in each grid cell the
        `per_cell` entries of lowest static cost (reaching as above)."""
        ...

    def remote(self, category: Category, language: Language, *, cheapest: int) -> list[IndexEntry]:
        """Helpers who also help remotely, best static cost (rating, price) first."""
        ...

    def count(self) -> int: ...
    def refresh_statistics(self) -> None:
        """Let the database re-plan after many helpers were added at once."""
        ...


class Outbox(Protocol):
    """Messages for the bot process to send (only the bot talks to Telegram)."""

    def add(
        self,
        telegram_id: int,
        language: Language,
        reply: Reply,
        *,
        now: datetime,
        booking_id: int | None = None,
        copy: Copy | None = None,
    ) -> int: ...
    def claim(self, *, now: datetime, limit: int, lease: timedelta) -> list[Outgoing]:
        """Due messages, oldest first, each leased to the caller for `lease`."""
        ...

    def hand_over(self, lease: timedelta) -> None:
        """Messages added after this, in this transaction, are leased to the caller for `lease`
        (it sends them right after the commit)."""
        ...

    def handed(self) -> list[Outgoing]:
        """The messages added since hand_over."""
        ...

    def mark_sent(self, outbox_id: int, *, now: datetime, message_id: int | None = None) -> None: ...
    def retry_at(self, outbox_id: int, at: datetime, *, error: str) -> None: ...
    def give_up(self, outbox_id: int, *, now: datetime, error: str) -> None: ...
    def booking_of_message(self, telegram_id: int, message_id: int) -> int | None:
        """The booking a message we sent to this chat belongs to (a reply routes by it)."""
        ...

    def backlog(self, now: datetime) -> tuple[int, datetime | None]:
        """Messages waiting to be sent and when the oldest was queued."""
        ...

    def release(self, *, now: datetime) -> int:
        """Leases end now (their process is gone); the number released."""
        ...


class Bookings(Protocol):
    def get(self, booking_id: BookingId) -> Booking | None: ...
    def add(self, booking: Booking) -> Booking: ...
    def save(self, booking: Booking) -> Booking:
        """Write a changed booking; raises Conflict when someone else changed it meanwhile."""
        ...

    def for_request(self, request_id: RequestId) -> list[Booking]: ...
    def by_payment_ref(self, reference: str) -> Booking | None: ...
    def of_customer(self, customer_id: CustomerId, states: Iterable[BookingState]) -> list[Booking]: ...
    def of_helper(self, helper_id: HelperId, states: Iterable[BookingState]) -> list[Booking]: ...
    def with_open_relay(
        self, *, customer_id: CustomerId | None, helper_id: HelperId | None
    ) -> list[Booking]: ...
    def record(self, event: BookingEvent) -> None: ...
    def events(self, booking_id: BookingId) -> list[BookingEvent]: ...


class Timers(Protocol):
    def set(self, booking_id: BookingId, kind: TimerKind, due_at: datetime) -> None:
        """Set (or move) a booking's timer of this kind; a moved timer fires again."""
        ...

    def cancel(self, booking_id: BookingId, kinds: Iterable[TimerKind] | None = None) -> None: ...
    def due(self, now: datetime, *, limit: int) -> list[Timer]: ...
    def overdue(self, now: datetime) -> int:
        """How many timers are due and have not fired."""
        ...

    def get(self, timer_id: int) -> Timer | None: ...
    def claim(self, timer_id: int, *, now: datetime) -> bool:
        """Mark a due timer fired; False when it fired already (elsewhere) or was cancelled."""
        ...


class Relay(Protocol):
    """The relayed conversation: transcript, flags for support, blocks, awaited answers."""

    def log(
        self,
        booking_id: BookingId,
        sender: Actor,
        *,
        kind: str,
        text: str,
        file_id: str | None,
        leaks: Sequence[str],
        now: datetime,
    ) -> int: ...
    def transcript(self, booking_id: BookingId) -> list[tuple[Actor, str, str]]:
        """(sender, kind, text) in order."""
        ...

    def flag(self, booking_id: BookingId | None, kind: str, *, by: Actor, note: str, now: datetime) -> bool:
        """Flag for support; False when this booking already has an open flag of this kind."""
        ...

    def flags(self, booking_id: BookingId) -> list[tuple[str, str]]: ...
    def resolve_flag(self, flag_id: int, note: str, *, now: datetime) -> bool:
        """False when there is no such open flag."""
        ...

    def block(self, customer_id: CustomerId, helper_id: HelperId, *, by: Actor, now: datetime) -> None: ...
    def blocked_helpers(self, customer_id: CustomerId) -> set[int]: ...
    def prompt(self, telegram_id: int) -> Prompt | None: ...
    def ask(self, prompt: Prompt, *, now: datetime) -> None: ...
    def answered(self, telegram_id: int) -> None: ...


class Addresses(Protocol):
    def set(self, booking_id: BookingId, address: VisitAddress, *, now: datetime) -> None: ...
    def of_booking(self, booking_id: BookingId) -> VisitAddress | None: ...
    def erase(self, booking_ids: list[BookingId]) -> int: ...


class Ratings(Protocol):
    def add(self, rating: Rating, *, now: datetime) -> bool:
        """False when this side rated this booking already."""
        ...

    def comment(self, booking_id: BookingId, by: Actor, comment: str) -> None: ...
    def of_booking(self, booking_id: BookingId) -> list[Rating]: ...


class Offers(Protocol):
    def shown(self, request_id: int) -> list[int]: ...
    def record(self, request_id: int, helper_ids: Sequence[int], *, now: datetime) -> None: ...


@dataclass(frozen=True)
class Received:
    """An update as it arrived: its id, its chat (for erasure), the update itself (JSON)."""

    update_id: int
    chat_id: int | None
    payload: str | None


class ProcessedUpdates(Protocol):
    def receive(self, source: str, updates: Sequence[Received], *, now: datetime) -> None:
        """Keep updates that arrived (a repeat is ignored) until they are handled."""
        ...

    def claim(
        self,
        source: str,
        update_id: int,
        *,
        now: datetime,
        lease: timedelta,
        chat_id: int | None = None,
        tries: int,
    ) -> bool:
        """Lease an update for handling; False when it was handled, is leased by another
        process, or failed `tries` times."""
        ...

    def finish(self, source: str, update_ids: Sequence[int], *, now: datetime) -> None:
        """Handled: the kept update is cleared."""
        ...

    def release(self, source: str, *, now: datetime) -> int:
        """Leases end now (their process is gone); the number released."""
        ...

    def prune(self, source: str, *, before: datetime) -> int:
        """Forget updates done before then (Telegram delivers nothing that old again)."""
        ...

    def unfinished(
        self, source: str, *, now: datetime, grace: timedelta, tries: int, limit: int
    ) -> list[Received]:
        """Updates nobody finished: a lease ran out, or unclaimed since `grace`."""
        ...


class StaffAccounts(Protocol):
    def add(self, email: str, password_hash: str, role: Role, *, now: datetime) -> StaffMember: ...
    def by_email(self, email: str) -> tuple[StaffMember, str] | None:
        """The account and its password hash."""
        ...

    def get(self, staff_id: int) -> StaffMember | None: ...
    def all(self) -> list[StaffMember]: ...
    def set_disabled(self, staff_id: int, disabled: bool) -> None: ...
    def set_password_hash(self, staff_id: int, password_hash: str) -> None: ...
    def start_session(
        self, token_hash: str, staff_id: int, csrf: str, *, now: datetime, expires: datetime
    ) -> None: ...
    def session_of(self, token_hash: str, *, now: datetime) -> tuple[StaffMember, str] | None:
        """The member and the session's CSRF token, for a live session of an enabled account."""
        ...

    def end_session(self, token_hash: str) -> None: ...
    def end_sessions_of(self, staff_id: int) -> None: ...
    def claim_attempt(
        self, key: str, *, now: datetime, wait: Callable[[int, datetime], timedelta]
    ) -> timedelta:
        """Count one more login attempt under `key`, atomically, unless `wait(count, last attempt)`
        is positive: then nothing is counted and that wait is returned."""
        ...

    def give_back_attempt(self, key: str) -> None: ...
    def forget_attempts(self, key: str) -> None: ...


class AuditLog(Protocol):
    def add(self, entry: AuditEntry) -> None: ...
    def recent(
        self, *, limit: int = 200, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntry]: ...


class Privacy(Protocol):
    def export(self, customer_id: CustomerId) -> dict[str, Any]: ...
    def erase(self, customer_id: CustomerId, telegram_id: int, helper_id: HelperId | None) -> None: ...
    def erase_relay(self, booking_id: BookingId) -> int:
        """Erase a booking's relayed texts and photos; how many messages were erased."""
        ...


class Chats(Protocol):
    """The hot path of every update (storage answers it in plain SQL)."""

    def arrive(self, claim: Claim, *, targets: bool = False) -> ChatFacts | None:
        """Claims an update of a person's chat and reads the person and what their chat waits
        for (None: the update is not this process's to handle); with targets also the bookings
        with an open relay of the customer or helper with this id, with both sides. One round
        trip where the database allows it."""
        ...

    def relayed(
        self,
        booking_id: BookingId,
        sender: Actor,
        *,
        kind: str,
        text: str,
        file_id: str | None,
        now: datetime,
    ) -> None:
        """A transcript line of a relayed message (without contact details found in it)."""
        ...

    def log(
        self,
        telegram_id: int,
        *,
        kind: str,
        text: str,
        now: datetime,
        incoming: bool = True,
        booking_id: int | None = None,
        helper_id: int | None = None,
    ) -> None:
        """A line of the chat log; booking_id, helper_id: what a line the bot sent is about."""
        ...


class UnitOfWork(Protocol):
    customers: Customers
    requests: Requests
    updates: ProcessedUpdates
    helpers: Helpers
    outbox: Outbox
    offers: Offers
    bookings: Bookings
    timers: Timers
    relay: Relay
    ratings: Ratings
    ledger: Ledger
    provider_events: ProviderEvents
    staff: StaffAccounts
    audit: AuditLog
    chat: ChatLog
    chats: Chats
    privacy: Privacy
    addresses: Addresses

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...


@dataclass(frozen=True)
class Checkout:
    """Where a card payment starts: a payment page (url), or an offline hold that is in place
    already (url None)."""

    reference: str  # the provider's checkout session, or the offline hold
    url: str | None


@dataclass(frozen=True)
class ProviderPayment:
    """What the payment provider says about a payment (for reconciling the ledger)."""

    reference: str
    status: str
    capturable: int
    captured: int
    refunded: int


class PaymentProvider(Protocol):
    """Where card money is held, captured, released and refunded. `live` False: an offline
    stand-in (the demo), and the chat says so. Every write carries an idempotency key."""

    name: str
    live: bool

    def checkout(
        self,
        *,
        booking_id: BookingId,
        amount: Cents,
        fee: Cents,
        destination: str | None,
        description: str,
        idempotency_key: str,
        capture_later: bool = True,
    ) -> Checkout: ...
    def capture(self, reference: str, amount: Cents, *, fee: Cents, idempotency_key: str) -> None: ...
    def release(self, reference: str, *, idempotency_key: str) -> None: ...
    def expire_checkout(self, checkout: str, *, idempotency_key: str) -> None:
        """Make a payment page unusable (it was superseded); one already paid stays as it is."""
        ...

    def refund(self, reference: str, amount: Cents, *, idempotency_key: str) -> str:
        """Refund (reversing the helper's transfer and the fee in proportion); the refund's id."""
        ...

    def payment(self, reference: str) -> ProviderPayment: ...
    def connect_account(self, *, helper_id: HelperId, idempotency_key: str) -> str:
        """A connected Express account for a helper; its id."""
        ...

    def onboarding_link(self, account: str) -> str: ...


class Ledger(Protocol):
    def add(self, entries: Sequence[LedgerEntry]) -> None: ...
    def of_booking(self, booking_id: BookingId) -> list[LedgerEntry]: ...
    def balance(self, helper_id: HelperId) -> Cents:
        """What a helper owes the platform from cash jobs (minus what was settled)."""
        ...

    def bookings(self) -> list[BookingId]:
        """Bookings with any money movement, oldest first."""
        ...


class ProviderEvents(Protocol):
    def claim(self, event_id: str, event_type: str, *, now: datetime) -> bool:
        """Record a webhook event; False when it was processed before."""
        ...
