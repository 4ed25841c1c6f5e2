"""The indexed search finds exactly what ranking every helper would find, reading a few cells."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from core.categories import SERVICE_CATEGORIES
from core.geo import PlaceIndex
from core.helpers import HelperStatus
from core.language import Language
from core.matching import rank
from core.ports import UnitOfWork
from core.services.candidate_search import find_candidates
from core.services.matching import propose
from storage.seed import demo_helpers, seed_helpers
from tests.conftest import FrozenClock


@pytest.fixture
def seeded(uow: Callable[[], UnitOfWork], places: PlaceIndex, clock: FrozenClock) -> Callable[[], UnitOfWork]:
    assert seed_helpers(uow, places, 1500, now=clock()) == 1500
    return uow


def test_seeding_is_deterministic_and_idempotent(
    seeded: Callable[[], UnitOfWork], places: PlaceIndex, clock: FrozenClock
) -> None:
    assert seed_helpers(seeded, places, 1600, now=clock()) == 100
    with seeded() as u:
        assert u.helpers.count() == 1600
        first = u.helpers.by_telegram_id(next(demo_helpers(1, places)).telegram_id)
    assert first is not None and first.name == next(demo_helpers(1, places)).name
    rates = {h.rate for h in demo_helpers(300, places)}
    assert min(rates) == 700 and max(rates) == 3000


def test_indexed_search_equals_ranking_every_helper(
    seeded: Callable[[], UnitOfWork], places: PlaceIndex, clock: FrozenClock
) -> None:
    rnd = random.Random(3)
    with seeded() as u:
        everyone = u.helpers.many(range(1, 1601))
        for _ in range(40):
            place = places.by_postcode(rnd.choice(sorted(places.postcodes)))
            category, language = rnd.choice(SERVICE_CATEGORIES), rnd.choice(list(Language))
            fast = find_candidates(u, category=category, language=language, place=place, now=clock())
            slow = rank(everyone, category=category, language=language, place=place, now=clock())
            assert [c.helper.id for c in fast] == [c.helper.id for c in slow], (place, category, language)


def test_paused_or_unverified_helpers_leave_the_index(
    seeded: Callable[[], UnitOfWork], places: PlaceIndex, clock: FrozenClock
) -> None:
    place = places.by_postcode("10999")
    found, _ = propose(
        seeded(), category=SERVICE_CATEGORIES[1], language=Language.DE, place=place, now=clock()
    )
    assert found
    best = found[0].helper
    with seeded() as u:
        u.helpers.save(best.__class__(**{**best.__dict__, "status": HelperStatus.PAUSED}), now=clock())
        u.commit()
    again, _ = propose(
        seeded(), category=SERVICE_CATEGORIES[1], language=Language.DE, place=place, now=clock()
    )
    assert best.id not in [c.helper.id for c in again]


def test_nobody_nearby_widens_once(
    uow: Callable[[], UnitOfWork], places: PlaceIndex, clock: FrozenClock
) -> None:
    found, widened = propose(
        uow(),
        category=SERVICE_CATEGORIES[0],
        language=Language.DE,
        place=places.by_postcode("10115"),
        now=clock(),
    )
    assert found == [] and widened
