"""On site: the helper checks in (asked to confirm when it is long before the booked time; a
check-in with a location far from the customer's place is allowed but noted for support) and
checks out, which bills the worked time and asks the customer to confirm it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from core.booking import (
    AGREED_STATES,
    VISIT_TIMERS,
    Actor,
    Booking,
    BookingPolicy,
    BookingState,
    Step,
    TimerKind,
    Trigger,
    billed_minutes,
    price,
)
from core.errors import DomainError
from core.geo import Location
from core.ids import TelegramUserId
from core.notices import Reply
from core.ports import UnitOfWork
from core.services import steps

#: A check-in earlier than this before the booked start is asked to confirm.
EARLY: Final = timedelta(minutes=60)
#: A location shared at check-in further than this from the customer's place is noted for support.
FAR_KM: Final = 1.5
#: A helper's location counts as arriving this long before (and after) the booked start.
ARRIVAL_WINDOW: Final = timedelta(hours=2)


class PayFirst(DomainError):
    key = "booking.pay_first"


def check_in(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    *,
    now: datetime,
    source: str = "",
    early_ok: bool = False,
    where: Location | None = None,
) -> None:
    """The helper is there: the time counts from now. Long before the booked start they are asked
    first ("booked for tomorrow 15:00 — start now?"), and `early_ok` is their yes."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.HELPER)
        if booking.state is BookingState.SCHEDULED:
            raise PayFirst()
        if booking.state in AGREED_STATES and not early_ok and _early(booking, now):
            params = steps.params(uow, booking)
            ask = steps.reply("booking.checkin_early", params, booking, Step.CHECK_IN_EARLY)
            steps.tell(uow, booking, Actor.HELPER, ask, now)
            uow.commit()
            return
        _start_in(uow, booking, now=now, source=source, where=where)
        uow.commit()


def arrived(uow: UnitOfWork, telegram_id: TelegramUserId, where: Location, *, now: datetime) -> bool:
    """A helper shared their location: if it is around the start of one of their agreed visits,
    that is their check-in (True); otherwise it is a message like any other (False)."""
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        if helper is None:
            return False
        due = [
            b
            for b in uow.bookings.of_helper(helper.id, AGREED_STATES - {BookingState.SCHEDULED})
            if b.start is not None and abs(b.start - now) <= ARRIVAL_WINDOW
        ]
        if len(due) != 1:
            return False
        _start_in(uow, due[0], now=now, source="location", where=where)
        uow.commit()
        return True


def _early(booking: Booking, now: datetime) -> bool:
    return booking.start is not None and booking.start - now > EARLY


def _start_in(
    uow: UnitOfWork, booking: Booking, *, now: datetime, source: str, where: Location | None
) -> None:
    started = steps.move(
        uow, booking, Trigger.CHECK_IN, Actor.HELPER, now=now, source=source, checked_in_at=now
    )
    uow.timers.cancel(started.id, VISIT_TIMERS)
    if where is not None:
        _note_distance(uow, started, where, now=now)
    params = {**steps.params(uow, started), "at": now.isoformat()}
    steps.tell(
        uow,
        started,
        Actor.HELPER,
        steps.reply("booking.checked_in_helper", params, started, Step.CHECK_OUT),
        now,
    )
    steps.tell(uow, started, Actor.CUSTOMER, Reply("booking.checked_in_customer", params), now)


def _note_distance(uow: UnitOfWork, booking: Booking, where: Location, *, now: datetime) -> None:
    """How far from the customer's place the helper checked in; far: a flag for support."""
    request = uow.requests.get(booking.request_id)
    place = request.place if request is not None else None
    if place is None:
        return
    km = where.km_to(place.location)
    steps.note(uow, booking, "checked_in_at", Actor.HELPER, now, f"{km:.1f} km from the place")
    if km > FAR_KM:
        uow.relay.flag(
            booking.id, "checkin_far", by=Actor.HELPER, note=f"checked in {km:.1f} km away", now=now
        )


def check_out(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    *,
    now: datetime,
    policy: BookingPolicy,
    source: str = "",
) -> None:
    """The helper is done: the worked time is billed and the customer asked to confirm it."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.HELPER)
        done = steps.move(
            uow, booking, Trigger.CHECK_OUT, Actor.HELPER, now=now, source=source, checked_out_at=now
        )
        worked = done.worked_minutes or 1
        amount = price(done.rate, worked)
        done = uow.bookings.save(replace(done, amount=amount))
        uow.timers.set(done.id, TimerKind.AUTO_CONFIRM, now + timedelta(hours=policy.auto_confirm_hours))
        params = {
            **steps.params(uow, done),
            "worked": worked,
            "billed": billed_minutes(worked),
            "amount": amount,
            "hours": policy.auto_confirm_hours,
        }
        confirm = steps.reply("booking.confirm_time", params, done, Step.CONFIRM_TIME, Step.DISPUTE)
        steps.tell(uow, done, Actor.CUSTOMER, confirm, now)
        steps.tell(uow, done, Actor.HELPER, Reply("booking.checked_out_helper", params), now)
        uow.commit()
