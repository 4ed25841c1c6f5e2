"""The indexed candidate search gives exactly what the plain rule gives (core.matching.rank
over every helper: same helpers, same order) on a few thousand generated helpers, on SQLite
and PostgreSQL; and both databases do use the matching index (migration 0015) for it."""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Callable, Iterator
from datetime import date, time

import pytest

from core.categories import SERVICE_CATEGORIES
from core.geo import Location, Place, PlaceIndex, cells_near
from core.helpers import Absence, Availability, Helper, HelperStatus, WeeklySlot
from core.ids import Cents, HelperId, TelegramUserId
from core.language import Language
from core.matching import WIDEN_KM, rank
from core.ports import UnitOfWork
from core.services.candidate_search import find_candidates
from friends import wiring
from storage import matching_sql
from tests.conftest import ROOT, FrozenClock

HELPERS = 3000


def crowded_spots(places: PlaceIndex) -> list[Location]:
    """Where half of the generated helpers live, close together (dozens in a grid cell)."""
    rng = random.Random(5)
    return [places.by_postcode(rng.choice(sorted(places.postcodes))).location for _ in range(10)]


def generated_helpers(places: PlaceIndex, count: int, *, seed: int) -> Iterator[Helper]:
    """Crowded spots and sparse ones; coarse rates, ratings and homes so that equal scores
    happen (the helper id decides); some who serve whole districts, are never free, away
    for the next days, paused or not verified."""
    rng = random.Random(seed)
    codes = sorted(places.postcodes)
    crowds = crowded_spots(places)
    districts = sorted(places.districts)
    home = crowds[0]
    for n in range(count):
        if rng.random() < 0.9:  # 10 % share the previous helper's home exactly
            centre, spread = (rng.choice(crowds), 0.004) if rng.random() < 0.5 else (None, 0.02)
            if centre is None:
                centre = places.by_postcode(rng.choice(codes)).location
            home = Location(
                round(centre.lat + rng.uniform(-spread, spread), 4),
                round(centre.lon + rng.uniform(-spread, spread) * 1.6, 4),
            )
        days = sorted(rng.sample(range(7), rng.randint(0, 5)))  # none: never free
        start = rng.choice((7, 9, 12, 18))
        away = rng.random() < 0.1
        count_ratings = rng.choice((0, 0, 1, 2, 5, 20, 60))
        yield Helper(
            id=HelperId(0),
            telegram_id=TelegramUserId(7_000_000_000 + n),
            name=f"Helper {n}",
            skills=frozenset(rng.sample(SERVICE_CATEGORIES, rng.randint(1, 4))),
            languages=rng.choice(
                (frozenset({Language.DE}), frozenset({Language.EN}), frozenset({Language.DE, Language.EN}))
            ),
            rate=Cents(rng.randrange(7, 31, 2) * 100),
            home=home,
            radius_km=rng.choice((0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)),
            availability=Availability(
                tuple(WeeklySlot(d, time(start), time(start + rng.choice((2, 4)))) for d in days),
                (Absence(date(2026, 11, 24), date(2026, 11, 30)),) if away else (),
            ),
            status=HelperStatus.PAUSED if rng.random() < 0.05 else HelperStatus.ACTIVE,
            verified=rng.random() < 0.9,
            districts=frozenset(rng.sample(districts, rng.randint(1, 2)))
            if rng.random() < 0.04
            else frozenset(),
            rating_sum=sum(rng.choice((3, 4, 5, 5)) for _ in range(count_ratings)),
            rating_count=count_ratings,
            remote=n % 4 == 0,
        )


@pytest.fixture
def generated(database_url: str, places: PlaceIndex, clock: FrozenClock) -> Callable[[], UnitOfWork]:
    uow = wiring.uow_factory(database_url)
    helpers = list(generated_helpers(places, HELPERS, seed=20261201))
    for start in range(0, HELPERS, 500):
        with uow() as u:
            u.helpers.add_many(helpers[start : start + 500], now=clock())
            u.commit()
    with uow() as u:  # planner statistics, as after seeding (plans with them differ)
        u.helpers.refresh_statistics()
        u.commit()
    return uow


def requests(places: PlaceIndex, count: int, *, seed: int) -> Iterator[tuple[Place, Language, float, int]]:
    """Customers anywhere, half of them in a crowd of helpers; some "close by" searches
    (widened), some asking for more than three."""
    rng = random.Random(seed)
    codes = sorted(places.postcodes)
    crowds = crowded_spots(places)
    for n in range(count):
        centre = places.by_postcode(rng.choice(codes))
        spot, spread = (rng.choice(crowds), 0.004) if n % 2 else (centre.location, 0.01)
        where = Location(
            spot.lat + rng.uniform(-spread, spread), spot.lon + rng.uniform(-spread, spread) * 1.6
        )
        yield (
            Place(centre.label, centre.district, where, centre.postcode),
            rng.choice(list(Language)),
            rng.choice((0.0, 0.0, WIDEN_KM)),
            rng.choice((3, 3, 3, 6)),
        )


def test_the_indexed_search_ranks_exactly_like_the_plain_rule(
    generated: Callable[[], UnitOfWork], places: PlaceIndex, clock: FrozenClock
) -> None:
    rng = random.Random(7)
    compared = 0
    with generated() as u:
        everyone = u.helpers.many(range(1, HELPERS + 1))
        assert len(everyone) == HELPERS
        for place, language, slack_km, limit in requests(places, 80, seed=11):
            category = rng.choice(SERVICE_CATEGORIES)
            search = {"category": category, "language": language, "place": place, "now": clock()}
            plain = rank(everyone, **search, slack_km=slack_km, limit=limit)
            skip = frozenset(c.helper.id for c in plain[: rng.choice((0, 0, 2))])  # "more helpers"
            fast = find_candidates(u, **search, slack_km=slack_km, limit=limit, skip=skip)
            if skip:
                plain = rank(
                    [h for h in everyone if h.id not in skip], **search, slack_km=slack_km, limit=limit
                )
            assert [(c.helper.id, round(c.score, 9)) for c in fast] == [
                (c.helper.id, round(c.score, 9)) for c in plain
            ], (place, category, language, slack_km, limit, skip)
            compared += len(plain)
    assert compared > 150  # the comparison is about real candidates, not empty lists


def test_equal_scores_are_ordered_by_helper_id(
    generated: Callable[[], UnitOfWork], places: PlaceIndex, clock: FrozenClock
) -> None:
    """Helpers who share a home, rate, ratings and hours tie; the fast path keeps id order."""
    template = next(generated_helpers(places, 1, seed=3))
    twins = [
        Helper(
            **{
                **template.__dict__,
                "telegram_id": TelegramUserId(8_000_000_000 + n),
                "verified": True,
                "status": HelperStatus.ACTIVE,
                "skills": frozenset(SERVICE_CATEGORIES),
                "languages": frozenset(Language),
                "rate": Cents(700),
                "rating_sum": 300,
                "rating_count": 60,
                "availability": Availability(tuple(WeeklySlot(d, time(0), time(23)) for d in range(7))),
            }
        )
        for n in range(5)
    ]
    with generated() as u:
        u.helpers.add_many(twins, now=clock())
        u.commit()
    place = Place("here", "Mitte", template.home)
    with generated() as u:
        twin_ids = sorted(u.helpers.by_telegram_id(t.telegram_id).id for t in twins)  # type: ignore[union-attr]
        found = find_candidates(
            u, category=SERVICE_CATEGORIES[0], language=Language.DE, place=place, now=clock()
        )
    assert [c.helper.id for c in found] == twin_ids[:3]
    assert len({round(c.score, 9) for c in found}) == 1


def _migration_static_cost() -> str:
    path = ROOT / "storage/migrations/versions/0015_match_static_cost_index.py"
    spec = importlib.util.spec_from_file_location("migration_0015", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.STATIC_COST)


def test_the_index_is_on_the_very_expression_the_search_bounds() -> None:
    """Change a weight of Ranking and this fails: a new migration must re-create the index."""
    assert _migration_static_cost() == matching_sql.STATIC_COST_SQL


def test_the_databases_search_each_cell_through_the_index(generated: Callable[[], UnitOfWork]) -> None:
    place = Location(52.5, 13.41)
    cells = list(cells_near(place, 1.0))
    bounded = matching_sql.in_cells(SERVICE_CATEGORIES[0], Language.DE, cells, 0.05, (place, 0.0), 0.05)
    cheapest = matching_sql.first_look(SERVICE_CATEGORIES[0], Language.DE, "Mitte", cells, 8, (place, 0.0))
    with generated() as u:
        connection = u.helpers.session.connection()  # type: ignore[attr-defined]
        dialect = connection.dialect.name
        if dialect == "postgresql":  # a small table: make the planner show whether it *can*
            for method in ("seqscan", "bitmapscan", "sort"):
                connection.exec_driver_sql(f"SET LOCAL enable_{method} = off")
        explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        plans = [
            "\n".join(
                str(row)
                for row in connection.exec_driver_sql(explain + matching_sql.for_driver(sql, dialect), params)
            )
            for sql, params in (bounded, cheapest)
        ]
    for plan in plans:
        assert "ix_match_cells_static_cost" in plan, plan
    if dialect == "sqlite":  # each cell's bound on the static cost is a range of the index,
        assert "cell=? AND <expr><?" in plans[0], plans[0]  # which holds all the search reads
        assert all("COVERING INDEX ix_match_cells_static_cost" in plan for plan in plans), plans
    else:  # each cell's cheapest come in the index's order: PostgreSQL matches the expression
        assert "Index Cond" in plans[1] and "cell = " in plans[1] and "Sort" not in plans[1], plans[1]
