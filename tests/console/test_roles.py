"""The role matrix of docs/CONSOLE.md is what the code does; money moves only for who may refund."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from console.app import WebServices
from core.staff import PERMISSIONS, Permission, Role
from tests.conftest import ROOT
from tests.console.conftest import ADMIN, SUPPORT, csrf_of, login
from tests.services.test_booking import World


def matrix() -> list[tuple[str, set[Permission], bool, bool]]:
    text = (ROOT / "docs" / "CONSOLE.md").read_text("utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| ([a-z_ +]+) \| ([✓–]) \| ([✓–]) \|$", text, re.MULTILINE)
    return [
        (what, {Permission(p) for p in needs.split(" + ")}, s == "✓", a == "✓") for what, needs, s, a in rows
    ]


def test_the_documented_role_matrix_is_the_code() -> None:
    rows = matrix()
    assert len(rows) >= 10 and {p for _, needs, _, _ in rows for p in needs} == set(Permission)
    for what, needs, support, admin in rows:
        assert needs <= PERMISSIONS[Role.SUPPORT] if support else not needs <= PERMISSIONS[Role.SUPPORT], what
        assert needs <= PERMISSIONS[Role.ADMIN] if admin else not needs <= PERMISSIONS[Role.ADMIN], what


def paid_booking(w: World, method: str) -> int:
    w.new_request()
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)
    w.pay(b, method)
    return b


def cancel(client: TestClient, booking_id: int) -> int:
    form = {"csrf": csrf_of(client), "reason": "customer called"}
    return client.post(f"/bookings/{booking_id}/cancel", data=form).status_code


def test_support_may_not_cancel_a_booking_with_a_card_hold_but_an_admin_may(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    services, w = console
    held = paid_booking(w, "card")
    assert w.get(held).hold and w.get(held).payment_ref
    login(client, SUPPORT)
    refused = client.post(
        f"/bookings/{held}/cancel", data={"csrf": csrf_of(client), "reason": "customer called"}
    )
    assert refused.status_code == 403 and "only a member who may refund" in refused.text
    assert str(w.get(held).state) == "paid" and not [
        c for c in w.payments.calls if c[0] in {"release", "refund"}
    ]
    client.post("/logout", data={"csrf": csrf_of(client)})

    login(client, ADMIN)
    assert cancel(client, held) == 303
    assert str(w.get(held).state) == "cancelled"
    assert "release" in [c[0] for c in w.payments.calls]  # the hold was released
    with services.uow() as u:
        [entry] = [e for e in u.audit.recent() if e.action == "booking_cancel"]
    assert entry.object_id == str(held) and "customer called" in entry.after


def test_support_cancels_a_booking_without_money_and_one_paid_in_cash(
    client: TestClient, console: tuple[WebServices, World]
) -> None:
    _, w = console
    cash = paid_booking(w, "cash")
    login(client, SUPPORT)
    assert cancel(client, cash) == 303
    assert str(w.get(cash).state) == "cancelled"
