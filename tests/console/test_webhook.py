"""POST /stripe/webhook: verified on the raw body, processed once, forged and stale ones refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from console.app import WebServices, create_app
from core.booking import BookingState
from core.geo import PlaceIndex
from gateways.stripe_payments import verify_webhook
from tests.conftest import FrozenClock
from tests.services.test_booking import POLICY, Uow, World

SECRET = "whsec_test_secret"


def sign(payload: bytes, secret: str = SECRET, ts: int | None = None) -> str:
    ts = int(time.time()) if ts is None else ts
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def event(event_id: str, kind: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}).encode()


@pytest.fixture
def world(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> World:
    return World(uow, clock, places)


@pytest.fixture
def client(world: World) -> TestClient:
    services = WebServices(
        uow=world.uow,
        payments=world.payments,
        policy=POLICY,
        now=world.clock,
        verify_webhook=lambda body, signature: verify_webhook(body, signature, SECRET),
    )
    return TestClient(create_app(services))


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"ok": True}


def test_a_signed_event_is_applied_once_and_a_replay_changes_nothing(
    client: TestClient, world: World
) -> None:
    b = world.pick(0)
    world.accept(0, b)
    body = event(
        "evt_dispute_1",
        "charge.dispute.created",
        {"id": "dp_1", "payment_intent": "pi_none", "metadata": {"booking_id": str(b)}},
    )
    first = client.post("/stripe/webhook", content=body, headers={"Stripe-Signature": sign(body)})
    assert first.status_code == 200 and first.json()["result"] == "flagged"
    again = client.post("/stripe/webhook", content=body, headers={"Stripe-Signature": sign(body)})
    assert again.status_code == 200 and again.json()["result"] == "repeat"
    with world.uow() as u:
        assert [k for k, _ in u.relay.flags(b)] == ["chargeback"]


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: (body.replace(b"dispute", b"refund"), sign(body)),  # body changed after signing
        lambda body: (body, sign(body, secret="whsec_someone_else")),  # wrong secret
        lambda body: (body, sign(body, ts=int(time.time()) - 301)),  # older than 5 minutes
        lambda body: (body, ""),  # no signature at all
        lambda body: (b"not json", sign(b"not json")),  # signed garbage
    ],
    ids=["tampered", "wrong-secret", "stale", "unsigned", "garbage"],
)
def test_forged_or_stale_webhooks_are_refused_with_400_and_change_nothing(
    client: TestClient,
    world: World,
    forge,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    b = world.pick(0)
    world.accept(0, b)
    body = event("evt_forged", "charge.dispute.created", {"id": "dp_2", "metadata": {"booking_id": str(b)}})
    payload, signature = forge(body)
    response = client.post("/stripe/webhook", content=payload, headers={"Stripe-Signature": signature})
    assert response.status_code == 400
    assert "Stripe webhook refused" in caplog.text
    with world.uow() as u:
        assert u.relay.flags(b) == [] and world.get(b).state is BookingState.ACCEPTED


def test_out_of_order_events_end_in_the_same_state(client: TestClient, world: World) -> None:
    """The hold event arrives before the checkout completion, and both twice: paid once."""
    b = world.pick(0)
    world.accept(0, b)
    world.schedule(b, in_hours=30, minutes=60)
    checkout = world.payments.checkout(
        booking_id=b,
        amount=1800,
        fee=360,
        destination=None,
        description="",
        idempotency_key="pi-for-test",  # type: ignore[arg-type]
    )
    pi = checkout.reference
    meta = {"booking_id": str(b), "purpose": "hold"}
    held = event(
        "evt_a",
        "payment_intent.amount_capturable_updated",
        {"id": pi, "object": "payment_intent", "metadata": meta},
    )
    done = event(
        "evt_b",
        "checkout.session.completed",
        {"id": "cs_1", "object": "checkout.session", "payment_intent": pi, "metadata": meta},
    )
    results = [
        client.post("/stripe/webhook", content=x, headers={"Stripe-Signature": sign(x)}).json()["result"]
        for x in (held, done, held, done)
    ]
    assert results == ["held", "already", "repeat", "repeat"]
    paid = world.get(b)
    assert paid.state is BookingState.PAID and paid.payment_ref == pi and paid.hold == 1800


def test_without_a_webhook_secret_every_webhook_is_refused(world: World) -> None:
    services = WebServices(uow=world.uow, payments=world.payments, policy=POLICY, now=world.clock)
    body = event("evt_x", "account.updated", {"id": "acct_1"})
    response = TestClient(create_app(services)).post(
        "/stripe/webhook", content=body, headers={"Stripe-Signature": sign(body)}
    )
    assert response.status_code == 400
