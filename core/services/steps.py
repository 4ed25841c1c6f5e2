"""Steps every booking use case shares, inside its transaction: who is which side, moving
the state machine (decided, saved, recorded), and telling a side (through the outbox).
Used as `steps.tell(…)`, `steps.move(…)` by the booking, relay and payment use cases."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from core.booking import Actor, Booking, BookingEvent, NotYours, Step, StepChoice, Trigger, choices, decide
from core.helpers import Helper
from core.ids import BookingId, TelegramUserId
from core.language import Language
from core.notices import Reply
from core.ports import UnitOfWork
from core.staff import AuditEntry, StaffMember


@dataclass(frozen=True)
class Side:
    """One side of a booking as the bot reaches them."""

    telegram_id: int
    language: Language


# --- helpers used inside a transaction ------------------------------------------------------


def helper_side(uow: UnitOfWork, helper: Helper, prefer: Language | None = None) -> Side:
    """A helper is written to in their chat's language; one who never wrote to the bot yet in
    the customer's language (they speak it, or they would not be matched)."""
    customer = uow.customers.by_telegram_id(helper.telegram_id)
    if customer is not None:
        return Side(helper.telegram_id, customer.language)
    spoken = prefer if prefer in helper.languages else next(iter(sorted(helper.languages)), Language.DE)
    return Side(helper.telegram_id, spoken or Language.DE)


def side(uow: UnitOfWork, booking: Booking, who: Actor) -> Side:
    if who is Actor.CUSTOMER:
        customer = uow.customers.get(booking.customer_id)
        return Side(customer.telegram_id, customer.language)
    helper = uow.helpers.get(booking.helper_id)
    assert helper is not None
    return helper_side(uow, helper, uow.customers.get(booking.customer_id).language)


def tell(uow: UnitOfWork, booking: Booking, who: Actor, reply: Reply, now: datetime) -> None:
    to = side(uow, booking, who)
    uow.outbox.add(to.telegram_id, to.language, reply, now=now, booking_id=booking.id)


def other(actor: Actor) -> Actor:
    return Actor.HELPER if actor is Actor.CUSTOMER else Actor.CUSTOMER


def role(uow: UnitOfWork, booking: Booking, telegram_id: TelegramUserId) -> Actor:
    """Which side of the booking this Telegram user is (a helper's own request: customer first)."""
    customer = uow.customers.get(booking.customer_id)
    if customer.telegram_id == telegram_id:
        return Actor.CUSTOMER
    helper = uow.helpers.get(booking.helper_id)
    if helper is not None and helper.telegram_id == telegram_id:
        return Actor.HELPER
    raise NotYours()


def booking(uow: UnitOfWork, booking_id: int) -> Booking:
    booking = uow.bookings.get(BookingId(booking_id))
    if booking is None:
        raise NotYours()
    return booking


def mine(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, role: Actor) -> Booking:
    found = booking(uow, booking_id)
    if role_or_none(uow, found, telegram_id, role) is None:
        raise NotYours()
    return found


def role_or_none(uow: UnitOfWork, booking: Booking, telegram_id: int, role: Actor) -> Actor | None:
    if role is Actor.CUSTOMER:
        return role if uow.customers.get(booking.customer_id).telegram_id == telegram_id else None
    helper = uow.helpers.get(booking.helper_id)
    return role if helper is not None and helper.telegram_id == telegram_id else None


def move(
    uow: UnitOfWork,
    booking: Booking,
    trigger: Trigger,
    actor: Actor,
    *,
    now: datetime,
    reason: str = "",
    source: str = "",
    **changes: Any,
) -> Booking:
    """Apply a transition: decided by core.booking, saved (optimistically), recorded as an event."""
    state = decide(booking.state, trigger, actor)
    saved = uow.bookings.save(replace(booking, state=state, **changes))
    uow.bookings.record(
        BookingEvent(booking.id, now, actor, trigger, booking.state, state, reason=reason, source=source)
    )
    return saved


def note(uow: UnitOfWork, booking: Booking, step: str, actor: Actor, now: datetime, reason: str = "") -> None:
    """An event that changes no state (a proposal, a report…)."""
    uow.bookings.record(
        BookingEvent(booking.id, now, actor, step, booking.state, booking.state, reason=reason)
    )


def params(uow: UnitOfWork, booking: Booking) -> dict[str, str | int]:
    helper = uow.helpers.get(booking.helper_id)
    request = uow.requests.get(booking.request_id)
    assert helper is not None and request is not None
    params: dict[str, str | int] = {
        "id": booking.id,
        "name": helper.name,
        "category": str(booking.category),
        "district": request.district or "",
        "rate": booking.rate,
        "km": f"{booking.km:.1f}",
        "state": str(booking.state),
    }
    if booking.start is not None:
        params["when"] = booking.start.isoformat()
    if booking.minutes is not None:
        params["duration"] = booking.minutes
    if booking.estimate is not None:
        params["estimate"] = booking.estimate
    return params


def reply(
    key: str, params: dict[str, str | int], booking: Booking | None = None, *offered: Step | StepChoice
) -> Reply:
    """A message about a booking, with the steps offered (buttons) if any."""
    return Reply(key, params, booking_id=booking.id if booking else None, steps=choices(*offered))


def audit(
    uow: UnitOfWork,
    member: StaffMember | None,
    action: str,
    object_type: str,
    object_id: str,
    before: str,
    after: str,
    *,
    now: datetime,
    address: str = "",
) -> None:
    """Inside a transaction: one row of the append-only audit log."""
    uow.audit.add(
        AuditEntry(member.id if member else None, action, object_type, object_id, before, after, now, address)
    )
