"""A booking, from the offer to one helper until both sides rated: one state machine.

    offered ─▶ accepted ─▶ scheduled ─▶ paid (card hold) | cash ─▶ in_progress ─▶ done ─▶ settled ─▶ rated
       │ declined / expired / withdrawn ─▶ the request is offered to the next helper
       └─ accepted … paid|cash ─▶ cancelled (customer, helper or support; fee rule)
    done ─▶ disputed ─▶ resolved (support)

Every transition is decided here (`decide`) and recorded as an event by the use case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from core.categories import Category
from core.errors import DomainError
from core.ids import BookingId, Cents, CustomerId, HelperId, RequestId


class BookingState(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    PAID = "paid"  # the card payment is held (authorised), captured after the job
    CASH = "cash"
    IN_PROGRESS = "in_progress"
    DONE = "done"  # the helper checked out; the customer confirms the time
    SETTLED = "settled"
    RATED = "rated"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # another helper accepted first, or the request was closed
    CANCELLED = "cancelled"
    DISPUTED = "disputed"
    RESOLVED = "resolved"


class Actor(StrEnum):
    CUSTOMER = "customer"
    HELPER = "helper"
    SUPPORT = "support"
    SYSTEM = "system"  # timers


class Trigger(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    EXPIRE = "expire"
    WITHDRAW = "withdraw"
    AGREE_TIME = "agree_time"  # the customer confirmed the helper's proposed time (also a new one)
    PAY_CARD = "pay_card"
    PAY_CASH = "pay_cash"
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"
    CONFIRM = "confirm"  # the customer confirmed the time worked (or 24 hours passed)
    DISPUTE = "dispute"
    RESOLVE = "resolve"
    CANCEL = "cancel"
    REVEAL = "reveal"  # both rated, or the rating window closed
    REAUTHORISE = "reauthorise"  # the card hold was about to lapse before the visit: pay again


S, T, A = BookingState, Trigger, Actor
#: (state, trigger) → new state. Anything not listed is refused.
TRANSITIONS: Final[dict[tuple[BookingState, Trigger], BookingState]] = {
    (S.OFFERED, T.ACCEPT): S.ACCEPTED,
    (S.OFFERED, T.DECLINE): S.DECLINED,
    (S.OFFERED, T.EXPIRE): S.EXPIRED,
    (S.OFFERED, T.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, T.AGREE_TIME): S.SCHEDULED,
    (S.SCHEDULED, T.AGREE_TIME): S.SCHEDULED,
    (S.PAID, T.AGREE_TIME): S.PAID,
    (S.CASH, T.AGREE_TIME): S.CASH,
    (S.SCHEDULED, T.PAY_CARD): S.PAID,
    (S.SCHEDULED, T.PAY_CASH): S.CASH,
    (S.PAID, T.CHECK_IN): S.IN_PROGRESS,
    (S.CASH, T.CHECK_IN): S.IN_PROGRESS,
    (S.IN_PROGRESS, T.CHECK_OUT): S.DONE,
    (S.DONE, T.CONFIRM): S.SETTLED,
    (S.DONE, T.DISPUTE): S.DISPUTED,
    (S.DISPUTED, T.RESOLVE): S.RESOLVED,
    (S.SETTLED, T.REVEAL): S.RATED,
    (S.PAID, T.REAUTHORISE): S.SCHEDULED,
    **{(s, T.CANCEL): S.CANCELLED for s in (S.ACCEPTED, S.SCHEDULED, S.PAID, S.CASH)},
}
#: Who may pull which trigger.
ACTORS: Final[dict[Trigger, frozenset[Actor]]] = {
    T.ACCEPT: frozenset({A.HELPER}),
    T.DECLINE: frozenset({A.HELPER}),
    T.EXPIRE: frozenset({A.SYSTEM}),
    T.WITHDRAW: frozenset({A.SYSTEM, A.CUSTOMER, A.SUPPORT}),
    T.AGREE_TIME: frozenset({A.CUSTOMER}),
    T.PAY_CARD: frozenset({A.CUSTOMER}),
    T.PAY_CASH: frozenset({A.CUSTOMER}),
    T.CHECK_IN: frozenset({A.HELPER}),
    T.CHECK_OUT: frozenset({A.HELPER}),
    T.CONFIRM: frozenset({A.CUSTOMER, A.SYSTEM, A.SUPPORT}),
    T.DISPUTE: frozenset({A.CUSTOMER}),
    T.RESOLVE: frozenset({A.SUPPORT}),
    T.CANCEL: frozenset({A.CUSTOMER, A.HELPER, A.SUPPORT}),
    T.REVEAL: frozenset({A.SYSTEM}),
    T.REAUTHORISE: frozenset({A.SYSTEM}),
}
#: States in which customer and helper talk through the relay.
RELAY_STATES: Final = frozenset(
    {
        S.ACCEPTED,
        S.SCHEDULED,
        S.PAID,
        S.CASH,
        S.IN_PROGRESS,
        S.DONE,
        S.DISPUTED,
        S.SETTLED,
        S.RATED,
        S.RESOLVED,
    }
)
#: States that are still in the helper's and customer's "current jobs".
ACTIVE_STATES: Final = frozenset(
    {S.OFFERED, S.ACCEPTED, S.SCHEDULED, S.PAID, S.CASH, S.IN_PROGRESS, S.DONE, S.DISPUTED}
)
#: The visit is agreed: reminders and check-in apply.
AGREED_STATES: Final = frozenset({S.SCHEDULED, S.PAID, S.CASH})


class AlreadyDone(DomainError):
    """The same button again, or a repeated input: the state already moved on as asked."""

    key = "booking.already_done"


class NotNow(DomainError):
    """A button from an earlier step, or a step that does not fit the booking's state."""

    key = "booking.not_now"


class NotYours(DomainError):
    key = "booking.not_yours"


class StaleProposal(DomainError):
    key = "booking.stale_proposal"


def decide(state: BookingState, trigger: Trigger, actor: Actor) -> BookingState:
    """The state after `trigger`, or a refusal that says why (already done / not now)."""
    if actor not in ACTORS[trigger]:
        raise NotYours()
    target = TRANSITIONS.get((state, trigger))
    if target is not None:
        return target
    if any(t == trigger and new == state for (_, t), new in TRANSITIONS.items()):
        raise AlreadyDone(state=str(state))
    raise NotNow(state=str(state))


@dataclass(frozen=True)
class Booking:
    id: BookingId
    request_id: RequestId
    customer_id: CustomerId
    helper_id: HelperId
    state: BookingState
    category: Category
    rate: Cents  # the helper's hourly rate when offered
    km: float  # helper's home to the customer's place
    offered_at: datetime
    deadline: datetime  # the offer's
    version: int = 0
    start: datetime | None = None  # the agreed visit
    minutes: int | None = None  # the agreed estimated duration
    proposal_no: int = 0
    proposed_start: datetime | None = None
    proposed_minutes: int | None = None
    payment: str | None = None  # "card" or "cash"
    payment_ref: str | None = None  # the provider's reference of the hold
    hold: Cents | None = None
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    amount: Cents | None = None  # what the customer pays for the work done
    fee: Cents | None = None  # a late cancellation's fee
    relay_closed_at: datetime | None = None
    checkout_id: str | None = None  # the payment page the customer was sent to (card)
    hold_expires_at: datetime | None = None

    @property
    def relay_open(self) -> bool:
        return self.state in RELAY_STATES and self.relay_closed_at is None

    @property
    def estimate(self) -> Cents | None:
        return None if self.minutes is None else price(self.rate, self.minutes)

    @property
    def worked_minutes(self) -> int | None:
        if self.checked_in_at is None or self.checked_out_at is None:
            return None
        return max(1, math.ceil((self.checked_out_at - self.checked_in_at) / timedelta(minutes=1)))


@dataclass(frozen=True)
class BookingEvent:
    booking_id: BookingId
    at: datetime
    actor: Actor
    trigger: Trigger | str  # a Trigger, or a step that changes no state ("proposed", "reported"…)
    from_state: BookingState
    to_state: BookingState
    reason: str = ""
    source: str = ""  # the input that caused it: a Telegram update, a timer, a CLI call


# --- price -------------------------------------------------------------------------------

#: The first hour is billed whole; after it, every started quarter of an hour.
FIRST_HOUR: Final = 60
STEP: Final = 15


def billed_minutes(worked: int) -> int:
    if worked <= FIRST_HOUR:
        return FIRST_HOUR
    return FIRST_HOUR + math.ceil((worked - FIRST_HOUR) / STEP) * STEP


def price(rate: Cents, worked_minutes: int) -> Cents:
    """What `worked_minutes` cost at an hourly `rate`, rounded to the cent."""
    return Cents((rate * billed_minutes(worked_minutes) + 30) // 60)


@dataclass(frozen=True)
class BookingPolicy:
    """The knobs of the booking flow (settings map onto these)."""

    offer_minutes: float = 15  # how long a helper has to accept
    broadcast: int = 1  # helpers asked at once; the first to accept gets the job
    free_cancel_hours: int = 24  # cancelling is free until this long before the visit
    late_cancel_percent: int = 50  # of the estimate, when a customer cancels later
    auto_confirm_hours: int = 24  # the worked time counts as confirmed after this
    rating_reminder_hours: int = 24
    rating_window_days: int = 7  # ratings are revealed after this even if one side did not rate
    relay_open_hours: int = 72  # after settling, the relay stays open this long
    checkin_nudge_minutes: int = 15  # the helper is nudged this long after the start
    hold_buffer_percent: int = 20  # a card hold covers the estimate plus this
    retention_days: int = 90  # relay transcripts and photos are erased this long after settling
    fee_percent: int = 20  # the platform's share of every job
    card_needs_connected_helper: bool = True  # real card payments go to the helper's Stripe account

    def cancellation_fee(self, booking: Booking, actor: Actor, now: datetime) -> Cents:
        """Free for helpers and support, and for customers until `free_cancel_hours` before."""
        if actor is not Actor.CUSTOMER or booking.start is None or booking.estimate is None:
            return Cents(0)
        if booking.start - now >= timedelta(hours=self.free_cancel_hours):
            return Cents(0)
        return Cents(booking.estimate * self.late_cancel_percent // 100)

    def hold_for(self, estimate: Cents) -> Cents:
        return Cents(estimate + estimate * self.hold_buffer_percent // 100)


DEFAULT_POLICY: Final = BookingPolicy()


# --- timers ------------------------------------------------------------------------------


class TimerKind(StrEnum):
    OFFER_DEADLINE = "offer_deadline"
    REMIND_24H = "remind_24h"
    REMIND_1H = "remind_1h"
    CHECKIN_NUDGE = "checkin_nudge"
    AUTO_CONFIRM = "auto_confirm"
    RATING_REMINDER = "rating_reminder"
    RATING_REVEAL = "rating_reveal"
    RELAY_CLOSE = "relay_close"
    HOLD_EXPIRY = "hold_expiry"  # a day before a card hold lapses
    RETENTION = "retention"  # the relay transcript is erased this long after settling


VISIT_TIMERS: Final = (TimerKind.REMIND_24H, TimerKind.REMIND_1H, TimerKind.CHECKIN_NUDGE)


def visit_timers(start: datetime, now: datetime, policy: BookingPolicy) -> list[tuple[TimerKind, datetime]]:
    """Reminders a day and an hour before (those still ahead) and the check-in nudge."""
    due = [
        (TimerKind.REMIND_24H, start - timedelta(hours=24)),
        (TimerKind.REMIND_1H, start - timedelta(hours=1)),
    ]
    return [(k, at) for k, at in due if at > now] + [
        (TimerKind.CHECKIN_NUDGE, start + timedelta(minutes=policy.checkin_nudge_minutes))
    ]


@dataclass(frozen=True)
class Timer:
    id: int
    kind: TimerKind
    booking_id: BookingId
    due_at: datetime


@dataclass(frozen=True)
class Rating:
    booking_id: BookingId
    by: Actor  # customer (rates the helper) or helper (rates the customer)
    stars: int
    comment: str = ""
