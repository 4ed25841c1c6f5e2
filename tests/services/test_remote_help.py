"""Remote help: a helper who also helps by phone or video is matched wherever they live; the
booking has no address step, no travel and no cash; everything else is the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.booking import BookingState, Step
from core.categories import Category
from core.geo import PlaceIndex
from core.helpers import Helper, HelperStatus
from core.ids import Cents, HelperId, TelegramUserId
from core.language import Language
from core.services import booking, intake, matching
from core.services.booking.money import CashNeedsVisit
from tests.conftest import FrozenClock
from tests.services.test_booking import ALWAYS, CUSTOMER, Uow, World


@pytest.fixture
def world(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> World:
    w = World(uow, clock, places)
    with uow() as u:  # Lina lives in Spandau, far outside Prenzlauer Berg, and helps remotely
        lina = u.helpers.save(
            Helper(
                id=HelperId(0),
                telegram_id=TelegramUserId(990),
                name="Lina",
                skills=frozenset({Category.INTERNET}),
                languages=frozenset({Language.DE}),
                rate=Cents(2000),
                home=places.by_postcode("13583").location,
                radius_km=2.0,
                availability=ALWAYS,
                status=HelperStatus.ACTIVE,
                verified=True,
                remote=True,
            ),
            now=clock(),
        )
        u.commit()
    intake.ensure_customer(uow(), lina.telegram_id, name="Lina", language_code="de", now=clock())
    w.helpers.append(lina)
    return w


def test_remote_help_finds_helpers_anywhere_and_only_those_who_offer_it(world: World) -> None:
    w = world
    assert w.helpers[3].id not in w.cards  # on site: Lina is too far away
    replies = matching.choose_mode(w.uow(), w.customer, w.request, remote=True, now=w.clock())
    keys = [r.key for r in replies]
    assert keys[0] == "match.intro_remote" and keys[-1] == "match.next_step"
    cards = [r for r in replies if r.helper_id]
    assert [c.helper_id for c in cards] == [w.helpers[3].id]  # the neighbours help on site only
    assert cards[0].key == "match.card_new_remote" and "km" in cards[0].params
    back = matching.choose_mode(w.uow(), w.customer, w.request, remote=False, now=w.clock())
    assert [r.helper_id for r in back if r.helper_id] == w.cards


def test_a_remote_booking_has_no_address_and_no_cash(world: World) -> None:
    w = world
    matching.choose_mode(w.uow(), w.customer, w.request, remote=True, now=w.clock())
    b = w.pick(3)
    [offer] = w.inbox(w.tg(3))
    assert offer.key == "booking.offer_remote" and w.get(b).km == 0.0
    w.accept(3, b)
    start = w.clock() + timedelta(hours=30)
    booking.propose(w.uow(), w.tg(3), b, start=start, minutes=60, now=w.clock())
    booking.answer_proposal(w.uow(), CUSTOMER, b, 1, agree=True, now=w.clock(), policy=w.policy)
    pay = [r for r in w.inbox(CUSTOMER) if r.key.startswith("booking.")][-1]
    assert pay.key == "booking.choose_payment_remote" and [c.step for c in pay.steps] == [Step.PAY_CARD]
    assert pay.params["hold"] == 2400 and booking.waiting_for(w.uow(), CUSTOMER) is None  # no address
    assert [r.key for r in w.inbox(w.tg(3))][-1] == "booking.scheduled_helper_remote"
    with pytest.raises(CashNeedsVisit):
        w.pay(b, "cash")
    w.pay(b, "card")
    assert w.get(b).state is BookingState.PAID
