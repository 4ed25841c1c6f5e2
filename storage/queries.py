"""Read-only views for the staff console: small DTOs, no domain rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.payments import LedgerKind, PaymentState
from core.timezone import BERLIN
from storage.rows.bookings import BookingEventRow, BookingRow
from storage.rows.customers import ChatMessageRow, CustomerRow
from storage.rows.helpers import HelperRow
from storage.rows.ledger import LedgerRow
from storage.rows.ratings import RatingRow
from storage.rows.relay import FlagRow, RelayMessageRow
from storage.rows.requests import RequestRow


@dataclass(frozen=True)
class HelperLine:
    id: int
    name: str
    status: str
    verified: bool
    skills: str
    rate_cents: int
    rating_count: int
    rating_sum: int
    created_at: datetime


@dataclass(frozen=True)
class BookingLine:
    id: int
    state: str
    category: str
    customer: str
    helper: str
    start: datetime | None
    amount_cents: int | None
    payment: str | None
    updated_at: datetime


@dataclass(frozen=True)
class EventLine:
    at: datetime
    actor: str
    trigger: str
    from_state: str
    to_state: str
    reason: str
    source: str


@dataclass(frozen=True)
class Dashboard:
    waiting_requests: int
    oldest_waiting: datetime | None
    bookings_by_state: dict[str, int]
    open_flags: int
    holds_expiring: int
    payments_stuck: int  # a capture or other payment step failed and waits for support


@dataclass(frozen=True)
class ConversationLine:
    customer_id: int
    name: str
    language: str
    last_at: datetime | None
    messages: int
    category: str | None
    request_status: str | None
    taken_over: bool
    flags: int


@dataclass(frozen=True)
class ChatLine:
    id: int
    at: datetime
    who: str  # customer, bot, support, helper (relay)
    kind: str
    text: str
    intent: str | None = None  # what the NLU read in a person's text
    confidence: float | None = None


@dataclass(frozen=True)
class Stats:
    """The last days, one value per day (days[i] is the day), for the dashboard's charts."""

    days: list[str]
    requests_by_category: dict[str, list[int]]
    minutes_to_first_offer: list[float | None]  # median per day
    minutes_to_acceptance: list[float | None]
    funnel: tuple[int, int, int]  # requests, booked, paid (card or cash)
    revenue_cents: list[int]  # captured − refunded + cash
    fee_cents: list[int]
    ratings: list[int]  # how many 1 … 5 stars customers gave
    unsure_share: list[float | None]  # share of messages the NLU was unsure about


#: Below this confidence the NLU counts as unsure (Rasa's fallback threshold is lower).
UNSURE = 0.6


class Queries:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def dashboard(self, now: datetime) -> Dashboard:
        with self.sessions() as s:
            waiting = s.execute(
                select(func.count(), func.min(RequestRow.created_at)).where(RequestRow.status == "searching")
            ).one()
            states = dict(
                s.execute(select(BookingRow.state, func.count()).group_by(BookingRow.state)).tuples().all()
            )
            flags = s.scalar(select(func.count()).select_from(FlagRow).where(FlagRow.resolved_at.is_(None)))
            expiring = s.scalar(
                select(func.count())
                .select_from(BookingRow)
                .where(
                    BookingRow.hold_expires_at.is_not(None),
                    BookingRow.hold_expires_at < now + timedelta(days=1),
                )
            )
            stuck = s.scalar(
                select(func.count())
                .select_from(FlagRow)
                .where(FlagRow.kind == "payment", FlagRow.resolved_at.is_(None))
            )
        return Dashboard(
            int(waiting[0]), waiting[1], states, int(flags or 0), int(expiring or 0), int(stuck or 0)
        )

    def conversations(
        self,
        *,
        search: str = "",
        flagged: bool = False,
        category: str = "",
        state: str = "",
        helper: str = "",
        limit: int = 200,
    ) -> list[ConversationLine]:
        """Customers with their last message, newest first; `search` matches name or message text,
        `category` and `state` the latest request, `helper` the name of a helper they booked."""
        with self.sessions() as s:
            last = (
                select(
                    ChatMessageRow.telegram_id,
                    func.max(ChatMessageRow.at).label("last"),
                    func.count().label("n"),
                )
                .group_by(ChatMessageRow.telegram_id)
                .subquery()
            )
            stmt = (
                select(CustomerRow, last.c.last, last.c.n)
                .join(last, last.c.telegram_id == CustomerRow.telegram_id)
                .order_by(last.c.last.desc())
                .limit(limit)
            )
            if search:
                like = f"%{search.lower()}%"
                texts = select(ChatMessageRow.telegram_id).where(func.lower(ChatMessageRow.text).like(like))
                stmt = stmt.where(
                    func.lower(CustomerRow.name).like(like) | CustomerRow.telegram_id.in_(texts)
                )
            lines = []
            for customer, last_at, n in s.execute(stmt).tuples():
                request = s.scalar(
                    select(RequestRow)
                    .where(RequestRow.customer_id == customer.id)
                    .order_by(RequestRow.id.desc())
                )
                flags = (
                    s.scalar(
                        select(func.count())
                        .select_from(FlagRow)
                        .join(BookingRow, BookingRow.id == FlagRow.booking_id)
                        .where(BookingRow.customer_id == customer.id, FlagRow.resolved_at.is_(None))
                    )
                    or 0
                )
                if flagged and not flags:
                    continue
                if category and (request is None or request.category != category):
                    continue
                if state and (request is None or request.status != state):
                    continue
                if helper and not s.scalar(
                    select(func.count())
                    .select_from(BookingRow)
                    .join(HelperRow, HelperRow.id == BookingRow.helper_id)
                    .where(
                        BookingRow.customer_id == customer.id,
                        func.lower(HelperRow.name).like(f"%{helper.lower()}%"),
                    )
                ):
                    continue
                lines.append(
                    ConversationLine(
                        customer.id,
                        customer.name,
                        customer.language,
                        last_at,
                        int(n),
                        request.category if request else None,
                        request.status if request else None,
                        customer.taken_over_by is not None,
                        int(flags),
                    )
                )
            return lines

    def customer(self, customer_id: int) -> tuple[str, str, int, bool] | None:
        """(name, language, telegram id, taken over) of a customer."""
        with self.sessions() as s:
            row = s.get(CustomerRow, customer_id)
            return (
                None
                if row is None
                else (row.name, row.language, row.telegram_id, row.taken_over_by is not None)
            )

    def chat(self, customer_id: int, *, after: int = 0) -> list[ChatLine]:
        """The person's chat with the bot and support, then what they wrote with helpers."""
        with self.sessions() as s:
            customer = s.get(CustomerRow, customer_id)
            if customer is None:
                return []
            rows = s.scalars(
                select(ChatMessageRow)
                .where(ChatMessageRow.telegram_id == customer.telegram_id, ChatMessageRow.id > after)
                .order_by(ChatMessageRow.id)
            )
            return [
                ChatLine(
                    r.id,
                    r.at,
                    "customer" if r.incoming else ("support" if r.staff_id else "bot"),
                    r.kind,
                    r.text,
                    r.intent,
                    r.confidence,
                )
                for r in rows
            ]

    def relay(self, customer_id: int) -> list[tuple[int, datetime, str, str, str, str]]:
        """(booking, at, sender, kind, text, flagged kinds) of the customer's relayed messages."""
        with self.sessions() as s:
            rows = s.execute(
                select(RelayMessageRow)
                .join(BookingRow, BookingRow.id == RelayMessageRow.booking_id)
                .where(BookingRow.customer_id == customer_id)
                .order_by(RelayMessageRow.id)
            ).scalars()
            return [(r.booking_id, r.created_at, r.sender, r.kind, r.text, r.leaks) for r in rows]

    def requests(self, customer_id: int) -> list[tuple[int, datetime, str, str, float, str]]:
        """(id, created, category, intent, confidence, status) of a customer's requests."""
        with self.sessions() as s:
            rows = s.scalars(
                select(RequestRow).where(RequestRow.customer_id == customer_id).order_by(RequestRow.id)
            )
            return [(r.id, r.created_at, r.category, r.intent, r.confidence, r.status) for r in rows]

    def flags(
        self, *, resolved: bool = False, limit: int = 200
    ) -> list[tuple[int, datetime, str, str, str, int | None]]:
        """(id, created, kind, by, note, booking) of flags, open ones oldest first."""
        with self.sessions() as s:
            stmt = select(FlagRow).where(
                FlagRow.resolved_at.is_not(None) if resolved else FlagRow.resolved_at.is_(None)
            )
            rows = s.scalars(stmt.order_by(FlagRow.id.desc() if resolved else FlagRow.id).limit(limit))
            return [(r.id, r.created_at, r.kind, r.by, r.note, r.booking_id) for r in rows]

    def cash_balances(self) -> list[tuple[int, str, int]]:
        """(helper, name, cents owed) for helpers who owe fees from cash jobs."""
        with self.sessions() as s:
            rows = s.execute(
                select(HelperRow.id, HelperRow.name, func.sum(LedgerRow.amount_cents))
                .join(LedgerRow, LedgerRow.helper_id == HelperRow.id)
                .where(LedgerRow.kind == "balance")
                .group_by(HelperRow.id, HelperRow.name)
                .having(func.sum(LedgerRow.amount_cents) != 0)
            ).tuples()
            return [(h, n, int(c)) for h, n, c in rows]

    def customers(
        self, *, search: str = "", limit: int = 200, customer_id: int | None = None
    ) -> list[tuple[int, str, str, datetime, bool, int]]:
        """(id, name, language, since, blocked, bookings) of customers, newest first."""
        with self.sessions() as s:
            counts = (
                select(BookingRow.customer_id, func.count().label("n"))
                .group_by(BookingRow.customer_id)
                .subquery()
            )
            stmt = (
                select(CustomerRow, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.customer_id == CustomerRow.id)
                .where(CustomerRow.telegram_id > 0)
                .order_by(CustomerRow.id.desc())
                .limit(limit)
            )
            if search:
                stmt = stmt.where(func.lower(CustomerRow.name).like(f"%{search.lower()}%"))
            if customer_id is not None:
                stmt = stmt.where(CustomerRow.id == customer_id)
            return [
                (c.id, c.name, c.language, c.created_at, c.blocked_at is not None, int(n))
                for c, n in s.execute(stmt).tuples()
            ]

    def stats(self, now: datetime, *, days: int = 30) -> Stats:
        first = (now.astimezone(BERLIN) - timedelta(days=days - 1)).date()
        labels = [(first + timedelta(days=i)) for i in range(days)]
        index = {d: i for i, d in enumerate(labels)}
        since = now - timedelta(days=days + 1)

        def day(moment: datetime) -> int | None:
            return index.get(moment.astimezone(BERLIN).date())

        with self.sessions() as s:
            requests = list(s.scalars(select(RequestRow).where(RequestRow.created_at >= since)))
            bookings = list(s.scalars(select(BookingRow).where(BookingRow.offered_at >= since)))
            accepted = dict(
                s.execute(
                    select(BookingEventRow.booking_id, func.min(BookingEventRow.at))
                    .where(BookingEventRow.trigger == "accept", BookingEventRow.at >= since)
                    .group_by(BookingEventRow.booking_id)
                )
                .tuples()
                .all()
            )
            money = list(
                s.execute(
                    select(LedgerRow.kind, LedgerRow.amount_cents, LedgerRow.at).where(LedgerRow.at >= since)
                )
            )
            stars = list(s.scalars(select(RatingRow.stars).where(RatingRow.by == "customer")))
            read = list(
                s.execute(
                    select(ChatMessageRow.at, ChatMessageRow.intent, ChatMessageRow.confidence).where(
                        ChatMessageRow.at >= since, ChatMessageRow.intent.is_not(None)
                    )
                ).tuples()
            )
        by_category: dict[str, list[int]] = {}
        unsure = [[0, 0] for _ in labels]
        for r in requests:
            i = day(r.created_at)
            if i is None:
                continue
            by_category.setdefault(r.category, [0] * days)[i] += 1
        for sent, intent, confidence in read:  # every message a person wrote that the NLU read
            i = day(sent)
            if i is not None:
                unsure[i][1] += 1
                unsure[i][0] += (confidence or 0) < UNSURE or intent == "nlu_fallback"
        created = {r.id: r.created_at for r in requests}
        to_offer: list[list[float]] = [[] for _ in labels]
        to_accept: list[list[float]] = [[] for _ in labels]
        first_offer: dict[int, datetime] = {}
        for b in bookings:
            if b.request_id in created and (
                b.request_id not in first_offer or b.offered_at < first_offer[b.request_id]
            ):
                first_offer[b.request_id] = b.offered_at
        for request_id, offered in first_offer.items():
            i = day(created[request_id])
            if i is not None:
                to_offer[i].append((offered - created[request_id]).total_seconds() / 60)
        for b in bookings:
            taken = accepted.get(b.id)
            i = day(b.offered_at)
            if taken is not None and i is not None:
                to_accept[i].append((taken - b.offered_at).total_seconds() / 60)
        revenue, fee = [0] * days, [0] * days
        for kind, cents, at in money:
            i = day(at)
            if i is None:
                continue
            if kind in {LedgerKind.CAPTURED, LedgerKind.CASH}:
                revenue[i] += cents
            elif kind == LedgerKind.REFUNDED:
                revenue[i] -= cents
            elif kind == LedgerKind.FEE:
                fee[i] += cents
        booked = {b.request_id for b in bookings if b.id in accepted}
        paid = {b.request_id for b in bookings if b.payment in set(PaymentState)}
        return Stats(
            days=[d.strftime("%d.%m.") for d in labels],
            requests_by_category=by_category,
            minutes_to_first_offer=[round(median(v), 1) if v else None for v in to_offer],
            minutes_to_acceptance=[round(median(v), 1) if v else None for v in to_accept],
            funnel=(len(requests), len(booked), len(paid)),
            revenue_cents=revenue,
            fee_cents=fee,
            ratings=[sum(1 for x in stars if x == n) for n in range(1, 6)],
            unsure_share=[round(u / n, 3) if n else None for u, n in unsure],
        )

    def helper(self, helper_id: int) -> dict[str, Any] | None:
        """A helper's whole profile (public and private) and the ratings customers gave them."""
        with self.sessions() as s:
            row = s.get(HelperRow, helper_id)
            if row is None:
                return None
            ratings = (
                s.execute(
                    select(RatingRow.stars, RatingRow.comment, RatingRow.created_at, BookingRow.id)
                    .join(BookingRow, BookingRow.id == RatingRow.booking_id)
                    .where(BookingRow.helper_id == helper_id, RatingRow.by == "customer")
                    .order_by(RatingRow.created_at.desc())
                )
                .tuples()
                .all()
            )
            owed = s.scalar(
                select(func.coalesce(func.sum(LedgerRow.amount_cents), 0)).where(
                    LedgerRow.helper_id == helper_id, LedgerRow.kind == "balance"
                )
            )
            jobs = s.scalar(
                select(func.count()).select_from(BookingRow).where(BookingRow.helper_id == helper_id)
            )
            profile = {
                c.name: getattr(row, c.name)
                for c in row.__table__.columns
                if c.name not in {"answered", "editing"}
            }
            return {**profile, "ratings": list(ratings), "owed": int(owed or 0), "jobs": int(jobs or 0)}

    def helpers(self, *, status: str = "", limit: int = 200) -> list[HelperLine]:
        """Unverified first, then newest; `status`: active, paused, suspended, registering or unverified."""
        with self.sessions() as s:
            stmt = select(HelperRow).order_by(HelperRow.verified, HelperRow.created_at.desc()).limit(limit)
            if status == "unverified":
                stmt = stmt.where(HelperRow.verified.is_(False))
            elif status:
                stmt = stmt.where(HelperRow.status == status)
            rows = s.scalars(stmt)
            return [
                HelperLine(
                    r.id,
                    r.name,
                    r.status,
                    r.verified,
                    r.skills,
                    r.rate_cents,
                    r.rating_count,
                    r.rating_sum,
                    r.created_at,
                )
                for r in rows
            ]

    def booking(self, booking_id: int) -> BookingLine | None:
        return next((b for b in self.bookings(booking_id=booking_id)), None)

    def bookings(
        self,
        *,
        state: str | None = None,
        limit: int = 200,
        booking_id: int | None = None,
        customer_id: int | None = None,
    ) -> list[BookingLine]:
        with self.sessions() as s:
            stmt = (
                select(BookingRow, CustomerRow.name, HelperRow.name)
                .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
                .join(HelperRow, HelperRow.id == BookingRow.helper_id)
                .order_by(BookingRow.updated_at.desc())
                .limit(limit)
            )
            if state:
                stmt = stmt.where(BookingRow.state == state)
            if booking_id is not None:
                stmt = stmt.where(BookingRow.id == booking_id)
            if customer_id is not None:
                stmt = stmt.where(BookingRow.customer_id == customer_id)
            return [
                BookingLine(b.id, b.state, b.category, c, h, b.start, b.amount_cents, b.payment, b.updated_at)
                for b, c, h in s.execute(stmt).tuples()
            ]

    def timeline(self, booking_id: int) -> list[EventLine]:
        with self.sessions() as s:
            rows = s.scalars(
                select(BookingEventRow)
                .where(BookingEventRow.booking_id == booking_id)
                .order_by(BookingEventRow.id)
            )
            return [
                EventLine(r.at, r.actor, r.trigger, r.from_state, r.to_state, r.reason, r.source)
                for r in rows
            ]

    def ledger(self, booking_id: int) -> list[tuple[datetime, str, int, str, str]]:
        with self.sessions() as s:
            rows = s.scalars(
                select(LedgerRow).where(LedgerRow.booking_id == booking_id).order_by(LedgerRow.id)
            )
            return [(r.at, r.kind, r.amount_cents, r.reference, r.note) for r in rows]

    def ratings(self, booking_id: int) -> list[tuple[str, int, str]]:
        with self.sessions() as s:
            rows = s.scalars(select(RatingRow).where(RatingRow.booking_id == booking_id))
            return [(r.by, r.stars, r.comment) for r in rows]
