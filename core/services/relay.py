"""Use cases of the relay: messages between customer and helper, reports, blocks, and
what happens when one side cannot be reached. Each function is one transaction."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from core.booking import (
    ACTIVE_STATES,
    Actor,
    AlreadyDone,
    Booking,
    BookingPolicy,
    BookingState,
    NotNow,
    Step,
    StepChoice,
)
from core.helpers import Helper
from core.ids import TelegramUserId
from core.intake import Customer
from core.leaks import find_leaks
from core.notices import Copy, Outgoing, Reply
from core.ports import PaymentProvider, UnitOfWork
from core.relay import CAPTIONED, Incoming, MessageKind, Prompt, PromptKind, route
from core.services import steps
from core.services.booking import cancel_in

A = Actor
CANCEL_ON_BLOCK = frozenset(
    {BookingState.ACCEPTED, BookingState.SCHEDULED, BookingState.PAID, BookingState.CASH}
)


def open_relays(uow: UnitOfWork, telegram_id: int) -> list[Booking]:
    """Inside a transaction: bookings this person can talk in (as customer or as helper)."""
    customer = uow.customers.by_telegram_id(TelegramUserId(telegram_id))
    helper = uow.helpers.by_telegram_id(TelegramUserId(telegram_id))
    return uow.bookings.with_open_relay(
        customer_id=customer.id if customer else None, helper_id=helper.id if helper else None
    )


def relay(uow: UnitOfWork, message: Incoming, *, now: datetime) -> bool:
    """Pass a message on to the other side of its booking. False when this person has no open
    relay (their text is then a new problem for the intake)."""
    with uow:
        tg = TelegramUserId(message.telegram_id)
        if not relay_in(
            uow, message, uow.customers.by_telegram_id(tg), uow.helpers.by_telegram_id(tg), now=now
        ):
            return False
        uow.commit()
        return True


def relay_in(
    uow: UnitOfWork, message: Incoming, customer: Customer | None, helper: Helper | None, *, now: datetime
) -> bool:
    """Inside a transaction: relay for the person behind `customer` (and `helper`, when they
    are one), who are already loaded."""
    relays = uow.bookings.with_open_relay(
        customer_id=customer.id if customer else None, helper_id=helper.id if helper else None
    )
    if not relays:
        return False
    replied = (
        uow.outbox.booking_of_message(message.telegram_id, message.reply_to)
        if message.reply_to is not None
        else None
    )
    # After the job, only answers to a relayed message go across; other text is a new problem.
    relays = [b for b in relays if b.state in ACTIVE_STATES or b.id == replied]
    if not relays:
        return False
    booking = route(relays, replied)
    if booking is None:
        _ask_which_job(uow, message, relays, now=now)
    else:
        sender = A.CUSTOMER if customer is not None and booking.customer_id == customer.id else A.HELPER
        _deliver(uow, booking, message, now=now, sender=sender)
    return True


def route_to(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, message_id: int, *, now: datetime
) -> None:
    """The person chose which job their message was for."""
    with uow:
        prompt = uow.relay.prompt(telegram_id)
        held = _held(prompt)
        if held is None or held.message_id != message_id:
            raise AlreadyDone(state="")
        booking = steps.booking(uow, booking_id)
        if booking not in open_relays(uow, telegram_id):
            raise NotNow(state=str(booking.state))
        uow.relay.answered(telegram_id)
        _deliver(uow, booking, held, now=now)
        uow.commit()


def _held(prompt: Prompt | None) -> Incoming | None:
    """The message waiting for the person to say which job it is for."""
    if prompt is None or prompt.kind is not PromptKind.ROUTE:
        return None
    held = json.loads(prompt.data)
    return Incoming(
        prompt.telegram_id, int(held["message_id"]), MessageKind(held["kind"]), held["text"], held["file_id"]
    )


def _ask_which_job(uow: UnitOfWork, message: Incoming, relays: list[Booking], *, now: datetime) -> None:
    held = {
        "message_id": message.message_id,
        "kind": str(message.kind),
        "text": message.text,
        "file_id": message.file_id,
    }
    uow.relay.ask(Prompt(message.telegram_id, PromptKind.ROUTE, relays[0].id, json.dumps(held)), now=now)
    jobs = ",".join(f"{b.id}:{b.category}" for b in relays)
    side = steps.side(uow, relays[0], steps.role(uow, relays[0], TelegramUserId(message.telegram_id)))
    uow.outbox.add(
        side.telegram_id,
        side.language,
        Reply(
            "relay.which_job",
            {"jobs": jobs},
            steps=tuple(StepChoice(Step.ROUTE, message.message_id, b.id) for b in relays),
        ),
        now=now,
    )


def _deliver(
    uow: UnitOfWork, booking: Booking, message: Incoming, *, now: datetime, sender: Actor | None = None
) -> None:
    sender = sender or steps.role(uow, booking, TelegramUserId(message.telegram_id))
    leaks = [str(leak.kind) for leak in find_leaks(message.text)]
    uow.relay.log(
        booking.id,
        sender,
        kind=str(message.kind),
        text=message.text,
        file_id=message.file_id,
        leaks=leaks,
        now=now,
    )
    if leaks:
        uow.relay.flag(booking.id, "leak", by=sender, note=f"{','.join(leaks)}: {message.text}", now=now)
        steps.tell(uow, booking, sender, Reply("relay.leak_warning"), now)
    params = {**steps.params(uow, booking), "text": message.text}
    recipient = steps.side(uow, booking, steps.other(sender))
    header = Reply(f"relay.from_{sender}", params, booking_id=booking.id)
    copy = None
    if message.kind is not MessageKind.TEXT:
        copy = Copy(message.telegram_id, message.message_id, captioned=message.kind in CAPTIONED)
    uow.outbox.add(
        recipient.telegram_id, recipient.language, header, now=now, booking_id=booking.id, copy=copy
    )


def ask_report(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    with uow:
        booking = steps.booking(uow, booking_id)
        role = steps.role(uow, booking, telegram_id)
        uow.relay.ask(Prompt(telegram_id, PromptKind.REPORT, booking.id), now=now)
        steps.tell(uow, booking, role, Reply("relay.ask_report"), now)
        uow.commit()


def report(uow: UnitOfWork, telegram_id: TelegramUserId, prompt: Prompt, text: str, *, now: datetime) -> None:
    with uow:
        booking = steps.booking(uow, prompt.booking_id)
        role = steps.role(uow, booking, telegram_id)
        uow.relay.answered(telegram_id)
        uow.relay.flag(booking.id, "report", by=role, note=text, now=now)
        steps.note(uow, booking, "reported", role, now)  # the words live once, in the flag
        steps.tell(uow, booking, role, Reply("relay.reported", {"id": booking.id}), now)
        uow.commit()


def ask_block(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    with uow:
        booking = steps.booking(uow, booking_id)
        role = steps.role(uow, booking, telegram_id)
        steps.tell(
            uow,
            booking,
            role,
            steps.reply(
                "relay.block_confirm", steps.params(uow, booking), booking, Step.BLOCK_CONFIRMED, Step.KEEP
            ),
            now,
        )
        uow.commit()


def block(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
) -> None:
    """End the conversation for good: the pair is never matched again, a booking that has not
    started is cancelled (without a fee), and support is told."""
    with uow:
        booking = steps.booking(uow, booking_id)
        role = steps.role(uow, booking, telegram_id)
        if booking.relay_closed_at is not None:
            raise NotNow(state=str(booking.state))
        uow.relay.block(booking.customer_id, booking.helper_id, by=role, now=now)
        uow.relay.flag(booking.id, "block", by=role, note="", now=now)
        if booking.state in CANCEL_ON_BLOCK:
            booking = cancel_in(
                uow,
                booking,
                role,
                now=now,
                policy=replace(policy, late_cancel_percent=0),
                payments=payments,
                reason="blocked",
                source="block",
            )
        else:
            booking = uow.bookings.save(replace(booking, relay_closed_at=now))
            steps.note(uow, booking, "blocked", role, now)
        steps.tell(uow, booking, role, Reply("relay.blocked_you"), now)
        steps.tell(uow, booking, steps.other(role), Reply("relay.ended_by_other", {"id": booking.id}), now)
        uow.commit()


def undeliverable(uow: UnitOfWork, item: Outgoing, error: str, *, now: datetime) -> None:
    """Telegram refused a message for good (the person blocked the bot or deleted the chat):
    it is not retried; for a booking, support and the other side are told once."""
    with uow:
        uow.outbox.give_up(item.id, now=now, error=error)
        if item.booking_id is not None:
            booking = steps.booking(uow, item.booking_id)
            customer = uow.customers.get(booking.customer_id)
            unreachable = A.CUSTOMER if customer.telegram_id == item.telegram_id else A.HELPER
            if uow.relay.flag(booking.id, "unreachable", by=unreachable, note=error, now=now):
                steps.tell(
                    uow,
                    booking,
                    steps.other(unreachable),
                    Reply("relay.unreachable", {"id": booking.id}),
                    now,
                )
        uow.commit()
