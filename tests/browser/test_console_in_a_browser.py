"""Support and admin work in the console in a real browser (Debian's Chromium, Playwright)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from core.services import booking, matching, support
from tests.browser.conftest import Console, log_in, shot
from tests.services.test_booking import CUSTOMER

pytestmark = pytest.mark.browser


def test_support_sees_a_message_arrive_live_takes_over_and_hands_back(page, console: Console) -> None:  # type: ignore[no-untyped-def]
    w = console.world
    support.log_message(
        w.uow(), CUSTOMER, incoming=True, kind="text", text="WLAN bricht ständig ab", now=w.clock()
    )
    page.goto(f"{console.url}/")
    assert page.url.endswith("/login")
    shot(page, "login")
    log_in(page, console, "sam@support.test")
    shot(page, "dashboard")
    page.click("text=Conversations")
    shot(page, "conversations")
    page.click("text=Anna")
    assert page.locator("#chat").inner_text().count("WLAN bricht ständig ab") == 1
    time.sleep(0.5)  # the page is open; now the customer writes
    support.log_message(
        w.uow(), CUSTOMER, incoming=True, kind="text", text="Ist schon jemand da?", now=w.clock()
    )
    page.locator("#chat >> text=Ist schon jemand da?").wait_for(timeout=2000)  # within 2 s, no reload
    shot(page, "conversation_live")
    page.click("text=Take over (pause the assistant)")
    page.fill("textarea[name=text]", "Hallo Anna, ich helfe dir gleich weiter.")
    page.click("text=Send as support")
    page.locator("#chat >> text=Hallo Anna, ich helfe dir gleich weiter.").wait_for()
    shot(page, "conversation_taken_over")
    page.click("text=Hand back to the assistant")
    # the bot sends what support queued: the customer's Telegram shows it (the in-process Bot API)
    assert telegram_chat(console, CUSTOMER) == [
        "👋 Eine Person aus dem Support-Team von Service Friends ist jetzt in diesem Chat und antwortet dir hier. "
        "Der Assistent pausiert so lange.",
        "💬 Support von Service Friends:\nHallo Anna, ich helfe dir gleich weiter.",
        "Der Support hat den Chat wieder an den Assistenten übergeben. Schreib einfach, was du brauchst – "
        "und danke für deine Geduld!",
    ]


def telegram_chat(console: Console, telegram_id: int) -> list[str]:
    """Drain the outbox with the real bot against the in-process Bot API; what the person sees.
    (In a thread: Playwright's sync API keeps this thread's event loop busy.)"""
    from bot.context import BotServices
    from bot.outbox import drain
    from friends import wiring
    from friends.chat import start_app
    from friends.wiring import place_index
    from gateways.rasa_client import RasaClient

    services = BotServices(
        uow=console.world.uow,
        places=place_index(),
        rasa=RasaClient("http://127.0.0.1:9", None),
        catalog=wiring.catalog(),
        now=console.world.clock,
    )
    seen: list[str] = []

    async def run() -> None:
        app, api = await start_app(services)
        await drain(app.bot, services)
        seen.extend(m.text for m in api.to(telegram_id))
        await app.stop()
        await app.shutdown()

    thread = threading.Thread(target=lambda: asyncio.run(run()))
    thread.start()
    thread.join(30)
    return seen


def test_an_admin_refunds_part_of_a_payment_and_sees_the_ledger_change(page, console: Console) -> None:  # type: ignore[no-untyped-def]
    w = console.world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)
    w.pay(b, "card")
    booking.check_in(w.uow(), w.tg(0), b, now=w.clock(), early_ok=True)
    booking.check_out(w.uow(), w.tg(0), b, now=w.clock(), policy=w.policy)
    booking.confirm_time(w.uow(), CUSTOMER, b, now=w.clock(), policy=w.policy, payments=w.payments)
    log_in(page, console, "ada@admin.test")
    page.wait_for_function("Object.keys(window.Chart.instances).length === 6")  # the charts drew
    shot(page, "dashboard_admin")
    page.click("text=Bookings")
    shot(page, "bookings")
    page.click(f"text=#{b}")
    assert "refunded" not in page.locator("table").first.inner_text()
    page.fill("input[name=cents]", "500")
    page.fill("input[name=reason]", "arrived 20 minutes late")
    page.check("input[name=confirm]")
    page.click("button:has-text('Refund')")
    page.wait_for_url(f"**/bookings/{b}")
    ledger = page.locator("table").first.inner_text()
    assert "refunded" in ledger and "€5" in ledger
    shot(page, "booking_refunded")
    page.click("text=Audit log")
    assert "refund" in page.locator("table").inner_text()
    shot(page, "audit")
    for name, path in (
        ("customers", "/customers"),
        ("customer", f"/customers/{w.customer}"),
        ("flags", "/flags"),
        ("payments", "/payments"),
        ("helper", f"/helpers/{w.helpers[0].id}"),
    ):
        page.goto(f"{console.url}{path}")
        assert page.locator("h1").count() == 1
        shot(page, name)


def test_a_verified_helper_is_matched_and_support_may_not_refund(page, console: Console) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    w = console.world
    newbie = w.helpers[2]
    with w.uow() as u:
        u.helpers.save(replace(newbie, verified=False), now=w.clock())
        u.commit()
    place = w.places.by_postcode("10437")
    found, _ = matching.propose(
        w.uow(),
        category=newbie.skills and sorted(newbie.skills)[0],
        language=sorted(newbie.languages)[0],  # type: ignore[arg-type]
        place=place,
        now=w.clock(),
        limit=10,
    )
    assert newbie.id not in [c.helper.id for c in found]
    log_in(page, console, "sam@support.test")
    page.click("text=Helpers")
    shot(page, "helpers")
    row = page.locator("tr", has_text="Kemal")
    row.locator("input[name=note]").fill("ID and phone checked")
    row.locator("button:has-text('Verify')").click()
    page.wait_for_url("**/helpers")
    found, _ = matching.propose(
        w.uow(),
        category=sorted(newbie.skills)[0],
        language=sorted(newbie.languages)[0],
        place=place,
        now=w.clock(),
        limit=10,
    )
    assert newbie.id in [c.helper.id for c in found]

    b = w.pick(0)
    page.goto(f"{console.url}/bookings/{b}")
    assert page.locator("form[action$='/refund']").count() == 0  # support sees no refund form …
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    refused = page.request.post(
        f"{console.url}/bookings/{b}/refund",
        form={"csrf": token, "cents": "100", "reason": "x", "confirm": "yes"},
    )
    assert refused.status == 403  # … and the server refuses it too
    shot(page, "booking_support_view")


def test_support_is_told_to_ask_an_admin_before_cancelling_a_booking_with_a_card_hold(
    page, console: Console
) -> None:  # type: ignore[no-untyped-def]
    w = console.world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)
    w.pay(b, "card")
    log_in(page, console, "sam@support.test")
    page.goto(f"{console.url}/bookings/{b}")
    assert page.locator("form[action$='/cancel']").count() == 0
    assert "only a member who may refund" in page.locator("main").inner_text()
    shot(page, "booking_cancel_needs_admin")
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    page.set_content(
        f'<form method="post" action="{console.url}/bookings/{b}/cancel"><input name="csrf" value="{token}">'
        '<input name="reason" value="customer called"><button>go</button></form>'
    )
    page.click("button")  # the form sent anyway: the server refuses, and says why
    page.wait_for_url(f"**/bookings/{b}/cancel")
    assert "only a member who may refund" in page.locator("main").inner_text()
    shot(page, "booking_cancel_refused")
    assert str(w.get(b).state) == "paid"
