"""Overviews: /jobs (every current booking with the steps that fit it now) and support's history."""

from __future__ import annotations

from datetime import datetime

from core.booking import (
    ACTIVE_STATES,
    Actor,
    Booking,
    BookingEvent,
    BookingState,
    steps_for,
)
from core.ids import TelegramUserId
from core.language import Language
from core.notices import Reply
from core.ports import UnitOfWork
from core.services import steps


def jobs(uow: UnitOfWork, telegram_id: TelegramUserId, *, now: datetime, quiet: bool = False) -> None:
    """/jobs: every current booking of this person, each with the steps that fit it now
    (quiet: say nothing when there is none)."""
    with uow:
        customer = uow.customers.by_telegram_id(telegram_id)
        helper = uow.helpers.by_telegram_id(telegram_id)
        mine: list[tuple[Booking, Actor]] = []
        if customer is not None:
            mine += [
                (b, Actor.CUSTOMER)
                for b in uow.bookings.of_customer(customer.id, ACTIVE_STATES - {BookingState.OFFERED})
            ]
        if helper is not None:
            mine += [(b, Actor.HELPER) for b in uow.bookings.of_helper(helper.id, ACTIVE_STATES)]
        language = customer.language if customer else Language.DE
        if not mine and not quiet:
            uow.outbox.add(telegram_id, language, Reply("booking.no_jobs"), now=now)
        for booking, role in mine:
            reply = steps.reply(
                f"booking.card_{role}", steps.params(uow, booking), booking, *steps_for(booking, role)
            )
            uow.outbox.add(telegram_id, language, reply, now=now, booking_id=booking.id)
        uow.commit()


def history(
    uow: UnitOfWork, booking_id: int
) -> tuple[Booking, list[BookingEvent], list[tuple[Actor, str, str]], list[tuple[str, str]]]:
    """For support: the booking, its events, the relayed messages and the flags."""
    with uow:
        booking = steps.booking(uow, booking_id)
        return (
            booking,
            uow.bookings.events(booking.id),
            uow.relay.transcript(booking.id),
            uow.relay.flags(booking.id),
        )
