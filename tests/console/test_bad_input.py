"""Every route answers bad input with 4xx, never 500: ids that are no numbers or too large for the
database, missing and malformed form fields, odd query strings, unknown customers, and signed
webhooks whose body is not a Stripe event."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from itertools import product

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from console.app import WebServices, all_routes, create_app
from gateways.stripe_payments import verify_webhook
from tests.console.conftest import ADMIN, SUPPORT, csrf_of, login
from tests.console.test_webhook import SECRET, sign
from tests.services.test_booking import World

BAD_IDS = ["abc", "-1", "0", "1.5", "99999999999999999999", "1e3", "%20"]
BAD_FIELDS = [
    {},
    {"cents": "abc", "reason": " ", "note": "", "text": "\t", "confirm": "maybe", "undo": "", "back": ""},
    {
        "cents": "-5",
        "reason": "x",
        "note": "x",
        "text": "x",
        "confirm": "yes",
        "lang": "xx",
        "once": "o" * 500,
    },
    {
        "cents": "99999999999999999999",
        "reason": "x" * 5000,
        "note": "n",
        "text": "t" * 9000,
        "confirm": "yes",
    },
    {"cents": "1e309", "reason": "\x00", "note": "\x00", "text": "\x00", "confirm": "yes", "undo": "1"},
]
BAD_QUERIES = [
    {},
    {"after": "abc", "state": "nonsense", "status": "???", "q": "\x00'; --", "resolved": "x"},
    {"after": "-1", "category": "x" * 2000, "flagged": "1", "helper": "%", "error": "<b>"},
]


def paths(route: APIRoute, ids: list[str]) -> list[str]:
    names = re.findall(r"\{([^}]+)\}", route.path)
    return [
        route.path.format(**dict(zip(names, values, strict=True)))
        for values in product(ids, repeat=len(names))
    ] or [route.path]


@pytest.fixture
def walker(console: tuple[WebServices, World]) -> tuple[TestClient, World]:
    services, w = console
    services = replace(
        services,
        verify_webhook=lambda body, sig: verify_webhook(body, sig, SECRET),
        stream_max_seconds=0.05,  # a live conversation ends at once here
    )
    client = TestClient(
        create_app(services),
        base_url="https://testserver",
        follow_redirects=False,
        raise_server_exceptions=False,
    )
    b = w.pick(0)
    w.accept(0, b)
    return client, w


@pytest.mark.parametrize("email", [SUPPORT, ADMIN])
def test_every_route_answers_bad_input_with_4xx_never_500(
    walker: tuple[TestClient, World], email: str
) -> None:
    client, w = walker
    login(client, email)
    token = csrf_of(client)
    known = [str(w.customer), str(w.helpers[0].id), "1"]
    walked = 0
    for route in all_routes():
        if route.path in {"/logout", "/stripe/webhook"}:
            continue
        for method, path in product(route.methods, paths(route, BAD_IDS + known)):
            for fields, query in (
                product(BAD_FIELDS, BAD_QUERIES) if method == "POST" else product([{}], BAD_QUERIES)
            ):
                response = client.request(
                    method, path, params=query, data={"csrf": token, **fields} if method == "POST" else None
                )
                assert response.status_code < 500, (method, path, fields, query, response.text[:300])
                walked += 1
    assert walked > 800
    assert client.get("/").status_code == 200  # still signed in: the walk did not break the session


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"event"',
        b"42",
        b"null",
        b'{"data": "x"}',
        b'{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": []}}',
        b'{"id": 5, "type": ["x"], "data": {"object": {"metadata": "x"}}}',
        b'{"id": "evt_2", "type": "checkout.session.completed", "data": {"object": {"metadata": {"booking_id": "99999999999999999999"}}}}',
        json.dumps(
            {
                "id": "evt_3",
                "type": "payment_intent.amount_capturable_updated",
                "data": {"object": {"id": "pi_x", "metadata": {"booking_id": "1"}}},
            }
        ).encode(),
    ],
)
def test_a_correctly_signed_webhook_that_is_not_a_stripe_event_is_a_4xx(
    walker: tuple[TestClient, World], body: bytes
) -> None:
    client, _ = walker
    response = client.post("/stripe/webhook", content=body, headers={"Stripe-Signature": sign(body)})
    assert response.status_code < 500, response.text[:300]


def test_a_support_message_to_an_unknown_customer_is_a_404_with_a_reason(
    walker: tuple[TestClient, World],
) -> None:
    client, _ = walker
    login(client, SUPPORT)
    client.cookies.set("sf_lang", "de")
    response = client.post("/conversations/4242/write", data={"csrf": csrf_of(client), "text": "Hallo"})
    assert response.status_code == 404 and "gibt es nicht" in response.text
