"""Finding the best helpers for a request: grid rings outwards until nobody farther can win."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from core.categories import Category
from core.errors import RequestClosed, UnknownHelper
from core.geo import Place, cells_near
from core.helpers import MAX_RADIUS_KM, Helper
from core.ids import CustomerId, HelperId, RequestId
from core.intake import Request, RequestStatus
from core.language import Language
from core.matching import RANKING, WIDEN_KM, Candidate, IndexEntry, candidate_order, eligible, rank
from core.notices import Choice, Reply
from core.ports import UnitOfWork

#: Search radii while fewer than `limit` candidates are known; the last one is beyond any
#: helper's radius (+ widening).
RINGS_KM: Final = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0, MAX_RADIUS_KM + WIDEN_KM)
#: Helpers fully evaluated (availability) at a time, best lower bound first.
BATCH: Final = 8
#: The first look: in each cell this close to the customer, this many best-rated, cheapest.
FIRST_LOOK_KM: Final = 0.5
FIRST_LOOK: Final = 8
#: Cells are read in bands of distance (km from the customer): each band lowers the bar.
BANDS_KM: Final = (0.2, 0.6, 1.5, 3.0)
#: Remote help: this many best-rated, cheapest helpers compete on availability.
REMOTE_LOOK: Final = 40
#: Scores that `rank` rounds to the same 9 digits tie (helper id decides): bounds keep them.
TIE: Final = 1e-9


def find_candidates(
    uow: UnitOfWork,
    *,
    category: Category,
    language: Language,
    place: Place,
    now: datetime,
    limit: int = 3,
    slack_km: float = 0.0,
    skip: frozenset[int] = frozenset(),
) -> list[Candidate]:
    """The best `limit` helpers for a place, exactly as `core.matching.rank` over all helpers
    would order them, reading in each grid cell only the helpers who can still beat the
    third best. Call inside an open unit of work."""
    search = _Search(uow, category, language, place, now, limit, slack_km, set(skip))
    search.consider(uow.helpers.serving(category, language, place.district), by_district=True)
    # A bar to beat: the best-rated, cheapest few of each cell around the customer…
    first = list(cells_near(place.location, FIRST_LOOK_KM))
    search.consider(
        uow.helpers.cheapest_in_cells(
            category, language, first, per_cell=FIRST_LOOK, reaching=search.reaching
        )
    )
    # …while there is none: every helper of each ring of cells, outwards…
    done: set[int] = set()
    for radius in RINGS_KM:
        if search.bar() is not None:
            break
        ring = [c for c in cells_near(place.location, radius) if c not in done]
        done.update(ring)
        search.consider(uow.helpers.in_cells(category, language, ring, reaching=search.reaching))
    _beat_the_bar(search, done)
    return search.best


def _beat_the_bar(search: _Search, done: set[int]) -> None:
    """In every cell not `done` and near enough to hold a better helper, nearest cells first
    (in bands of distance), reads those whose rating and price leave room to beat the bar at
    the band's distance; the database drops those whose own distance leaves none."""
    bar = search.bar()
    if bar is None:
        return
    cells = cells_near(search.place.location, _reach_km(bar))
    near = sorted((km, c) for c, km in cells.items() if c not in done)
    for low, high in itertools.pairwise((0.0, *BANDS_KM, math.inf)):
        bar = search.bar()
        assert bar is not None  # candidates are only ever replaced by better ones
        band = [(km, c) for km, c in near if low <= km < high and RANKING.distance_cost(km) <= bar + 2 * TIE]
        if band:
            room = bar + 2 * TIE - RANKING.distance_cost(band[0][0])  # its nearest cell's
            found = search.uow.helpers.in_cells(
                search.category,
                search.language,
                [c for _, c in band],
                max_static_cost=room,
                reaching=search.reaching,
                bar=bar + 2 * TIE,
            )
            search.consider(found)


def _reach_km(bar: float) -> float:
    """How far a helper can live and still score `bar` (with a margin for the flat grid)."""
    if bar >= RANKING.distance:
        return RINGS_KM[-1]
    return min(bar / RANKING.distance * RANKING.distance_scale_km * 1.02 + 0.05, RINGS_KM[-1])


class _Search:
    """The best candidates so far; index entries are evaluated best lower bound first."""

    def __init__(
        self,
        uow: UnitOfWork,
        category: Category,
        language: Language,
        place: Place,
        now: datetime,
        limit: int,
        slack_km: float,
        seen: set[int],
    ) -> None:
        self.uow, self.category, self.language, self.place = uow, category, language, place
        self.now, self.limit, self.slack_km, self.seen = now, limit, slack_km, seen
        self.reaching = (place.location, slack_km)
        self.best: list[Candidate] = []
        self.by_district: set[int] = set()

    def bar(self) -> float | None:
        """The score to beat, once there are `limit` candidates."""
        return self.best[-1].score if len(self.best) == self.limit else None

    def consider(self, entries: list[IndexEntry], *, by_district: bool = False) -> None:
        bounded = []
        for e in entries:
            if e.helper_id in self.seen:
                continue
            self.seen.add(e.helper_id)
            if by_district:
                self.by_district.add(e.helper_id)
            km = e.home.km_to(self.place.location)
            if e.helper_id in self.by_district or km <= e.radius_km + self.slack_km:
                bounded.append((e.lower_bound(km), e.helper_id))
        bounded.sort()
        for start in range(0, len(bounded), BATCH):
            batch = bounded[start : start + BATCH]
            bar = self.bar()
            if bar is not None and batch[0][0] > bar + TIE:
                break
            helpers = self.uow.helpers.many([helper_id for _, helper_id in batch])
            fresh = rank(
                helpers,
                category=self.category,
                language=self.language,
                place=self.place,
                now=self.now,
                limit=self.limit,
                slack_km=self.slack_km,
            )
            # The best of all so far are among the best before and the best of this batch.
            self.best = sorted(self.best + fresh, key=candidate_order)[: self.limit]


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
