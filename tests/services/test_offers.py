"""The customer sees the best helpers as cards, asks for more, picks one or changes the request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from core.categories import Category, category_of
from core.geo import PlaceIndex
from core.helpers import HelperStatus
from core.ids import CustomerId, RequestId, TelegramUserId
from core.intake import Problem, RequestStatus
from core.language import Language
from core.notices import Choice, Outgoing, Reply
from core.ports import UnitOfWork
from core.services import intake, matching
from storage.seed import demo_helpers, seed_helpers
from tests.conftest import FrozenClock

Uow = Callable[[], UnitOfWork]


@pytest.fixture
def seeded(uow: Uow, places: PlaceIndex, clock: FrozenClock) -> Uow:
    seed_helpers(uow, places, 800, now=clock())
    return uow


def waiting(u: UnitOfWork, clock: FrozenClock) -> list[Outgoing]:
    """What waits in the outbox (looked at inside a unit of work that is rolled back)."""
    return u.outbox.claim(now=clock(), limit=10, lease=timedelta(0))


def searching(
    uow: Uow, clock: FrozenClock, places: PlaceIndex, postcode: str = "10437"
) -> tuple[CustomerId, list[Reply]]:
    anna = intake.ensure_customer(uow(), TelegramUserId(31), name="Anna", language_code="de", now=clock()).id
    problem = Problem("WLAN bricht ab", "problem_internet", category_of("problem_internet"), 0.97)
    intake.describe_problem(uow(), anna, problem, now=clock())
    return anna, intake.set_place(uow(), anna, places.by_postcode(postcode), now=clock())


def test_a_complete_request_is_answered_with_three_cards(
    seeded: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    _, replies = searching(seeded, clock, places)
    keys = [r.key for r in replies]
    assert keys[:2] == ["intake.request_stored", "match.intro"]
    cards = [r for r in replies if r.key.startswith("match.card")]
    assert len(cards) == 3 and all(c.choices == (Choice.PICK_HELPER,) and c.helper_id for c in cards)
    assert keys[-1] == "match.next_step" and replies[-1].choices == (
        Choice.MORE_HELPERS,
        Choice.CHANGE_REQUEST,
        Choice.REMOTE,  # or help by phone or video instead
    )
    for card in cards:
        assert "internet" in str(card.params["skills"]).split(",")
        assert 700 <= int(card.params["rate"]) <= 3000 and float(card.params["km"]) <= 23


def test_more_shows_other_helpers_until_there_are_none(
    seeded: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    anna, replies = searching(seeded, clock, places)
    request = RequestId(replies[0].request_id or 0)
    seen = {r.helper_id for r in replies if r.helper_id}
    for _ in range(60):
        more = matching.offer_helpers(seeded(), anna, request, now=clock(), more=True)
        if more[0].key == "match.no_more":
            break
        fresh = {r.helper_id for r in more if r.helper_id}
        assert fresh and not fresh & seen
        seen |= fresh
    else:
        pytest.fail("more never ran out")
    assert len(seen) > 6


def test_change_request_asks_again_and_new_cards_follow(
    seeded: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    anna, replies = searching(seeded, clock, places)
    request = RequestId(replies[0].request_id or 0)
    change = intake.change_request(seeded(), anna, request, now=clock())
    assert [r.key for r in change] == ["intake.change", "intake.ask_location"]
    again = intake.choose_category(seeded(), anna, request, Category.TV, now=clock())
    assert [r.key for r in again][:1] == ["intake.category_set"]
    after_place = intake.set_place(seeded(), anna, places.by_postcode("12047"), now=clock())
    assert after_place[0].params["category"] == "tv" and after_place[1].key == "match.intro"
    stored = intake.latest_request(seeded(), anna)
    assert stored is not None and stored.status is RequestStatus.SEARCHING and stored.district == "Neukölln"


def test_nobody_available_then_a_verified_helper_is_announced(
    uow: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    anna, replies = searching(uow, clock, places, postcode="12047")
    assert [r.key for r in replies] == ["intake.request_stored", "match.none"]
    assert replies[1].choices == (Choice.NOTIFY_ME, Choice.CHANGE_REQUEST, Choice.REMOTE)
    request = RequestId(replies[0].request_id or 0)
    assert [r.key for r in matching.notify_me(uow(), anna, request, now=clock())] == ["match.will_notify"]
    helper = next(
        h
        for h in demo_helpers(400, places)
        if Category.INTERNET in h.skills and Language.DE in h.languages and h.status is HelperStatus.ACTIVE
    )
    with uow() as u:
        saved = u.helpers.save(
            replace(helper, home=places.by_postcode("12047").location, verified=False), now=clock()
        )
        u.commit()
    with uow() as u:
        assert waiting(u, clock) == []  # not verified yet: nobody is told
    matching.verify_helper(uow(), saved.id, now=clock())
    with uow() as u:
        [item] = waiting(u, clock)
    telegram_id, language, reply = item.telegram_id, item.language, item.reply
    assert (telegram_id, language, reply.key, reply.request_id) == (
        31,
        Language.DE,
        "match.available",
        request,
    )
    assert reply.choices == (Choice.MORE_HELPERS,)
    more = matching.offer_helpers(uow(), anna, request, now=clock(), more=True)
    assert [r.helper_id for r in more if r.helper_id] == [saved.id]
    matching.verify_helper(uow(), saved.id, now=clock())  # once told, not told again
    with uow() as u:
        assert len(waiting(u, clock)) == 1
