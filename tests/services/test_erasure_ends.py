"""Erasure ends what the person had open, and nothing later trips over a person who is gone:
no helper accepts a job for an erased customer, no timer fails on one (it would retry every
ten minutes forever, flagged as a payment problem), a helper can still cancel."""

from __future__ import annotations

import pytest

from core.booking import BookingState
from core.errors import DomainError
from core.geo import PlaceIndex
from core.relay import Incoming, MessageKind
from core.services import booking, privacy, relay
from tests.conftest import FrozenClock
from tests.services.test_booking import CUSTOMER, POLICY, Uow, World


@pytest.fixture
def world(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> World:
    return World(uow, clock, places)


def erase(w: World, customer_id: int) -> None:
    privacy.erase(w.uow(), customer_id, now=w.clock(), policy=POLICY, payments=w.payments)


def flags(w: World, kind: str) -> list[str]:
    from storage.queries import Queries
    from storage.uow import SqlUnitOfWork

    with w.uow() as u:
        assert isinstance(u, SqlUnitOfWork)
        sessions = u._sessions
    return [note for _, _, k, _, note, _ in Queries(sessions).flags() if k == kind]


def test_a_customer_who_erases_with_an_open_offer_withdraws_it(world: World) -> None:
    w = world
    b = w.pick(0)
    w.inbox(w.tg(0))
    erase(w, w.customer)
    assert w.get(b).state is BookingState.WITHDRAWN
    assert "booking.offer_gone" in w.keys(w.tg(0))
    with pytest.raises(DomainError):  # the helper can no longer accept a job for nobody
        w.accept(0, b)
    w.clock.advance(minutes=30)
    assert w.fire_due() == 0  # the offer's deadline went with it
    assert flags(w, "payment") == []


def test_a_customer_who_erases_with_a_held_card_gets_the_hold_released(world: World) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b)
    w.pay(b, "card")
    w.inbox(w.tg(0))
    erase(w, w.customer)
    assert w.get(b).state is BookingState.CANCELLED
    assert any(step == "release" for step, _, _ in w.payments.calls)
    assert "booking.cancelled_by_customer" in w.keys(w.tg(0))
    w.clock.advance(days=3)
    w.fire_due()  # reminders, hold expiry: nothing fires for a cancelled booking, nothing fails
    assert flags(w, "payment") == []


def test_a_helper_who_erases_with_an_open_offer_hands_the_customer_the_next_helper(world: World) -> None:
    w = world
    b = w.pick(0)
    w.inbox(CUSTOMER)
    with w.uow() as u:
        jonas = u.customers.by_telegram_id(w.tg(0))
        assert jonas is not None
    erase(w, jonas.id)
    assert w.get(b).state is BookingState.WITHDRAWN
    [moved] = w.inbox(CUSTOMER)
    assert moved.key == "booking.withdrawn_next" and moved.params["next"] == "Mira"
    assert w.get(w.booking_of(1)).state is BookingState.OFFERED


def test_timers_and_a_helper_s_cancel_survive_a_customer_erased_before_this_was_fixed(
    world: World,
) -> None:
    """Data as an erasure that ended nothing left it: an agreed booking, a customer without a
    place or Telegram id."""
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b)
    relay.relay(w.uow(), Incoming(w.tg(0), 5, MessageKind.TEXT, "Bis Donnerstag"), now=w.clock())
    with w.uow() as u:
        u.privacy.erase(w.customer, CUSTOMER, None)  # the data only: the booking stays open
        u.commit()
    w.clock.advance(hours=47)
    w.fire_due()  # the reminders: to a person who no longer exists, nothing is queued
    assert w.inbox(-w.customer) == []
    booking.cancel(w.uow(), w.tg(0), b, now=w.clock(), policy=POLICY, payments=w.payments)
    assert w.get(b).state is BookingState.CANCELLED
    w.clock.advance(minutes=30)
    w.fire_due()
    assert flags(w, "payment") == []
