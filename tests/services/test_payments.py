"""Money through a booking with the offline provider: holds, captures below and above the hold,
cancellation fees, refunds, cash with the fee owed and settled, webhook events once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.booking import AlreadyDone, BookingPolicy, BookingState
from core.geo import PlaceIndex
from core.ids import Cents
from core.language import Language
from core.payments import LedgerKind, ProviderEvent, RefundTooLarge, totals_of, unbalanced
from core.services import booking, payments
from friends import wiring
from tests.conftest import FrozenClock
from tests.services.test_booking import CUSTOMER, POLICY, Uow, World


def books(w: World, b: int):  # type: ignore[no-untyped-def]
    with w.uow() as u:
        return u.ledger.of_booking(b)  # type: ignore[arg-type]


def done(w: World, minutes: int, method: str = "card", estimate_minutes: int = 60) -> int:
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=estimate_minutes)
    w.pay(b, method)
    booking.check_in(w.uow(), w.tg(0), b, now=w.clock(), early_ok=True)
    w.clock.advance(minutes=minutes)
    booking.check_out(w.uow(), w.tg(0), b, now=w.clock(), policy=POLICY)
    booking.confirm_time(w.uow(), CUSTOMER, b, now=w.clock(), policy=POLICY, payments=w.payments)
    return b


@pytest.fixture
def world(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> World:
    return World(uow, clock, places)


def test_more_time_than_the_hold_covers_is_paid_only_once_approved(world: World) -> None:
    b = done(world, minutes=70)  # estimate 15 €, hold 18 €; 1 h 15 min cost 18,75 €
    entries = books(world, b)
    hold = world.get(b).payment_ref
    from_hold = totals_of([e for e in entries if e.reference == hold])
    assert from_hold[LedgerKind.AUTHORISED] == 1800 and from_hold[LedgerKind.CAPTURED] == 1800
    extra = totals_of([e for e in entries if e.reference.endswith(f"booking-{b}-extra")])
    assert extra[LedgerKind.CAPTURED] == 75  # offline: the customer's OK is immediate
    assert unbalanced(entries) == 0 and totals_of(entries)[LedgerKind.FEE] == 375


def test_a_short_job_captures_the_actual_time_and_releases_the_rest(world: World) -> None:
    b = done(world, minutes=40, estimate_minutes=120)  # hold 36 €, one hour billed: 15 €
    t = totals_of(books(world, b))
    assert (t[LedgerKind.AUTHORISED], t[LedgerKind.CAPTURED], t[LedgerKind.RELEASED]) == (3600, 1500, 2100)
    assert t[LedgerKind.FEE] == 300 and unbalanced(books(world, b)) == 0
    assert ("capture", f"booking-{b}-capture", 1500) in world.payments.calls


def test_support_refunds_part_once_even_when_asked_twice(world: World) -> None:
    b = done(world, minutes=40, estimate_minutes=120)
    payments.refund(
        world.uow(), b, Cents(500), reason="arrived late", now=world.clock(), payments=world.payments
    )
    payments.refund(
        world.uow(), b, Cents(500), reason="arrived late", now=world.clock(), payments=world.payments
    )
    t = totals_of(books(world, b))
    assert t[LedgerKind.REFUNDED] == 1000  # two refunds asked, two made: each is a new request
    refunds = [c for c in world.payments.calls if c[0] == "refund"]
    assert len(refunds) == 2 and unbalanced(books(world, b)) == 0
    with pytest.raises(RefundTooLarge):
        payments.refund(world.uow(), b, Cents(501), reason="", now=world.clock(), payments=world.payments)
    assert "payments.refunded_customer" in world.keys(CUSTOMER)


def test_a_crash_after_the_provider_captured_is_repaired_by_running_the_step_again(world: World) -> None:
    b = world.pick(0)
    world.accept(0, b)
    world.schedule(b, in_hours=30, minutes=60)
    world.pay(b, "card")
    booking.check_in(world.uow(), world.tg(0), b, now=world.clock(), early_ok=True)
    booking.check_out(world.uow(), world.tg(0), b, now=world.clock(), policy=POLICY)

    class Crash(Exception):
        pass

    real = world.uow

    def crashing():  # type: ignore[no-untyped-def]
        u = real()
        u.commit = lambda: (_ for _ in ()).throw(Crash())  # type: ignore[method-assign]
        return u

    with pytest.raises(Crash):  # the provider captured, then the process died before the commit
        booking.confirm_time(
            crashing(), CUSTOMER, b, now=world.clock(), policy=POLICY, payments=world.payments
        )
    assert world.get(b).state is BookingState.DONE and books(world, b)[-1].kind is LedgerKind.AUTHORISED
    booking.confirm_time(world.uow(), CUSTOMER, b, now=world.clock(), policy=POLICY, payments=world.payments)
    assert [c for c in world.payments.calls if c[0] == "capture"] == [
        ("capture", f"booking-{b}-capture", 1500)
    ]
    assert totals_of(books(world, b))[LedgerKind.CAPTURED] == 1500
    compared, differences = payments.reconcile(world.uow(), world.payments)
    assert compared >= 1 and differences == []


def test_a_late_cancellation_captures_the_fee_and_releases_the_rest(world: World) -> None:
    b = world.pick(0)
    world.accept(0, b)
    world.schedule(b, in_hours=3, minutes=120)  # estimate 30 €, hold 36 €
    world.pay(b, "card")
    booking.cancel(world.uow(), CUSTOMER, b, now=world.clock(), policy=POLICY, payments=world.payments)
    t = totals_of(books(world, b))
    assert (t[LedgerKind.CAPTURED], t[LedgerKind.RELEASED]) == (1500, 2100)
    assert unbalanced(books(world, b)) == 0


def test_cash_fees_are_owed_and_taken_from_the_next_card_job(world: World) -> None:
    w = world
    first = done(w, minutes=50, method="cash")
    assert "booking.receipt_helper_cash" in w.keys(w.tg(0))
    payments.cash_received(w.uow(), w.tg(0), first, now=w.clock(), policy=POLICY)
    with pytest.raises(AlreadyDone):  # the button pressed twice
        payments.cash_received(w.uow(), w.tg(0), first, now=w.clock(), policy=POLICY)
    assert payments.helper_balance(w.uow(), w.helpers[0].id) == 300  # 20 % of 15 €
    assert "payments.cash_noted" in w.keys(w.tg(0))

    w.new_request()
    second = done(w, minutes=40, estimate_minutes=120)  # card, 15 € captured
    t = totals_of(books(w, second))
    assert t[LedgerKind.FEE] == 600 and t[LedgerKind.PAYOUT] == 900 and t[LedgerKind.BALANCE] == -300
    assert payments.helper_balance(w.uow(), w.helpers[0].id) == 0 and unbalanced(books(w, second)) == 0


def test_webhook_events_apply_once_and_in_any_order(world: World) -> None:
    b = world.pick(0)
    world.accept(0, b)
    world.schedule(b, in_hours=30, minutes=60)
    event = ProviderEvent("evt_1", "charge.dispute.created", booking_id=b, reference="pi_x")
    assert (
        payments.apply_event(world.uow(), event, now=world.clock(), policy=POLICY, payments=world.payments)
        == "flagged"
    )
    assert (
        payments.apply_event(world.uow(), event, now=world.clock(), policy=POLICY, payments=world.payments)
        == "repeat"
    )
    late = ProviderEvent(
        "evt_2", "payment_intent.amount_capturable_updated", booking_id=b, reference="pi_unknown"
    )
    assert (
        payments.apply_event(world.uow(), late, now=world.clock(), policy=POLICY, payments=world.payments)
        == "pending"
    )
    assert world.get(b).state is BookingState.SCHEDULED


def test_a_hold_about_to_lapse_is_renewed_before_the_visit(
    uow: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    w = World(uow, clock, places, BookingPolicy())
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=24 * 8, minutes=60)
    w.pay(b, "card")
    w.inbox(CUSTOMER)
    clock.advance(days=6, minutes=1)
    w.fire_due()
    assert w.get(b).state is BookingState.SCHEDULED and w.get(b).payment is None
    assert "booking.hold_renew" in w.keys(CUSTOMER)
    assert totals_of(books(w, b))[LedgerKind.RELEASED] == 1800
    w.pay(b, "card")
    assert w.get(b).state is BookingState.PAID
    _ = timedelta


def test_a_card_payment_finishing_after_cash_was_chosen_is_released(world: World) -> None:
    b = world.pick(0)
    world.accept(0, b)
    world.schedule(b, in_hours=30, minutes=60)
    stray = world.payments.checkout(  # the customer opened the card page, then chose cash in the chat
        booking_id=b,
        amount=Cents(1800),
        fee=Cents(360),
        destination=None,
        description="",
        idempotency_key="late",  # type: ignore[arg-type]
    )
    world.pay(b, "cash")
    event = ProviderEvent("evt_late", "checkout.session.completed", booking_id=b, reference=stray.reference)
    assert (
        payments.apply_event(world.uow(), event, now=world.clock(), policy=POLICY, payments=world.payments)
        == "released"
    )
    assert world.payments.payment(stray.reference).status == "canceled"
    assert world.get(b).state is BookingState.CASH


def test_a_capture_the_provider_refuses_is_retried_later_and_flagged_once(world: World) -> None:
    from gateways.offline_payments import OfflinePayments

    class Refusing(OfflinePayments):
        def capture(self, reference, amount, *, fee, idempotency_key):  # type: ignore[no-untyped-def]
            raise RuntimeError("card_declined")

    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=2)
    w.pay(b, "card")
    w.payments.__class__ = Refusing  # the card is declined from now on
    booking.check_in(w.uow(), w.tg(0), b, now=w.clock(), early_ok=True)
    booking.check_out(w.uow(), w.tg(0), b, now=w.clock(), policy=POLICY)
    w.clock.advance(hours=25)
    for _attempt in range(2):
        for timer_id in booking.due_timers(w.uow(), now=w.clock()):
            with pytest.raises(RuntimeError):
                booking.fire_timer(w.uow(), timer_id, now=w.clock(), policy=POLICY, payments=w.payments)
            booking.timer_failed(w.uow(), timer_id, "RuntimeError: card_declined", now=w.clock())
        assert booking.due_timers(w.uow(), now=w.clock()) == []  # not hammered every second
        w.clock.advance(minutes=11)
    assert w.get(b).state is BookingState.DONE
    with w.uow() as u:
        assert [k for k, _ in u.relay.flags(b)] == ["payment"]  # support sees it once


def test_a_method_that_cannot_hold_is_charged_and_the_difference_refunded_after_the_job(world: World) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=120)  # estimate 30 €
    paypal = w.payments.checkout(  # PayPal at Stripe's page: charged at once, 36 € (the hold amount)
        booking_id=b,
        amount=Cents(3600),
        fee=Cents(720),
        destination=None,
        description="",
        idempotency_key="pp",  # type: ignore[arg-type]
        capture_later=False,
    )
    event = ProviderEvent("evt_pp", "checkout.session.completed", booking_id=b, reference=paypal.reference)
    assert (
        payments.apply_event(w.uow(), event, now=w.clock(), policy=POLICY, payments=w.payments) == "charged"
    )
    assert "booking.card_charged" in w.keys(CUSTOMER)
    booking.check_in(w.uow(), w.tg(0), b, now=w.clock(), early_ok=True)
    w.clock.advance(minutes=50)  # one hour billed: 15 €
    booking.check_out(w.uow(), w.tg(0), b, now=w.clock(), policy=POLICY)
    booking.confirm_time(w.uow(), CUSTOMER, b, now=w.clock(), policy=POLICY, payments=w.payments)
    t = totals_of(books(w, b))
    assert (t[LedgerKind.CAPTURED], t[LedgerKind.REFUNDED]) == (3600, 2100)
    assert unbalanced(books(w, b)) == 0 and t[LedgerKind.FEE] == 300


def _page(w: World, b: int, cents: int, key: str, *, charged: bool = False):  # type: ignore[no-untyped-def]
    """A payment page the customer completed (offline: paid at once), as Stripe's event reports."""
    return w.payments.checkout(
        booking_id=b,  # type: ignore[arg-type]
        amount=Cents(cents),
        fee=Cents(cents // 5),
        destination=None,
        description="",
        idempotency_key=key,
        capture_later=not charged,
    )


def test_a_second_payment_charged_outright_is_refunded_and_the_customer_told_the_truth(world: World) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)
    w.pay(b, "cash")
    paypal = _page(w, b, 1800, "pp-late", charged=True)  # PayPal takes the money at once
    event = ProviderEvent("evt_pp", "checkout.session.completed", booking_id=b, reference=paypal.reference)
    assert (
        payments.apply_event(w.uow(), event, now=w.clock(), policy=POLICY, payments=w.payments) == "refunded"
    )
    assert w.payments.payment(paypal.reference).refunded == 1800
    assert w.get(b).state is BookingState.CASH
    said = w.inbox(CUSTOMER)[-1]
    assert said.key == "payments.stray_refunded" and said.params["amount"] == 1800
    text = wiring.catalog().render(said.key, Language.EN, said.params)
    assert "nothing is charged twice" not in text and "€18" in text and "refunded all of it" in text


def test_an_older_cheaper_payment_page_cannot_pay_the_booking(world: World) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)  # a page for 18 € (hold for one hour) is opened …
    old = _page(w, b, 1800, "old-page")
    w.schedule(b, in_hours=30, minutes=180)  # … then the visit grows to three hours: hold 54 €
    event = ProviderEvent("evt_old", "checkout.session.completed", booking_id=b, reference=old.reference)
    assert (
        payments.apply_event(w.uow(), event, now=w.clock(), policy=POLICY, payments=w.payments) == "released"
    )
    assert w.get(b).state is BookingState.SCHEDULED and w.get(b).payment is None
    assert w.payments.payment(old.reference).status == "canceled"
    said = w.inbox(CUSTOMER)[-1]
    assert said.key == "payments.outdated_released"
    assert [str(c.step) for c in said.steps] == ["card", "cash"]  # pay again, with the right amount


def test_a_superseded_checkout_is_refused_even_for_the_right_amount(world: World) -> None:
    from dataclasses import replace

    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)
    with w.uow() as u:  # the booking's current payment page is another one
        u.bookings.save(replace(u.bookings.get(b), checkout_id="cs_current"))  # type: ignore[arg-type]
        u.commit()
    old = _page(w, b, 1800, "cs-old")
    event = ProviderEvent(
        "evt_cs", "checkout.session.completed", booking_id=b, reference=old.reference, checkout="cs_old"
    )
    assert (
        payments.apply_event(w.uow(), event, now=w.clock(), policy=POLICY, payments=w.payments) == "released"
    )
    assert w.get(b).state is BookingState.SCHEDULED
    current = ProviderEvent(
        "evt_cs2", "checkout.session.completed", booking_id=b, reference=_page(w, b, 1800, "cs-new").reference,
        checkout="cs_current",
    )  # fmt: skip
    assert payments.apply_event(w.uow(), current, now=w.clock(), policy=POLICY, payments=w.payments) == "held"
