"""Finding the best helpers for a request: grid rings outwards until nobody farther can win."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from core.categories import Category
from core.geo import Place, cells_around
from core.helpers import MAX_RADIUS_KM
from core.language import Language
from core.matching import RANKING, WIDEN_KM, Candidate, rank
from core.ports import UnitOfWork

#: Search radii around the customer; the last one is beyond any helper's radius (+ widening).
RINGS_KM: Final = (1.0, 2.0, 3.5, 5.0, MAX_RADIUS_KM + WIDEN_KM)
#: Helpers fully evaluated (availability) at a time, best lower bound first.
BATCH: Final = 8


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
    would order them, reading only the grid cells that can still hold a better one.
    Call inside an open unit of work."""
    best: list[Candidate] = []
    seen: set[int] = set(skip)
    pending = [e for e in uow.helpers.serving(category, language, place.district) if e.helper_id not in seen]
    by_district = {e.helper_id for e in pending}
    read: set[int] = set()
    for radius in RINGS_KM:
        cells = [c for c in cells_around(place.location, radius) if c not in read]
        read.update(cells)
        entries = pending + uow.helpers.in_cells(category, language, cells)
        pending = []
        fresh = {
            e.helper_id: e
            for e in entries
            if e.helper_id not in seen
            and (e.helper_id in by_district or e.home.km_to(place.location) <= e.radius_km + slack_km)
        }
        seen.update(fresh)
        ordered = sorted(fresh.values(), key=lambda e: (e.lower_bound(place), e.helper_id))
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            if len(best) == limit and batch[0].lower_bound(place) > best[-1].score:
                break
            helpers = uow.helpers.many([e.helper_id for e in batch])
            ranked = rank(
                [c.helper for c in best] + helpers,
                category=category,
                language=language,
                place=place,
                now=now,
                limit=limit,
                slack_km=slack_km,
            )
            best = ranked
        # Anyone not seen yet lives farther than `radius`: their distance alone costs this much.
        if len(best) == limit and best[-1].score <= RANKING.distance_cost(radius):
            break
    return best


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
        found = find_candidates(
            uow, category=category, language=language, place=place, now=now, limit=limit, skip=skip
        )
        if found:
            return found, False
        return find_candidates(
            uow,
            category=category,
            language=language,
            place=place,
            now=now,
            limit=limit,
            skip=skip,
            slack_km=WIDEN_KM,
        ), True
