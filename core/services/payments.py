"""Money use cases: card holds and captures through the payment provider, refunds, cash, the
provider's webhook events, helpers' payout accounts, and reconciling the ledger.

Functions named `…_in` run inside the caller's transaction (the booking use cases call them);
the others are a transaction of their own. Every provider write carries an idempotency key
made of the booking and the step, so a retry after a crash never charges twice; the ledger
rows are written in the same transaction as the booking's state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.booking import (
    Actor,
    AlreadyDone,
    Booking,
    BookingPolicy,
    BookingState,
    NotNow,
    TimerKind,
    Trigger,
    decide,
)
from core.errors import DomainError
from core.ids import BookingId, Cents, HelperId, TelegramUserId
from core.notices import Choice, Reply
from core.payments import (
    HOLD_DAYS,
    LedgerEntry,
    LedgerKind,
    ProviderEvent,
    application_fee,
    capture_entries,
    cash_entries,
    refund_entries,
    split,
    totals_of,
)
from core.ports import PaymentProvider, UnitOfWork
from core.services import steps
from core.staff import StaffMember

S, T, A = BookingState, Trigger, Actor
#: Card payment states on the booking (Booking.payment).
HELD, CHARGED, CASH = "card", "charged", "cash"


class CardNotAvailable(DomainError):
    key = "booking.card_unavailable"


class NotACardPayment(DomainError):
    key = "payments.not_card"


# --- card: start, hold, capture, release --------------------------------------------------------


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
    decide(booking.state, T.PAY_CARD, A.CUSTOMER)
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
    pending = uow.bookings.save(replace(booking, checkout_id=checkout.reference))
    steps.note(uow, pending, "checkout_opened", A.CUSTOMER, now, checkout.reference)
    params = {**steps.params(uow, pending), "hold": hold, "url": checkout.url}
    steps.tell(uow, pending, A.CUSTOMER, Reply("booking.pay_by_card", params, booking_id=pending.id), now)
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
        T.PAY_CARD,
        A.CUSTOMER,
        now=now,
        source=source,
        payment=CHARGED if charged else HELD,
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
    actions = ("resch", "cx")
    steps.tell(
        uow,
        paid,
        A.CUSTOMER,
        Reply(key, {**params, "actions": ",".join(actions)}, choices=(Choice.BOOKING,), booking_id=paid.id),
        now,
    )
    steps.tell(uow, paid, A.HELPER, Reply("booking.paid_helper", params), now)
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
    if booking.payment == CHARGED:
        charged = totals_of(books)[LedgerKind.CAPTURED] - totals_of(books)[LedgerKind.REFUNDED]
        if amount < charged:
            _refund_in(uow, booking, Cents(charged - amount), now=now, payments=payments, note=step)
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
    steps.tell(uow, booking, A.CUSTOMER, Reply("booking.pay_extra", params, booking_id=booking.id), now)


def release_in(uow: UnitOfWork, booking: Booking, *, now: datetime, payments: PaymentProvider) -> None:
    """Give a whole hold back (a cancellation without a fee), or refund what was charged."""
    if booking.payment == CHARGED:
        charge_in(uow, booking, Cents(0), now=now, policy=BookingPolicy(), payments=payments, step="cancel")
        return
    if booking.payment != HELD or booking.payment_ref is None or booking.hold is None:
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


def _refund_in(
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
        if booking.payment not in {HELD, CHARGED} or booking.payment_ref is None:
            raise NotACardPayment()
        entries = _refund_in(uow, booking, amount, now=now, payments=payments, note=reason, key=request_key)
        steps.note(uow, booking, "refunded", A.SUPPORT, now, f"{amount} cents: {reason}")
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
        steps.tell(uow, booking, A.CUSTOMER, Reply("payments.refunded_customer", params), now)
        steps.tell(uow, booking, A.HELPER, Reply("payments.refunded_helper", params), now)
        uow.commit()
        return entries


def cash_received(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, policy: BookingPolicy
) -> None:
    """The helper confirms the cash they got; the platform fee becomes what they owe."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, A.HELPER)
        if booking.payment != CASH or booking.state not in {S.SETTLED, S.RATED, S.RESOLVED}:
            raise NotNow(state=str(booking.state))
        if any(e.kind is LedgerKind.CASH for e in uow.ledger.of_booking(booking.id)):
            raise AlreadyDone(state=str(booking.state))
        assert booking.amount is not None
        uow.ledger.add(
            cash_entries(
                booking.id, booking.helper_id, amount=booking.amount, fee_percent=policy.fee_percent, at=now
            )
        )
        steps.note(uow, booking, "cash_received", A.HELPER, now, str(booking.amount))
        owed = uow.ledger.balance(booking.helper_id)
        _, fee = split(booking.amount, policy.fee_percent)
        steps.tell(
            uow,
            booking,
            A.HELPER,
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
        if booking.state is not S.SCHEDULED:  # paid another way meanwhile (cash, a second page)
            payments.release(event.reference, idempotency_key=f"stray-{event.reference}")
            steps.tell(
                uow, booking, A.CUSTOMER, Reply("payments.stray_released", steps.params(uow, booking)), now
            )
            return "released"
        state = payments.payment(event.reference)
        if state.capturable > 0 or state.captured > 0:  # held; or charged at once (PayPal and the like)
            charged = state.capturable == 0
            card_held_in(
                uow,
                booking,
                reference=event.reference,
                amount=Cents(state.captured if charged else state.capturable),
                now=now,
                policy=policy,
                payments=payments,
                source=f"provider:{event.id}",
                charged=charged,
            )
            return "charged" if charged else "held"
        return "pending"
    if event.type == "payment_intent.payment_failed" and booking.state is S.SCHEDULED:
        params = {**steps.params(uow, booking), "actions": "card,cash"}
        steps.tell(
            uow,
            booking,
            A.CUSTOMER,
            Reply("booking.card_failed", params, choices=(Choice.BOOKING,), booking_id=booking.id),
            now,
        )
        return "failed"
    if event.type == "charge.dispute.created":
        uow.relay.flag(booking.id, "chargeback", by=A.CUSTOMER, note=event.reference or "", now=now)
        return "flagged"
    return "ignored"


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
        A.CUSTOMER,
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
            if booking is None or booking.payment_ref is None or booking.payment == CASH:
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
