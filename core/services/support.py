"""Support in a conversation: write to a person, take the conversation over (the bot waits) and
hand it back; every step is in the audit log and the person is told in their language."""

from __future__ import annotations

from datetime import datetime

from core.ids import CustomerId, TelegramUserId
from core.notices import Reply
from core.ports import UnitOfWork
from core.services.staff import require
from core.services.steps import audit
from core.staff import Permission, StaffMember, UnknownStaff


def log_message(
    uow: UnitOfWork,
    telegram_id: int,
    *,
    incoming: bool,
    kind: str,
    text: str,
    now: datetime,
    booking_id: int | None = None,
    helper_id: int | None = None,
) -> bool:
    """Keep a message of the chat log; True when support has taken this person's chat over (the
    bot then leaves the message to support). A line the bot sent names the booking or helper it
    is about (erasing that person erases it)."""
    with uow:
        uow.chat.log(
            telegram_id,
            incoming=incoming,
            kind=kind,
            text=text,
            now=now,
            booking_id=booking_id,
            helper_id=helper_id,
        )
        customer = uow.customers.by_telegram_id(TelegramUserId(telegram_id)) if incoming else None
        uow.commit()
        return bool(customer is not None and customer.taken_over_by)


def note_nlu(uow: UnitOfWork, telegram_id: int, text: str, intent: str, confidence: float) -> None:
    with uow:
        uow.chat.note_nlu(telegram_id, text, intent, confidence)
        uow.commit()


def write(
    uow: UnitOfWork, member: StaffMember, customer_id: int, text: str, *, now: datetime, address: str = ""
) -> None:
    """A support agent's message, framed as from support, in the person's chat."""
    require(member, Permission.ANSWER)
    with uow:
        customer = uow.customers.get(CustomerId(customer_id))
        uow.outbox.add(
            customer.telegram_id, customer.language, Reply("support.message", {"text": text}), now=now
        )
        uow.chat.log(
            customer.telegram_id, incoming=False, kind="support", text=text, now=now, staff_id=member.id
        )
        audit(
            uow,
            member,
            "support_write",
            "customer",
            str(customer_id),
            "",
            text[:200],
            now=now,
            address=address,
        )
        uow.commit()


def take_over(
    uow: UnitOfWork,
    member: StaffMember,
    customer_id: int,
    *,
    taking: bool,
    now: datetime,
    address: str = "",
) -> None:
    """Pause the bot for this person while support handles them (taking), or hand back."""
    require(member, Permission.ANSWER)
    with uow:
        customer = uow.customers.get(CustomerId(customer_id))
        before = customer.taken_over_by
        uow.customers.set_taken_over(customer.id, member.id if taking else None)
        key = "support.took_over" if taking else "support.handed_back"
        if bool(before) != taking:
            uow.outbox.add(customer.telegram_id, customer.language, Reply(key), now=now)
        audit(
            uow,
            member,
            "take_over" if taking else "hand_back",
            "customer",
            str(customer_id),
            str(before),
            str(member.id if taking else None),
            now=now,
            address=address,
        )
        uow.commit()


def block_customer(
    uow: UnitOfWork,
    member: StaffMember,
    customer_id: int,
    reason: str,
    *,
    blocked: bool,
    now: datetime,
    address: str = "",
) -> None:
    """Block (the bot answers nothing more but a short note) or unblock a customer."""
    require(member, Permission.SUSPEND)
    with uow:
        customer = uow.customers.get(CustomerId(customer_id))
        uow.customers.set_blocked(customer.id, now if blocked else None)
        audit(
            uow,
            member,
            "customer_block" if blocked else "customer_unblock",
            "customer",
            str(customer_id),
            str(customer.blocked),
            f"{blocked} · {reason}",
            now=now,
            address=address,
        )
        uow.commit()


def resolve_flag(
    uow: UnitOfWork, member: StaffMember, flag_id: int, note: str, *, now: datetime, address: str = ""
) -> None:
    """Support looked at a flagged message, report, block or chargeback and notes what was done."""
    require(member, Permission.FLAG)
    with uow:
        if not uow.relay.resolve_flag(flag_id, note, now=now):
            raise UnknownStaff()
        audit(uow, member, "flag_resolve", "flag", str(flag_id), "open", note[:200], now=now, address=address)
        uow.commit()
