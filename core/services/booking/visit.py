"""Agreeing the visit: the helper proposes a time (and a duration), the customer agrees or asks for
another; the first agreement asks for the address (see `address`), a new one moves the reminders."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.booking import (
    AGREED_STATES,
    DURATION_CHOICES,
    VISIT_TIMERS,
    Actor,
    AlreadyDone,
    BookingPolicy,
    BookingState,
    NotNow,
    StaleProposal,
    Step,
    StepChoice,
    Trigger,
    price,
    visit_timers,
)
from core.ids import TelegramUserId
from core.notices import Reply
from core.ports import UnitOfWork
from core.relay import Prompt, PromptKind
from core.services import steps
from core.services.booking import address


def ask_proposal(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    """The helper wants to propose a time: ask for it (the next text they type)."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.HELPER)
        if booking.state not in {BookingState.ACCEPTED, *AGREED_STATES}:
            raise NotNow(state=str(booking.state))
        uow.relay.ask(Prompt(telegram_id, PromptKind.PROPOSE_TIME, booking.id), now=now)
        steps.tell(uow, booking, Actor.HELPER, Reply("booking.ask_time", {"id": booking.id}), now)
        uow.commit()


def propose(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    *,
    start: datetime,
    minutes: int | None,
    now: datetime,
) -> None:
    """A time from the helper: with a duration it goes to the customer, else the duration is asked."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.HELPER)
        if booking.state not in {BookingState.ACCEPTED, *AGREED_STATES}:
            uow.relay.answered(telegram_id)
            uow.commit()
            raise NotNow(state=str(booking.state))
        if minutes is None:
            uow.relay.ask(
                Prompt(telegram_id, PromptKind.PROPOSE_MINUTES, booking.id, start.isoformat()), now=now
            )
            steps.tell(
                uow,
                booking,
                Actor.HELPER,
                steps.reply("booking.ask_duration", {"when": start.isoformat()}, booking, *DURATION_CHOICES),
                now,
            )
            uow.commit()
            return
        uow.relay.answered(telegram_id)
        proposed = uow.bookings.save(
            replace(
                booking, proposal_no=booking.proposal_no + 1, proposed_start=start, proposed_minutes=minutes
            )
        )
        steps.note(uow, proposed, "proposed", Actor.HELPER, now, f"{start.isoformat()} {minutes} min")
        params = {
            **steps.params(uow, proposed),
            "when": start.isoformat(),
            "duration": minutes,
            "estimate": price(booking.rate, minutes),
            "proposal": proposed.proposal_no,
        }
        key = "booking.proposal_new_time" if booking.state in AGREED_STATES else "booking.proposal"
        answers = (
            StepChoice(Step.AGREE, proposed.proposal_no),
            StepChoice(Step.DISAGREE, proposed.proposal_no),
        )
        reply = steps.reply(key, params, proposed, *answers)
        steps.tell(uow, proposed, Actor.CUSTOMER, reply, now)
        steps.tell(uow, proposed, Actor.HELPER, Reply("booking.proposal_sent", params), now)
        uow.commit()


def duration_chosen(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, minutes: int, *, now: datetime
) -> None:
    """The helper tapped a duration after typing the time."""
    with uow:
        prompt = uow.relay.prompt(telegram_id)
    if prompt is None or prompt.kind is not PromptKind.PROPOSE_MINUTES or prompt.booking_id != booking_id:
        raise AlreadyDone(state="")
    propose(uow, telegram_id, booking_id, start=datetime.fromisoformat(prompt.data), minutes=minutes, now=now)


def not_a_time(uow: UnitOfWork, telegram_id: TelegramUserId, prompt: Prompt, *, now: datetime) -> None:
    """The helper was asked for a time but wrote something else: that goes to the customer as a
    message, and the helper can tap "Propose a time" again."""
    with uow:
        booking = steps.booking(uow, prompt.booking_id)
        uow.relay.answered(telegram_id)
        steps.tell(
            uow,
            booking,
            Actor.HELPER,
            steps.reply("booking.time_not_understood", {"id": booking.id}, booking, Step.PROPOSE),
            now,
        )
        uow.commit()


def duration_typed(
    uow: UnitOfWork, telegram_id: TelegramUserId, prompt: Prompt, minutes: int, *, now: datetime
) -> None:
    """The helper typed the duration instead of tapping it."""
    start = datetime.fromisoformat(prompt.data)
    propose(uow, telegram_id, prompt.booking_id, start=start, minutes=minutes, now=now)


def waiting_for(uow: UnitOfWork, telegram_id: TelegramUserId) -> Prompt | None:
    """The answer the bot waits for from this person, if any."""
    with uow:
        return uow.relay.prompt(telegram_id)


def answer_proposal(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    proposal_no: int,
    *,
    agree: bool,
    now: datetime,
    policy: BookingPolicy,
    source: str = "",
) -> None:
    """The customer confirms the proposed time (first time or a new one) or says it does not fit."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.CUSTOMER)
        if proposal_no != booking.proposal_no:
            raise StaleProposal()
        if booking.proposed_start is None:  # this proposal was answered already
            raise AlreadyDone(state=str(booking.state))
        if not agree:
            steps.note(uow, booking, "proposal_declined", Actor.CUSTOMER, now)
            cleared = uow.bookings.save(replace(booking, proposed_start=None, proposed_minutes=None))
            steps.tell(
                uow,
                cleared,
                Actor.HELPER,
                steps.reply("booking.proposal_declined", steps.params(uow, cleared), cleared, Step.PROPOSE),
                now,
            )
            steps.tell(uow, cleared, Actor.CUSTOMER, Reply("booking.proposal_declined_customer"), now)
            uow.commit()
            return
        start, minutes = booking.proposed_start, booking.proposed_minutes or 60
        if start <= now:
            raise NotNow(state=str(booking.state))
        rescheduled = booking.state in AGREED_STATES
        agreed = steps.move(
            uow,
            booking,
            Trigger.AGREE_TIME,
            Actor.CUSTOMER,
            now=now,
            source=source,
            start=start,
            minutes=minutes,
            proposed_start=None,
            proposed_minutes=None,
        )
        uow.timers.cancel(agreed.id, VISIT_TIMERS)
        for kind, at in visit_timers(start, now, policy):
            uow.timers.set(agreed.id, kind, at)
        params = steps.params(uow, agreed)
        if rescheduled:
            steps.tell(uow, agreed, Actor.CUSTOMER, Reply("booking.rescheduled", params), now)
            steps.tell(uow, agreed, Actor.HELPER, Reply("booking.rescheduled", params), now)
        else:
            address.after_agreement_in(uow, agreed, params, policy=policy, now=now)
        uow.commit()


def ask_reschedule(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    """The customer would like another time: the helper is asked to propose one."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.CUSTOMER)
        if booking.state not in AGREED_STATES:
            raise NotNow(state=str(booking.state))
        steps.note(uow, booking, "reschedule_asked", Actor.CUSTOMER, now)
        steps.tell(
            uow,
            booking,
            Actor.HELPER,
            steps.reply("booking.reschedule_asked", steps.params(uow, booking), booking, Step.PROPOSE),
            now,
        )
        steps.tell(
            uow,
            booking,
            Actor.CUSTOMER,
            Reply("booking.reschedule_asked_customer", steps.params(uow, booking)),
            now,
        )
        uow.commit()
