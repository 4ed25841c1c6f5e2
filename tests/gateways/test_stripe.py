"""StripePayments against what Stripe's API would do: localstripe for PaymentIntents with manual
capture, captures below the hold, refunds and cancels; canned Stripe-shaped answers for
Checkout and Connect, which no local mock serves (TESTING-RECIPES §2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import stripe

from core.booking import BookingState
from core.geo import PlaceIndex
from core.ids import BookingId, Cents, HelperId
from core.payments import LedgerKind, ProviderEvent, totals_of, unbalanced
from core.ports import Checkout
from core.services import booking, payments
from gateways.stripe_payments import StripePayments, provider_event
from tests.conftest import ROOT, FrozenClock, free_port
from tests.services.test_booking import CUSTOMER, POLICY, Uow, World

LIVE_POLICY = POLICY.__class__(card_needs_connected_helper=False)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    cwd = tmp_path_factory.mktemp("localstripe")  # it pickles its store into /tmp; keep runs apart
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.gateways.run_localstripe", str(port)],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(cwd)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/v1/customers", headers={"Authorization": "Bearer sk_test_x"}, timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


class PaidAtCheckout(StripePayments):
    """Stripe, except that the hosted payment page is 'visited' at once: the customer's card
    (pm_card_visa) authorises a manual-capture PaymentIntent, as Checkout would create."""

    def checkout(
        self,
        *,
        booking_id: BookingId,
        amount: Cents,
        fee: Cents,
        destination: str | None,
        description: str,
        idempotency_key: str,
        capture_later: bool = True,
    ) -> Checkout:
        intent = self.client.v1.payment_intents.create(
            params={
                "amount": amount,
                "currency": "eur",
                "payment_method": "pm_card_visa",
                "confirm": True,
                "capture_method": "manual" if capture_later else "automatic",
                "metadata": {"booking_id": str(booking_id), "purpose": "hold" if capture_later else "extra"},
            }
        )
        self.paid_with = intent.id
        return Checkout(f"cs_test_{intent.id}", f"https://checkout.stripe.com/c/pay/cs_test_{intent.id}")


@pytest.fixture
def stripe_world(uow: Uow, clock: FrozenClock, places: PlaceIndex, localstripe: str) -> World:
    w = World(uow, clock, places, LIVE_POLICY)
    w.payments = PaidAtCheckout(
        "sk_test_x",
        return_url="https://t.me/ServiceFriendsBot",
        base_url=localstripe,  # type: ignore[assignment]
        max_network_retries=0,
    )
    return w


def checkout_completed(w: World, b: BookingId) -> None:
    """Stripe's webhook after the customer paid on the Checkout page."""
    intent = w.payments.paid_with  # type: ignore[attr-defined]
    event = ProviderEvent(
        f"evt_{intent}",
        "checkout.session.completed",
        booking_id=b,
        reference=intent,
        checkout=f"cs_test_{intent}",
    )
    assert payments.apply_event(w.uow(), event, now=w.clock(), policy=w.policy, payments=w.payments) == "held"


def test_a_card_booking_holds_captures_less_and_refunds_and_the_ledger_matches_stripe(
    stripe_world: World,
) -> None:
    w = stripe_world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=120)  # 15 €/h → estimate 30 €, hold 36 €
    w.pay(b, "card")
    [page] = [r for r in w.inbox(CUSTOMER) if r.key == "booking.pay_by_card"]
    assert str(page.params["url"]).startswith("https://checkout.stripe.com/") and page.params["hold"] == 3600
    assert w.get(b).state is BookingState.SCHEDULED  # nothing is paid until Stripe says so
    checkout_completed(w, b)
    held = w.payments.payment(w.get(b).payment_ref)  # type: ignore[arg-type]
    assert (held.status, held.capturable) == ("requires_capture", 3600)

    booking.check_in(w.uow(), w.tg(0), b, now=w.clock(), early_ok=True)
    w.clock.advance(minutes=80)  # billed 1 h 30 min = 22,50 €
    booking.check_out(w.uow(), w.tg(0), b, now=w.clock(), policy=w.policy)
    booking.confirm_time(w.uow(), CUSTOMER, b, now=w.clock(), policy=w.policy, payments=w.payments)
    captured = w.payments.payment(w.get(b).payment_ref)  # type: ignore[arg-type]
    assert (captured.status, captured.captured, captured.refunded) == ("succeeded", 2250, 0)
    [receipt] = [r for r in w.inbox(CUSTOMER) if r.key == "booking.receipt"]
    assert (receipt.params["amount"], receipt.params["fee"], receipt.params["method"]) == (2250, 450, "card")

    payments.refund(w.uow(), b, Cents(750), reason="left early", now=w.clock(), payments=w.payments)
    with w.uow() as u:
        entries = u.ledger.of_booking(b)
    t = totals_of(entries)
    assert (t[LedgerKind.CAPTURED], t[LedgerKind.RELEASED], t[LedgerKind.REFUNDED]) == (2250, 1350, 750)
    assert unbalanced(entries) == 0
    compared, differences = payments.reconcile(w.uow(), w.payments)
    assert compared == 1 and differences == []
    print(f"\nreconcile after a card booking: {compared} payment compared, {len(differences)} differences")


def test_a_crash_between_stripe_capturing_and_the_ledger_is_repaired_on_the_next_try(
    stripe_world: World,
) -> None:
    w = stripe_world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)
    w.pay(b, "card")
    checkout_completed(w, b)
    booking.check_in(w.uow(), w.tg(0), b, now=w.clock(), early_ok=True)
    booking.check_out(w.uow(), w.tg(0), b, now=w.clock(), policy=w.policy)
    real = w.uow

    def dies_before_commit():  # type: ignore[no-untyped-def]
        u = real()
        u.commit = lambda: (_ for _ in ()).throw(SystemExit("killed"))  # type: ignore[method-assign]
        return u

    with pytest.raises(SystemExit):
        booking.confirm_time(
            dies_before_commit(), CUSTOMER, b, now=w.clock(), policy=w.policy, payments=w.payments
        )
    ref = w.get(b).payment_ref
    assert w.payments.payment(ref).status == "succeeded"  # type: ignore[arg-type]  # Stripe captured …
    _, differences = payments.reconcile(w.uow(), w.payments)
    assert [(d.what, d.ledger, d.provider) for d in differences] == [("captured", 0, 1500)]  # … we did not
    # the restarted bot runs the step again (the customer's button, or the 24-hour timer)
    booking.confirm_time(w.uow(), CUSTOMER, b, now=w.clock(), policy=w.policy, payments=w.payments)
    assert w.payments.payment(ref).captured == 1500  # type: ignore[arg-type]  # captured once
    assert payments.reconcile(w.uow(), w.payments) == (1, [])


def test_cancelling_releases_the_hold_at_stripe(stripe_world: World) -> None:
    w = stripe_world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=48, minutes=60)
    w.pay(b, "card")
    checkout_completed(w, b)
    ref = w.get(b).payment_ref
    booking.cancel(w.uow(), CUSTOMER, b, now=w.clock(), policy=w.policy, payments=w.payments)
    assert w.payments.payment(ref).status == "canceled"  # type: ignore[arg-type]


class CannedStripe(stripe.HTTPClient):
    """Stripe-shaped answers for what no local mock serves; records what the code sent."""

    name = "canned"

    def __init__(
        self, routes: dict[tuple[str, str], Callable[[dict[str, list[str]]], dict[str, Any]]]
    ) -> None:
        super().__init__()
        self.routes, self.calls = routes, []  # type: ignore[var-annotated]

    def request(self, method, url, headers, post_data=None):  # type: ignore[no-untyped-def]
        path = "/" + url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
        form = parse_qs(post_data.decode() if isinstance(post_data, bytes) else (post_data or ""))
        self.calls.append((method, path, form, headers.get("Idempotency-Key")))
        return json.dumps(self.routes[(method, path)](form)), 200, {}

    def close(self) -> None:
        pass


def test_checkout_asks_for_a_manual_capture_destination_charge_with_the_fee() -> None:
    canned = CannedStripe(
        {
            ("post", "/v1/checkout/sessions"): lambda form: {
                "id": "cs_test_1",
                "object": "checkout.session",
                "url": "https://checkout.stripe.com/c/pay/cs_test_1",
            }
        }
    )
    provider = StripePayments(
        "sk_test_x", return_url="https://t.me/bot", http_client=canned, max_network_retries=0
    )
    checkout = provider.checkout(
        booking_id=BookingId(12),
        amount=Cents(3600),
        fee=Cents(720),
        destination="acct_123",
        description="Service Friends #12 · Jonas",
        idempotency_key="booking-12-checkout-1",
    )
    assert checkout == Checkout("cs_test_1", "https://checkout.stripe.com/c/pay/cs_test_1")
    [(_, _, form, key)] = canned.calls
    assert key == "booking-12-checkout-1"
    assert form["payment_intent_data[capture_method]"] == ["manual"]
    assert form["payment_intent_data[application_fee_amount]"] == ["720"]
    assert form["payment_intent_data[transfer_data][destination]"] == ["acct_123"]
    assert form["line_items[0][price_data][unit_amount]"] == ["3600"]
    assert form["line_items[0][price_data][currency]"] == ["eur"]
    assert form["metadata[booking_id]"] == ["12"] and form["payment_intent_data[metadata][booking_id]"] == [
        "12"
    ]


def test_a_helper_connects_an_express_account_once() -> None:
    canned = CannedStripe(
        {
            ("post", "/v1/accounts"): lambda form: {"id": "acct_1", "object": "account"},
            ("post", "/v1/account_links"): lambda form: {
                "object": "account_link",
                "url": "https://connect.stripe.com/setup/e/acct_1",
            },
        }
    )
    provider = StripePayments(
        "sk_test_x", return_url="https://t.me/bot", http_client=canned, max_network_retries=0
    )
    account = provider.connect_account(helper_id=HelperId(5), idempotency_key="helper-5-account")
    assert account == "acct_1" and provider.onboarding_link(account).startswith("https://connect.stripe.com/")
    (_, _, form, key), (_, _, link, _) = canned.calls
    assert key == "helper-5-account" and form["type"] == ["express"] and form["country"] == ["DE"]
    assert link["type"] == ["account_onboarding"] and link["account"] == ["acct_1"]


def test_stripe_events_are_read_into_what_we_act_on() -> None:
    completed = provider_event(
        {
            "id": "evt_1",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": "cs_1",
                    "payment_intent": "pi_1",
                    "metadata": {"booking_id": "7", "purpose": "extra"},
                }
            },
        }
    )
    assert (completed.booking_id, completed.reference, completed.checkout, completed.purpose) == (
        7,
        "pi_1",
        "cs_1",
        "extra",
    )
    account = provider_event(
        {
            "id": "evt_2",
            "type": "account.updated",
            "data": {"object": {"id": "acct_9", "charges_enabled": True, "payouts_enabled": True}},
        }
    )
    assert (account.account, account.ready) == ("acct_9", True)
    dispute = provider_event(
        {
            "id": "evt_3",
            "type": "charge.dispute.created",
            "data": {"object": {"id": "dp_1", "payment_intent": "pi_2"}},
        }
    )
    assert (dispute.booking_id, dispute.reference) == (None, "pi_2")


@pytest.mark.parametrize(("status", "expired"), [("open", True), ("complete", False), ("expired", False)])
def test_a_superseded_payment_page_is_expired_at_stripe_while_it_is_open(status: str, expired: bool) -> None:
    session = {"id": "cs_old", "object": "checkout.session", "status": status}
    canned = CannedStripe(
        {
            ("get", "/v1/checkout/sessions/cs_old"): lambda form: session,
            ("post", "/v1/checkout/sessions/cs_old/expire"): lambda form: {**session, "status": "expired"},
        }
    )
    provider = StripePayments(
        "sk_test_x", return_url="https://t.me/bot", http_client=canned, max_network_retries=0
    )
    provider.expire_checkout("cs_old", idempotency_key="expire-cs_old")
    posts = [(path, key) for method, path, _, key in canned.calls if method == "post"]
    assert posts == ([("/v1/checkout/sessions/cs_old/expire", "expire-cs_old")] if expired else [])


def test_a_new_payment_page_expires_the_one_it_replaces(world_with_pages: World) -> None:
    w = world_with_pages
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)
    w.pay(b, "card")  # page 1: 18 €
    first = w.get(b).checkout_id
    w.schedule(b, in_hours=30, minutes=120)  # a longer visit agreed before paying: a new page
    w.pay(b, "card")
    assert w.get(b).checkout_id != first
    assert ("expire", f"expire-{first}", 0) in w.payments.calls


@pytest.fixture
def world_with_pages(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> World:
    from gateways.offline_payments import OfflinePayments

    class Pages(OfflinePayments):
        """Offline money, but the customer is sent to a payment page (as with Stripe)."""

        live = True

        def checkout(self, **kw):  # type: ignore[no-untyped-def]
            held = super().checkout(**kw)
            return Checkout(f"cs_{kw['idempotency_key']}", f"https://pay.example/{held.reference}")

    w = World(uow, clock, places, policy=LIVE_POLICY)
    w.payments = Pages()
    return w
