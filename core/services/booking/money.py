"""Money of a booking: the customer pays by card (a hold for the estimate plus a buffer through the
payment provider, captured for the actual amount after the job, the rest released) or cash.

Every provider write carries an idempotency key made of the booking and the step, so a retry after
a crash never charges twice; the ledger rows are written in the same transaction as the state."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.booking import (
    Actor,
    Booking,
    BookingPolicy,
    Step,
    TimerKind,
    Trigger,
    decide,
)
from core.errors import DomainError
from core.ids import Cents, TelegramUserId
from core.notices import Reply
from core.payments import (
    HOLD_DAYS,
    LedgerEntry,
    LedgerKind,
    PaymentState,
    application_fee,
    capture_entries,
    refund_entries,
    split,
    totals_of,
)
from core.ports import PaymentProvider, UnitOfWork
from core.services import steps


def pay(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    *,
    by_card: bool,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    source: str = "",
) -> None:
    """Card (a hold for the estimate plus a buffer, through the payment provider) or cash."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.CUSTOMER)
        trigger = Trigger.PAY_CARD if by_card else Trigger.PAY_CASH
        decide(booking.state, trigger, Actor.CUSTOMER)  # refuse before talking to the provider
        request = uow.requests.get(booking.request_id)
        if not by_card and request is not None and request.remote:
            raise CashNeedsVisit()
        params = steps.params(uow, booking)
        if by_card:
            start_card_in(uow, booking, now=now, policy=policy, payments=payments, source=source)
        else:
            paid = steps.move(
                uow, booking, trigger, Actor.CUSTOMER, now=now, source=source, payment=PaymentState.CASH
            )
            steps.tell(
                uow,
                paid,
                Actor.CUSTOMER,
                steps.reply("booking.cash_chosen", params, paid, Step.RESCHEDULE, Step.CANCEL),
                now,
            )
            steps.tell(uow, paid, Actor.HELPER, Reply("booking.cash_helper", params), now)
        uow.commit()


class CashNeedsVisit(DomainError):
    """Remote help has no visit to hand over cash at."""

    key = "booking.cash_not_remote"


class CardNotAvailable(DomainError):
    key = "booking.card_unavailable"


def start_card_in(
    uow: UnitOfWork,
    booking: Booking,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    source: str,
) -> Booking:
    """The customer chose card: a hold for the estimate plus a buffer. Offline providers hold
    at once; a real one sends the customer to its payment page, and the hold arrives by webhook."""
    decide(booking.state, Trigger.PAY_CARD, Actor.CUSTOMER)
    helper = uow.helpers.get(booking.helper_id)
    assert helper is not None and booking.estimate is not None
    destination = helper.stripe_account if helper.payouts_ready else None
    if payments.live and destination is None and policy.card_needs_connected_helper:
        raise CardNotAvailable(name=helper.name)
    hold = policy.hold_for(booking.estimate)
    _, fee = split(hold, policy.fee_percent)
    checkout = payments.checkout(
        booking_id=booking.id,
        amount=hold,
        fee=fee,
        destination=destination,
        description=f"Service Friends #{booking.id} · {helper.name}",
        idempotency_key=f"booking-{booking.id}-checkout-{booking.proposal_no}",
    )
    if checkout.url is None:
        return card_held_in(
            uow,
            booking,
            reference=checkout.reference,
            amount=hold,
            now=now,
            policy=policy,
            payments=payments,
            source=source,
        )
    if booking.checkout_id not in (None, checkout.reference):  # an older page must not pay any more
        payments.expire_checkout(booking.checkout_id, idempotency_key=f"expire-{booking.checkout_id}")
    pending = uow.bookings.save(replace(booking, checkout_id=checkout.reference))
    steps.note(uow, pending, "checkout_opened", Actor.CUSTOMER, now, checkout.reference)
    params = {**steps.params(uow, pending), "hold": hold, "url": checkout.url}
    steps.tell(uow, pending, Actor.CUSTOMER, Reply("booking.pay_by_card", params, booking_id=pending.id), now)
    return pending


def card_held_in(
    uow: UnitOfWork,
    booking: Booking,
    *,
    reference: str,
    amount: Cents,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    source: str,
    charged: bool = False,
) -> Booking:
    """The card is authorised (or, for methods that cannot hold, charged): the booking is paid."""
    helper_id = booking.helper_id
    expires = now + timedelta(days=HOLD_DAYS)
    paid = steps.move(
        uow,
        booking,
        Trigger.PAY_CARD,
        Actor.CUSTOMER,
        now=now,
        source=source,
        payment=PaymentState.CHARGED if charged else PaymentState.HELD,
        payment_ref=reference,
        hold=amount,
        hold_expires_at=None if charged else expires,
    )
    if charged:
        uow.ledger.add(
            capture_entries(
                paid.id,
                helper_id,
                amount=amount,
                fee_percent=policy.fee_percent,
                owed=Cents(0),
                at=now,
                reference=reference,
            )
        )
    else:
        uow.ledger.add([LedgerEntry(paid.id, helper_id, LedgerKind.AUTHORISED, amount, now, reference)])
        uow.timers.set(paid.id, TimerKind.HOLD_EXPIRY, expires)
    params = {**steps.params(uow, paid), "hold": amount}
    key = (
        "booking.card_charged"
        if charged
        else "booking.card_held"
        if payments.live
        else "booking.card_held_offline"
    )
    steps.tell(uow, paid, Actor.CUSTOMER, steps.reply(key, params, paid, Step.RESCHEDULE, Step.CANCEL), now)
    steps.tell(uow, paid, Actor.HELPER, Reply("booking.paid_helper", params), now)
    return paid


def charge_in(
    uow: UnitOfWork,
    booking: Booking,
    amount: Cents,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    step: str,
) -> Cents:
    """Take `amount` for a booking paid by card: captured from the hold (the rest released), or,
    when it was charged up front, the difference refunded. Returns what still has to be paid
    on top (more time than the hold covers; the customer approves it separately)."""
    assert booking.payment_ref is not None and booking.hold is not None
    books = uow.ledger.of_booking(booking.id)
    if booking.payment == PaymentState.CHARGED:
        charged = totals_of(books)[LedgerKind.CAPTURED] - totals_of(books)[LedgerKind.REFUNDED]
        if amount < charged:
            refund_in(uow, booking, Cents(charged - amount), now=now, payments=payments, note=step)
        return Cents(max(0, amount - charged))
    take = Cents(min(amount, booking.hold))
    if take:
        owed = uow.ledger.balance(booking.helper_id)
        entries = capture_entries(
            booking.id,
            booking.helper_id,
            amount=take,
            fee_percent=policy.fee_percent,
            owed=owed,
            at=now,
            reference=booking.payment_ref,
        )
        payments.capture(
            booking.payment_ref,
            take,
            fee=application_fee(entries),
            idempotency_key=f"booking-{booking.id}-{step}",
        )
        uow.ledger.add(entries)
    else:
        payments.release(booking.payment_ref, idempotency_key=f"booking-{booking.id}-release")
    if booking.hold - take:
        uow.ledger.add(
            [
                LedgerEntry(
                    booking.id,
                    booking.helper_id,
                    LedgerKind.RELEASED,
                    Cents(booking.hold - take),
                    now,
                    booking.payment_ref,
                )
            ]
        )
    uow.timers.cancel(booking.id, [TimerKind.HOLD_EXPIRY])
    return Cents(amount - take)


def ask_for_extra_in(
    uow: UnitOfWork,
    booking: Booking,
    extra: Cents,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
) -> None:
    """The job took longer than the hold covers: the customer gets a payment page for the rest
    and approves it there; nothing more is taken without that."""
    helper = uow.helpers.get(booking.helper_id)
    assert helper is not None
    _, fee = split(extra, policy.fee_percent)
    checkout = payments.checkout(
        booking_id=booking.id,
        amount=extra,
        fee=fee,
        destination=helper.stripe_account if helper.payouts_ready else None,
        description=f"Service Friends #{booking.id} · extra time",
        idempotency_key=f"booking-{booking.id}-extra",
        capture_later=False,
    )
    if checkout.url is None:  # offline: approved and paid at once
        uow.ledger.add(
            capture_entries(
                booking.id,
                booking.helper_id,
                amount=extra,
                fee_percent=policy.fee_percent,
                owed=Cents(0),
                at=now,
                reference=checkout.reference,
            )
        )
        return
    params = {**steps.params(uow, booking), "extra": extra, "url": checkout.url}
    steps.tell(uow, booking, Actor.CUSTOMER, Reply("booking.pay_extra", params, booking_id=booking.id), now)


def release_in(uow: UnitOfWork, booking: Booking, *, now: datetime, payments: PaymentProvider) -> None:
    """Give a whole hold back (a cancellation without a fee), or refund what was charged."""
    if booking.payment == PaymentState.CHARGED:
        charge_in(uow, booking, Cents(0), now=now, policy=BookingPolicy(), payments=payments, step="cancel")
        return
    if booking.payment != PaymentState.HELD or booking.payment_ref is None or booking.hold is None:
        return
    payments.release(booking.payment_ref, idempotency_key=f"booking-{booking.id}-release")
    uow.ledger.add(
        [
            LedgerEntry(
                booking.id, booking.helper_id, LedgerKind.RELEASED, booking.hold, now, booking.payment_ref
            )
        ]
    )
    uow.timers.cancel(booking.id, [TimerKind.HOLD_EXPIRY])


def refund_in(
    uow: UnitOfWork,
    booking: Booking,
    amount: Cents,
    *,
    now: datetime,
    payments: PaymentProvider,
    note: str,
    key: str | None = None,
) -> list[LedgerEntry]:
    assert booking.payment_ref is not None
    books = uow.ledger.of_booking(booking.id)
    before = totals_of(books)[LedgerKind.REFUNDED]
    entries = refund_entries(
        booking.id, booking.helper_id, books, amount=amount, at=now, reference="", note=note
    )
    step = key or f"{before}-{amount}"
    refund_id = payments.refund(
        booking.payment_ref, amount, idempotency_key=f"booking-{booking.id}-refund-{step}"
    )
    entries = [replace(e, reference=refund_id) for e in entries]
    uow.ledger.add(entries)
    return entries
