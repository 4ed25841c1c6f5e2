"""The visit address: asked once a time is agreed, shown to the helper only from then on (with a
maps link, in the confirmation and the reminders), changeable, and personal data."""

from __future__ import annotations

import pytest

from core.booking import BookingState, Step
from core.errors import NotInBerlin
from core.geo import Location, PlaceIndex
from core.services import booking, privacy
from core.services.buttons import Press, press
from tests.conftest import FrozenClock
from tests.services.test_booking import CUSTOMER, POLICY, Uow, World

STREET = "Kastanienallee 12, Hinterhaus 2. OG, Klingel Schulz"


@pytest.fixture
def world(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> World:
    return World(uow, clock, places)


def agreed(w: World) -> int:
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=48, minutes=60)
    w.inbox(CUSTOMER), w.inbox(w.tg(0))
    return b


def test_the_helper_learns_the_address_only_once_the_customer_gives_it(world: World) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=48, minutes=60)
    helper_saw = w.inbox(w.tg(0))
    assert "Kastanienallee" not in str([r.params for r in helper_saw])
    assert w.give_address(STREET)
    [told] = w.inbox(w.tg(0))
    assert told.key == "booking.address_helper"
    assert told.params["address"] == "Kastanienallee 12, 10437 Berlin (Hinterhaus 2. OG, 🔔 Schulz)"
    assert str(told.params["maps"]).startswith(
        "https://www.google.com/maps/search/?api=1&query=Kastanienallee"
    )
    with w.uow() as u:
        events = [e.trigger for e in u.bookings.events(b)]
        assert "address_given" in events and "Kastanienallee" not in str(u.bookings.events(b))


def test_text_that_is_no_address_gets_a_hint_and_a_button_and_goes_to_the_helper(world: World) -> None:
    w = world
    b = agreed(w)
    booking.ask_address(w.uow(), CUSTOMER, b, now=w.clock())
    w.inbox(CUSTOMER)
    assert not w.give_address("Kommen Sie bitte pünktlich?")
    [hint] = w.inbox(CUSTOMER)
    assert hint.key == "booking.address_not_understood" and [str(c.step) for c in hint.steps] == ["adr"]
    assert booking.waiting_for(w.uow(), CUSTOMER) is None  # the next text is a message again


def test_a_postcode_outside_berlin_is_refused_and_the_question_stays(world: World) -> None:
    w = world
    agreed(w)
    with pytest.raises(NotInBerlin):
        w.give_address("Hauptstraße 5, 80331 München")
    prompt = booking.waiting_for(w.uow(), CUSTOMER)
    assert prompt is not None and w.give_address("Hauptstraße 5, 12159")  # Friedenau, Berlin


def test_a_changed_address_reaches_the_helper_and_the_reminders_carry_it(world: World) -> None:
    w = world
    b = agreed(w)
    w.give_address(STREET)
    w.pay(b, "cash")
    w.inbox(CUSTOMER), w.inbox(w.tg(0))
    press(w.uow(), Press(CUSTOMER, b, Step.ADDRESS, None, w.clock(), POLICY, w.payments, "t"))
    assert [r.key for r in w.inbox(CUSTOMER)] == ["booking.ask_address"]
    w.give_address("Oderberger Straße 3")
    assert [r.key for r in w.inbox(CUSTOMER)] == ["booking.address_saved"]
    [changed] = w.inbox(w.tg(0))
    assert changed.key == "booking.address_changed_helper" and "Oderberger Straße 3" in str(changed.params)
    w.clock.advance(hours=25)
    w.fire_due()
    [reminder] = w.inbox(w.tg(0))
    assert reminder.key == "booking.remind_24h_helper_address"
    assert reminder.params["address"] == "Oderberger Straße 3, 10437 Berlin"
    [for_customer] = w.inbox(CUSTOMER)
    assert "address" not in for_customer.params


def test_the_address_is_exported_and_erased_with_the_person(world: World) -> None:
    w = world
    b = agreed(w)
    w.give_address(STREET)
    with w.uow() as u:
        customer_id = u.customers.by_telegram_id(CUSTOMER).id  # type: ignore[union-attr]
    exported = privacy.export(w.uow(), customer_id)
    assert exported["visit_addresses"][0]["street"] == "Kastanienallee 12"
    privacy.erase(w.uow(), customer_id, now=w.clock())
    with w.uow() as u:
        assert u.addresses.of_booking(b) is None  # type: ignore[arg-type]


def paid_tomorrow(w: World) -> int:
    b = agreed(w)  # the visit is in 48 hours
    w.give_address(STREET)
    w.pay(b, "cash")
    w.inbox(CUSTOMER), w.inbox(w.tg(0))
    return b


def test_checking_in_long_before_the_booked_time_is_asked_first(world: World) -> None:
    w = world
    b = paid_tomorrow(w)
    booking.check_in(w.uow(), w.tg(0), b, now=w.clock())
    [asked] = w.inbox(w.tg(0))
    assert asked.key == "booking.checkin_early" and [c.step for c in asked.steps] == [Step.CHECK_IN_EARLY]
    assert w.get(b).state is BookingState.CASH and w.inbox(CUSTOMER) == []
    press(w.uow(), Press(w.tg(0), b, Step.CHECK_IN_EARLY, None, w.clock(), POLICY, w.payments, "t"))
    assert w.get(b).state is BookingState.IN_PROGRESS
    assert [r.key for r in w.inbox(CUSTOMER)] == ["booking.checked_in_customer"]


def test_a_helper_sharing_a_location_at_the_start_checks_in_and_far_away_is_noted(world: World) -> None:
    w = world
    b = paid_tomorrow(w)
    w.clock.advance(hours=47, minutes=50)  # ten minutes before the start
    far = Location(52.45, 13.30)  # Steglitz, not Prenzlauer Berg
    assert booking.arrived(w.uow(), w.tg(0), far, now=w.clock())
    assert w.get(b).state is BookingState.IN_PROGRESS
    with w.uow() as u:
        [(kind, note)] = u.relay.flags(b)  # type: ignore[arg-type]
    assert kind == "checkin_far" and note.startswith("checked in ") and note.endswith(" km away")


def test_a_location_nowhere_near_a_visit_time_is_just_a_message(world: World) -> None:
    w = world
    b = paid_tomorrow(w)
    assert not booking.arrived(w.uow(), w.tg(0), Location(52.54, 13.41), now=w.clock())
    assert w.get(b).state is BookingState.CASH
