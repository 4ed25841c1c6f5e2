"""Privacy (GDPR): consent at first contact, a person's data as an export, and erasing it.
(Relay transcripts are erased by the booking's retention timer, core.services.booking.)

Erasing keeps what accounting law needs (bookings, amounts, the ledger) without the person:
names, texts, photos, comments and the Telegram id are removed or pseudonymised.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from core.booking import DEFAULT_POLICY, Actor, Booking, BookingPolicy, BookingState
from core.helpers import Helper, HelperStatus
from core.ids import CustomerId, TelegramUserId
from core.intake import Customer, RequestStatus
from core.ports import PaymentProvider, UnitOfWork
from core.services import booking as bookings
from core.services.steps import audit
from core.staff import NotAllowed, Permission, StaffMember

#: What replaces erased text.
ERASED: Final = "[erased]"


def consent(uow: UnitOfWork, telegram_id: TelegramUserId, *, now: datetime) -> None:
    with uow:
        customer = uow.customers.by_telegram_id(telegram_id)
        if customer is not None and not customer.consented:
            uow.customers.set_consented(customer.id, now)
            uow.commit()


def consented_as_helper(uow: UnitOfWork, telegram_id: TelegramUserId, *, now: datetime) -> bool:
    """A helper accepted the terms (and the privacy notice in them) when registering: that
    counts as consent for their chat too."""
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        customer = uow.customers.by_telegram_id(telegram_id)
        if helper is None or not helper.terms_accepted or customer is None:
            return False
        uow.customers.set_consented(customer.id, now)
        uow.commit()
        return True


def export(uow: UnitOfWork, customer_id: int) -> dict[str, Any]:
    """Everything we keep about a person, as plain data (sent as JSON)."""
    with uow:
        return uow.privacy.export(CustomerId(customer_id))


def erase(
    uow: UnitOfWork,
    customer_id: int,
    *,
    now: datetime,
    member: StaffMember | None = None,
    policy: BookingPolicy = DEFAULT_POLICY,
    payments: PaymentProvider | None = None,
) -> None:
    """Erase a person: first end what they had open (their request, offers, bookings not yet
    started), then every place their data lives (storage.personal_data) erased or
    pseudonymised; bookings and the ledger stay, without personal data. `member`: an admin in
    the console (None: the person themselves)."""
    if member is not None and not member.may(Permission.DELETE_DATA):
        raise NotAllowed(permission=str(Permission.DELETE_DATA))
    with uow:
        customer = uow.customers.get(CustomerId(customer_id))
        helper = uow.helpers.by_telegram_id(customer.telegram_id)
        _end_what_is_open(uow, customer, helper, now=now, policy=policy, payments=payments)
        if helper is not None:  # out of matching for good (the index forgets their home too)
            uow.helpers.save(replace(helper, status=HelperStatus.SUSPENDED), now=now)
        uow.privacy.erase(customer.id, customer.telegram_id, helper.id if helper else None)
        if member is not None:
            audit(uow, member, "erase_person", "customer", str(customer_id), "personal data", ERASED, now=now)
        uow.commit()


#: Bookings erasure cancels (free of charge): agreed, not started.
CANCELLED_ON_ERASURE: Final = frozenset(
    {BookingState.ACCEPTED, BookingState.SCHEDULED, BookingState.PAID, BookingState.CASH}
)
#: Started or finished but not settled: left to support, who is told.
LEFT_TO_SUPPORT: Final = frozenset({BookingState.IN_PROGRESS, BookingState.DONE, BookingState.DISPUTED})


def _end_what_is_open(
    uow: UnitOfWork,
    customer: Customer,
    helper: Helper | None,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider | None,
) -> None:
    """Inside the erasure's transaction: the open request is cancelled and its offers withdrawn;
    the person's offers and agreed bookings end (free), the other side is told; a job under way
    goes to support. Nobody can accept, pay or be reminded for a person who no longer exists."""
    request = uow.requests.open_for(customer.id)
    if request is not None:
        uow.requests.set_status(request.id, RequestStatus.CANCELLED, now=now)
        bookings.withdraw_offers(uow, request.id, now=now)
    states = {BookingState.OFFERED} | CANCELLED_ON_ERASURE | LEFT_TO_SUPPORT
    mine = [(b, Actor.CUSTOMER) for b in uow.bookings.of_customer(customer.id, states)]
    if helper is not None:
        mine += [(b, Actor.HELPER) for b in uow.bookings.of_helper(helper.id, states)]
    for booking, role in mine:
        _end(uow, booking, role, now=now, policy=policy, payments=payments)


def _end(
    uow: UnitOfWork,
    booking: Booking,
    role: Actor,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider | None,
) -> None:
    if booking.state is BookingState.OFFERED:
        by = role if role is Actor.CUSTOMER else Actor.SYSTEM  # a helper's own "no" is a decline
        withdrawn = bookings.withdraw_in(
            uow, booking, by, reason=f"{role} erased", now=now, source="erasure", tell_helper=by is role
        )
        if role is Actor.HELPER:  # the customer is asked the next helper
            bookings.rematch_in(uow, withdrawn, now=now, policy=policy)
    elif booking.state in CANCELLED_ON_ERASURE and payments is not None:
        free = replace(policy, late_cancel_percent=0)
        bookings.cancel_in(
            uow, booking, role, now=now, policy=free, payments=payments, reason="erased", source="erasure"
        )
    else:  # a job under way, or no payment provider at hand (the console): support ends it
        note = f"the {role} erased their data while this job was {booking.state}"
        uow.relay.flag(booking.id, "erased", by=role, note=note, now=now)
