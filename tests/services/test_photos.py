"""A photo of the problem is kept with the request it started, exported, and erased."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from core.categories import Category
from core.geo import PlaceIndex
from core.ids import TelegramUserId
from core.intake import Problem
from core.ports import UnitOfWork
from core.services import intake, photos, privacy
from tests.conftest import FrozenClock
from tests.services.test_booking import World


def test_the_photo_goes_to_the_request_it_started_and_is_erased_with_the_person(
    uow: Callable[[], UnitOfWork], clock: FrozenClock
) -> None:
    anna = intake.ensure_customer(uow(), TelegramUserId(41), name="Anna", language_code="de", now=clock())
    wifi = Problem("Mein WLAN bricht ab", "problem_internet", Category.INTERNET, 0.97)
    intake.describe_problem(uow(), anna.id, wifi, now=clock())
    clock.advance(minutes=5)
    since = clock()
    # a photo that started nothing (small talk): the older request does not get it
    assert not photos.attach_to_new_request(uow(), anna.id, "AgAD-cat", since=since, now=clock())
    tv = Problem("Kein Signal Bitte überprüfen Sie die Antennenverbindung", "problem_tv", Category.TV, 0.99)
    clock.advance(seconds=2)
    intake.describe_problem(uow(), anna.id, tv, now=clock())
    assert photos.attach_to_new_request(uow(), anna.id, "AgAD-tv", since=since, now=clock())
    requests = privacy.export(uow(), anna.id)["requests"]  # /mydata shows it
    assert [r.get("photo") for r in sorted(requests, key=lambda r: r["id"])] == [None, "AgAD-tv"]
    privacy.erase(uow(), anna.id, now=clock() + timedelta(minutes=1))
    assert "AgAD-tv" not in str(privacy.export(uow(), anna.id)["requests"])


@pytest.fixture
def world(uow: Callable[[], UnitOfWork], clock: FrozenClock, places: PlaceIndex) -> World:
    return World(uow, clock, places)


def test_the_offer_shows_the_photo_and_retention_erases_it(world: World) -> None:
    with world.uow() as u:
        u.requests.attach_photo(world.request, "AgAD-router", now=world.clock())
        u.commit()
    booking = world.pick(0)
    [offer] = [r for r in world.inbox(world.tg(0)) if r.key == "booking.offer"]
    assert offer.params["photo"] == "AgAD-router"  # sent as the photo, the offer as its caption
    with world.uow() as u:
        u.privacy.erase_relay(booking)  # what the retention timer does after RETENTION_DAYS
        u.commit()
    with world.uow() as u:
        assert u.requests.get(world.request).photo is None
