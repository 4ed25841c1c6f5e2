"""Finding the best helpers for a place: nearest grid cells first, reading in each only the
helpers whose rating and price still leave room to beat the third best (docs/MATCHING.md)."""

from __future__ import annotations

import bisect
import itertools
import math
from datetime import datetime
from typing import Final

from core.categories import Category
from core.geo import Place, cells_near
from core.helpers import MAX_RADIUS_KM
from core.language import Language
from core.matching import RANKING, WIDEN_KM, Candidate, IndexEntry, candidate_order, rank
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
    # A bar to beat: the district's helpers, and the best-rated, cheapest few of each cell
    # around the customer…
    first = list(cells_near(place.location, FIRST_LOOK_KM))
    serving, cheapest = uow.helpers.first_look(
        category, language, place.district, first, per_cell=FIRST_LOOK, reaching=search.reaching
    )
    search.consider(serving, by_district=True)
    search.consider(cheapest)
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
    kms = [km for km, _ in near]
    for low, high in itertools.pairwise((0.0, *BANDS_KM, math.inf)):
        bar = search.bar()
        assert bar is not None  # candidates are only ever replaced by better ones
        # The band's cells whose distance alone does not lose (a hair more is harmless).
        end = min(high, _reach_km(bar, margin=False))
        band = near[bisect.bisect_left(kms, low) : bisect.bisect_left(kms, end)]
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


def _reach_km(bar: float, *, margin: bool = True) -> float:
    """How far a helper can live and still score `bar` (by default with a margin for the flat
    grid; without it, a hair beyond where the distance part alone reaches the bar)."""
    if bar + 2 * TIE >= RANKING.distance:
        return RINGS_KM[-1] if margin else math.inf
    km = (bar + 2 * TIE) / RANKING.distance * RANKING.distance_scale_km * (1 + 1e-9)
    return min(km * 1.02 + 0.05, RINGS_KM[-1]) if margin else km


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
