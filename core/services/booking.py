"""Use cases of a booking, from the offer to the ratings; each function is one transaction.

Everything a use case has to say, to either side, goes into the outbox in the same
transaction as the state change: a crash loses both or neither, and the bot sends it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from core.booking import (
    ACTIVE_STATES,
    AGREED_STATES,
    VISIT_TIMERS,
    Actor,
    AlreadyDone,
    Booking,
    BookingEvent,
    BookingPolicy,
    BookingState,
    NotNow,
    NotYours,
    Rating,
    StaleProposal,
    TimerKind,
    Trigger,
    billed_minutes,
    decide,
    price,
    visit_timers,
)
from core.errors import DomainError, RequestClosed
from core.helpers import Helper
from core.ids import BookingId, Cents, CustomerId, HelperId, RequestId, TelegramUserId
from core.intake import Request, RequestStatus
from core.language import Language
from core.matching import Candidate
from core.notices import Choice, Reply
from core.ports import PaymentProvider, UnitOfWork
from core.relay import Prompt, PromptKind
from core.services.matching import _find_or_widen, searching_request

S, T, A = BookingState, Trigger, Actor
#: The durations a helper can tap after typing the time (minutes).
DURATIONS = (60, 90, 120, 180)


class OfferPending(DomainError):
    key = "booking.offer_pending"


class PayFirst(DomainError):
    key = "booking.pay_first"


class CannotRate(DomainError):
    key = "rating.not_now"


@dataclass(frozen=True)
class Side:
    """One side of a booking as the bot reaches them."""

    telegram_id: int
    language: Language


# --- helpers used inside a transaction ------------------------------------------------------


def _helper_side(uow: UnitOfWork, helper: Helper) -> Side:
    customer = uow.customers.by_telegram_id(helper.telegram_id)
    language = customer.language if customer else next(iter(sorted(helper.languages)), Language.DE)
    return Side(helper.telegram_id, language)


def _side(uow: UnitOfWork, booking: Booking, who: Actor) -> Side:
    if who is A.CUSTOMER:
        customer = uow.customers.get(booking.customer_id)
        return Side(customer.telegram_id, customer.language)
    helper = uow.helpers.get(booking.helper_id)
    assert helper is not None
    return _helper_side(uow, helper)


def _tell(uow: UnitOfWork, booking: Booking, who: Actor, reply: Reply, now: datetime) -> None:
    side = _side(uow, booking, who)
    uow.outbox.add(side.telegram_id, side.language, reply, now=now, booking_id=booking.id)


def _other(actor: Actor) -> Actor:
    return A.HELPER if actor is A.CUSTOMER else A.CUSTOMER


def _role(uow: UnitOfWork, booking: Booking, telegram_id: TelegramUserId) -> Actor:
    """Which side of the booking this Telegram user is (a helper's own request: customer first)."""
    customer = uow.customers.get(booking.customer_id)
    if customer.telegram_id == telegram_id:
        return A.CUSTOMER
    helper = uow.helpers.get(booking.helper_id)
    if helper is not None and helper.telegram_id == telegram_id:
        return A.HELPER
    raise NotYours()


def _booking(uow: UnitOfWork, booking_id: int) -> Booking:
    booking = uow.bookings.get(BookingId(booking_id))
    if booking is None:
        raise NotYours()
    return booking


def _mine(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, role: Actor) -> Booking:
    booking = _booking(uow, booking_id)
    if _role_or_none(uow, booking, telegram_id, role) is None:
        raise NotYours()
    return booking


def _role_or_none(uow: UnitOfWork, booking: Booking, telegram_id: int, role: Actor) -> Actor | None:
    if role is A.CUSTOMER:
        return role if uow.customers.get(booking.customer_id).telegram_id == telegram_id else None
    helper = uow.helpers.get(booking.helper_id)
    return role if helper is not None and helper.telegram_id == telegram_id else None


def _move(
    uow: UnitOfWork,
    booking: Booking,
    trigger: Trigger,
    actor: Actor,
    *,
    now: datetime,
    reason: str = "",
    source: str = "",
    **changes: Any,
) -> Booking:
    """Apply a transition: decided by core.booking, saved (optimistically), recorded as an event."""
    state = decide(booking.state, trigger, actor)
    saved = uow.bookings.save(replace(booking, state=state, **changes))
    uow.bookings.record(
        BookingEvent(booking.id, now, actor, trigger, booking.state, state, reason=reason, source=source)
    )
    return saved


def _note(
    uow: UnitOfWork, booking: Booking, step: str, actor: Actor, now: datetime, reason: str = ""
) -> None:
    """An event that changes no state (a proposal, a report…)."""
    uow.bookings.record(
        BookingEvent(booking.id, now, actor, step, booking.state, booking.state, reason=reason)
    )


def _params(uow: UnitOfWork, booking: Booking) -> dict[str, str | int]:
    helper = uow.helpers.get(booking.helper_id)
    request = uow.requests.get(booking.request_id)
    assert helper is not None and request is not None
    params: dict[str, str | int] = {
        "id": booking.id,
        "name": helper.name,
        "category": str(booking.category),
        "district": request.district or "",
        "rate": booking.rate,
        "km": f"{booking.km:.1f}",
        "state": str(booking.state),
    }
    if booking.start is not None:
        params["when"] = booking.start.isoformat()
    if booking.minutes is not None:
        params["duration"] = booking.minutes
    if booking.estimate is not None:
        params["estimate"] = booking.estimate
    return params


def actions_for(booking: Booking, role: Actor) -> tuple[str, ...]:
    """The buttons that fit a booking's state for one side (the /jobs card and the steps)."""
    s = booking.state
    if role is A.HELPER:
        by_state: dict[BookingState, tuple[str, ...]] = {
            S.OFFERED: ("acc", "dec"),
            S.ACCEPTED: ("prop", "cx", "rep"),
            S.SCHEDULED: ("prop", "cx", "rep"),
            S.PAID: ("in", "prop", "cx", "rep"),
            S.CASH: ("in", "prop", "cx", "rep"),
            S.IN_PROGRESS: ("out", "rep"),
        }
    else:
        by_state = {
            S.ACCEPTED: ("cx", "rep"),
            S.SCHEDULED: ("card", "cash", "resch", "cx"),
            S.PAID: ("resch", "cx", "rep"),
            S.CASH: ("resch", "cx", "rep"),
            S.IN_PROGRESS: ("rep",),
            S.DONE: ("ok_t", "disp"),
        }
    actions = by_state.get(s, ())
    if booking.relay_open and s in {S.ACCEPTED, S.SCHEDULED, S.PAID, S.CASH}:
        actions += ("blk",)
    return actions


def _reply(key: str, params: dict[str, str | int], booking: Booking | None = None, *actions: str) -> Reply:
    if booking is None or not actions:
        return Reply(key, params, booking_id=booking.id if booking else None)
    params = {**params, "actions": ",".join(actions)}
    return Reply(key, params, choices=(Choice.BOOKING,), booking_id=booking.id)


# --- offering -------------------------------------------------------------------------------


def offer(
    uow: UnitOfWork,
    customer_id: CustomerId,
    request_id: RequestId,
    helper_id: HelperId,
    *,
    now: datetime,
    policy: BookingPolicy,
) -> None:
    """The customer picked a helper from the cards: ask them (and, in broadcast mode, the next
    best few too) with a deadline. Several taps on cards while an offer runs are refused."""
    with uow:
        request = searching_request(uow, customer_id, request_id)
        if helper_id not in uow.offers.shown(request_id):
            raise RequestClosed()
        pending = [b for b in uow.bookings.for_request(request_id) if b.state is S.OFFERED]
        if pending:
            first = uow.helpers.get(pending[0].helper_id)
            raise OfferPending(name=first.name if first else "", until=pending[0].deadline.isoformat())
        helper = uow.helpers.get(helper_id)
        place = request.place
        assert helper is not None and place is not None
        helpers: list[tuple[Helper, float]] = [(helper, helper.home.km_to(place.location))]
        if policy.broadcast > 1:
            more = _next_candidates(uow, request, now=now, limit=policy.broadcast - 1, skip={helper_id})
            helpers += [(c.helper, c.distance_km) for c in more]
        customer = uow.customers.get(customer_id)
        _ask_helpers(uow, request, helpers, now=now, policy=policy)
        names = ", ".join(h.name for h, _ in helpers)
        deadline = now + timedelta(minutes=policy.offer_minutes)
        key = "booking.asked_many" if len(helpers) > 1 else "booking.asked"
        uow.outbox.add(
            customer.telegram_id,
            customer.language,
            Reply(
                key,
                {
                    "name": names,
                    "until": deadline.isoformat(),
                    "minutes": max(1, round(policy.offer_minutes)),
                },
            ),
            now=now,
        )
        uow.commit()


def _ask_helpers(
    uow: UnitOfWork,
    request: Request,
    helpers: list[tuple[Helper, float]],
    *,
    now: datetime,
    policy: BookingPolicy,
) -> list[Booking]:
    deadline = now + timedelta(minutes=policy.offer_minutes)
    made = []
    for helper, km in helpers:
        booking = uow.bookings.add(
            Booking(
                id=BookingId(0),
                request_id=request.id,
                customer_id=request.customer_id,
                helper_id=helper.id,
                state=S.OFFERED,
                category=request.category,
                rate=helper.rate,
                km=km,
                offered_at=now,
                deadline=deadline,
            )
        )
        uow.bookings.record(BookingEvent(booking.id, now, A.CUSTOMER, "offered", S.OFFERED, S.OFFERED))
        uow.timers.set(booking.id, TimerKind.OFFER_DEADLINE, deadline)
        params = {
            **_params(uow, booking),
            "description": request.description,
            "until": deadline.isoformat(),
            "urgent": "yes" if request.urgency == "urgent" else "no",
        }
        side = _helper_side(uow, helper)
        uow.outbox.add(
            side.telegram_id,
            side.language,
            _reply("booking.offer", params, booking, "acc", "dec"),
            now=now,
            booking_id=booking.id,
        )
        made.append(booking)
    return made


def _next_candidates(
    uow: UnitOfWork, request: Request, *, now: datetime, limit: int, skip: set[int]
) -> list[Candidate]:
    """The best helpers not asked yet for this request (and not blocked by the customer)."""
    asked = {b.helper_id for b in uow.bookings.for_request(request.id)}
    blocked = uow.relay.blocked_helpers(request.customer_id)
    place = request.place
    assert place is not None
    found, _ = _find_or_widen(
        uow,
        category=request.category,
        language=request.language,
        place=place,
        now=now,
        limit=limit,
        skip=frozenset(asked | blocked | skip),
        widen=True,
    )
    return found


def _rematch(uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy, why: str) -> None:
    """A helper said no, did not answer, or cancelled: ask the next best one and tell the
    customer; when nobody is left, the customer can wait for one or change the request."""
    request = uow.requests.get(booking.request_id)
    assert request is not None
    if request.status is not RequestStatus.SEARCHING:
        return
    if any(b.state is S.OFFERED for b in uow.bookings.for_request(request.id)):
        return  # broadcast: others may still accept
    gone = uow.helpers.get(booking.helper_id)
    before = gone.name if gone else ""
    customer = uow.customers.get(request.customer_id)
    nxt = _next_candidates(uow, request, now=now, limit=1, skip=set())
    if not nxt:
        uow.outbox.add(
            customer.telegram_id,
            customer.language,
            Reply(
                f"booking.{why}_nobody_left",
                {"name": before},
                choices=(Choice.NOTIFY_ME, Choice.CHANGE_REQUEST),
                request_id=request.id,
            ),
            now=now,
        )
        return
    [candidate] = nxt
    _ask_helpers(uow, request, [(candidate.helper, candidate.distance_km)], now=now, policy=policy)
    params: dict[str, str | int] = {
        "name": before,
        "next": candidate.helper.name,
        "stars": f"{candidate.rating:.1f}",
        "km": f"{candidate.distance_km:.1f}",
        "rate": candidate.helper.rate,
        "minutes": max(1, round(policy.offer_minutes)),
    }
    uow.outbox.add(customer.telegram_id, customer.language, Reply(f"booking.{why}_next", params), now=now)


def answer_offer(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    *,
    accept: bool,
    now: datetime,
    policy: BookingPolicy,
    source: str = "",
) -> None:
    """The helper accepts or declines. Acceptance claims the request atomically: of several
    helpers asked at once, the first wins and the others are told it is taken."""
    with uow:
        booking = _mine(uow, telegram_id, booking_id, A.HELPER)
        if not accept:
            declined = _move(uow, booking, T.DECLINE, A.HELPER, now=now, source=source)
            uow.timers.cancel(booking.id)
            _tell(uow, declined, A.HELPER, Reply("booking.declined_ok"), now)
            _rematch(uow, declined, now=now, policy=policy, why="declined")
            uow.commit()
            return
        request = uow.requests.get(booking.request_id)
        assert request is not None
        if booking.state is S.OFFERED and request.status is not RequestStatus.SEARCHING:
            taken = _move(uow, booking, T.WITHDRAW, A.SYSTEM, now=now, reason="request closed", source=source)
            _tell(uow, taken, A.HELPER, Reply("booking.offer_gone"), now)
            uow.commit()
            return
        accepted = _move(uow, booking, T.ACCEPT, A.HELPER, now=now, source=source)
        uow.requests.set_status(request.id, RequestStatus.BOOKED, now=now)
        uow.timers.cancel(booking.id)
        for other in uow.bookings.for_request(request.id):
            if other.id != booking.id and other.state is S.OFFERED:
                withdrawn = _move(uow, other, T.WITHDRAW, A.SYSTEM, now=now, reason="another helper accepted")
                uow.timers.cancel(other.id)
                _tell(uow, withdrawn, A.HELPER, Reply("booking.offer_gone"), now)
        params = _params(uow, accepted)
        _tell(uow, accepted, A.HELPER, _reply("booking.accepted_helper", params, accepted, "prop", "cx"), now)
        _tell(uow, accepted, A.CUSTOMER, _reply("booking.accepted_customer", params, accepted, "cx"), now)
        uow.commit()


def withdraw_offers(uow: UnitOfWork, request_id: RequestId, *, now: datetime) -> None:
    """Inside a transaction: the customer changed or cancelled the request; helpers still
    deciding are told it is off."""
    for booking in uow.bookings.for_request(request_id):
        if booking.state is S.OFFERED:
            withdrawn = _move(
                uow, booking, T.WITHDRAW, A.CUSTOMER, now=now, reason="request changed or cancelled"
            )
            uow.timers.cancel(booking.id)
            _tell(uow, withdrawn, A.HELPER, Reply("booking.offer_gone"), now)


def expire_offer(uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy) -> None:
    """Inside a transaction (a timer): the helper did not answer in time."""
    if booking.state is not S.OFFERED:
        return
    expired = _move(uow, booking, T.EXPIRE, A.SYSTEM, now=now, source="timer")
    _tell(uow, expired, A.HELPER, Reply("booking.offer_expired", {"id": booking.id}), now)
    _rematch(uow, expired, now=now, policy=policy, why="expired")


# --- agreeing a time --------------------------------------------------------------------------


def ask_proposal(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    """The helper wants to propose a time: ask for it (the next text they type)."""
    with uow:
        booking = _mine(uow, telegram_id, booking_id, A.HELPER)
        if booking.state not in {S.ACCEPTED, *AGREED_STATES}:
            raise NotNow(state=str(booking.state))
        uow.relay.ask(Prompt(telegram_id, PromptKind.PROPOSE_TIME, booking.id), now=now)
        _tell(uow, booking, A.HELPER, Reply("booking.ask_time", {"id": booking.id}), now)
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
        booking = _mine(uow, telegram_id, booking_id, A.HELPER)
        if booking.state not in {S.ACCEPTED, *AGREED_STATES}:
            uow.relay.answered(telegram_id)
            uow.commit()
            raise NotNow(state=str(booking.state))
        if minutes is None:
            uow.relay.ask(
                Prompt(telegram_id, PromptKind.PROPOSE_MINUTES, booking.id, start.isoformat()), now=now
            )
            actions = tuple(f"d{m}" for m in DURATIONS)
            _tell(
                uow,
                booking,
                A.HELPER,
                _reply("booking.ask_duration", {"when": start.isoformat()}, booking, *actions),
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
        _note(uow, proposed, "proposed", A.HELPER, now, f"{start.isoformat()} {minutes} min")
        params = {
            **_params(uow, proposed),
            "when": start.isoformat(),
            "duration": minutes,
            "estimate": price(booking.rate, minutes),
            "proposal": proposed.proposal_no,
        }
        key = "booking.proposal_new_time" if booking.state in AGREED_STATES else "booking.proposal"
        reply = Reply(key, {**params, "actions": "ok,no"}, choices=(Choice.BOOKING,), booking_id=booking.id)
        _tell(uow, proposed, A.CUSTOMER, reply, now)
        _tell(uow, proposed, A.HELPER, Reply("booking.proposal_sent", params), now)
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
        booking = _booking(uow, prompt.booking_id)
        uow.relay.answered(telegram_id)
        _tell(
            uow,
            booking,
            A.HELPER,
            _reply("booking.time_not_understood", {"id": booking.id}, booking, "prop"),
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
        booking = _mine(uow, telegram_id, booking_id, A.CUSTOMER)
        if proposal_no != booking.proposal_no:
            raise StaleProposal()
        if booking.proposed_start is None:  # this proposal was answered already
            raise AlreadyDone(state=str(booking.state))
        if not agree:
            _note(uow, booking, "proposal_declined", A.CUSTOMER, now)
            cleared = uow.bookings.save(replace(booking, proposed_start=None, proposed_minutes=None))
            _tell(
                uow,
                cleared,
                A.HELPER,
                _reply("booking.proposal_declined", _params(uow, cleared), cleared, "prop"),
                now,
            )
            _tell(uow, cleared, A.CUSTOMER, Reply("booking.proposal_declined_customer"), now)
            uow.commit()
            return
        start, minutes = booking.proposed_start, booking.proposed_minutes or 60
        if start <= now:
            raise NotNow(state=str(booking.state))
        rescheduled = booking.state in AGREED_STATES
        agreed = _move(
            uow,
            booking,
            T.AGREE_TIME,
            A.CUSTOMER,
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
        params = _params(uow, agreed)
        if rescheduled:
            _tell(uow, agreed, A.CUSTOMER, Reply("booking.rescheduled", params), now)
            _tell(uow, agreed, A.HELPER, Reply("booking.rescheduled", params), now)
        else:
            params["hold"] = policy.hold_for(price(agreed.rate, minutes))
            _tell(uow, agreed, A.HELPER, Reply("booking.scheduled_helper", params), now)
            _tell(
                uow, agreed, A.CUSTOMER, _reply("booking.choose_payment", params, agreed, "card", "cash"), now
            )
        uow.commit()


def ask_reschedule(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    """The customer would like another time: the helper is asked to propose one."""
    with uow:
        booking = _mine(uow, telegram_id, booking_id, A.CUSTOMER)
        if booking.state not in AGREED_STATES:
            raise NotNow(state=str(booking.state))
        _note(uow, booking, "reschedule_asked", A.CUSTOMER, now)
        _tell(
            uow,
            booking,
            A.HELPER,
            _reply("booking.reschedule_asked", _params(uow, booking), booking, "prop"),
            now,
        )
        _tell(
            uow, booking, A.CUSTOMER, Reply("booking.reschedule_asked_customer", _params(uow, booking)), now
        )
        uow.commit()


# --- payment, visit, completion ---------------------------------------------------------------


def pay(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    *,
    method: str,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    source: str = "",
) -> None:
    """Card (a hold for the estimate plus a buffer, through the payment provider) or cash."""
    with uow:
        booking = _mine(uow, telegram_id, booking_id, A.CUSTOMER)
        trigger = T.PAY_CARD if method == "card" else T.PAY_CASH
        decide(booking.state, trigger, A.CUSTOMER)  # refuse before talking to the provider
        params = _params(uow, booking)
        if method == "card":
            assert booking.estimate is not None
            hold = policy.hold_for(booking.estimate)
            reference = payments.authorize(
                booking_id=booking.id, amount=hold, idempotency_key=f"booking-{booking.id}-hold"
            )
            paid = _move(
                uow,
                booking,
                trigger,
                A.CUSTOMER,
                now=now,
                source=source,
                payment="card",
                payment_ref=reference,
                hold=hold,
            )
            params |= {"hold": hold}
            key = "booking.card_held" if payments.live else "booking.card_held_offline"
            _tell(uow, paid, A.CUSTOMER, _reply(key, params, paid, "resch", "cx"), now)
            _tell(uow, paid, A.HELPER, Reply("booking.paid_helper", params), now)
        else:
            paid = _move(uow, booking, trigger, A.CUSTOMER, now=now, source=source, payment="cash")
            _tell(uow, paid, A.CUSTOMER, _reply("booking.cash_chosen", params, paid, "resch", "cx"), now)
            _tell(uow, paid, A.HELPER, Reply("booking.cash_helper", params), now)
        uow.commit()


def check_in(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, source: str = ""
) -> None:
    with uow:
        booking = _mine(uow, telegram_id, booking_id, A.HELPER)
        if booking.state is S.SCHEDULED:
            raise PayFirst()
        started = _move(uow, booking, T.CHECK_IN, A.HELPER, now=now, source=source, checked_in_at=now)
        uow.timers.cancel(started.id, VISIT_TIMERS)
        params = {**_params(uow, started), "at": now.isoformat()}
        _tell(uow, started, A.HELPER, _reply("booking.checked_in_helper", params, started, "out"), now)
        _tell(uow, started, A.CUSTOMER, Reply("booking.checked_in_customer", params), now)
        uow.commit()


def check_out(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    *,
    now: datetime,
    policy: BookingPolicy,
    source: str = "",
) -> None:
    """The helper is done: the worked time is billed and the customer asked to confirm it."""
    with uow:
        booking = _mine(uow, telegram_id, booking_id, A.HELPER)
        done = _move(uow, booking, T.CHECK_OUT, A.HELPER, now=now, source=source, checked_out_at=now)
        worked = done.worked_minutes or 1
        amount = price(done.rate, worked)
        done = uow.bookings.save(replace(done, amount=amount))
        uow.timers.set(done.id, TimerKind.AUTO_CONFIRM, now + timedelta(hours=policy.auto_confirm_hours))
        params = {
            **_params(uow, done),
            "worked": worked,
            "billed": billed_minutes(worked),
            "amount": amount,
            "hours": policy.auto_confirm_hours,
        }
        _tell(uow, done, A.CUSTOMER, _reply("booking.confirm_time", params, done, "ok_t", "disp"), now)
        _tell(uow, done, A.HELPER, Reply("booking.checked_out_helper", params), now)
        uow.commit()


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
            booking, actor = _booking(uow, booking_id), A.SYSTEM
        else:
            booking, actor = _mine(uow, telegram_id, booking_id, A.CUSTOMER), A.CUSTOMER
        _settle(uow, booking, actor, now=now, policy=policy, payments=payments, source=source)
        uow.commit()


def _settle(
    uow: UnitOfWork,
    booking: Booking,
    actor: Actor,
    *,
    now: datetime,
    policy: BookingPolicy,
    payments: PaymentProvider,
    source: str,
    amount: Cents | None = None,
    trigger: Trigger = T.CONFIRM,
) -> Booking:
    decide(booking.state, trigger, actor)
    amount = booking.amount if amount is None else amount
    assert amount is not None
    if booking.payment == "card" and booking.payment_ref:
        if amount:
            payments.capture(booking.payment_ref, amount, idempotency_key=f"booking-{booking.id}-capture")
        else:
            payments.release(booking.payment_ref, idempotency_key=f"booking-{booking.id}-release")
    settled = _move(uow, booking, trigger, actor, now=now, source=source, amount=amount)
    uow.timers.cancel(settled.id, [TimerKind.AUTO_CONFIRM])
    params = {
        **_params(uow, settled),
        "amount": amount,
        "method": booking.payment or "cash",
        "worked": settled.worked_minutes or 0,
        "billed": billed_minutes(settled.worked_minutes or 0),
    }
    if booking.payment == "card" and not payments.live:
        params["method"] = "card_offline"
    key_customer = "booking.receipt_auto" if actor is A.SYSTEM else "booking.receipt"
    _tell(uow, settled, A.CUSTOMER, Reply(key_customer, params), now)
    _tell(uow, settled, A.HELPER, Reply("booking.receipt_helper", params), now)
    stars = tuple(f"r{n}" for n in range(1, 6))
    for side in (A.CUSTOMER, A.HELPER):
        _tell(uow, settled, side, _reply(f"rating.ask_{side}", params, settled, *stars), now)
    uow.timers.set(settled.id, TimerKind.RATING_REMINDER, now + timedelta(hours=policy.rating_reminder_hours))
    uow.timers.set(settled.id, TimerKind.RATING_REVEAL, now + timedelta(days=policy.rating_window_days))
    uow.timers.set(settled.id, TimerKind.RELAY_CLOSE, now + timedelta(hours=policy.relay_open_hours))
    return settled


def dispute(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, source: str = ""
) -> None:
    """The customer does not agree with the worked time: support decides."""
    with uow:
        booking = _mine(uow, telegram_id, booking_id, A.CUSTOMER)
        disputed = _move(uow, booking, T.DISPUTE, A.CUSTOMER, now=now, source=source)
        uow.timers.cancel(disputed.id, [TimerKind.AUTO_CONFIRM])
        uow.relay.flag(disputed.id, "dispute", by=A.CUSTOMER, note="worked time disputed", now=now)
        params = _params(uow, disputed)
        _tell(uow, disputed, A.CUSTOMER, Reply("booking.disputed_customer", params), now)
        _tell(uow, disputed, A.HELPER, Reply("booking.disputed_helper", params), now)
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
) -> Booking:
    """Support settles a dispute with the amount the customer pays (0 … the billed amount)."""
    with uow:
        booking = _booking(uow, booking_id)
        if booking.amount is not None and not 0 <= amount <= max(booking.amount, booking.hold or 0):
            raise NotNow(state=str(booking.state))
        resolved = _settle(
            uow,
            booking,
            A.SUPPORT,
            now=now,
            policy=policy,
            payments=payments,
            source="support",
            amount=amount,
            trigger=T.RESOLVE,
        )
        _note(uow, resolved, "resolution", A.SUPPORT, now, note)
        uow.commit()
        return resolved


# --- cancelling ------------------------------------------------------------------------------


def ask_cancel(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, policy: BookingPolicy
) -> None:
    """Show what cancelling costs now (free until 24 hours before) and ask to confirm."""
    with uow:
        booking = _booking(uow, booking_id)
        role = _role(uow, booking, telegram_id)
        decide(booking.state, T.CANCEL, role)
        fee = policy.cancellation_fee(booking, role, now)
        params = {**_params(uow, booking), "fee": fee, "hours": policy.free_cancel_hours}
        key = "booking.cancel_confirm_fee" if fee else "booking.cancel_confirm_free"
        _tell(uow, booking, role, _reply(key, params, booking, "cxy", "keep"), now)
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
) -> Booking:
    """Cancel by customer, helper (telegram_id) or support (None). A helper's cancellation
    sends the request to the next helper; a customer's closes the request."""
    with uow:
        booking = _booking(uow, booking_id)
        actor = A.SUPPORT if telegram_id is None else _role(uow, booking, telegram_id)
        cancelled = _cancel(
            uow, booking, actor, now=now, policy=policy, payments=payments, reason=reason, source=source
        )
        uow.commit()
        return cancelled


def _cancel(
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
    decide(booking.state, T.CANCEL, actor)
    fee = policy.cancellation_fee(booking, actor, now)
    if booking.payment == "card" and booking.payment_ref:
        if fee:
            payments.capture(booking.payment_ref, fee, idempotency_key=f"booking-{booking.id}-fee")
        else:
            payments.release(booking.payment_ref, idempotency_key=f"booking-{booking.id}-release")
    cancelled = _move(
        uow, booking, T.CANCEL, actor, now=now, reason=reason, source=source, fee=fee, relay_closed_at=now
    )
    uow.timers.cancel(cancelled.id)
    params = {**_params(uow, cancelled), "fee": fee, "by": str(actor)}
    for side in (A.CUSTOMER, A.HELPER):
        key = "booking.cancelled_you" if side is actor else f"booking.cancelled_by_{actor}"
        if side is A.CUSTOMER and fee and actor is A.CUSTOMER:
            key = "booking.cancelled_you_fee"
        _tell(uow, cancelled, side, Reply(key, params), now)
    if actor is A.HELPER:
        uow.requests.set_status(cancelled.request_id, RequestStatus.SEARCHING, now=now)
        _rematch(uow, cancelled, now=now, policy=policy, why="cancelled")
    else:
        uow.requests.set_status(cancelled.request_id, RequestStatus.CANCELLED, now=now)
    return cancelled


# --- ratings ---------------------------------------------------------------------------------


def rate(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    stars: int,
    *,
    now: datetime,
    policy: BookingPolicy,
) -> None:
    """1–5 stars from one side, once; then an optional comment. Both rated: revealed."""
    with uow:
        booking = _booking(uow, booking_id)
        role = _role(uow, booking, telegram_id)
        if booking.state not in {S.SETTLED, S.RATED, S.RESOLVED} or not 1 <= stars <= 5:
            raise CannotRate()
        if not uow.ratings.add(Rating(booking.id, role, stars), now=now):
            raise AlreadyDone(state=str(booking.state))
        _note(uow, booking, "rated", role, now, str(stars))
        uow.relay.ask(Prompt(telegram_id, PromptKind.COMMENT, booking.id), now=now)
        _tell(uow, booking, role, _reply("rating.thanks_ask_comment", {"stars": stars}, booking, "skip"), now)
        if len(uow.ratings.of_booking(booking.id)) == 2:
            _reveal(uow, booking, now=now)
        uow.commit()


def comment(
    uow: UnitOfWork, telegram_id: TelegramUserId, prompt: Prompt, text: str, *, now: datetime
) -> None:
    with uow:
        booking = _booking(uow, prompt.booking_id)
        role = _role(uow, booking, telegram_id)
        uow.relay.answered(telegram_id)
        uow.ratings.comment(booking.id, role, text.strip())
        _tell(uow, booking, role, Reply("rating.comment_saved"), now)
        uow.commit()


def skip_comment(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    with uow:
        prompt = uow.relay.prompt(telegram_id)
        if prompt is None or prompt.kind is not PromptKind.COMMENT or prompt.booking_id != booking_id:
            raise AlreadyDone(state="")
        uow.relay.answered(telegram_id)
        booking = _booking(uow, booking_id)
        _tell(uow, booking, _role(uow, booking, telegram_id), Reply("rating.comment_skipped"), now)
        uow.commit()


def _reveal(uow: UnitOfWork, booking: Booking, *, now: datetime) -> None:
    """Both ratings are shown (or the one given, after the window); the helper's counts feed
    matching. Double-blind: nobody sees the other's stars before rating themselves."""
    if booking.state is S.SETTLED:
        booking = _move(uow, booking, T.REVEAL, A.SYSTEM, now=now)
    uow.timers.cancel(booking.id, [TimerKind.RATING_REMINDER, TimerKind.RATING_REVEAL])
    ratings = {r.by: r for r in uow.ratings.of_booking(booking.id)}
    of_helper = ratings.get(A.CUSTOMER)
    if of_helper is not None:
        helper = uow.helpers.get(booking.helper_id)
        assert helper is not None
        uow.helpers.save(
            replace(
                helper, rating_sum=helper.rating_sum + of_helper.stars, rating_count=helper.rating_count + 1
            ),
            now=now,
        )
    for side in (A.CUSTOMER, A.HELPER):
        got = ratings.get(_other(side))
        if got is None:
            continue
        params: dict[str, str | int] = {"stars": got.stars, "comment": got.comment or "–", "id": booking.id}
        _tell(uow, booking, side, Reply(f"rating.revealed_{side}", params), now)


# --- timers ----------------------------------------------------------------------------------


def fire_timer(
    uow: UnitOfWork, timer_id: int, *, now: datetime, policy: BookingPolicy, payments: PaymentProvider
) -> bool:
    """Fire one due timer: claimed and applied in one transaction, so it happens once only
    (a crash before the commit leaves it due; a second process finds it fired)."""
    with uow:
        timer = uow.timers.get(timer_id)
        if timer is None or timer.due_at > now or not uow.timers.claim(timer_id, now=now):
            return False
        booking = _booking(uow, timer.booking_id)
        kind = timer.kind
        if kind is TimerKind.OFFER_DEADLINE:
            expire_offer(uow, booking, now=now, policy=policy)
        elif kind in (TimerKind.REMIND_24H, TimerKind.REMIND_1H) and booking.state in AGREED_STATES:
            params = _params(uow, booking)
            for side in (A.CUSTOMER, A.HELPER):
                actions = actions_for(booking, side)
                _tell(uow, booking, side, _reply(f"booking.{kind}_{side}", params, booking, *actions), now)
        elif kind is TimerKind.CHECKIN_NUDGE and booking.state in AGREED_STATES:
            params = _params(uow, booking)
            _tell(
                uow,
                booking,
                A.HELPER,
                _reply("booking.checkin_nudge", params, booking, *actions_for(booking, A.HELPER)),
                now,
            )
        elif kind is TimerKind.AUTO_CONFIRM and booking.state is S.DONE:
            _settle(uow, booking, A.SYSTEM, now=now, policy=policy, payments=payments, source="timer")
        elif kind is TimerKind.RATING_REMINDER:
            rated = {r.by for r in uow.ratings.of_booking(booking.id)}
            stars = tuple(f"r{n}" for n in range(1, 6))
            for side in (A.CUSTOMER, A.HELPER):
                if side not in rated:
                    _tell(
                        uow,
                        booking,
                        side,
                        _reply("rating.reminder", _params(uow, booking), booking, *stars),
                        now,
                    )
        elif kind is TimerKind.RATING_REVEAL and booking.state in {S.SETTLED, S.RESOLVED}:
            _reveal(uow, booking, now=now)
        elif kind is TimerKind.RELAY_CLOSE and booking.relay_closed_at is None:
            closed = uow.bookings.save(replace(booking, relay_closed_at=now))
            _note(uow, closed, "relay_closed", A.SYSTEM, now)
            for side in (A.CUSTOMER, A.HELPER):
                _tell(uow, closed, side, Reply("relay.closed", _params(uow, closed)), now)
        uow.commit()
        return True


def due_timers(uow: UnitOfWork, *, now: datetime, limit: int = 100) -> list[int]:
    with uow:
        return [t.id for t in uow.timers.due(now, limit=limit)]


# --- overview --------------------------------------------------------------------------------


def jobs(uow: UnitOfWork, telegram_id: TelegramUserId, *, now: datetime, quiet: bool = False) -> None:
    """/jobs: every current booking of this person, each with the steps that fit it now
    (quiet: say nothing when there is none)."""
    with uow:
        customer = uow.customers.by_telegram_id(telegram_id)
        helper = uow.helpers.by_telegram_id(telegram_id)
        mine: list[tuple[Booking, Actor]] = []
        if customer is not None:
            mine += [
                (b, A.CUSTOMER) for b in uow.bookings.of_customer(customer.id, ACTIVE_STATES - {S.OFFERED})
            ]
        if helper is not None:
            mine += [(b, A.HELPER) for b in uow.bookings.of_helper(helper.id, ACTIVE_STATES)]
        language = customer.language if customer else Language.DE
        if not mine and not quiet:
            uow.outbox.add(telegram_id, language, Reply("booking.no_jobs"), now=now)
        for booking, role in mine:
            reply = _reply(
                f"booking.card_{role}", _params(uow, booking), booking, *actions_for(booking, role)
            )
            uow.outbox.add(telegram_id, language, reply, now=now, booking_id=booking.id)
        uow.commit()


def history(
    uow: UnitOfWork, booking_id: int
) -> tuple[Booking, list[BookingEvent], list[tuple[Actor, str, str]], list[tuple[str, str]]]:
    """For support: the booking, its events, the relayed messages and the flags."""
    with uow:
        booking = _booking(uow, booking_id)
        return (
            booking,
            uow.bookings.events(booking.id),
            uow.relay.transcript(booking.id),
            uow.relay.flags(booking.id),
        )
