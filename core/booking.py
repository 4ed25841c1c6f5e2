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
from core.payments import PaymentState


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


#: (state, trigger) → new state. Anything not listed is refused.
TRANSITIONS: Final[dict[tuple[BookingState, Trigger], BookingState]] = {
    (BookingState.OFFERED, Trigger.ACCEPT): BookingState.ACCEPTED,
    (BookingState.OFFERED, Trigger.DECLINE): BookingState.DECLINED,
    (BookingState.OFFERED, Trigger.EXPIRE): BookingState.EXPIRED,
    (BookingState.OFFERED, Trigger.WITHDRAW): BookingState.WITHDRAWN,
    (BookingState.ACCEPTED, Trigger.AGREE_TIME): BookingState.SCHEDULED,
    (BookingState.SCHEDULED, Trigger.AGREE_TIME): BookingState.SCHEDULED,
    (BookingState.PAID, Trigger.AGREE_TIME): BookingState.PAID,
    (BookingState.CASH, Trigger.AGREE_TIME): BookingState.CASH,
    (BookingState.SCHEDULED, Trigger.PAY_CARD): BookingState.PAID,
    (BookingState.SCHEDULED, Trigger.PAY_CASH): BookingState.CASH,
    (BookingState.PAID, Trigger.CHECK_IN): BookingState.IN_PROGRESS,
    (BookingState.CASH, Trigger.CHECK_IN): BookingState.IN_PROGRESS,
    (BookingState.IN_PROGRESS, Trigger.CHECK_OUT): BookingState.DONE,
    (BookingState.DONE, Trigger.CONFIRM): BookingState.SETTLED,
    (BookingState.DONE, Trigger.DISPUTE): BookingState.DISPUTED,
    (BookingState.DISPUTED, Trigger.RESOLVE): BookingState.RESOLVED,
    (BookingState.SETTLED, Trigger.REVEAL): BookingState.RATED,
    (BookingState.PAID, Trigger.REAUTHORISE): BookingState.SCHEDULED,
    **{
        (s, Trigger.CANCEL): BookingState.CANCELLED
        for s in (BookingState.ACCEPTED, BookingState.SCHEDULED, BookingState.PAID, BookingState.CASH)
    },
}
#: Who may pull which trigger.
ACTORS: Final[dict[Trigger, frozenset[Actor]]] = {
    Trigger.ACCEPT: frozenset({Actor.HELPER}),
    Trigger.DECLINE: frozenset({Actor.HELPER}),
    Trigger.EXPIRE: frozenset({Actor.SYSTEM}),
    Trigger.WITHDRAW: frozenset({Actor.SYSTEM, Actor.CUSTOMER, Actor.SUPPORT}),
    Trigger.AGREE_TIME: frozenset({Actor.CUSTOMER}),
    Trigger.PAY_CARD: frozenset({Actor.CUSTOMER}),
    Trigger.PAY_CASH: frozenset({Actor.CUSTOMER}),
    Trigger.CHECK_IN: frozenset({Actor.HELPER}),
    Trigger.CHECK_OUT: frozenset({Actor.HELPER}),
    Trigger.CONFIRM: frozenset({Actor.CUSTOMER, Actor.SYSTEM, Actor.SUPPORT}),
    Trigger.DISPUTE: frozenset({Actor.CUSTOMER}),
    Trigger.RESOLVE: frozenset({Actor.SUPPORT}),
    Trigger.CANCEL: frozenset({Actor.CUSTOMER, Actor.HELPER, Actor.SUPPORT}),
    Trigger.REVEAL: frozenset({Actor.SYSTEM}),
    Trigger.REAUTHORISE: frozenset({Actor.SYSTEM}),
}
#: States in which customer and helper talk through the relay.
RELAY_STATES: Final = frozenset(
    {
        BookingState.ACCEPTED,
        BookingState.SCHEDULED,
        BookingState.PAID,
        BookingState.CASH,
        BookingState.IN_PROGRESS,
        BookingState.DONE,
        BookingState.DISPUTED,
        BookingState.SETTLED,
        BookingState.RATED,
        BookingState.RESOLVED,
    }
)
#: States that are still in the helper's and customer's "current jobs".
ACTIVE_STATES: Final = frozenset(
    {
        BookingState.OFFERED,
        BookingState.ACCEPTED,
        BookingState.SCHEDULED,
        BookingState.PAID,
        BookingState.CASH,
        BookingState.IN_PROGRESS,
        BookingState.DONE,
        BookingState.DISPUTED,
    }
)
#: The visit is agreed: reminders and check-in apply.
AGREED_STATES: Final = frozenset({BookingState.SCHEDULED, BookingState.PAID, BookingState.CASH})


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
    payment: PaymentState | None = None
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


class Step(StrEnum):
    """What a person can do next in a booking (a button); the value is its short code."""

    ACCEPT = "acc"
    DECLINE = "dec"
    PROPOSE = "prop"  # the helper proposes a time
    DURATION = "d"  # arg: minutes
    AGREE = "ok"  # arg: the proposal number
    DISAGREE = "no"  # arg: the proposal number
    RESCHEDULE = "resch"
    PAY_CARD = "card"
    PAY_CASH = "cash"
    CHECK_IN = "in"
    CHECK_OUT = "out"
    CONFIRM_TIME = "ok_t"
    DISPUTE = "disp"
    CANCEL = "cx"  # asks to confirm, with the fee that applies now
    CANCEL_CONFIRMED = "cxy"
    KEEP = "keep"  # do not cancel / do not block
    RATE = "r"  # arg: stars
    SKIP_COMMENT = "skip"
    REPORT = "rep"
    BLOCK = "blk"  # asks to confirm
    BLOCK_CONFIRMED = "blky"
    CASH_RECEIVED = "cashok"
    ROUTE = "rt"  # arg: the message that belongs to this job
    ADDRESS = "adr"  # give or change the visit address
    CHECK_IN_EARLY = "inok"  # yes, start now although it is long before the booked time


#: Steps whose argument is part of what they mean (a button per value).
VALUED_STEPS: Final = frozenset({Step.DURATION, Step.AGREE, Step.DISAGREE, Step.RATE, Step.ROUTE})
#: The durations a helper can tap after typing the time (minutes).
DURATIONS: Final = (60, 90, 120, 180)


@dataclass(frozen=True)
class StepChoice:
    """One step offered to a person, with its argument where the step needs one."""

    step: Step
    arg: int | None = None
    booking_id: int | None = None  # the booking it acts on, when not the message's own


def choices(*steps: Step | StepChoice) -> tuple[StepChoice, ...]:
    return tuple(s if isinstance(s, StepChoice) else StepChoice(s) for s in steps)


STAR_CHOICES: Final = tuple(StepChoice(Step.RATE, n) for n in range(1, 6))
DURATION_CHOICES: Final = tuple(StepChoice(Step.DURATION, m) for m in DURATIONS)

#: The steps that fit a booking's state, per side (the /jobs card, reminders).
_HELPER_STEPS: Final[dict[BookingState, tuple[Step, ...]]] = {
    BookingState.OFFERED: (Step.ACCEPT, Step.DECLINE),
    BookingState.ACCEPTED: (Step.PROPOSE, Step.CANCEL, Step.REPORT),
    BookingState.SCHEDULED: (Step.PROPOSE, Step.CANCEL, Step.REPORT),
    BookingState.PAID: (Step.CHECK_IN, Step.PROPOSE, Step.CANCEL, Step.REPORT),
    BookingState.CASH: (Step.CHECK_IN, Step.PROPOSE, Step.CANCEL, Step.REPORT),
    BookingState.IN_PROGRESS: (Step.CHECK_OUT, Step.REPORT),
}
_CUSTOMER_STEPS: Final[dict[BookingState, tuple[Step, ...]]] = {
    BookingState.ACCEPTED: (Step.CANCEL, Step.REPORT),
    BookingState.SCHEDULED: (Step.PAY_CARD, Step.PAY_CASH, Step.ADDRESS, Step.RESCHEDULE, Step.CANCEL),
    BookingState.PAID: (Step.ADDRESS, Step.RESCHEDULE, Step.CANCEL, Step.REPORT),
    BookingState.CASH: (Step.ADDRESS, Step.RESCHEDULE, Step.CANCEL, Step.REPORT),
    BookingState.IN_PROGRESS: (Step.REPORT,),
    BookingState.DONE: (Step.CONFIRM_TIME, Step.DISPUTE),
}
_BLOCKABLE: Final = frozenset(
    {BookingState.ACCEPTED, BookingState.SCHEDULED, BookingState.PAID, BookingState.CASH}
)


def steps_for(booking: Booking, role: Actor) -> tuple[StepChoice, ...]:
    """The steps that fit a booking's state for one side; blocking while the relay is open."""
    table = _HELPER_STEPS if role is Actor.HELPER else _CUSTOMER_STEPS
    found = table.get(booking.state, ())
    if booking.relay_open and booking.state in _BLOCKABLE:
        found += (Step.BLOCK,)
    return choices(*found)


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
