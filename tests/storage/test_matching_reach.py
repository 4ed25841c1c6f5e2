"""Matching's database-side distance filter never drops a helper who reaches the place, and
drops most who do not (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from core.categories import SERVICE_CATEGORIES
from core.geo import Location, PlaceIndex, cells_around
from core.language import Language
from friends import wiring
from storage.seed import seed_helpers


def test_the_reach_filter_keeps_everyone_who_reaches_and_few_others(
    database_url: str, places: PlaceIndex
) -> None:
    uow = wiring.uow_factory(database_url)
    seed_helpers(uow, places, 1200, now=datetime(2026, 11, 25, tzinfo=UTC))
    rnd = random.Random(5)
    kept = total = 0
    with uow() as u:
        for _ in range(30):
            centre = places.by_postcode(rnd.choice(sorted(places.postcodes))).location
            place = Location(centre.lat + rnd.uniform(-0.01, 0.01), centre.lon + rnd.uniform(-0.01, 0.01))
            category, language = rnd.choice(SERVICE_CATEGORIES), rnd.choice(list(Language))
            slack = rnd.choice((0.0, 3.0))
            cells = cells_around(place, 15.0)
            everyone = u.helpers.in_cells(category, language, cells)
            reaching = u.helpers.in_cells(category, language, cells, reaching=(place, slack))
            must = {e.helper_id for e in everyone if e.home.km_to(place) <= e.radius_km + slack}
            assert must <= {e.helper_id for e in reaching}, (place, category, language, slack)
            kept, total = kept + len(reaching), total + len(everyone)
    assert total > 1000 and kept < total / 2  # the filter does cut rows
