"""Money use cases: card holds and captures through the payment provider, refunds, cash, the
provider's webhook events, helpers' payout accounts, and reconciling the ledger.

Functions named `…_in` run inside the caller's transaction (the booking use cases call them);
the others are a transaction of their own. Every provider write carries an idempotency key
made of the booking and the step, so a retry after a crash never charges twice; the ledger
rows are written in the same transaction as the booking's state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.booking import (
    Actor,
    AlreadyDone,
    Booking,
    BookingPolicy,
    BookingState,
    NotNow,
    Step,
)
from core.errors import DomainError
from core.ids import BookingId, Cents, HelperId, TelegramUserId
from core.notices import Reply
from core.payments import (
    LedgerEntry,
    LedgerKind,
    PaymentState,
    ProviderEvent,
    capture_entries,
    cash_entries,
    split,
    totals_of,
)
from core.ports import PaymentProvider, ProviderPayment, UnitOfWork
from core.services import steps
from core.services.booking.money import card_held_in, refund_in
from core.staff import StaffMember


class NotACardPayment(DomainError):
    key = "payments.not_card"


# --- card: start, hold, capture, release --------------------------------------------------------


# --- use cases of their own -------------------------------------------------------------------


def refund(
    uow: UnitOfWork,
    booking_id: int,
    amount: Cents,
    *,
    reason: str,
    now: datetime,
    payments: PaymentProvider,
    request_key: str | None = None,
    by_staff: StaffMember | None = None,
    address: str = "",
) -> list[LedgerEntry]:
    """Support refunds (part of) a card payment. With a request key (the console's form carries
    one), the same request again (a double click) finds it done and changes nothing."""
    with uow:
        if request_key is not None and not uow.provider_events.claim(
            f"refund:{request_key}", "refund", now=now
        ):
            return []
        booking = uow.bookings.get(BookingId(booking_id))
        if booking is None:
            raise NotNow(state="")
        if booking.payment not in {PaymentState.HELD, PaymentState.CHARGED} or booking.payment_ref is None:
            raise NotACardPayment()
        entries = refund_in(uow, booking, amount, now=now, payments=payments, note=reason, key=request_key)
        steps.note(uow, booking, "refunded", Actor.SUPPORT, now, f"{amount} cents: {reason}")
        if by_staff is not None:
            steps.audit(
                uow,
                by_staff,
                "refund",
                "booking",
                str(booking_id),
                "",
                f"{amount} cents · {reason}",
                now=now,
                address=address,
            )
        params = {**steps.params(uow, booking), "amount": amount}
        steps.tell(uow, booking, Actor.CUSTOMER, Reply("payments.refunded_customer", params), now)
        steps.tell(uow, booking, Actor.HELPER, Reply("payments.refunded_helper", params), now)
        uow.commit()
        return entries


def cash_received(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, policy: BookingPolicy
) -> None:
    """The helper confirms the cash they got; the platform fee becomes what they owe."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.HELPER)
        if booking.payment != PaymentState.CASH or booking.state not in {
            BookingState.SETTLED,
            BookingState.RATED,
            BookingState.RESOLVED,
        }:
            raise NotNow(state=str(booking.state))
        if any(e.kind is LedgerKind.CASH for e in uow.ledger.of_booking(booking.id)):
            raise AlreadyDone(state=str(booking.state))
        assert booking.amount is not None
        uow.ledger.add(
            cash_entries(
                booking.id, booking.helper_id, amount=booking.amount, fee_percent=policy.fee_percent, at=now
            )
        )
        steps.note(uow, booking, "cash_received", Actor.HELPER, now, str(booking.amount))
        owed = uow.ledger.balance(booking.helper_id)
        _, fee = split(booking.amount, policy.fee_percent)
        steps.tell(
            uow,
            booking,
            Actor.HELPER,
            Reply(
                "payments.cash_noted",
                {**steps.params(uow, booking), "amount": booking.amount, "fee": fee, "owed": owed},
            ),
            now,
        )
        uow.commit()


def apply_event(
    uow: UnitOfWork, event: ProviderEvent, *, now: datetime, policy: BookingPolicy, payments: PaymentProvider
) -> str:
    """A webhook event, once (by its id). Events may come in any order and more than once;
    each step checks the booking's state, so a late or repeated one changes nothing.
    Returns what was done, for the log."""
    with uow:
        if not uow.provider_events.claim(event.id, event.type, now=now):
            return "repeat"
        done = _apply(uow, event, now=now, policy=policy, payments=payments)
        uow.commit()
        return done


def _apply(
    uow: UnitOfWork, event: ProviderEvent, *, now: datetime, policy: BookingPolicy, payments: PaymentProvider
) -> str:
    if event.type == "account.updated" and event.account:
        return _account_updated(uow, event.account, event.ready, now=now)
    if event.booking_id:
        booking = uow.bookings.get(BookingId(event.booking_id))
    else:  # a dispute names only the payment
        booking = uow.bookings.by_payment_ref(event.reference) if event.reference else None
    if booking is None:
        return "ignored"
    if (
        event.type
        in {
            "checkout.session.completed",
            "payment_intent.amount_capturable_updated",
            "payment_intent.succeeded",
        }
        and event.reference
    ):
        if event.purpose == "extra":
            return _extra_paid(uow, booking, event.reference, now=now, policy=policy, payments=payments)
        if booking.payment_ref == event.reference:
            return "already"
        state = payments.payment(event.reference)
        paid = state.capturable or state.captured
        if booking.state is not BookingState.SCHEDULED:  # paid another way meanwhile (cash, a second page)
            return _give_back(uow, booking, state, "payments.stray", now=now, payments=payments)
        if _outdated(booking, event, paid, policy):
            return _give_back(uow, booking, state, "payments.outdated", now=now, payments=payments)
        if paid:  # held; or charged at once (PayPal and the like)
            charged = state.capturable == 0
            card_held_in(
                uow,
                booking,
                reference=event.reference,
                amount=Cents(paid),
                now=now,
                policy=policy,
                payments=payments,
                source=f"provider:{event.id}",
                charged=charged,
            )
            return "charged" if charged else "held"
        return "pending"
    if event.type == "payment_intent.payment_failed" and booking.state is BookingState.SCHEDULED:
        failed = steps.reply(
            "booking.card_failed", steps.params(uow, booking), booking, Step.PAY_CARD, Step.PAY_CASH
        )
        steps.tell(uow, booking, Actor.CUSTOMER, failed, now)
        return "failed"
    if event.type == "charge.dispute.created":
        uow.relay.flag(booking.id, "chargeback", by=Actor.CUSTOMER, note=event.reference or "", now=now)
        return "flagged"
    return "ignored"


def _outdated(booking: Booking, event: ProviderEvent, paid: int, policy: BookingPolicy) -> bool:
    """A payment page older than the booking's current one (another checkout), or one that asked
    for less than the hold the booking needs now (the visit got longer since): not accepted."""
    if event.checkout is not None and booking.checkout_id not in (None, event.checkout):
        return True
    return bool(paid) and booking.estimate is not None and paid < policy.hold_for(booking.estimate)


def _give_back(
    uow: UnitOfWork,
    booking: Booking,
    payment: ProviderPayment,
    key: str,
    *,
    now: datetime,
    payments: PaymentProvider,
) -> str:
    """A payment the booking does not take: a hold is released; money already taken is refunded
    in full, and the customer is told which of the two happened."""
    reference = payment.reference
    if payment.captured - payment.refunded > 0:
        amount = Cents(payment.captured - payment.refunded)
        payments.refund(reference, amount, idempotency_key=f"stray-{reference}-refund")
        params = {**steps.params(uow, booking), "amount": amount}
        steps.note(uow, booking, "stray_refunded", Actor.SYSTEM, now, f"{reference} {amount}")
        done = "refunded"
    else:
        payments.release(reference, idempotency_key=f"stray-{reference}")
        params = steps.params(uow, booking)
        steps.note(uow, booking, "stray_released", Actor.SYSTEM, now, reference)
        done = "released"
    offered = (Step.PAY_CARD, Step.PAY_CASH) if key == "payments.outdated" else ()
    steps.tell(uow, booking, Actor.CUSTOMER, steps.reply(f"{key}_{done}", params, booking, *offered), now)
    return done


def _extra_paid(
    uow: UnitOfWork,
    booking: Booking,
    reference: str,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
) -> str:
    if any(e.reference == reference for e in uow.ledger.of_booking(booking.id)):
        return "already"
    captured = Cents(payments.payment(reference).captured)
    uow.ledger.add(
        capture_entries(
            booking.id,
            booking.helper_id,
            amount=captured,
            fee_percent=policy.fee_percent,
            owed=Cents(0),
            at=now,
            reference=reference,
        )
    )
    steps.tell(
        uow,
        booking,
        Actor.CUSTOMER,
        Reply("booking.extra_paid", {**steps.params(uow, booking), "extra": captured}),
        now,
    )
    return "extra"


def _account_updated(uow: UnitOfWork, account: str, ready: bool, *, now: datetime) -> str:
    helper = uow.helpers.by_stripe_account(account)
    if helper is None or helper.payouts_ready == ready:
        return "ignored"
    uow.helpers.save(replace(helper, payouts_ready=ready), now=now)
    customer = uow.customers.by_telegram_id(helper.telegram_id)
    language = customer.language if customer else sorted(helper.languages)[0]
    key = "payments.account_ready" if ready else "payments.account_not_ready"
    uow.outbox.add(helper.telegram_id, language, Reply(key, {"name": helper.name}), now=now)
    return "account"


def connect(
    uow: UnitOfWork, telegram_id: TelegramUserId, *, now: datetime, payments: PaymentProvider
) -> Reply:
    """/payouts: a helper connects (or finishes connecting) a Stripe Express account."""
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        if helper is None or helper.status == "registering":
            raise DomainError()
        owed = uow.ledger.balance(helper.id)
        if not payments.live:
            return Reply("payments.payouts_offline", {"owed": owed})
        if helper.payouts_ready:
            return Reply("payments.payouts_ready", {"owed": owed})
        account = helper.stripe_account or payments.connect_account(
            helper_id=helper.id, idempotency_key=f"helper-{helper.id}-account"
        )
        if helper.stripe_account is None:
            uow.helpers.save(replace(helper, stripe_account=account), now=now)
            uow.commit()
    return Reply("payments.connect", {"url": payments.onboarding_link(account), "owed": owed})


@dataclass(frozen=True)
class Difference:
    booking_id: int
    reference: str
    what: str
    ledger: int
    provider: int


def reconcile(uow: UnitOfWork, payments: PaymentProvider) -> tuple[int, list[Difference]]:
    """Compare, per provider payment, what the ledger says was captured and refunded with what
    the provider says. Returns (payments compared, differences)."""
    with uow:
        compared, differences = 0, []
        for booking_id in uow.ledger.bookings():
            booking = uow.bookings.get(booking_id)
            entries = uow.ledger.of_booking(booking_id)
            if booking is None or booking.payment_ref is None or booking.payment == PaymentState.CASH:
                continue
            references = {
                e.reference for e in entries if e.kind in {LedgerKind.CAPTURED, LedgerKind.AUTHORISED}
            }
            for reference in sorted(r for r in references if r):
                state = payments.payment(reference)
                ours = [
                    e
                    for e in entries
                    if e.reference == reference
                    or (
                        e.kind is LedgerKind.REFUNDED
                        and reference == booking.payment_ref
                        and e.reference != reference
                        and e.reference not in references
                    )
                ]
                t = totals_of(ours)
                compared += 1
                for what, mine, theirs in (
                    ("captured", t[LedgerKind.CAPTURED], state.captured),
                    ("refunded", t[LedgerKind.REFUNDED], state.refunded),
                ):
                    if mine != theirs:
                        differences.append(Difference(booking_id, reference, what, mine, theirs))
        return compared, differences


def helper_balance(uow: UnitOfWork, helper_id: HelperId) -> Cents:
    with uow:
        return uow.ledger.balance(helper_id)
