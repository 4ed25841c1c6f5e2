"""Matching rules: who may be offered, and in which order."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

from hypothesis import given, settings
from hypothesis import strategies as st

from core.categories import SERVICE_CATEGORIES, Category
from core.geo import Location, Place
from core.helpers import Absence, Availability, Helper, HelperStatus, WeeklySlot
from core.ids import Cents, HelperId, TelegramUserId
from core.language import Language
from core.matching import bayesian_rating, rank

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Wednesday, 10:30 in Berlin
ALEX = Place("10178 (Mitte)", "Mitte", Location(52.5219, 13.4132), "10178")
ALWAYS = Availability(tuple(WeeklySlot(d, time(0), time(23, 59)) for d in range(7)))


def helper(n: int, **changes: object) -> Helper:
    base = Helper(
        id=HelperId(n),
        telegram_id=TelegramUserId(1000 + n),
        name=f"H{n}",
        skills=frozenset({Category.INTERNET}),
        languages=frozenset({Language.DE}),
        rate=Cents(2000),
        home=Location(52.52, 13.41),
        radius_km=5.0,
        availability=ALWAYS,
        status=HelperStatus.ACTIVE,
        verified=True,
    )
    return base.__class__(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def top(helpers: list[Helper], **kw: object) -> list[int]:
    args = {
        "category": Category.INTERNET,
        "language": Language.DE,
        "place": ALEX,
        "now": NOW,
        "limit": 10,
    } | kw
    return [c.helper.id for c in rank(helpers, **args)]  # type: ignore[arg-type]


def test_only_verified_active_skilled_speaking_covering_available_helpers_are_offered() -> None:
    helpers = [
        helper(1),
        helper(2, verified=False),
        helper(3, status=HelperStatus.PAUSED),
        helper(4, status=HelperStatus.SUSPENDED),
        helper(5, skills=frozenset({Category.TV})),
        helper(6, languages=frozenset({Language.EN})),
        helper(7, home=Location(52.40, 13.60), radius_km=3.0),  # Köpenick, too far
        helper(8, home=Location(52.40, 13.60), radius_km=3.0, districts=frozenset({"Mitte"})),  # serves Mitte
        helper(9, availability=Availability()),
    ]
    assert sorted(top(helpers)) == [1, 8]


def test_one_five_star_review_does_not_beat_forty_good_ones() -> None:
    assert bayesian_rating(5, 1) < bayesian_rating(192, 40)  # 5.0 once vs 4.8 average
    newcomer, veteran = helper(1, rating_sum=5, rating_count=1), helper(2, rating_sum=192, rating_count=40)
    assert top([newcomer, veteran]) == [2, 1]


def test_nearer_cheaper_and_sooner_rank_first() -> None:
    near, far = helper(1, home=Location(52.5220, 13.4130)), helper(2, home=Location(52.55, 13.45))
    assert top([far, near]) == [1, 2]
    cheap, dear = helper(3, rate=Cents(900)), helper(4, rate=Cents(2900))
    assert top([dear, cheap]) == [3, 4]
    later = Availability((WeeklySlot(4, time(18), time(20)),))  # Friday evening
    now_free, friday = helper(5), helper(6, availability=later)
    assert top([friday, now_free]) == [5, 6]


def test_widening_accepts_helpers_a_little_outside_their_radius() -> None:
    edge = helper(1, home=Location(52.5219 + 0.06, 13.4132), radius_km=5.0)  # about 6.7 km away
    assert top([edge]) == []
    assert top([edge], slack_km=3.0) == [1]


def test_next_free_time_respects_slots_and_absences() -> None:
    wednesday = Availability((WeeklySlot(2, time(9), time(12)), WeeklySlot(3, time(14), time(18))))
    assert wednesday.next_free(NOW) == datetime(2026, 11, 25, 10, 30, tzinfo=wednesday.next_free(NOW).tzinfo)  # type: ignore[union-attr]
    away = Availability(wednesday.slots, (Absence(date(2026, 11, 25), date(2026, 11, 26)),))
    nxt = away.next_free(NOW)
    assert nxt is not None and nxt.date() == date(2026, 12, 2) and nxt.hour == 9
    assert Availability().next_free(NOW) is None


helper_strategy = st.builds(
    lambda n, skills, langs, lat, lon, radius, verified, status, rate, rsum, rcount: helper(
        n,
        skills=frozenset(skills),
        languages=frozenset(langs),
        home=Location(lat, lon),
        radius_km=radius,
        verified=verified,
        status=status,
        rate=Cents(rate),
        rating_sum=min(rsum, 5 * rcount),
        rating_count=rcount,
    ),
    st.integers(1, 10**6),
    st.sets(st.sampled_from(SERVICE_CATEGORIES), min_size=1),
    st.sets(st.sampled_from(list(Language)), min_size=1),
    st.floats(52.35, 52.65),
    st.floats(13.1, 13.7),
    st.floats(1, 15),
    st.booleans(),
    st.sampled_from(list(HelperStatus)),
    st.integers(700, 3000),
    st.integers(0, 500),
    st.integers(0, 100),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(helper_strategy, max_size=25, unique_by=lambda h: h.id),
    st.sampled_from(SERVICE_CATEGORIES),
    st.sampled_from(list(Language)),
    st.randoms(use_true_random=False),
)
def test_ranking_never_offers_an_ineligible_helper_and_is_deterministic(
    helpers: list[Helper], category: Category, language: Language, rnd: random.Random
) -> None:
    ranked = rank(helpers, category=category, language=language, place=ALEX, now=NOW, limit=5)
    for c in ranked:
        h = c.helper
        assert h.verified and h.status is HelperStatus.ACTIVE
        assert category in h.skills and language in h.languages
        assert h.home.km_to(ALEX.location) <= h.radius_km or ALEX.district in h.districts
    shuffled = helpers[:]
    rnd.shuffle(shuffled)
    again = rank(shuffled, category=category, language=language, place=ALEX, now=NOW, limit=5)
    assert [c.helper.id for c in again] == [c.helper.id for c in ranked]
    assert [c.score for c in ranked] == sorted(c.score for c in ranked)
