"""The staff console: login, sessions, CSRF, roles, security headers, audit, and that no page
but /login and /healthz opens without a session."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from console import auth
from console.app import WebServices, all_routes
from core.helpers import HelperStatus
from core.services import staff, support
from tests.console.conftest import PASSWORD, csrf_of, login
from tests.services.test_booking import World


def test_login_starts_a_server_side_session_in_a_strict_httponly_cookie(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200 and 'name="csrf"' in page.text and 'type="password"' in page.text
    response = login(client, "Sam@Support.test")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "sf_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = client.get("/")
    assert home.status_code == 200 and "sam@support.test" in home.text
    for header in ("content-security-policy", "x-frame-options", "referrer-policy", "x-content-type-options"):
        assert header in home.headers
    assert (
        "script-src 'self'" in home.headers["content-security-policy"] and "'unsafe-inline'" not in home.text
    )


def test_wrong_and_unknown_logins_are_refused_alike_and_then_slowed_down(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    services, world = console
    checked: list[str | None] = []

    def verify(stored: str | None) -> bool:
        checked.append(stored)
        return False

    for email in ("nobody@support.test", "sam@support.test"):
        with pytest.raises(staff.LoginRefused):
            staff.log_in(services.uow(), email, verify, address="10.0.0.9", now=world.clock())
    # a password hash is checked for an unknown e-mail too (a dummy one), so both take as long
    assert checked[0] is None and checked[1] is not None and checked[1].startswith("$argon2")
    assert auth.password_check("anything")(None) is False

    for _ in range(3):
        assert login(client, "sam@support.test", "wrong password!!").status_code == 401
    refused = login(client, "nobody@support.test", "wrong password!!")
    assert refused.status_code == 401 and "E-mail or password is wrong" in refused.text
    slowed = login(client, "sam@support.test", PASSWORD)  # the right password, but too soon
    assert slowed.status_code == 429 and "Please wait" in slowed.text
    # the owner, from where they are, is not locked out by what happened elsewhere
    elsewhere = TestClient(
        client.app, base_url="https://testserver", client=("10.0.0.2", 50000), follow_redirects=False
    )
    assert login(elsewhere, "sam@support.test").status_code == 303


def test_without_a_session_no_page_opens_and_no_action_runs(client: TestClient) -> None:
    open_paths = {"/login", "/healthz", "/stripe/webhook"}
    routes = [r for r in all_routes() if r.path not in open_paths]
    assert len(routes) >= 25
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods:
            response = client.request(method, path)
            if method == "GET":
                assert (response.status_code, response.headers.get("location")) == (303, "/login"), path
            else:
                assert response.status_code == 403, (method, path)


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    services, world = console
    helper = world.helpers[0]
    with services.uow() as u:
        u.helpers.save(replace(helper, verified=False), now=world.clock())
        u.commit()
    login(client, "sam@support.test")
    assert client.post(f"/helpers/{helper.id}/verify", data={"note": "ID checked"}).status_code == 403
    assert (
        client.post(f"/helpers/{helper.id}/verify", data={"note": "x", "csrf": "forged"}).status_code == 403
    )
    with services.uow() as u:
        assert not u.helpers.get(helper.id).verified  # type: ignore[union-attr]
    ok = client.post(f"/helpers/{helper.id}/verify", data={"note": "ID checked", "csrf": csrf_of(client)})
    assert ok.status_code == 303
    with services.uow() as u:
        assert u.helpers.get(helper.id).verified  # type: ignore[union-attr]
        [entry] = [e for e in u.audit.recent() if e.action == "helper_verify"]
    assert (
        entry.object_id == str(helper.id) and "verified=False" in entry.before and "ID checked" in entry.after
    )
    assert "helper.verified" in [r.key for r in world.inbox(helper.telegram_id)]


def test_support_may_not_suspend_or_refund_but_an_admin_may_suspend_with_a_reason(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    services, world = console
    helper = world.helpers[1]
    offer = world.pick(1)  # an open offer, withdrawn on suspension and sent to the next helper
    login(client, "sam@support.test")
    token = csrf_of(client)
    assert (
        client.post(f"/helpers/{helper.id}/suspend", data={"reason": "x", "csrf": token}).status_code == 403
    )
    refused = client.post(
        f"/bookings/{offer}/refund", data={"cents": 100, "reason": "x", "confirm": "yes", "csrf": token}
    )
    assert refused.status_code == 403
    client.post("/logout", data={"csrf": token})
    assert client.get("/").status_code == 303  # logged out: the old session is gone

    login(client, "ada@admin.test")
    token = csrf_of(client)
    assert client.post(f"/helpers/{helper.id}/suspend", data={"reason": "", "csrf": token}).status_code == 400
    done = client.post(f"/helpers/{helper.id}/suspend", data={"reason": "complaints", "csrf": token})
    assert done.status_code == 303
    with services.uow() as u:
        assert u.helpers.get(helper.id).status is HelperStatus.SUSPENDED  # type: ignore[union-attr]
        assert str(u.bookings.get(offer).state) == "withdrawn"  # type: ignore[union-attr]
    assert "helper.suspended" in [r.key for r in world.inbox(helper.telegram_id)]
    audit = client.get("/audit")
    assert "helper_suspend" in audit.text and "complaints" in audit.text


def test_pages_show_helpers_bookings_and_a_timeline_in_german(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    _, world = console
    b = world.pick(0)
    world.accept(0, b)
    client.cookies.set("sf_lang", "de")
    login(client, "sam@support.test")
    assert "Überblick" in client.get("/").text
    assert "Jonas" in client.get("/helpers").text
    assert "Jonas" not in client.get("/helpers", params={"status": "suspended"}).text
    bookings = client.get("/bookings")
    assert f"#{b}" in bookings.text and "accepted" in bookings.text
    timeline = client.get(f"/bookings/{b}")
    assert (
        "offered" in timeline.text
        and "accept" in timeline.text
        and "Verlauf" in timeline.text
        and "Anna" in timeline.text
    )
    assert client.get("/bookings/99999").status_code == 404


def test_a_conversation_shows_the_chat_lives_and_support_takes_over_and_writes(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    services, world = console
    with services.uow() as u:
        customer = u.customers.get(world.customer)
    for incoming, kind, text in (
        (True, "text", "WLAN bricht ständig ab"),
        (False, "bot", "Wo brauchst du Hilfe?"),
    ):
        support.log_message(
            services.uow(), customer.telegram_id, incoming=incoming, kind=kind, text=text, now=world.clock()
        )
    login(client, "sam@support.test")
    listing = client.get("/conversations", params={"q": "bricht"})
    assert "Anna" in listing.text
    assert "Anna" not in client.get("/conversations", params={"q": "drucker"}).text
    assert "Anna" in client.get("/conversations", params={"category": "internet", "state": "searching"}).text
    assert "Anna" not in client.get("/conversations", params={"category": "tv"}).text
    assert (
        "Anna" not in client.get("/conversations", params={"helper": "Jonas"}).text
    )  # she booked nobody yet
    page = client.get(f"/conversations/{customer.id}")
    assert "WLAN bricht ständig ab" in page.text and "Wo brauchst du Hilfe?" in page.text
    assert "problem_internet" in page.text and '<script src="/static/console.js">' in page.text

    support.log_message(
        services.uow(), customer.telegram_id, incoming=True, kind="text", text="Hallo?", now=world.clock()
    )
    with client.stream("GET", f"/conversations/{customer.id}/events", params={"after": 2}) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        first = next(line for line in events.iter_lines() if line.startswith("data:"))
    assert '"text": "Hallo?"' in first and '"who": "customer"' in first

    token = csrf_of(client)
    assert client.post(f"/conversations/{customer.id}/take-over", data={"csrf": token}).status_code == 303
    assert support.log_message(
        services.uow(), customer.telegram_id, incoming=True, kind="text", text="?", now=world.clock()
    )
    client.post(f"/conversations/{customer.id}/write", data={"csrf": token, "text": "Ich schaue mir das an."})
    client.post(f"/conversations/{customer.id}/take-over", data={"csrf": token, "back": "1"})
    told = world.inbox(customer.telegram_id)
    assert [r.key for r in told] == ["support.took_over", "support.message", "support.handed_back"]
    assert told[1].params["text"] == "Ich schaue mir das an."
    assert not support.log_message(
        services.uow(), customer.telegram_id, incoming=True, kind="text", text="!", now=world.clock()
    )
    assert "take_over" in client.get("/audit").text


def test_flagged_contact_details_are_resolved_with_a_note(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    from core.relay import Incoming, MessageKind
    from core.services import relay

    _, world = console
    b = world.pick(0)
    world.accept(0, b)
    relay.relay(
        world.uow(),
        Incoming(31, 9, MessageKind.TEXT, "Überweis mir das: DE89 3704 0044 0532 0130 00"),
        now=world.clock(),
    )
    login(client, "sam@support.test")
    queue = client.get("/flags")
    assert "leak" in queue.text and "DE89 3704" in queue.text
    flag_id = int(re.search(r"/flags/(\d+)/resolve", queue.text).group(1))  # type: ignore[union-attr]
    done = client.post(
        f"/flags/{flag_id}/resolve", data={"note": "reminded both to pay in the app", "csrf": csrf_of(client)}
    )
    assert done.status_code == 303
    assert "DE89" not in client.get("/flags").text
    assert "reminded both" in client.get("/flags", params={"resolved": "1"}).text
    assert client.get("/payments").status_code == 200


def test_a_double_click_on_refund_refunds_once(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    from core.payments import LedgerKind, totals_of

    services, w = console
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=120)
    w.pay(b, "card")
    from core.services import booking

    booking.check_in(w.uow(), w.tg(0), b, now=w.clock(), early_ok=True)
    booking.check_out(w.uow(), w.tg(0), b, now=w.clock(), policy=w.policy)
    booking.confirm_time(w.uow(), 31, b, now=w.clock(), policy=w.policy, payments=w.payments)  # type: ignore[arg-type]
    login(client, "ada@admin.test")
    page = client.get(f"/bookings/{b}").text
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf": csrf_of(client), "once": once, "cents": 400, "reason": "late", "confirm": "yes"}
    assert client.post(f"/bookings/{b}/refund", data=form).status_code == 303
    assert client.post(f"/bookings/{b}/refund", data=form).status_code == 303  # the second click
    with services.uow() as u:
        assert totals_of(u.ledger.of_booking(b))[LedgerKind.REFUNDED] == 400
    assert [c for c in w.payments.calls if c[0] == "refund"] == [
        ("refund", f"booking-{b}-refund-{once}", 400)
    ]
    shown = client.get(f"/bookings/{b}").text
    assert "What the payment provider says" in shown and "€4" in shown  # the provider's own view


def test_support_cancels_a_booking_and_an_admin_resolves_a_dispute(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    from core.services import booking

    _, w = console
    b = w.pick(0)
    w.accept(0, b)
    login(client, "sam@support.test")
    token = csrf_of(client)
    assert (
        client.post(f"/bookings/{b}/cancel", data={"csrf": token, "reason": "customer called"}).status_code
        == 303
    )
    assert str(w.get(b).state) == "cancelled"
    assert "booking.cancelled_by_support" in w.keys(31)

    w.new_request()
    d = w.pick(1)
    w.accept(1, d)
    booking.propose(
        w.uow(),
        w.tg(1),
        d,
        start=w.clock() + timedelta(hours=30),
        minutes=60,
        now=w.clock(),
    )
    booking.answer_proposal(w.uow(), 31, d, 1, agree=True, now=w.clock(), policy=w.policy)  # type: ignore[arg-type]
    w.pay(d, "cash")
    booking.check_in(w.uow(), w.tg(1), d, now=w.clock(), early_ok=True)
    booking.check_out(w.uow(), w.tg(1), d, now=w.clock(), policy=w.policy)
    booking.dispute(w.uow(), 31, d, now=w.clock())  # type: ignore[arg-type]
    form = {"csrf": token, "cents": 900, "note": "agreed on half an hour less"}
    assert client.post(f"/bookings/{d}/resolve", data=form).status_code == 403  # support may not
    client.post("/logout", data={"csrf": token})
    login(client, "ada@admin.test")
    form["csrf"] = csrf_of(client)
    assert client.post(f"/bookings/{d}/resolve", data=form).status_code == 303
    assert str(w.get(d).state) == "resolved" and w.get(d).amount == 900
    assert "dispute_resolve" in client.get("/audit").text


def test_an_admin_blocks_exports_and_erases_a_customer(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    services, w = console
    b = w.pick(0)
    w.accept(0, b)
    with services.uow() as u:
        customer = u.customers.get(w.customer)
    login(client, "sam@support.test")
    assert "Anna" in client.get("/customers").text
    assert client.get(f"/customers/{customer.id}/export.json").status_code == 403  # support may not
    client.post("/logout", data={"csrf": csrf_of(client)})
    login(client, "ada@admin.test")
    token = csrf_of(client)
    page = client.get(f"/customers/{customer.id}")
    assert f"#{b}" in page.text and "Export data (JSON)" in page.text
    assert (
        client.post(f"/customers/{customer.id}/block", data={"csrf": token, "reason": "abusive"}).status_code
        == 303
    )
    with services.uow() as u:
        assert u.customers.get(customer.id).blocked
    client.post(f"/customers/{customer.id}/block", data={"csrf": token, "reason": "apologised", "undo": "1"})
    exported = client.get(f"/customers/{customer.id}/export.json")
    assert exported.status_code == 200 and exported.json()["customer"]["name"] == "Anna"
    assert exported.json()["requests"][0]["description"] == "WLAN bricht ständig ab"
    assert (
        client.post(f"/customers/{customer.id}/erase", data={"csrf": token}).status_code == 400
    )  # not confirmed
    assert (
        client.post(f"/customers/{customer.id}/erase", data={"csrf": token, "confirm": "yes"}).status_code
        == 303
    )
    with services.uow() as u:
        erased = u.customers.get(customer.id)
        assert erased.name == "[erased]" and erased.telegram_id < 0
        assert u.requests.get(w.request).description == "[erased]"  # type: ignore[union-attr]
        assert u.bookings.get(b) is not None  # the booking stays, without the person
    audit = client.get("/audit").text
    assert "customer_block" in audit and "export_person" in audit and "erase_person" in audit


def test_the_overview_has_its_charts_from_our_own_static_files(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    _, w = console
    b = w.pick(0)
    w.accept(0, b)
    login(client, "ada@admin.test")
    home = client.get("/").text
    assert home.count("data-chart=") == 6 and "Last 30 days" in home
    assert '<script src="/static/vendor/chart.umd.min.js"></script>' in home and "cdn" not in home.lower()
    script = client.get("/static/vendor/chart.umd.min.js")
    assert script.status_code == 200 and "Chart.js v4" in script.text[:200]


def test_the_nlu_chart_shows_how_often_customers_corrected_the_model(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    from core.categories import Category, category_of
    from core.ids import TelegramUserId
    from core.intake import Problem
    from core.services import intake

    _, w = console  # the world's own request: read as internet, never corrected
    other = intake.ensure_customer(
        w.uow(), TelegramUserId(31337), name="Ben", language_code="en", now=w.clock()
    )
    problem = Problem("my mail program is stuck", "problem_pc", category_of("problem_pc"), 0.7)
    [understood, *_] = intake.describe_problem(w.uow(), other.id, problem, now=w.clock())
    assert understood.request_id is not None
    intake.choose_category(w.uow(), other.id, understood.request_id, Category.PHONE, now=w.clock())
    login(client, "ada@admin.test")
    home = client.get("/").text
    assert "requests whose area the customer corrected" in home
    configs = [json.loads(html.unescape(c)) for c in re.findall(r'data-chart="([^"]*)"', home)]
    [corrected] = [
        d for c in configs for d in c["data"]["datasets"] if d["label"] == "corrected by the customer (%)"
    ]
    assert (
        corrected["data"][-1] == 50.0 and corrected["data"][0] is None
    )  # one of today's two; no request then


def test_a_helper_page_shows_the_public_and_the_private_profile(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    _, w = console
    login(client, "sam@support.test")
    page = client.get(f"/helpers/{w.helpers[0].id}")
    assert page.status_code == 200 and "Jonas" in page.text and str(w.helpers[0].telegram_id) in page.text
    assert client.get("/helpers/99999").status_code == 404


def test_the_numbers_behind_the_charts(console: tuple[WebServices, World]) -> None:
    from core.services import booking

    services, w = console
    b = w.pick(0)
    w.clock.advance(minutes=4)
    w.accept(0, b)
    w.schedule(b, in_hours=3, minutes=60)
    w.pay(b, "card")
    booking.check_in(w.uow(), w.tg(0), b, now=w.clock(), early_ok=True)
    booking.check_out(w.uow(), w.tg(0), b, now=w.clock(), policy=w.policy)
    booking.confirm_time(w.uow(), 31, b, now=w.clock(), policy=w.policy, payments=w.payments)  # type: ignore[arg-type]
    booking.rate(w.uow(), 31, b, 4, now=w.clock(), policy=w.policy)  # type: ignore[arg-type]
    for text, confidence in (("WLAN kaputt", 0.97), ("hmm", 0.31)):
        support.log_message(services.uow(), 31, incoming=True, kind="text", text=text, now=w.clock())
        support.note_nlu(services.uow(), 31, text, "problem_internet", confidence)
    assert services.queries is not None
    stats = services.queries.stats(w.clock())
    assert stats.funnel == (1, 1, 1)
    assert stats.requests_by_category == {"internet": [0] * 29 + [1]}
    assert stats.minutes_to_first_offer[-1] == 0.0 and stats.minutes_to_acceptance[-1] == 4.0
    assert stats.revenue_cents[-1] == 1500 and stats.fee_cents[-1] == 300
    assert stats.ratings == [0, 0, 0, 1, 0] and stats.unsure_share[-1] == 0.5
