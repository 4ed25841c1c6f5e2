"""Which helpers may be offered for a request, and in which order.

Eligible: verified and active, the category among their skills, the customer's language
spoken, the place inside their area, free within the next two weeks. Ranked by one score
(lower is better) whose weights live in RANKING below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from core.categories import Category
from core.geo import Location, Place
from core.helpers import MAX_RATE, MIN_RATE, Helper
from core.language import Language


@dataclass(frozen=True)
class Ranking:
    """Weights of the four criteria; each criterion is scaled to 0 (best) … 1 (worst).

    Neighbours first: distance weighs most and is scaled over a walk or a short ride
    (5 km and more count the same); then the rating, the price and how soon they are free.
    """

    distance: float = 0.40  # 0 km … DISTANCE_SCALE_KM and more
    rating: float = 0.30  # Bayesian average 5 … 1 stars
    price: float = 0.15  # 7 € … 30 € per hour
    soonest: float = 0.15  # free now … in 72 hours or later
    distance_scale_km: float = 5.0
    prior_mean: float = 4.5  # what an unrated helper is assumed to score
    prior_weight: int = 5  # how many ratings the prior counts as

    def distance_cost(self, km: float) -> float:
        return self.distance * min(max(km / self.distance_scale_km, 0.0), 1.0)

    def static_cost(self, rating: float, rate: int) -> float:
        """The part of the score that does not depend on the request (rating and price).
        storage.helper_repository computes the same in SQL to skip hopeless helpers."""
        return self.rating * (5 - rating) / 4 + self.price * (rate - MIN_RATE) / (MAX_RATE - MIN_RATE)


RANKING: Final = Ranking()
#: A second search, when the first finds nobody, accepts helpers this far outside their radius.
WIDEN_KM: Final = 3.0


@dataclass(frozen=True)
class IndexEntry:
    """What the matching index keeps of a matchable helper: enough for a lower bound."""

    helper_id: int
    home: Location
    radius_km: float
    rate: int
    rating_sum: int
    rating_count: int

    def lower_bound(self, km: float) -> float:
        """The best score this helper can reach at `km` from the customer (as if free now)."""
        rating = bayesian_rating(self.rating_sum, self.rating_count)
        return score(km, rating, self.rate, timedelta(0))


@dataclass(frozen=True)
class Candidate:
    helper: Helper
    distance_km: float
    next_free: datetime
    rating: float  # Bayesian average
    score: float


def bayesian_rating(rating_sum: int, rating_count: int, ranking: Ranking = RANKING) -> float:
    """Few ratings pull towards the prior: one 5-star review does not beat forty 4.8s."""
    return (ranking.prior_mean * ranking.prior_weight + rating_sum) / (ranking.prior_weight + rating_count)


def eligible(
    helper: Helper,
    *,
    category: Category,
    language: Language,
    place: Place,
    slack_km: float = 0.0,
    remote: bool = False,
) -> bool:
    """Remote help (phone or video) needs a helper who offers it, wherever they live."""
    return (
        helper.matchable
        and category in helper.skills
        and language in helper.languages
        and (helper.remote if remote else helper.covers(place, slack_km=slack_km))
    )


def score(distance_km: float, rating: float, rate: int, wait: timedelta, ranking: Ranking = RANKING) -> float:
    def unit(value: float) -> float:
        return min(max(value, 0.0), 1.0)

    return (
        ranking.distance_cost(distance_km)
        + ranking.static_cost(rating, rate)
        + ranking.soonest * unit(wait / timedelta(hours=72))
    )


def rank(
    helpers: Iterable[Helper],
    *,
    category: Category,
    language: Language,
    place: Place,
    now: datetime,
    limit: int = 3,
    slack_km: float = 0.0,
    skip: frozenset[int] = frozenset(),
    remote: bool = False,
) -> list[Candidate]:
    """The best `limit` eligible helpers, best first; equal scores are ordered by helper id.
    Remote help has no travel: distance neither filters nor counts."""
    found = []
    for helper in helpers:
        if helper.id in skip or not eligible(
            helper, category=category, language=language, place=place, slack_km=slack_km, remote=remote
        ):
            continue
        next_free = helper.availability.next_free(now)
        if next_free is None:
            continue
        distance = 0.0 if remote else helper.home.km_to(place.location)
        rating = bayesian_rating(helper.rating_sum, helper.rating_count)
        found.append(
            Candidate(
                helper, distance, next_free, rating, score(distance, rating, helper.rate, next_free - now)
            )
        )
    found.sort(key=candidate_order)
    return found[:limit]


def candidate_order(candidate: Candidate) -> tuple[float, int]:
    """Lower scores first; equal scores (to 9 digits) by helper id."""
    return (round(candidate.score, 9), candidate.helper.id)
