"""A database with customers and helpers in active bookings, for the relay benchmarks.

Everything goes through the product's own use cases (consent, intake, offer, acceptance), so
the bookings are exactly what a real chat produces.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Engine, event

from core.booking import BookingPolicy
from core.categories import SERVICE_CATEGORIES, category_of
from core.geo import PlaceIndex
from core.helpers import Availability, Helper, HelperStatus, WeeklySlot
from core.ids import Cents, HelperId, RequestId, TelegramUserId
from core.intake import Problem
from core.language import Language
from core.ports import UnitOfWork
from core.services import booking, intake, privacy
from storage.plain import PlainSql

ALWAYS = Availability(tuple(WeeklySlot(d, time(0), time(23, 59)) for d in range(7)))
_ids = itertools.count(1)


@dataclass(frozen=True)
class Pair:
    """A customer and a helper who talk to each other through an active booking."""

    customer: int  # Telegram ids
    helper: int
    booking_id: int


def _person(uow: Callable[[], UnitOfWork], telegram_id: int, name: str, now: datetime) -> int:
    customer = intake.ensure_customer(
        uow(), TelegramUserId(telegram_id), name=name, language_code="de", now=now
    )
    privacy.consent(uow(), TelegramUserId(telegram_id), now=now)
    return int(customer.id)


def active_pairs(
    uow: Callable[[], UnitOfWork], places: PlaceIndex, count: int, *, now: datetime, base: int = 7_000_000
) -> list[Pair]:
    """`count` customers, each in an accepted booking with a helper of their own."""
    place = places.by_postcode("10437")
    pairs = []
    for _ in range(count):
        n = next(_ids)
        customer_tg, helper_tg = base + 2 * n, base + 2 * n + 1
        with uow() as u:
            helper = u.helpers.save(
                Helper(
                    id=HelperId(0),
                    telegram_id=TelegramUserId(helper_tg),
                    name=f"Helper{n}",
                    skills=frozenset(SERVICE_CATEGORIES),
                    languages=frozenset({Language.DE}),
                    rate=Cents(1500),
                    home=place.location,
                    radius_km=5.0,
                    availability=ALWAYS,
                    status=HelperStatus.ACTIVE,
                    verified=True,
                    adult=True,
                    terms_accepted=True,
                ),
                now=now,
            )
            u.commit()
        _person(uow, helper_tg, f"Helper{n}", now)
        customer = _person(uow, customer_tg, f"Kunde{n}", now)
        problem = Problem("WLAN bricht ab", "problem_internet", category_of("problem_internet"), 0.97)
        intake.describe_problem(uow(), customer, problem, now=now)  # type: ignore[arg-type]
        replies = intake.set_place(uow(), customer, place, now=now)  # type: ignore[arg-type]
        request = RequestId(replies[0].request_id or 0)
        policy = BookingPolicy()
        shown = next((r.helper_id for r in replies if r.helper_id == helper.id), None)
        chosen = HelperId(shown or next(r.helper_id for r in replies if r.helper_id))
        booking.offer(uow(), customer, request, chosen, now=now, policy=policy)  # type: ignore[arg-type]
        with uow() as u:
            booking_id = next(b.id for b in u.bookings.for_request(request) if b.helper_id == chosen)
            chosen_tg = u.helpers.get(chosen).telegram_id  # type: ignore[union-attr]
        booking.answer_offer(uow(), chosen_tg, booking_id, accept=True, now=now, policy=policy)
        pairs.append(Pair(customer_tg, int(chosen_tg), int(booking_id)))
    outbox_delivered(uow, now)
    return pairs


class SqlCounter:
    """Counts the SQL statements and the transactions an engine runs."""

    def __init__(self, engine: Engine) -> None:
        self.statements = self.transactions = 0
        self._plain = PlainSql.runs
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        self.engine = engine

    def _statement(self, *_: object) -> None:
        self.statements += 1

    def _begin(self, *_: object) -> None:
        self.transactions += 1

    def reset(self) -> tuple[int, int]:
        """Statements (SQLAlchemy's and the plain ones the hot path hands the driver) and
        transactions since the last reset."""
        figures = self.statements + PlainSql.runs - self._plain, self.transactions
        self.statements = self.transactions = 0
        self._plain = PlainSql.runs
        return figures


def outbox_delivered(uow: Callable[[], UnitOfWork], now: datetime) -> None:
    """Mark what setting up the bookings queued as sent (a benchmark measures only its own)."""
    with uow() as u:
        for item in u.outbox.claim(now=now, limit=10_000, lease=timedelta(seconds=60)):
            u.outbox.mark_sent(item.id, now=now)
        u.commit()
