"""Use cases of a booking, from the offer to the ratings; each function is one transaction.

Everything a use case has to say, to either side, goes into the outbox in the same
transaction as the state change: a crash loses both or neither, and the bot sends it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.booking import (
    ACTIVE_STATES,
    AGREED_STATES,
    DEFAULT_POLICY,
    VISIT_TIMERS,
    Actor,
    AlreadyDone,
    Booking,
    BookingEvent,
    BookingPolicy,
    BookingState,
    NotNow,
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
from core.payments import split
from core.ports import PaymentProvider, UnitOfWork
from core.relay import Prompt, PromptKind
from core.services import payments as payments_service
from core.services import steps
from core.services.matching import find_or_widen, searching_request
from core.services.steps import actions_for
from core.staff import StaffMember

S, T, A = BookingState, Trigger, Actor
#: The durations a helper can tap after typing the time (minutes).
DURATIONS = (60, 90, 120, 180)


class OfferPending(DomainError):
    key = "booking.offer_pending"


class PayFirst(DomainError):
    key = "booking.pay_first"


class CannotRate(DomainError):
    key = "rating.not_now"


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
            **steps.params(uow, booking),
            "description": request.description,
            "until": deadline.isoformat(),
            "urgent": "yes" if request.urgency == "urgent" else "no",
        }
        side = steps.helper_side(uow, helper, request.language)
        uow.outbox.add(
            side.telegram_id,
            side.language,
            steps.reply("booking.offer", params, booking, "acc", "dec"),
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


def rematch_in(
    uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy = DEFAULT_POLICY
) -> None:
    """Inside a transaction: support took an offer back (a suspended helper); ask the next."""
    _rematch(uow, booking, now=now, policy=policy, why="withdrawn")


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
        booking = steps.mine(uow, telegram_id, booking_id, A.HELPER)
        if not accept:
            declined = steps.move(uow, booking, T.DECLINE, A.HELPER, now=now, source=source)
            uow.timers.cancel(booking.id)
            steps.tell(uow, declined, A.HELPER, Reply("booking.declined_ok"), now)
            _rematch(uow, declined, now=now, policy=policy, why="declined")
            uow.commit()
            return
        request = uow.requests.get(booking.request_id)
        assert request is not None
        if booking.state is S.OFFERED and request.status is not RequestStatus.SEARCHING:
            withdraw_in(uow, booking, A.SYSTEM, reason="request closed", now=now, source=source)
            uow.commit()
            return
        accepted = steps.move(uow, booking, T.ACCEPT, A.HELPER, now=now, source=source)
        uow.requests.set_status(request.id, RequestStatus.BOOKED, now=now)
        uow.timers.cancel(booking.id)
        for other in uow.bookings.for_request(request.id):
            if other.id != booking.id and other.state is S.OFFERED:
                withdraw_in(uow, other, A.SYSTEM, reason="another helper accepted", now=now)
        params = steps.params(uow, accepted)
        steps.tell(
            uow,
            accepted,
            A.HELPER,
            steps.reply("booking.accepted_helper", params, accepted, "prop", "cx"),
            now,
        )
        steps.tell(
            uow, accepted, A.CUSTOMER, steps.reply("booking.accepted_customer", params, accepted, "cx"), now
        )
        uow.commit()


def withdraw_offers(uow: UnitOfWork, request_id: RequestId, *, now: datetime) -> None:
    """Inside a transaction: the customer changed or cancelled the request; helpers still
    deciding are told it is off."""
    for booking in uow.bookings.for_request(request_id):
        if booking.state is S.OFFERED:
            withdraw_in(uow, booking, A.CUSTOMER, reason="request changed or cancelled", now=now)


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
    withdrawn = steps.move(uow, booking, T.WITHDRAW, actor, now=now, reason=reason, source=source)
    uow.timers.cancel(booking.id)
    if tell_helper:
        steps.tell(uow, withdrawn, A.HELPER, Reply("booking.offer_gone"), now)
    return withdrawn


def expire_offer(uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy) -> None:
    """Inside a transaction (a timer): the helper did not answer in time."""
    if booking.state is not S.OFFERED:
        return
    expired = steps.move(uow, booking, T.EXPIRE, A.SYSTEM, now=now, source="timer")
    steps.tell(uow, expired, A.HELPER, Reply("booking.offer_expired", {"id": booking.id}), now)
    _rematch(uow, expired, now=now, policy=policy, why="expired")


# --- agreeing a time --------------------------------------------------------------------------


def ask_proposal(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    """The helper wants to propose a time: ask for it (the next text they type)."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, A.HELPER)
        if booking.state not in {S.ACCEPTED, *AGREED_STATES}:
            raise NotNow(state=str(booking.state))
        uow.relay.ask(Prompt(telegram_id, PromptKind.PROPOSE_TIME, booking.id), now=now)
        steps.tell(uow, booking, A.HELPER, Reply("booking.ask_time", {"id": booking.id}), now)
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
        booking = steps.mine(uow, telegram_id, booking_id, A.HELPER)
        if booking.state not in {S.ACCEPTED, *AGREED_STATES}:
            uow.relay.answered(telegram_id)
            uow.commit()
            raise NotNow(state=str(booking.state))
        if minutes is None:
            uow.relay.ask(
                Prompt(telegram_id, PromptKind.PROPOSE_MINUTES, booking.id, start.isoformat()), now=now
            )
            actions = tuple(f"d{m}" for m in DURATIONS)
            steps.tell(
                uow,
                booking,
                A.HELPER,
                steps.reply("booking.ask_duration", {"when": start.isoformat()}, booking, *actions),
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
        steps.note(uow, proposed, "proposed", A.HELPER, now, f"{start.isoformat()} {minutes} min")
        params = {
            **steps.params(uow, proposed),
            "when": start.isoformat(),
            "duration": minutes,
            "estimate": price(booking.rate, minutes),
            "proposal": proposed.proposal_no,
        }
        key = "booking.proposal_new_time" if booking.state in AGREED_STATES else "booking.proposal"
        reply = Reply(key, {**params, "actions": "ok,no"}, choices=(Choice.BOOKING,), booking_id=booking.id)
        steps.tell(uow, proposed, A.CUSTOMER, reply, now)
        steps.tell(uow, proposed, A.HELPER, Reply("booking.proposal_sent", params), now)
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
            A.HELPER,
            steps.reply("booking.time_not_understood", {"id": booking.id}, booking, "prop"),
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
        booking = steps.mine(uow, telegram_id, booking_id, A.CUSTOMER)
        if proposal_no != booking.proposal_no:
            raise StaleProposal()
        if booking.proposed_start is None:  # this proposal was answered already
            raise AlreadyDone(state=str(booking.state))
        if not agree:
            steps.note(uow, booking, "proposal_declined", A.CUSTOMER, now)
            cleared = uow.bookings.save(replace(booking, proposed_start=None, proposed_minutes=None))
            steps.tell(
                uow,
                cleared,
                A.HELPER,
                steps.reply("booking.proposal_declined", steps.params(uow, cleared), cleared, "prop"),
                now,
            )
            steps.tell(uow, cleared, A.CUSTOMER, Reply("booking.proposal_declined_customer"), now)
            uow.commit()
            return
        start, minutes = booking.proposed_start, booking.proposed_minutes or 60
        if start <= now:
            raise NotNow(state=str(booking.state))
        rescheduled = booking.state in AGREED_STATES
        agreed = steps.move(
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
        params = steps.params(uow, agreed)
        if rescheduled:
            steps.tell(uow, agreed, A.CUSTOMER, Reply("booking.rescheduled", params), now)
            steps.tell(uow, agreed, A.HELPER, Reply("booking.rescheduled", params), now)
        else:
            params["hold"] = policy.hold_for(price(agreed.rate, minutes))
            steps.tell(uow, agreed, A.HELPER, Reply("booking.scheduled_helper", params), now)
            steps.tell(
                uow,
                agreed,
                A.CUSTOMER,
                steps.reply("booking.choose_payment", params, agreed, "card", "cash"),
                now,
            )
        uow.commit()


def ask_reschedule(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    """The customer would like another time: the helper is asked to propose one."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, A.CUSTOMER)
        if booking.state not in AGREED_STATES:
            raise NotNow(state=str(booking.state))
        steps.note(uow, booking, "reschedule_asked", A.CUSTOMER, now)
        steps.tell(
            uow,
            booking,
            A.HELPER,
            steps.reply("booking.reschedule_asked", steps.params(uow, booking), booking, "prop"),
            now,
        )
        steps.tell(
            uow,
            booking,
            A.CUSTOMER,
            Reply("booking.reschedule_asked_customer", steps.params(uow, booking)),
            now,
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
        booking = steps.mine(uow, telegram_id, booking_id, A.CUSTOMER)
        trigger = T.PAY_CARD if method == "card" else T.PAY_CASH
        decide(booking.state, trigger, A.CUSTOMER)  # refuse before talking to the provider
        params = steps.params(uow, booking)
        if method == "card":
            payments_service.start_card_in(
                uow, booking, now=now, policy=policy, payments=payments, source=source
            )
        else:
            paid = steps.move(uow, booking, trigger, A.CUSTOMER, now=now, source=source, payment="cash")
            steps.tell(
                uow, paid, A.CUSTOMER, steps.reply("booking.cash_chosen", params, paid, "resch", "cx"), now
            )
            steps.tell(uow, paid, A.HELPER, Reply("booking.cash_helper", params), now)
        uow.commit()


def check_in(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, source: str = ""
) -> None:
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, A.HELPER)
        if booking.state is S.SCHEDULED:
            raise PayFirst()
        started = steps.move(uow, booking, T.CHECK_IN, A.HELPER, now=now, source=source, checked_in_at=now)
        uow.timers.cancel(started.id, VISIT_TIMERS)
        params = {**steps.params(uow, started), "at": now.isoformat()}
        steps.tell(
            uow, started, A.HELPER, steps.reply("booking.checked_in_helper", params, started, "out"), now
        )
        steps.tell(uow, started, A.CUSTOMER, Reply("booking.checked_in_customer", params), now)
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
        booking = steps.mine(uow, telegram_id, booking_id, A.HELPER)
        done = steps.move(uow, booking, T.CHECK_OUT, A.HELPER, now=now, source=source, checked_out_at=now)
        worked = done.worked_minutes or 1
        amount = price(done.rate, worked)
        done = uow.bookings.save(replace(done, amount=amount))
        uow.timers.set(done.id, TimerKind.AUTO_CONFIRM, now + timedelta(hours=policy.auto_confirm_hours))
        params = {
            **steps.params(uow, done),
            "worked": worked,
            "billed": billed_minutes(worked),
            "amount": amount,
            "hours": policy.auto_confirm_hours,
        }
        steps.tell(
            uow, done, A.CUSTOMER, steps.reply("booking.confirm_time", params, done, "ok_t", "disp"), now
        )
        steps.tell(uow, done, A.HELPER, Reply("booking.checked_out_helper", params), now)
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
            booking, actor = steps.booking(uow, booking_id), A.SYSTEM
        else:
            booking, actor = steps.mine(uow, telegram_id, booking_id, A.CUSTOMER), A.CUSTOMER
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
    trigger: Trigger = T.CONFIRM,
) -> Booking:
    decide(booking.state, trigger, actor)
    amount = booking.amount if amount is None else amount
    assert amount is not None
    extra = Cents(0)
    if booking.payment in {payments_service.HELD, payments_service.CHARGED}:
        extra = payments_service.charge_in(
            uow, booking, amount, now=now, policy=policy, payments=payments, step="capture"
        )
    settled = steps.move(uow, booking, trigger, actor, now=now, source=source, amount=amount)
    if extra:
        payments_service.ask_for_extra_in(uow, settled, extra, now=now, policy=policy, payments=payments)
    uow.timers.cancel(settled.id, [TimerKind.AUTO_CONFIRM])
    params = {
        **steps.params(uow, settled),
        "amount": amount,
        "method": booking.payment or "cash",
        "worked": settled.worked_minutes or 0,
        "billed": billed_minutes(settled.worked_minutes or 0),
    }
    if booking.payment in {payments_service.HELD, payments_service.CHARGED}:
        params["method"] = "card" if payments.live else "card_offline"
    share, fee = split(amount, policy.fee_percent)
    params |= {"fee": fee, "share": share}
    key_customer = "booking.receipt_auto" if actor is A.SYSTEM else "booking.receipt"
    steps.tell(uow, settled, A.CUSTOMER, Reply(key_customer, params), now)
    if booking.payment == payments_service.CASH:
        helper_reply = steps.reply("booking.receipt_helper_cash", params, settled, "cashok")
    else:
        helper_reply = Reply("booking.receipt_helper", params)
    steps.tell(uow, settled, A.HELPER, helper_reply, now)
    stars = tuple(f"r{n}" for n in range(1, 6))
    for side in (A.CUSTOMER, A.HELPER):
        steps.tell(uow, settled, side, steps.reply(f"rating.ask_{side}", params, settled, *stars), now)
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
        booking = steps.mine(uow, telegram_id, booking_id, A.CUSTOMER)
        disputed = steps.move(uow, booking, T.DISPUTE, A.CUSTOMER, now=now, source=source)
        uow.timers.cancel(disputed.id, [TimerKind.AUTO_CONFIRM])
        uow.relay.flag(disputed.id, "dispute", by=A.CUSTOMER, note="worked time disputed", now=now)
        params = steps.params(uow, disputed)
        steps.tell(uow, disputed, A.CUSTOMER, Reply("booking.disputed_customer", params), now)
        steps.tell(uow, disputed, A.HELPER, Reply("booking.disputed_helper", params), now)
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
            A.SUPPORT,
            now=now,
            policy=policy,
            payments=payments,
            source="support",
            amount=amount,
            trigger=T.RESOLVE,
        )
        steps.note(uow, resolved, "resolution", A.SUPPORT, now, note)
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


# --- cancelling ------------------------------------------------------------------------------


def ask_cancel(
    uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime, policy: BookingPolicy
) -> None:
    """Show what cancelling costs now (free until 24 hours before) and ask to confirm."""
    with uow:
        booking = steps.booking(uow, booking_id)
        role = steps.role(uow, booking, telegram_id)
        decide(booking.state, T.CANCEL, role)
        fee = policy.cancellation_fee(booking, role, now)
        params = {**steps.params(uow, booking), "fee": fee, "hours": policy.free_cancel_hours}
        key = "booking.cancel_confirm_fee" if fee else "booking.cancel_confirm_free"
        steps.tell(uow, booking, role, steps.reply(key, params, booking, "cxy", "keep"), now)
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
        actor = A.SUPPORT if telegram_id is None else steps.role(uow, booking, telegram_id)
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
    decide(booking.state, T.CANCEL, actor)
    fee = policy.cancellation_fee(booking, actor, now)
    if booking.payment in {payments_service.HELD, payments_service.CHARGED}:
        if fee:
            payments_service.charge_in(
                uow, booking, fee, now=now, policy=policy, payments=payments, step="fee"
            )
        else:
            payments_service.release_in(uow, booking, now=now, payments=payments)
    cancelled = steps.move(
        uow, booking, T.CANCEL, actor, now=now, reason=reason, source=source, fee=fee, relay_closed_at=now
    )
    uow.timers.cancel(cancelled.id)
    params = {**steps.params(uow, cancelled), "fee": fee, "by": str(actor)}
    for side in (A.CUSTOMER, A.HELPER):
        key = "booking.cancelled_you" if side is actor else f"booking.cancelled_by_{actor}"
        if side is A.CUSTOMER and fee and actor is A.CUSTOMER:
            key = "booking.cancelled_you_fee"
        steps.tell(uow, cancelled, side, Reply(key, params), now)
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
        booking = steps.booking(uow, booking_id)
        role = steps.role(uow, booking, telegram_id)
        if booking.state not in {S.SETTLED, S.RATED, S.RESOLVED} or not 1 <= stars <= 5:
            raise CannotRate()
        if not uow.ratings.add(Rating(booking.id, role, stars), now=now):
            raise AlreadyDone(state=str(booking.state))
        steps.note(uow, booking, "rated", role, now, str(stars))
        uow.relay.ask(Prompt(telegram_id, PromptKind.COMMENT, booking.id), now=now)
        steps.tell(
            uow,
            booking,
            role,
            steps.reply("rating.thanks_ask_comment", {"stars": stars}, booking, "skip"),
            now,
        )
        if len(uow.ratings.of_booking(booking.id)) == 2:
            _reveal(uow, booking, now=now)
        uow.commit()


def comment(
    uow: UnitOfWork, telegram_id: TelegramUserId, prompt: Prompt, text: str, *, now: datetime
) -> None:
    with uow:
        booking = steps.booking(uow, prompt.booking_id)
        role = steps.role(uow, booking, telegram_id)
        uow.relay.answered(telegram_id)
        uow.ratings.comment(booking.id, role, text.strip())
        steps.tell(uow, booking, role, Reply("rating.comment_saved"), now)
        uow.commit()


def skip_comment(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    with uow:
        prompt = uow.relay.prompt(telegram_id)
        if prompt is None or prompt.kind is not PromptKind.COMMENT or prompt.booking_id != booking_id:
            raise AlreadyDone(state="")
        uow.relay.answered(telegram_id)
        booking = steps.booking(uow, booking_id)
        steps.tell(uow, booking, steps.role(uow, booking, telegram_id), Reply("rating.comment_skipped"), now)
        uow.commit()


def _reveal(uow: UnitOfWork, booking: Booking, *, now: datetime) -> None:
    """Both ratings are shown (or the one given, after the window); the helper's counts feed
    matching. Double-blind: nobody sees the other's stars before rating themselves."""
    if booking.state is S.SETTLED:
        booking = steps.move(uow, booking, T.REVEAL, A.SYSTEM, now=now)
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
        got = ratings.get(steps.other(side))
        if got is None:
            continue
        params: dict[str, str | int] = {"stars": got.stars, "comment": got.comment or "–", "id": booking.id}
        steps.tell(uow, booking, side, Reply(f"rating.revealed_{side}", params), now)


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
        booking = steps.booking(uow, timer.booking_id)
        kind = timer.kind
        if kind is TimerKind.OFFER_DEADLINE:
            expire_offer(uow, booking, now=now, policy=policy)
        elif kind in (TimerKind.REMIND_24H, TimerKind.REMIND_1H) and booking.state in AGREED_STATES:
            params = steps.params(uow, booking)
            for side in (A.CUSTOMER, A.HELPER):
                actions = actions_for(booking, side)
                steps.tell(
                    uow, booking, side, steps.reply(f"booking.{kind}_{side}", params, booking, *actions), now
                )
        elif kind is TimerKind.CHECKIN_NUDGE and booking.state in AGREED_STATES:
            params = steps.params(uow, booking)
            steps.tell(
                uow,
                booking,
                A.HELPER,
                steps.reply("booking.checkin_nudge", params, booking, *actions_for(booking, A.HELPER)),
                now,
            )
        elif kind is TimerKind.AUTO_CONFIRM and booking.state is S.DONE:
            settle_in(uow, booking, A.SYSTEM, now=now, policy=policy, payments=payments, source="timer")
        elif kind is TimerKind.RATING_REMINDER:
            rated = {r.by for r in uow.ratings.of_booking(booking.id)}
            stars = tuple(f"r{n}" for n in range(1, 6))
            for side in (A.CUSTOMER, A.HELPER):
                if side not in rated:
                    steps.tell(
                        uow,
                        booking,
                        side,
                        steps.reply("rating.reminder", steps.params(uow, booking), booking, *stars),
                        now,
                    )
        elif kind is TimerKind.RATING_REVEAL and booking.state in {S.SETTLED, S.RESOLVED}:
            _reveal(uow, booking, now=now)
        elif kind is TimerKind.RETENTION:
            erased = uow.privacy.erase_relay(booking.id)
            steps.note(uow, booking, "transcript_erased", A.SYSTEM, now, f"{erased} messages")
        elif kind is TimerKind.HOLD_EXPIRY:
            _hold_expiring(uow, booking, now=now, policy=policy, payments=payments)
        elif kind is TimerKind.RELAY_CLOSE and booking.relay_closed_at is None:
            closed = uow.bookings.save(replace(booking, relay_closed_at=now))
            steps.note(uow, closed, "relay_closed", A.SYSTEM, now)
            for side in (A.CUSTOMER, A.HELPER):
                steps.tell(uow, closed, side, Reply("relay.closed", steps.params(uow, closed)), now)
        uow.commit()
        return True


def _hold_expiring(
    uow: UnitOfWork, booking: Booking, *, now: datetime, policy: BookingPolicy, payments: PaymentProvider
) -> None:
    """A day before a card hold lapses: a finished job is captured now; for a visit still ahead
    the hold is given back and the customer asked to pay again, so a hold never silently lapses."""
    if booking.payment != payments_service.HELD:
        return
    if booking.state is S.DONE:
        settle_in(uow, booking, A.SYSTEM, now=now, policy=policy, payments=payments, source="hold expiry")
    elif booking.state is S.PAID:
        payments_service.release_in(uow, booking, now=now, payments=payments)
        again = steps.move(
            uow,
            booking,
            T.REAUTHORISE,
            A.SYSTEM,
            now=now,
            source="hold expiry",
            payment=None,
            payment_ref=None,
            hold=None,
            hold_expires_at=None,
        )
        steps.tell(
            uow,
            again,
            A.CUSTOMER,
            steps.reply("booking.hold_renew", steps.params(uow, again), again, "card", "cash"),
            now,
        )
    else:
        uow.relay.flag(
            booking.id, "hold", by=A.SYSTEM, note=f"card hold lapses while {booking.state}", now=now
        )


#: A timer whose effect failed (not a concurrent change) is tried again this much later.
TIMER_RETRY = timedelta(minutes=10)


def timer_failed(uow: UnitOfWork, timer_id: int, error: str, *, now: datetime) -> None:
    """A timer's effect raised (the provider refused a capture…): try again later, and flag the
    booking for support once, so a stuck payment shows on the console's overview."""
    with uow:
        timer = uow.timers.get(timer_id)
        if timer is None:
            return
        uow.timers.set(timer.booking_id, timer.kind, now + TIMER_RETRY)
        uow.relay.flag(timer.booking_id, "payment", by=A.SYSTEM, note=f"{timer.kind}: {error}"[:500], now=now)
        uow.commit()


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
            reply = steps.reply(
                f"booking.card_{role}", steps.params(uow, booking), booking, *actions_for(booking, role)
            )
            uow.outbox.add(telegram_id, language, reply, now=now, booking_id=booking.id)
        uow.commit()


def history(
    uow: UnitOfWork, booking_id: int
) -> tuple[Booking, list[BookingEvent], list[tuple[Actor, str, str]], list[tuple[str, str]]]:
    """For support: the booking, its events, the relayed messages and the flags."""
    with uow:
        booking = steps.booking(uow, booking_id)
        return (
            booking,
            uow.bookings.events(booking.id),
            uow.relay.transcript(booking.id),
            uow.relay.flags(booking.id),
        )
