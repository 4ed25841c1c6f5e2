"""A booking step a person pressed → its use case: one table `{Step: use case}`.

The bot parses the button into a `Press` and calls `press`; each use case is its own
transaction and refuses what does not fit the booking's state now (a stale or repeated tap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from core.booking import VALUED_STEPS, BookingPolicy, NotNow, Step
from core.ids import TelegramUserId
from core.ports import PaymentProvider, UnitOfWork
from core.services import booking, payments, relay


@dataclass(frozen=True)
class Press:
    """Who pressed which step of which booking, and what the use cases need besides."""

    me: TelegramUserId
    booking_id: int
    step: Step
    arg: int | None  # the step's argument: minutes, stars, proposal or message number
    now: datetime
    policy: BookingPolicy
    payments: PaymentProvider
    source: str  # the input that caused it ("tg:<update id>")

    @property
    def value(self) -> int:
        """The argument of a valued step (`press` refuses one without it)."""
        return self.arg or 0


def _answer(accept: bool) -> Callable[[UnitOfWork, Press], None]:
    return lambda uow, p: booking.answer_offer(
        uow, p.me, p.booking_id, accept=accept, now=p.now, policy=p.policy, source=p.source
    )


def _proposal(agree: bool) -> Callable[[UnitOfWork, Press], None]:
    return lambda uow, p: booking.answer_proposal(
        uow, p.me, p.booking_id, p.value, agree=agree, now=p.now, policy=p.policy, source=p.source
    )


def _pay(by_card: bool) -> Callable[[UnitOfWork, Press], None]:
    return lambda uow, p: booking.pay(
        uow,
        p.me,
        p.booking_id,
        by_card=by_card,
        now=p.now,
        policy=p.policy,
        payments=p.payments,
        source=p.source,
    )


PRESSES: Final[dict[Step, Callable[[UnitOfWork, Press], object]]] = {
    Step.ACCEPT: _answer(True),
    Step.DECLINE: _answer(False),
    Step.PROPOSE: lambda uow, p: booking.ask_proposal(uow, p.me, p.booking_id, now=p.now),
    Step.DURATION: lambda uow, p: booking.duration_chosen(uow, p.me, p.booking_id, p.value, now=p.now),
    Step.AGREE: _proposal(True),
    Step.DISAGREE: _proposal(False),
    Step.RESCHEDULE: lambda uow, p: booking.ask_reschedule(uow, p.me, p.booking_id, now=p.now),
    Step.PAY_CARD: _pay(True),
    Step.PAY_CASH: _pay(False),
    Step.CHECK_IN: lambda uow, p: booking.check_in(uow, p.me, p.booking_id, now=p.now, source=p.source),
    Step.CHECK_IN_EARLY: lambda uow, p: booking.check_in(
        uow, p.me, p.booking_id, now=p.now, source=p.source, early_ok=True
    ),
    Step.CHECK_OUT: lambda uow, p: booking.check_out(
        uow, p.me, p.booking_id, now=p.now, policy=p.policy, source=p.source
    ),
    Step.CONFIRM_TIME: lambda uow, p: booking.confirm_time(
        uow, p.me, p.booking_id, now=p.now, policy=p.policy, payments=p.payments, source=p.source
    ),
    Step.DISPUTE: lambda uow, p: booking.dispute(uow, p.me, p.booking_id, now=p.now, source=p.source),
    Step.CANCEL: lambda uow, p: booking.ask_cancel(uow, p.me, p.booking_id, now=p.now, policy=p.policy),
    Step.CANCEL_CONFIRMED: lambda uow, p: booking.cancel(
        uow, p.me, p.booking_id, now=p.now, policy=p.policy, payments=p.payments, source=p.source
    ),
    Step.KEEP: lambda uow, p: booking.jobs(uow, p.me, now=p.now),
    Step.RATE: lambda uow, p: booking.rate(uow, p.me, p.booking_id, p.value, now=p.now, policy=p.policy),
    Step.SKIP_COMMENT: lambda uow, p: booking.skip_comment(uow, p.me, p.booking_id, now=p.now),
    Step.REPORT: lambda uow, p: relay.ask_report(uow, p.me, p.booking_id, now=p.now),
    Step.BLOCK: lambda uow, p: relay.ask_block(uow, p.me, p.booking_id, now=p.now),
    Step.BLOCK_CONFIRMED: lambda uow, p: relay.block(
        uow, p.me, p.booking_id, now=p.now, policy=p.policy, payments=p.payments
    ),
    Step.CASH_RECEIVED: lambda uow, p: payments.cash_received(
        uow, p.me, p.booking_id, now=p.now, policy=p.policy
    ),
    Step.ADDRESS: lambda uow, p: booking.ask_address(uow, p.me, p.booking_id, now=p.now),
    Step.ROUTE: lambda uow, p: relay.route_to(uow, p.me, p.booking_id, p.value, now=p.now),
}


def press(uow: UnitOfWork, p: Press) -> None:
    """Run the use case of a pressed step; a valued step without its value is refused."""
    if p.step in VALUED_STEPS and p.arg is None:
        raise NotNow(state="")
    PRESSES[p.step](uow, p)
