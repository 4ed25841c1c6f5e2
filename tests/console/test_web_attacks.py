"""Attacks on the web server, played against the real server (uvicorn on 127.0.0.1): a live
stream that outlives its session, bodies too large to hold in memory."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from console.app import WebServices, all_routes, create_app
from console.config import MAX_BODY_BYTES
from core.services import staff, support
from tests.console.conftest import SUPPORT, csrf_of, login, serve
from tests.services.test_booking import CUSTOMER, World


def plain_http(services: WebServices, **changes: Any) -> WebServices:
    """The services as on a developer's machine: plain HTTP on 127.0.0.1."""
    return replace(services, secure_cookies=False, poll_seconds=0.2, **changes)


def ended_within(lines: Iterator[str], seconds: float) -> float:
    """Reads the stream to its end; how long that took (a read timeout fails the test)."""
    started = time.monotonic()
    for _ in lines:
        assert time.monotonic() - started < seconds + 1, "the stream is still running"
    return time.monotonic() - started


@pytest.mark.parametrize("ending", ["logout", "expiry", "disabled"])
def test_a_live_conversation_ends_within_5_seconds_of_its_session(
    console: tuple[WebServices, World], ending: str
) -> None:
    services, world = console
    assert services.session_check_seconds <= 4  # the default, used here
    with serve(create_app(plain_http(services))) as base, httpx.Client(base_url=base, timeout=8) as browser:
        assert login(browser, SUPPORT).status_code == 303
        token = csrf_of(browser)
        with browser.stream("GET", f"/conversations/{world.customer}/events") as events:
            support.log_message(
                services.uow(), CUSTOMER, incoming=True, kind="text", text="Hallo?", now=world.clock()
            )
            lines = events.iter_lines()
            first = next(line for line in lines if line.startswith("data:"))
            assert "Hallo?" in first  # the stream is live
            if ending == "logout":
                assert browser.post("/logout", data={"csrf": token}).status_code == 303
            elif ending == "expiry":
                world.clock.advance(hours=services.session_hours, minutes=1)
            else:  # what `friends staff disable` does
                staff.set_disabled(services.uow(), SUPPORT, True, now=world.clock())
            assert ended_within(lines, 5) < 5
        assert browser.get(f"/conversations/{world.customer}/events").status_code == 303  # no new one


def test_a_live_conversation_ends_after_its_maximum_lifetime(console: tuple[WebServices, World]) -> None:
    services, world = console
    app = create_app(plain_http(services, stream_max_seconds=1.0))
    with serve(app) as base, httpx.Client(base_url=base, timeout=8) as browser:
        login(browser, SUPPORT)
        with browser.stream("GET", f"/conversations/{world.customer}/events") as events:
            assert ended_within(events.iter_lines(), 3) >= 0.9
        # the browser reconnects with the last id it saw: nothing is sent twice
        support.log_message(
            services.uow(), CUSTOMER, incoming=True, kind="text", text="eins", now=world.clock()
        )
        with browser.stream("GET", f"/conversations/{world.customer}/events") as events:
            lines = [line for line in events.iter_lines() if line.startswith("id:")]
            last = lines[-1].split(":")[1].strip()
        headers = {"Last-Event-ID": last}
        with browser.stream("GET", f"/conversations/{world.customer}/events", headers=headers) as events:
            assert [line for line in events.iter_lines() if line.startswith("data:")] == []


def raw(base: str, head: bytes, body: bytes = b"", wait: float = 5) -> bytes:
    """Sends `head` and `body` on a socket, then reads what the server answers within `wait`."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port)) as sock:  # type: ignore[arg-type]
        sock.sendall(head + body)
        sock.settimeout(wait)
        try:
            return sock.recv(65536)
        except TimeoutError:
            return b""


@pytest.fixture
def webhook_calls(console: tuple[WebServices, World]) -> tuple[WebServices, list[int]]:
    services, _ = console
    seen: list[int] = []

    def verify(body: bytes, signature: str) -> Any:
        seen.append(len(body))
        raise ValueError("not signed")

    return replace(services, verify_webhook=verify), seen


def test_a_200_mb_webhook_is_refused_with_413_before_its_body_is_read(
    webhook_calls: tuple[WebServices, list[int]],
) -> None:
    services, seen = webhook_calls
    with serve(create_app(services)) as base:
        head = b"POST /stripe/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 209715200\r\n\r\n"
        answer = raw(base, head, b'{"id": "evt_')  # the other 200 MB never come
        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
        head = b"POST /stripe/webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        answer = raw(base, head, chunk * 17)  # 1.06 MB sent, and the end never comes
        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
        small = b'{"id": "evt_1"}'
        head = b"POST /stripe/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(small)
        assert raw(base, head, small).startswith(b"HTTP/1.1 400")  # a small one is read (and refused)
    assert seen == [len(small)]


def test_every_route_that_reads_a_body_refuses_more_than_1_mb(console: tuple[WebServices, World]) -> None:
    services, _ = console
    client = TestClient(create_app(services), base_url="https://testserver", follow_redirects=False)
    login(client, SUPPORT)
    too_much = b"csrf=" + b"x" * MAX_BODY_BYTES
    form = {"content-type": "application/x-www-form-urlencoded"}
    posts = [r.path.replace("{", "").replace("}", "") for r in all_routes() if "POST" in r.methods]
    assert len(posts) >= 14
    for path in (p.replace("customer_id", "1").replace("_id", "") for p in posts):
        assert client.post(path, content=too_much, headers=form).status_code == 413, path

        def chunks() -> Any:
            yield from (too_much[i : i + 65536] for i in range(0, len(too_much), 65536))

        assert client.post(path, content=chunks(), headers=form).status_code == 413, path
