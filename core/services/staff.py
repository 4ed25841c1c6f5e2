"""Staff use cases: accounts, logins slowed down after failures, sessions, and the staff actions
on helpers, each written to the audit log. Passwords are hashed by the adapter (console);
core sees only hashes and a `verify` callable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from core.booking import Actor, Booking, BookingPolicy, BookingState
from core.errors import DomainError, UnknownHelper
from core.helpers import Helper, HelperStatus
from core.ids import HelperId
from core.notices import Reply
from core.payments import PaymentState
from core.ports import PaymentProvider, UnitOfWork
from core.services import booking as booking_service
from core.services import matching, steps
from core.services.steps import audit
from core.staff import (
    AuditEntry,
    NotAllowed,
    Permission,
    Role,
    StaffExists,
    StaffMember,
    UnknownStaff,
    checked_email,
)

#: Login attempts allowed per address and account before each next one has to wait (2, 4, 8 …
#: seconds, at most 15 minutes) …
FREE_PER_ACCOUNT: Final = 3
#: … and per address, whatever the accounts (guessing many accounts' passwords). Never per
#: account alone: a stranger's guesses must not lock the owner out from where they are.
FREE_PER_ADDRESS: Final = 10
MAX_WAIT: Final = timedelta(minutes=15)
SESSION_HOURS: Final = 8


class LoginRefused(DomainError):
    key = "staff.login_refused"


class MoneyAttached(NotAllowed):
    """Cancelling this booking would move money (release a hold, refund or charge a fee)."""

    key = "staff.cancel_needs_refund"


class SlowDown(DomainError):
    """Too many failed logins for this account or this address: wait."""

    key = "staff.slow_down"


def add_staff(uow: UnitOfWork, email: str, role: Role, password_hash: str, *, now: datetime) -> StaffMember:
    with uow:
        email = checked_email(email)
        if uow.staff.by_email(email) is not None:
            raise StaffExists(email=email)
        member = uow.staff.add(email, password_hash, role, now=now)
        audit(uow, None, "staff_add", "staff", str(member.id), "", f"{email} {role}", now=now)
        uow.commit()
        return member


def set_disabled(uow: UnitOfWork, email: str, disabled: bool, *, now: datetime) -> StaffMember:
    """Disable (and log out everywhere) or enable an account."""
    with uow:
        found = uow.staff.by_email(checked_email(email))
        if found is None:
            raise UnknownStaff(email=email)
        member, _ = found
        uow.staff.set_disabled(member.id, disabled)
        if disabled:
            uow.staff.end_sessions_of(member.id)
        audit(
            uow,
            None,
            "staff_disable" if disabled else "staff_enable",
            "staff",
            str(member.id),
            str(member.disabled),
            str(disabled),
            now=now,
        )
        uow.commit()
        return replace(member, disabled=disabled)


def _wait_after(free: int, now: datetime) -> Callable[[int, datetime], timedelta]:
    def wait(count: int, last: datetime) -> timedelta:
        if count < free:
            return timedelta(0)
        delay = min(timedelta(seconds=2 ** (count - free + 1)), MAX_WAIT)
        return max(timedelta(0), last + delay - now)

    return wait


def log_in(
    uow: UnitOfWork,
    email: str,
    verify: Callable[[str | None], bool],
    *,
    address: str,
    now: datetime,
) -> StaffMember:
    """The member for these credentials. The attempt is counted first, per address and per
    address and account, in its own transaction (SlowDown once too many came too fast, with no
    password checked); then `verify(hash)` checks the typed password (against a dummy hash for
    unknown e-mails, so both take as long). A success forgets the account's attempts from
    this address and gives the address its attempt back; a failure keeps both counted."""
    email = email.strip().lower()
    by_address, by_account = f"address:{address}"[:300], f"account:{address}|{email}"[:300]
    with uow:
        for key, free in ((by_address, FREE_PER_ADDRESS), (by_account, FREE_PER_ACCOUNT)):
            wait = uow.staff.claim_attempt(key, now=now, wait=_wait_after(free, now))
            if wait > timedelta(0):  # not counted: the transaction rolls back
                raise SlowDown(seconds=int(wait.total_seconds()) + 1)
        found = uow.staff.by_email(email)
        uow.commit()
    if not verify(found[1] if found else None) or found is None or found[0].disabled:
        raise LoginRefused()
    with uow:
        uow.staff.forget_attempts(by_account)
        uow.staff.give_back_attempt(by_address)
        audit(uow, found[0], "login", "staff", str(found[0].id), "", "", now=now, address=address)
        uow.commit()
        return found[0]


def start_session(
    uow: UnitOfWork,
    member: StaffMember,
    token_hash: str,
    csrf: str,
    *,
    now: datetime,
    hours: int = SESSION_HOURS,
) -> None:
    with uow:
        uow.staff.start_session(token_hash, member.id, csrf, now=now, expires=now + timedelta(hours=hours))
        uow.commit()


def session(uow: UnitOfWork, token_hash: str, *, now: datetime) -> tuple[StaffMember, str] | None:
    with uow:
        return uow.staff.session_of(token_hash, now=now)


def end_session(uow: UnitOfWork, token_hash: str) -> None:
    with uow:
        uow.staff.end_session(token_hash)
        uow.commit()


def require(member: StaffMember, permission: Permission) -> None:
    if not member.may(permission):
        raise NotAllowed(permission=str(permission))


def recent_audit(uow: UnitOfWork, *, limit: int = 200) -> list[AuditEntry]:
    with uow:
        return uow.audit.recent(limit=limit)


def _summary(helper: Helper) -> str:
    return f"status={helper.status} verified={helper.verified}"


def verify_helper(
    uow: UnitOfWork, member: StaffMember, helper_id: int, note: str, *, now: datetime, address: str = ""
) -> Helper:
    """Support checked the helper (the note says what): from now on they can be offered."""
    require(member, Permission.VERIFY)
    with uow:
        helper = uow.helpers.get(HelperId(helper_id))
        if helper is None:
            raise UnknownHelper(helper_id=helper_id)
        verified = uow.helpers.save(replace(helper, verified=True), now=now)
        matching.announce_helper(uow, verified, now=now)
        side = steps.helper_side(uow, verified)
        if not helper.verified:
            uow.outbox.add(
                side.telegram_id, side.language, Reply("helper.verified", {"name": helper.name}), now=now
            )
        audit(
            uow,
            member,
            "helper_verify",
            "helper",
            str(helper_id),
            _summary(helper),
            f"{_summary(verified)} · {note}",
            now=now,
            address=address,
        )
        uow.commit()
        return verified


def suspend_helper(
    uow: UnitOfWork,
    member: StaffMember,
    helper_id: int,
    reason: str,
    *,
    suspended: bool,
    now: datetime,
    address: str = "",
) -> Helper:
    """Suspend (or let back) a helper, with a reason they are told in the chat. Offers they
    have not answered are withdrawn and their requests go to the next helper."""
    require(member, Permission.SUSPEND)
    with uow:
        helper = uow.helpers.get(HelperId(helper_id))
        if helper is None:
            raise UnknownHelper(helper_id=helper_id)
        status = HelperStatus.SUSPENDED if suspended else HelperStatus.ACTIVE
        changed = uow.helpers.save(replace(helper, status=status), now=now)
        if suspended:
            for offer in uow.bookings.of_helper(helper.id, [BookingState.OFFERED]):
                withdrawn = booking_service.withdraw_in(
                    uow,
                    offer,
                    Actor.SUPPORT,
                    reason=f"helper suspended: {reason}",
                    now=now,
                    tell_helper=False,
                )
                booking_service.rematch_in(uow, withdrawn, now=now)
        side = steps.helper_side(uow, changed)
        key = "helper.suspended" if suspended else "helper.unsuspended"
        uow.outbox.add(side.telegram_id, side.language, Reply(key, {"reason": reason}), now=now)
        audit(
            uow,
            member,
            "helper_suspend" if suspended else "helper_unsuspend",
            "helper",
            str(helper_id),
            _summary(helper),
            f"{_summary(changed)} · {reason}",
            now=now,
            address=address,
        )
        uow.commit()
        return changed


def money_attached(payment: str | None) -> bool:
    """A card hold or a charge: cancelling the booking releases, refunds or charges money."""
    return payment in {PaymentState.HELD, PaymentState.CHARGED}


def cancel_booking(
    uow: UnitOfWork,
    member: StaffMember,
    booking_id: int,
    reason: str,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    address: str = "",
) -> Booking:
    """Support cancels a booking for a party; both sides are told. A booking with money attached
    (a card hold or a charge) is cancelled only by a member who may refund, since cancelling
    releases the hold, refunds or charges the late fee: decided on the booking as read in the
    same transaction as the cancellation, so a payment arriving meanwhile cannot slip past."""
    require(member, Permission.ANSWER)
    with uow:
        booking = steps.booking(uow, booking_id)
        if money_attached(booking.payment) and not member.may(Permission.REFUND):
            raise MoneyAttached(permission=str(Permission.REFUND))
        cancelled = booking_service.cancel_in(
            uow,
            booking,
            Actor.SUPPORT,
            now=now,
            policy=policy,
            payments=payments,
            reason=reason,
            source="console",
        )
        before, after = str(booking.state), f"{cancelled.state} · {reason}"
        audit(
            uow, member, "booking_cancel", "booking", str(booking_id), before, after, now=now, address=address
        )
        uow.commit()
        return cancelled
