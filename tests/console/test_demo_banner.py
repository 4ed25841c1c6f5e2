"""A database that holds demo helpers says so on the console's dashboard (they must never meet
real customers; `friends run` refuses a real bot token on it, tests/cli/test_production_safety.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from console.app import WebServices
from core.geo import PlaceIndex
from storage.seed import seed_helpers
from tests.console.conftest import login


def test_the_console_says_when_the_database_holds_demo_helpers(
    client: TestClient, console: tuple[WebServices, object], places: PlaceIndex
) -> None:
    login(client, "sam@support.test")
    assert "demo helpers" not in client.get("/").text.lower()
    services, _ = console
    seed_helpers(services.uow, places, 3, now=datetime.now(UTC))
    assert "3 demo helpers" in client.get("/").text.lower()
