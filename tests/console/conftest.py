"""The console's fixtures: seeded services with a support member and an admin, a TestClient on
HTTPS, and the real server (uvicorn on 127.0.0.1) for what needs sockets and parallel requests."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from console import auth
from console.app import WebServices, create_app
from core.geo import PlaceIndex
from core.services import staff
from core.staff import Role
from friends import wiring
from storage.db import make_engine, session_factory
from storage.queries import Queries
from storage.uow import SqlUnitOfWork
from tests.conftest import FrozenClock, free_port
from tests.services.test_booking import World

PASSWORD = "correct horse battery"
SUPPORT, ADMIN = "sam@support.test", "ada@admin.test"


@pytest.fixture
def console(sqlite_url: str, clock: FrozenClock, places: PlaceIndex) -> tuple[WebServices, World]:
    sessions = session_factory(make_engine(sqlite_url))
    uow = lambda: SqlUnitOfWork(sessions)  # noqa: E731
    world = World(uow, clock, places)
    for email, role in ((SUPPORT, Role.SUPPORT), (ADMIN, Role.ADMIN)):
        staff.add_staff(uow(), email, role, auth.hash_password(PASSWORD), now=clock())
    services = WebServices(
        uow=uow,
        payments=world.payments,
        policy=world.policy,
        now=clock,
        queries=Queries(sessions),
        catalog=wiring.catalog(),
    )
    return services, world


@pytest.fixture
def client(console: tuple[WebServices, World]) -> TestClient:
    return TestClient(create_app(console[0]), base_url="https://testserver", follow_redirects=False)


def login(client: TestClient | httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"email": email, "password": password, "csrf": csrf})


def csrf_of(client: TestClient | httpx.Client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)  # type: ignore[union-attr]


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """The app behind uvicorn on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)
