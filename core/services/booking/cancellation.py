"""Cancelling a booking: free until `free_cancel_hours` before the visit for the customer, always
free for helper and support; a helper's cancellation passes the request to the next helper."""

from __future__ import annotations

from datetime import datetime

from core.booking import (
    Actor,
    Booking,
    BookingPolicy,
    Step,
    Trigger,
    decide,
)
from core.ids import TelegramUserId
from core.intake import RequestStatus
from core.notices import Reply
from core.payments import PaymentState
from core.ports import PaymentProvider, UnitOfWork
from core.services import steps
from core.services.booking.money import charge_in, release_in
from core.services.booking.offers import rematch
from core.staff import StaffMember


def ask_cancel(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, policy: BookingPolicy
) -> None:
    """Show what cancelling costs now (free until 24 hours before) and ask to confirm."""
    with uow:
        booking = steps.booking(uow, booking_id)
        role = steps.role(uow, booking, telegram_id)
        decide(booking.state, Trigger.CANCEL, role)
        fee = policy.cancellation_fee(booking, role, now)
        params = {**steps.params(uow, booking), "fee": fee, "hours": policy.free_cancel_hours}
        key = "booking.cancel_confirm_fee" if fee else "booking.cancel_confirm_free"
        steps.tell(
            uow, booking, role, steps.reply(key, params, booking, Step.CANCEL_CONFIRMED, Step.KEEP), now
        )
        uow.commit()


def cancel(
    uow: UnitOfWork,
    telegram_id: TelegramUserId | None,
    booking_id: int,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    reason: str = "",
    source: str = "",
    by_staff: StaffMember | None = None,
    address: str = "",
) -> Booking:
    """Cancel by customer, helper (telegram_id) or support (None; `by_staff` in the console, audited
    in the same transaction). A helper's cancellation sends the request to the next helper; a
    customer's closes the request."""
    with uow:
        booking = steps.booking(uow, booking_id)
        actor = Actor.SUPPORT if telegram_id is None else steps.role(uow, booking, telegram_id)
        cancelled = cancel_in(
            uow, booking, actor, now=now, policy=policy, payments=payments, reason=reason, source=source
        )
        if by_staff is not None:
            steps.audit(
                uow,
                by_staff,
                "booking_cancel",
                "booking",
                str(booking_id),
                str(booking.state),
                f"{cancelled.state} · {reason}",
                now=now,
                address=address,
            )
        uow.commit()
        return cancelled


def cancel_in(
    uow: UnitOfWork,
    booking: Booking,
    actor: Actor,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    reason: str,
    source: str,
) -> Booking:
    decide(booking.state, Trigger.CANCEL, actor)
    fee = policy.cancellation_fee(booking, actor, now)
    if booking.payment in {PaymentState.HELD, PaymentState.CHARGED}:
        if fee:
            charge_in(uow, booking, fee, now=now, policy=policy, payments=payments, step="fee")
        else:
            release_in(uow, booking, now=now, payments=payments)
    cancelled = steps.move(
        uow,
        booking,
        Trigger.CANCEL,
        actor,
        now=now,
        reason=reason,
        source=source,
        fee=fee,
        relay_closed_at=now,
    )
    uow.timers.cancel(cancelled.id)
    params = {**steps.params(uow, cancelled), "fee": fee, "by": str(actor)}
    for side in (Actor.CUSTOMER, Actor.HELPER):
        key = "booking.cancelled_you" if side is actor else f"booking.cancelled_by_{actor}"
        if side is Actor.CUSTOMER and fee and actor is Actor.CUSTOMER:
            key = "booking.cancelled_you_fee"
        steps.tell(uow, cancelled, side, Reply(key, params), now)
    if actor is Actor.HELPER:
        uow.requests.set_status(cancelled.request_id, RequestStatus.SEARCHING, now=now)
        rematch(uow, cancelled, now=now, policy=policy, why="cancelled")
    else:
        uow.requests.set_status(cancelled.request_id, RequestStatus.CANCELLED, now=now)
    return cancelled
