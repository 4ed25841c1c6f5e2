"""The console served by uvicorn on 127.0.0.1 with seeded data, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from console import auth
from console.app import WebServices, create_app
from core.services import staff
from core.staff import Role
from friends import wiring
from friends.wiring import place_index
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.queries import Queries
from storage.uow import SqlUnitOfWork
from tests.conftest import ROOT, FrozenClock, free_port
from tests.services.test_booking import World

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "console"
PASSWORD = "a long enough password"


@dataclass
class Console:
    url: str
    world: World
    services: WebServices


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    sessions = session_factory(make_engine(url))
    uow = lambda: SqlUnitOfWork(sessions)  # noqa: E731
    clock = FrozenClock()
    world = World(uow, clock, place_index())
    for email, role in (("sam@support.test", Role.SUPPORT), ("ada@admin.test", Role.ADMIN)):
        staff.add_staff(uow(), email, role, auth.hash_password(PASSWORD), now=clock())
    services = WebServices(
        uow=uow,
        payments=world.payments,
        policy=world.policy,
        now=clock,
        queries=Queries(sessions),
        catalog=wiring.catalog(),
        poll_seconds=0.3,
        secure_cookies=False,  # plain HTTP on 127.0.0.1
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield Console(base, world, services)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")  # Playwright's sync API runs an event loop: gone before async tests
def chromium():  # type: ignore[no-untyped-def]
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; ./test.sh installs it")
        pytest.skip("Chromium is not installed (./test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1280, "height": 820}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep a screenshot of what the person saw (test-artifacts/, not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, console: Console, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{console.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{console.url}/")
