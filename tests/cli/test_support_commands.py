"""The support commands work on a real database: staff accounts, a booking's history, a
cancellation, a refund."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from core.geo import PlaceIndex
from friends.cli import app
from storage.db import make_engine, session_factory
from storage.uow import SqlUnitOfWork
from tests.conftest import FrozenClock
from tests.services.test_booking import CUSTOMER, World

runner = CliRunner()


@pytest.fixture
def world(sqlite_url: str, clock: FrozenClock, places: PlaceIndex, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    sessions = session_factory(make_engine(sqlite_url))
    return World(lambda: SqlUnitOfWork(sessions), clock, places)


def test_staff_accounts_are_added_once_with_a_strong_password_and_disabled(world: World) -> None:
    ok = runner.invoke(
        app,
        ["staff", "add", "Ada@Admin.test", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert ok.exit_code == 0 and "ada@admin.test (admin) created" in ok.output
    assert "a long enough password" not in ok.output
    again = runner.invoke(
        app, ["staff", "add", "ada@admin.test", "--password-stdin"], input="another long password\n"
    )
    assert again.exit_code != 0 and "staff.exists" in again.output
    weak = runner.invoke(app, ["staff", "add", "bo@support.test", "--password-stdin"], input="short\n")
    assert weak.exit_code != 0 and "staff.weak_password" in weak.output
    off = runner.invoke(app, ["staff", "disable", "ada@admin.test"])
    assert off.exit_code == 0 and "disabled" in off.output


def test_support_sees_a_booking_cancels_it_and_both_sides_are_told(world: World) -> None:
    b = world.pick(0)
    world.accept(0, b)
    shown = runner.invoke(app, ["bookings", "show", str(b)])
    assert shown.exit_code == 0 and "accepted" in shown.output and "offered" in shown.output
    cancelled = runner.invoke(app, ["bookings", "cancel", str(b), "--reason", "customer called"])
    assert cancelled.exit_code == 0 and "cancelled" in cancelled.output
    assert "booking.cancelled_by_support" in world.keys(CUSTOMER)
    missing = runner.invoke(app, ["bookings", "show", "9999"])
    assert missing.exit_code != 0 and "no booking with id 9999" in missing.output


def test_a_refund_of_a_cash_booking_is_refused_with_a_reason(world: World) -> None:
    b = world.pick(0)
    world.accept(0, b)
    world.schedule(b)
    world.pay(b, "cash")
    refused = runner.invoke(app, ["payments", "refund", str(b), "--amount-cents", "100", "--reason", "x"])
    assert refused.exit_code != 0 and "payments.not_card" in refused.output
    offline = runner.invoke(app, ["payments", "reconcile"])
    assert offline.exit_code == 0 and "nothing to compare" in offline.output
