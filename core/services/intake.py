"""Use cases of the problem intake; each function is one transaction."""

from __future__ import annotations

from datetime import datetime

from core.booking import AGREED_STATES, BookingState
from core.categories import Category
from core.errors import NoOpenRequest, RequestClosed
from core.geo import Place
from core.ids import CustomerId, RequestId, TelegramUserId
from core.intake import (
    DRAFT_STATUSES,
    OPEN_STATUSES,
    REFINE_WITHIN,
    Customer,
    Problem,
    Request,
    RequestStatus,
    Urgency,
    clip_description,
)
from core.language import Language, from_telegram
from core.notices import Choice, Reply
from core.ports import UnitOfWork
from core.services import booking, matching

#: A customer's booking that /cancel should point to (a helper accepted it).
LIVE_STATES = AGREED_STATES | {BookingState.ACCEPTED}


def ensure_customer(
    uow: UnitOfWork, telegram_id: TelegramUserId, *, name: str, language_code: str | None, now: datetime
) -> Customer:
    """The customer behind a Telegram user, created on first contact with Telegram's language."""
    with uow:
        customer = uow.customers.by_telegram_id(telegram_id)
        if customer is None:
            customer = uow.customers.add(
                telegram_id, name=name[:64], language=from_telegram(language_code), now=now
            )
            uow.commit()
        return customer


def set_language(uow: UnitOfWork, customer_id: CustomerId, language: Language) -> Reply:
    """The customer's /language choice: it stays, whatever language they write in later."""
    with uow:
        uow.customers.set_language(customer_id, language, chosen=True)
        uow.commit()
    return Reply("language.changed")


def follow_language(uow: UnitOfWork, customer_id: CustomerId, written: Language) -> Customer:
    """The customer wrote in a language: the bot answers (and matching prefers helpers) in it,
    unless they chose one with /language."""
    with uow:
        customer = uow.customers.get(customer_id)
        if customer.language_chosen or customer.language is written:
            return customer
        uow.customers.set_language(customer_id, written, chosen=False)
        uow.commit()
        return uow.customers.get(customer_id)


def said_so_far(uow: UnitOfWork, customer_id: CustomerId, *, now: datetime) -> str | None:
    """What the customer already wrote about the request they are still describing (a draft
    younger than REFINE_WITHIN), for reading a follow-up message together with it."""
    with uow:
        request = _refinable(uow, customer_id, now)
        return None if request is None else request.description


def describe_problem(
    uow: UnitOfWork, customer_id: CustomerId, problem: Problem, *, now: datetime
) -> list[Reply]:
    """Store what the customer described and ask for the place.

    A follow-up message (problem.text is then everything said so far) refines the draft the
    customer is still describing; a category they picked with a button stays. A problem the
    classifier could not place is kept as a draft and the customer picks the category (between
    the two areas the classifier hesitated between, when it did).
    """
    with uow:
        request = _store(uow, customer_id, problem, now=now)
        completed = request.category is not Category.NONE and request.place_label is not None
        if completed:  # the place came first
            replies = [Reply("intake.category_set", {"category": str(request.category)})]
            replies += _complete(uow, request.id, now=now)
        uow.commit()
    if completed:
        return _with_offers(uow, customer_id, replies, now=now)
    if request.category is Category.NONE:
        return [_which_area(problem, request)]
    replies = [
        Reply(
            "intake.understood",
            {"category": str(request.category)},
            choices=(Choice.CATEGORIES,),
            request_id=request.id,
        )
    ]
    if request.urgency is Urgency.URGENT:
        replies.append(Reply("intake.noted_urgent"))
    replies.append(Reply("intake.ask_location", choices=(Choice.SHARE_LOCATION,)))
    return replies


def choose_category(
    uow: UnitOfWork, customer_id: CustomerId, request_id: RequestId, category: Category, *, now: datetime
) -> list[Reply]:
    """The customer picked or corrected the category with a button."""
    with uow:
        request = uow.requests.get(request_id)
        if request is None or request.customer_id != customer_id or request.status not in OPEN_STATUSES:
            raise RequestClosed()
        uow.requests.set_category(request_id, category, now=now, picked=True)
        replies = [Reply("intake.category_set", {"category": str(category)})]
        searching = request.status is RequestStatus.SEARCHING
        if request.status is RequestStatus.SEARCHING:
            pass
        elif request.place_label:  # the place came before the category
            replies += _complete(uow, request_id, now=now)
        else:
            uow.requests.set_status(request_id, RequestStatus.AWAITING_LOCATION, now=now)
            replies.append(Reply("intake.ask_location", choices=(Choice.SHARE_LOCATION,)))
        uow.commit()
    if searching:  # a corrected category on a searching request: new cards
        return replies + matching.offer_helpers(uow, customer_id, request_id, now=now)
    return _with_offers(uow, customer_id, replies, now=now)


def set_place(uow: UnitOfWork, customer_id: CustomerId, place: Place, *, now: datetime) -> list[Reply]:
    """The customer said where: the request is complete and waits for matching."""
    with uow:
        request = uow.requests.open_for(customer_id)
        if request is None or request.status not in DRAFT_STATUSES:
            raise NoOpenRequest()
        uow.requests.set_place(request.id, place, now=now)
        if request.status is RequestStatus.AWAITING_CATEGORY:
            replies = [
                Reply("intake.pick_category_first", choices=(Choice.CATEGORIES,), request_id=request.id)
            ]
        else:
            replies = _complete(uow, request.id, now=now)
        uow.commit()
    return _with_offers(uow, customer_id, replies, now=now)


def awaits_place(uow: UnitOfWork, customer_id: CustomerId) -> bool:
    """True while the customer's request waits for a location or postcode."""
    with uow:
        request = uow.requests.open_for(customer_id)
        return request is not None and request.status is RequestStatus.AWAITING_LOCATION


def open_request(uow: UnitOfWork, customer_id: CustomerId) -> Request | None:
    with uow:
        return uow.requests.open_for(customer_id)


def latest_request(uow: UnitOfWork, customer_id: CustomerId) -> Request | None:
    """The customer's newest request, whatever its state."""
    with uow:
        return uow.requests.latest_for(customer_id)


def cancel(uow: UnitOfWork, customer_id: CustomerId, *, now: datetime) -> Reply:
    with uow:
        request = uow.requests.open_for(customer_id)
        if request is None:
            if uow.bookings.of_customer(customer_id, LIVE_STATES):
                return Reply("intake.cancel_booking_via_jobs")
            return Reply("intake.nothing_to_cancel")
        while request is not None:
            uow.requests.set_status(request.id, RequestStatus.CANCELLED, now=now)
            booking.withdraw_offers(uow, request.id, now=now)
            request = uow.requests.open_for(customer_id)
        uow.commit()
    return Reply("intake.cancelled")


def _complete(uow: UnitOfWork, request_id: RequestId, *, now: datetime) -> list[Reply]:
    """Inside a transaction: the request has category and place, so it starts searching."""
    uow.requests.set_status(request_id, RequestStatus.SEARCHING, now=now)
    request = uow.requests.get(request_id)
    assert request is not None
    params = {"category": str(request.category), "place": request.place_label or ""}
    return [Reply("intake.request_stored", params, request_id=request_id)]


def _with_offers(
    uow: UnitOfWork, customer_id: CustomerId, replies: list[Reply], *, now: datetime
) -> list[Reply]:
    """After the transaction that completed a request: the helper cards follow."""
    stored = next((r for r in replies if r.key == "intake.request_stored"), None)
    if stored is None or stored.request_id is None:
        return replies
    return replies + matching.offer_helpers(uow, customer_id, RequestId(stored.request_id), now=now)


def change_request(
    uow: UnitOfWork, customer_id: CustomerId, request_id: RequestId, *, now: datetime
) -> list[Reply]:
    """The customer wants to change a searching request: category and place are asked again."""
    with uow:
        request = uow.requests.get(request_id)
        if request is None or request.customer_id != customer_id or request.status not in OPEN_STATUSES:
            raise RequestClosed()
        uow.requests.set_status(request_id, RequestStatus.AWAITING_LOCATION, now=now)
        uow.requests.clear_place(request_id, now=now)
        booking.withdraw_offers(uow, request_id, now=now)
        uow.commit()
    return [
        Reply(
            "intake.change",
            {"category": str(request.category)},
            choices=(Choice.CATEGORIES,),
            request_id=request_id,
        ),
        Reply("intake.ask_location", choices=(Choice.SHARE_LOCATION,)),
    ]


def _store(uow: UnitOfWork, customer_id: CustomerId, problem: Problem, *, now: datetime) -> Request:
    """Inside a transaction: a new request, or the draft the customer is still describing re-read."""
    draft = _refinable(uow, customer_id, now)
    description = clip_description(problem.text)
    if draft is not None and not _another_problem(draft, problem):
        return uow.requests.refine(draft.id, problem, description=description, now=now)
    _drop_drafts(uow, customer_id, now=now)
    return uow.requests.add(uow.customers.get(customer_id), problem, description=description, now=now)


def _which_area(problem: Problem, request: Request) -> Reply:
    """Ask for the category: between two areas when the model hesitated between them."""
    between = problem.unsure_between
    if between is not None:
        first, second = between
        return Reply(
            "intake.unsure_between",
            {"category": str(first), "category2": str(second), "categories": f"{first},{second}"},
            choices=(Choice.CATEGORIES,),
            request_id=request.id,
        )
    key = "intake.ask_problem" if problem.intent == "vague_problem" else "intake.unsure"
    return Reply(key, choices=(Choice.CATEGORIES,), request_id=request.id)


def _another_problem(draft: Request, problem: Problem) -> bool:
    """A reading that names another area than the draft already has (and the customer did not
    pick it with a button): a new problem, which replaces the draft."""
    return (
        draft.picked_category is None
        and draft.category is not Category.NONE
        and problem.category not in (Category.NONE, draft.category)
    )


def _refinable(uow: UnitOfWork, customer_id: CustomerId, now: datetime) -> Request | None:
    request = uow.requests.open_for(customer_id)
    if request is None or request.status not in DRAFT_STATUSES or now - request.created_at > REFINE_WITHIN:
        return None
    return request


def _drop_drafts(uow: UnitOfWork, customer_id: CustomerId, *, now: datetime) -> None:
    request = uow.requests.open_for(customer_id)
    while request is not None and request.status in DRAFT_STATUSES:
        uow.requests.set_status(request.id, RequestStatus.CANCELLED, now=now)
        request = uow.requests.open_for(customer_id)
