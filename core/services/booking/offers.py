"""Offers: the customer picks a helper, the helper accepts or declines before a deadline, and a
decline, an expiry or a cancellation by the helper passes the request to the next best helper."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.booking import (
    DEFAULT_POLICY,
    Actor,
    Booking,
    BookingEvent,
    BookingPolicy,
    BookingState,
    Step,
    TimerKind,
    Trigger,
)
from core.errors import DomainError, RequestClosed
from core.helpers import Helper
from core.ids import BookingId, CustomerId, HelperId, RequestId, TelegramUserId
from core.intake import Request, RequestStatus
from core.matching import Candidate
from core.notices import Choice, Reply
from core.ports import UnitOfWork
from core.services import steps
from core.services.matching import find_or_widen, searching_request


class OfferPending(DomainError):
    key = "booking.offer_pending"


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
        pending = [b for b in uow.bookings.for_request(request_id) if b.state is BookingState.OFFERED]
        if pending:
            first = uow.helpers.get(pending[0].helper_id)
            raise OfferPending(name=first.name if first else "", until=pending[0].deadline.isoformat())
        helper = uow.helpers.get(helper_id)
        place = request.place
        assert helper is not None and place is not None
        km = 0.0 if request.remote else helper.home.km_to(place.location)  # remote help: no travel
        helpers: list[tuple[Helper, float]] = [(helper, km)]
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
                state=BookingState.OFFERED,
                category=request.category,
                rate=helper.rate,
                km=km,
                offered_at=now,
                deadline=deadline,
            )
        )
        uow.bookings.record(
            BookingEvent(
                booking.id, now, Actor.CUSTOMER, "offered", BookingState.OFFERED, BookingState.OFFERED
            )
        )
        uow.timers.set(booking.id, TimerKind.OFFER_DEADLINE, deadline)
        params = {
            **steps.params(uow, booking),
            "description": request.description,
            "until": deadline.isoformat(),
            "urgent": "yes" if request.urgency == "urgent" else "no",
        }
        if request.photo:  # the photo of the problem the customer sent, with the offer as its caption
            params["photo"] = request.photo
        side = steps.helper_side(uow, helper, request.language)
        uow.outbox.add(
            side.telegram_id,
            side.language,
            steps.reply(
                "booking.offer_remote" if request.remote else "booking.offer",
                params,
                booking,
                Step.ACCEPT,
                Step.DECLINE,
            ),
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
    found, _ = find_or_widen(
        uow,
        remote=request.remote,
        category=request.category,
        language=request.language,
        place=place,
        now=now,
        limit=limit,
        skip=frozenset(asked | blocked | skip),
        widen=True,
    )
    return found


def rematch(uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy, why: str) -> None:
    """A helper said no, did not answer, or cancelled: ask the next best one and tell the
    customer; when nobody is left, the customer can wait for one or change the request."""
    request = uow.requests.get(booking.request_id)
    assert request is not None
    if request.status is not RequestStatus.SEARCHING:
        return
    if any(b.state is BookingState.OFFERED for b in uow.bookings.for_request(request.id)):
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


def rematch_in(
    uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy = DEFAULT_POLICY
) -> None:
    """Inside a transaction: support took an offer back (a suspended helper); ask the next."""
    rematch(uow, booking, now=now, policy=policy, why="withdrawn")


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
        booking = steps.mine(uow, telegram_id, booking_id, Actor.HELPER)
        if not accept:
            declined = steps.move(uow, booking, Trigger.DECLINE, Actor.HELPER, now=now, source=source)
            uow.timers.cancel(booking.id)
            steps.tell(uow, declined, Actor.HELPER, Reply("booking.declined_ok"), now)
            rematch(uow, declined, now=now, policy=policy, why="declined")
            uow.commit()
            return
        request = uow.requests.get(booking.request_id)
        assert request is not None
        if booking.state is BookingState.OFFERED and request.status is not RequestStatus.SEARCHING:
            withdraw_in(uow, booking, Actor.SYSTEM, reason="request closed", now=now, source=source)
            uow.commit()
            return
        accepted = steps.move(uow, booking, Trigger.ACCEPT, Actor.HELPER, now=now, source=source)
        uow.requests.set_status(request.id, RequestStatus.BOOKED, now=now)
        uow.timers.cancel(booking.id)
        for other in uow.bookings.for_request(request.id):
            if other.id != booking.id and other.state is BookingState.OFFERED:
                withdraw_in(uow, other, Actor.SYSTEM, reason="another helper accepted", now=now)
        params = steps.params(uow, accepted)
        steps.tell(
            uow,
            accepted,
            Actor.HELPER,
            steps.reply("booking.accepted_helper", params, accepted, Step.PROPOSE, Step.CANCEL),
            now,
        )
        steps.tell(
            uow,
            accepted,
            Actor.CUSTOMER,
            steps.reply("booking.accepted_customer", params, accepted, Step.CANCEL),
            now,
        )
        uow.commit()


def withdraw_offers(uow: UnitOfWork, request_id: RequestId, *, now: datetime) -> None:
    """Inside a transaction: the customer changed or cancelled the request; helpers still
    deciding are told it is off."""
    for booking in uow.bookings.for_request(request_id):
        if booking.state is BookingState.OFFERED:
            withdraw_in(uow, booking, Actor.CUSTOMER, reason="request changed or cancelled", now=now)


def withdraw_in(
    uow: UnitOfWork,
    booking: Booking,
    actor: Actor,
    *,
    reason: str,
    now: datetime,
    source: str = "",
    tell_helper: bool = True,
) -> Booking:
    """Inside a transaction: take an offer back (its deadline too); the helper is told it is off."""
    withdrawn = steps.move(uow, booking, Trigger.WITHDRAW, actor, now=now, reason=reason, source=source)
    uow.timers.cancel(booking.id)
    if tell_helper:
        steps.tell(uow, withdrawn, Actor.HELPER, Reply("booking.offer_gone"), now)
    return withdrawn


def expire_offer(uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy) -> None:
    """Inside a transaction (a timer): the helper did not answer in time."""
    if booking.state is not BookingState.OFFERED:
        return
    expired = steps.move(uow, booking, Trigger.EXPIRE, Actor.SYSTEM, now=now, source="timer")
    steps.tell(uow, expired, Actor.HELPER, Reply("booking.offer_expired", {"id": booking.id}), now)
    rematch(uow, expired, now=now, policy=policy, why="expired")
