"""Offering helpers for a request: the best three (core/services/candidate_search.py finds
them), more on request, remote help, and telling waiting customers about new helpers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from core.categories import Category
from core.errors import RequestClosed, UnknownHelper
from core.geo import Place
from core.helpers import Helper
from core.ids import CustomerId, HelperId, RequestId
from core.intake import Request, RequestStatus
from core.language import Language
from core.matching import WIDEN_KM, Candidate, eligible, rank
from core.notices import Choice, Reply
from core.ports import UnitOfWork
from core.services.candidate_search import find_candidates

#: Remote help: this many best-rated, cheapest helpers compete on availability.
REMOTE_LOOK: Final = 40


def propose(
    uow: UnitOfWork,
    *,
    category: Category,
    language: Language,
    place: Place,
    now: datetime,
    limit: int = 3,
    skip: frozenset[int] = frozenset(),
) -> tuple[list[Candidate], bool]:
    """Top candidates, widening the area once when nobody covers the place; (candidates, widened)."""
    with uow:
        return find_or_widen(
            uow,
            category=category,
            language=language,
            place=place,
            now=now,
            limit=limit,
            skip=skip,
            widen=True,
        )


def find_remote(
    uow: UnitOfWork,
    *,
    category: Category,
    language: Language,
    place: Place,
    now: datetime,
    limit: int = 3,
    skip: frozenset[int] = frozenset(),
) -> list[Candidate]:
    """The best `limit` helpers for remote help, anywhere in Berlin: the best-rated, cheapest
    REMOTE_LOOK of them compete on how soon they are free. Call inside an open unit of work."""
    entries = uow.helpers.remote(category, language, cheapest=REMOTE_LOOK + len(skip))
    helpers = uow.helpers.many([e.helper_id for e in entries if e.helper_id not in skip])
    return rank(helpers, category=category, language=language, place=place, now=now, limit=limit, remote=True)


def find_or_widen(
    uow: UnitOfWork, *, widen: bool, remote: bool = False, **search: Any
) -> tuple[list[Candidate], bool]:
    """Inside a transaction: find_candidates, and once more WIDEN_KM wider when nobody was found
    (remote help: find_remote, which has no distance to widen)."""
    if remote:
        return find_remote(uow, **search), False
    found = find_candidates(uow, **search)
    if found or not widen:
        return found, False
    return find_candidates(uow, **search, slack_km=WIDEN_KM), True


def searching_request(uow: UnitOfWork, customer_id: CustomerId, request_id: RequestId) -> Request:
    """Inside a transaction: this customer's request, which must still be searching."""
    request = uow.requests.get(request_id)
    if request is None or request.customer_id != customer_id or request.status is not RequestStatus.SEARCHING:
        raise RequestClosed()
    return request


def offer_helpers(
    uow: UnitOfWork, customer_id: CustomerId, request_id: RequestId, *, now: datetime, more: bool = False
) -> list[Reply]:
    """The best three helpers for a searching request as cards; `more` shows the next three."""
    with uow:
        request = searching_request(uow, customer_id, request_id)
        place = request.place
        assert place is not None  # a searching request has its place
        shown = uow.offers.shown(request_id)
        found, widened = find_or_widen(
            uow,
            category=request.category,
            language=request.language,
            place=place,
            now=now,
            skip=frozenset(shown) if more else frozenset(),
            widen=not more,
            remote=request.remote,
        )
        uow.offers.record(request_id, [c.helper.id for c in found if c.helper.id not in shown], now=now)
        uow.commit()
    switch = Choice.ON_SITE if request.remote else Choice.REMOTE
    if not found:
        if more:
            return [Reply("match.no_more", choices=(Choice.CHANGE_REQUEST, switch), request_id=request_id)]
        choices = (Choice.NOTIFY_ME, Choice.CHANGE_REQUEST, switch)
        return [
            Reply(
                "match.none_remote" if request.remote else "match.none",
                choices=choices,
                request_id=request_id,
            )
        ]
    intro = "match.intro_remote" if request.remote else "match.intro_widened" if widened else "match.intro"
    replies = [Reply(intro, {"count": len(found)})]
    replies += [card(c, request_id, remote=request.remote) for c in found]
    next_step = (Choice.MORE_HELPERS, Choice.CHANGE_REQUEST, switch)
    replies.append(Reply("match.next_step", choices=next_step, request_id=request_id))
    return replies


def choose_mode(
    uow: UnitOfWork, customer_id: CustomerId, request_id: RequestId, *, remote: bool, now: datetime
) -> list[Reply]:
    """The customer wants help remotely (by phone or video) instead of at their place, or back:
    the request says so, and the best helpers for that are shown."""
    with uow:
        searching_request(uow, customer_id, request_id)
        uow.requests.set_remote(request_id, remote, now=now)
        uow.commit()
    return offer_helpers(uow, customer_id, request_id, now=now)


def card(candidate: Candidate, request_id: RequestId, *, remote: bool = False) -> Reply:
    helper = candidate.helper
    params: dict[str, str | int] = {
        "name": helper.name,
        "skills": ",".join(sorted(str(s) for s in helper.skills)),
        "details": helper.skill_details or "",
        "rate": helper.rate,
        "stars": f"{candidate.rating:.1f}",
        "ratings": helper.rating_count,
        "km": f"{candidate.distance_km:.1f}",
        "when": candidate.next_free.isoformat(),
    }
    params["photo"] = helper.picture
    key = ("match.card" if helper.rating_count else "match.card_new") + ("_remote" if remote else "")
    return Reply(key, params, choices=(Choice.PICK_HELPER,), request_id=request_id, helper_id=helper.id)


def offered(uow: UnitOfWork, request_id: RequestId) -> list[int]:
    """Ids of the helpers shown for a request, in the order shown."""
    with uow:
        return uow.offers.shown(request_id)


def verify_helper(uow: UnitOfWork, helper_id: HelperId, *, now: datetime) -> Helper:
    """Support checked the helper: from now on they can be offered (unless paused)."""
    with uow:
        helper = uow.helpers.get(helper_id)
        if helper is None:
            raise UnknownHelper(helper_id=helper_id)
        verified = uow.helpers.save(replace(helper, verified=True), now=now)
        announce_helper(uow, verified, now=now)
        uow.commit()
    return verified


def notify_me(
    uow: UnitOfWork, customer_id: CustomerId, request_id: RequestId, *, now: datetime
) -> list[Reply]:
    """Nobody was available: the customer is told as soon as a helper for the request is."""
    with uow:
        searching_request(uow, customer_id, request_id)
        uow.requests.set_notify(request_id, True, now=now)
        uow.commit()
    return [Reply("match.will_notify")]


def announce_helper(uow: UnitOfWork, helper: Helper, *, now: datetime) -> int:
    """Inside a transaction, when a helper becomes matchable: tell every waiting customer they
    could help (through the outbox, which the bot sends). Returns how many were told."""
    if not helper.matchable:
        return 0
    told = 0
    for request in uow.requests.waiting_for_helpers():
        place = request.place
        if place is None:
            continue
        fits = eligible(
            helper, category=request.category, language=request.language, place=place, slack_km=WIDEN_KM
        )
        if not fits or helper.availability.next_free(now) is None:
            continue
        customer = uow.customers.get(request.customer_id)
        reply = Reply("match.available", choices=(Choice.MORE_HELPERS,), request_id=request.id)
        uow.outbox.add(customer.telegram_id, customer.language, reply, now=now)
        uow.requests.set_notify(request.id, False, now=now)
        told += 1
    return told
