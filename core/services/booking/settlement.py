"""Settlement: the customer confirms the worked time (or 24 hours pass), the card is captured,
both get a receipt and are asked to rate; or the customer disputes and support resolves."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.booking import (
    STAR_CHOICES,
    Actor,
    Booking,
    BookingPolicy,
    NotNow,
    Step,
    TimerKind,
    Trigger,
    billed_minutes,
    decide,
)
from core.ids import Cents, TelegramUserId
from core.notices import Reply
from core.payments import PaymentState, split
from core.ports import PaymentProvider, UnitOfWork
from core.services import steps
from core.services.booking.money import ask_for_extra_in, charge_in
from core.staff import StaffMember


def confirm_time(
    uow: UnitOfWork,
    telegram_id: TelegramUserId | None,
    booking_id: int,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    source: str = "",
) -> None:
    """The customer confirms the worked time (telegram_id None: 24 hours passed). Card
    payments are captured for the actual amount, the rest of the hold is released."""
    with uow:
        if telegram_id is None:
            booking, actor = steps.booking(uow, booking_id), Actor.SYSTEM
        else:
            booking, actor = steps.mine(uow, telegram_id, booking_id, Actor.CUSTOMER), Actor.CUSTOMER
        settle_in(uow, booking, actor, now=now, policy=policy, payments=payments, source=source)
        uow.commit()


def settle_in(
    uow: UnitOfWork,
    booking: Booking,
    actor: Actor,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    source: str,
    amount: Cents | None = None,
    trigger: Trigger = Trigger.CONFIRM,
) -> Booking:
    decide(booking.state, trigger, actor)
    amount = booking.amount if amount is None else amount
    assert amount is not None
    extra = Cents(0)
    if booking.payment in {PaymentState.HELD, PaymentState.CHARGED}:
        extra = charge_in(uow, booking, amount, now=now, policy=policy, payments=payments, step="capture")
    settled = steps.move(uow, booking, trigger, actor, now=now, source=source, amount=amount)
    if extra:
        ask_for_extra_in(uow, settled, extra, now=now, policy=policy, payments=payments)
    uow.timers.cancel(settled.id, [TimerKind.AUTO_CONFIRM])
    params = {
        **steps.params(uow, settled),
        "amount": amount,
        "method": booking.payment or "cash",
        "worked": settled.worked_minutes or 0,
        "billed": billed_minutes(settled.worked_minutes or 0),
    }
    if booking.payment in {PaymentState.HELD, PaymentState.CHARGED}:
        params["method"] = "card" if payments.live else "card_offline"
    share, fee = split(amount, policy.fee_percent)
    params |= {"fee": fee, "share": share}
    key_customer = "booking.receipt_auto" if actor is Actor.SYSTEM else "booking.receipt"
    steps.tell(uow, settled, Actor.CUSTOMER, Reply(key_customer, params), now)
    if booking.payment == PaymentState.CASH:
        helper_reply = steps.reply("booking.receipt_helper_cash", params, settled, Step.CASH_RECEIVED)
    else:
        helper_reply = Reply("booking.receipt_helper", params)
    steps.tell(uow, settled, Actor.HELPER, helper_reply, now)
    for side in (Actor.CUSTOMER, Actor.HELPER):
        steps.tell(uow, settled, side, steps.reply(f"rating.ask_{side}", params, settled, *STAR_CHOICES), now)
    uow.timers.set(settled.id, TimerKind.RATING_REMINDER, now + timedelta(hours=policy.rating_reminder_hours))
    uow.timers.set(settled.id, TimerKind.RATING_REVEAL, now + timedelta(days=policy.rating_window_days))
    uow.timers.set(settled.id, TimerKind.RELAY_CLOSE, now + timedelta(hours=policy.relay_open_hours))
    uow.timers.set(settled.id, TimerKind.RETENTION, now + timedelta(days=policy.retention_days))
    return settled


def dispute(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, source: str = ""
) -> None:
    """The customer does not agree with the worked time: support decides."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.CUSTOMER)
        disputed = steps.move(uow, booking, Trigger.DISPUTE, Actor.CUSTOMER, now=now, source=source)
        uow.timers.cancel(disputed.id, [TimerKind.AUTO_CONFIRM])
        uow.relay.flag(disputed.id, "dispute", by=Actor.CUSTOMER, note="worked time disputed", now=now)
        params = steps.params(uow, disputed)
        steps.tell(uow, disputed, Actor.CUSTOMER, Reply("booking.disputed_customer", params), now)
        steps.tell(uow, disputed, Actor.HELPER, Reply("booking.disputed_helper", params), now)
        uow.commit()


def resolve(
    uow: UnitOfWork,
    booking_id: int,
    *,
    amount: Cents,
    note: str,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    by_staff: StaffMember | None = None,
    address: str = "",
) -> Booking:
    """Support settles a dispute with the amount the customer pays (0 … the billed amount)."""
    with uow:
        booking = steps.booking(uow, booking_id)
        if booking.amount is not None and not 0 <= amount <= max(booking.amount, booking.hold or 0):
            raise NotNow(state=str(booking.state))
        resolved = settle_in(
            uow,
            booking,
            Actor.SUPPORT,
            now=now,
            policy=policy,
            payments=payments,
            source="support",
            amount=amount,
            trigger=Trigger.RESOLVE,
        )
        steps.note(uow, resolved, "resolution", Actor.SUPPORT, now, note)
        if by_staff is not None:
            steps.audit(
                uow,
                by_staff,
                "dispute_resolve",
                "booking",
                str(booking_id),
                "",
                f"{amount} cents · {note}",
                now=now,
                address=address,
            )
        uow.commit()
        return resolved
