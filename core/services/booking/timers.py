"""Timers of a booking: what each kind does when it is due, as a table `{TimerKind: effect}`.

A timer is claimed and its effect applied in one transaction, so it happens once only (a crash
before the commit leaves it due; a second process finds it claimed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from core.booking import (
    AGREED_STATES,
    STAR_CHOICES,
    Actor,
    Booking,
    BookingPolicy,
    BookingState,
    Step,
    TimerKind,
    Trigger,
    steps_for,
)
from core.notices import Reply
from core.payments import PaymentState
from core.ports import PaymentProvider, UnitOfWork
from core.services import steps
from core.services.booking.address import address_params
from core.services.booking.money import release_in
from core.services.booking.offers import expire_offer
from core.services.booking.ratings import reveal_in
from core.services.booking.settlement import settle_in

#: A timer whose effect failed (not a concurrent change) is tried again this much later.
TIMER_RETRY: Final = timedelta(minutes=10)


@dataclass(frozen=True)
class Due:
    """What a timer's effect gets: the open unit of work, its booking and the knobs."""

    uow: UnitOfWork
    booking: Booking
    kind: TimerKind
    now: datetime
    policy: BookingPolicy
    payments: PaymentProvider


def _offer_deadline(d: Due) -> None:
    expire_offer(d.uow, d.booking, now=d.now, policy=d.policy)


def _remind(d: Due) -> None:
    """A day and an hour before the visit, both sides, with the steps that fit now."""
    if d.booking.state not in AGREED_STATES:
        return
    params = steps.params(d.uow, d.booking)
    where = d.uow.addresses.of_booking(d.booking.id)
    for side in (Actor.CUSTOMER, Actor.HELPER):
        key, shown = f"booking.{d.kind}_{side}", params
        if side is Actor.HELPER and where is not None:
            key, shown = f"{key}_address", {**params, **address_params(where)}
        steps.tell(
            d.uow, d.booking, side, steps.reply(key, shown, d.booking, *steps_for(d.booking, side)), d.now
        )


def _checkin_nudge(d: Due) -> None:
    if d.booking.state not in AGREED_STATES:
        return
    params = steps.params(d.uow, d.booking)
    reply = steps.reply("booking.checkin_nudge", params, d.booking, *steps_for(d.booking, Actor.HELPER))
    steps.tell(d.uow, d.booking, Actor.HELPER, reply, d.now)


def _auto_confirm(d: Due) -> None:
    if d.booking.state is BookingState.DONE:
        settle_in(
            d.uow, d.booking, Actor.SYSTEM, now=d.now, policy=d.policy, payments=d.payments, source="timer"
        )


def _rating_reminder(d: Due) -> None:
    rated = {r.by for r in d.uow.ratings.of_booking(d.booking.id)}
    params = steps.params(d.uow, d.booking)
    for side in (Actor.CUSTOMER, Actor.HELPER):
        if side not in rated:
            reply = steps.reply("rating.reminder", params, d.booking, *STAR_CHOICES)
            steps.tell(d.uow, d.booking, side, reply, d.now)


def _rating_reveal(d: Due) -> None:
    if d.booking.state in {BookingState.SETTLED, BookingState.RESOLVED}:
        reveal_in(d.uow, d.booking, now=d.now)


def _retention(d: Due) -> None:
    erased = d.uow.privacy.erase_relay(d.booking.id)
    steps.note(d.uow, d.booking, "transcript_erased", Actor.SYSTEM, d.now, f"{erased} messages")


def _hold_expiry(d: Due) -> None:
    _hold_expiring(d.uow, d.booking, now=d.now, policy=d.policy, payments=d.payments)


def _hold_expiring(
    uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy, payments: PaymentProvider
) -> None:
    """A day before a card hold lapses: a finished job is captured now; for a visit still ahead
    the hold is given back and the customer asked to pay again, so a hold never silently lapses."""
    if booking.payment != PaymentState.HELD:
        return
    if booking.state is BookingState.DONE:
        settle_in(uow, booking, Actor.SYSTEM, now=now, policy=policy, payments=payments, source="hold expiry")
    elif booking.state is BookingState.PAID:
        release_in(uow, booking, now=now, payments=payments)
        again = steps.move(
            uow,
            booking,
            Trigger.REAUTHORISE,
            Actor.SYSTEM,
            now=now,
            source="hold expiry",
            payment=None,
            payment_ref=None,
            hold=None,
            hold_expires_at=None,
        )
        steps.tell(
            uow,
            again,
            Actor.CUSTOMER,
            steps.reply("booking.hold_renew", steps.params(uow, again), again, Step.PAY_CARD, Step.PAY_CASH),
            now,
        )
    else:
        uow.relay.flag(
            booking.id, "hold", by=Actor.SYSTEM, note=f"card hold lapses while {booking.state}", now=now
        )


def _relay_close(d: Due) -> None:
    if d.booking.relay_closed_at is not None:
        return
    closed = d.uow.bookings.save(replace(d.booking, relay_closed_at=d.now))
    steps.note(d.uow, closed, "relay_closed", Actor.SYSTEM, d.now)
    for side in (Actor.CUSTOMER, Actor.HELPER):
        steps.tell(d.uow, closed, side, Reply("relay.closed", steps.params(d.uow, closed)), d.now)


EFFECTS: Final[dict[TimerKind, Callable[[Due], None]]] = {
    TimerKind.OFFER_DEADLINE: _offer_deadline,
    TimerKind.REMIND_24H: _remind,
    TimerKind.REMIND_1H: _remind,
    TimerKind.CHECKIN_NUDGE: _checkin_nudge,
    TimerKind.AUTO_CONFIRM: _auto_confirm,
    TimerKind.RATING_REMINDER: _rating_reminder,
    TimerKind.RATING_REVEAL: _rating_reveal,
    TimerKind.RETENTION: _retention,
    TimerKind.HOLD_EXPIRY: _hold_expiry,
    TimerKind.RELAY_CLOSE: _relay_close,
}


def fire_timer(
    uow: UnitOfWork, timer_id: int, *, now: datetime, policy: BookingPolicy, payments: PaymentProvider
) -> bool:
    """Fire one due timer (False when it is not due, or another process claimed it)."""
    with uow:
        timer = uow.timers.get(timer_id)
        if timer is None or timer.due_at > now or not uow.timers.claim(timer_id, now=now):
            return False
        booking = steps.booking(uow, timer.booking_id)
        EFFECTS[timer.kind](Due(uow, booking, timer.kind, now, policy, payments))
        uow.commit()
        return True


def timer_failed(uow: UnitOfWork, timer_id: int, error: str, *, now: datetime) -> None:
    """A timer's effect raised (the provider refused a capture…): try again later, and flag the
    booking for support once, so a stuck payment shows on the console's overview."""
    with uow:
        timer = uow.timers.get(timer_id)
        if timer is None:
            return
        uow.timers.set(timer.booking_id, timer.kind, now + TIMER_RETRY)
        note = f"{timer.kind}: {error}"[:500]
        uow.relay.flag(timer.booking_id, "payment", by=Actor.SYSTEM, note=note, now=now)
        uow.commit()


def due_timers(uow: UnitOfWork, *, now: datetime, limit: int = 100) -> list[int]:
    with uow:
        return [t.id for t in uow.timers.due(now, limit=limit)]
