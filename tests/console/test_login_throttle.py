"""Guessing passwords in parallel, against the real server: the attempt is claimed before the
password is checked, per address and per address + account; the owner elsewhere gets in."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx
import pytest

from console import auth
from console.app import WebServices, create_app
from core.errors import DomainError
from core.services.staff import FREE_PER_ACCOUNT, FREE_PER_ADDRESS
from tests.console.conftest import PASSWORD, SUPPORT, login, serve
from tests.services.test_booking import World


class CountingHasher:
    """Argon2 as the console uses it, counting the passwords it checks."""

    def __init__(self, hasher: Any) -> None:
        self.hasher, self.checked, self.lock = hasher, 0, threading.Lock()

    def verify(self, stored: str, password: str) -> bool:
        with self.lock:
            self.checked += 1
        return bool(self.hasher.verify(stored, password))


def guess(base: str, source: str, email: str, password: str) -> int:
    token = auth.new_token()
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=base, transport=transport, cookies={"sf_login_csrf": token}, timeout=60) as c:
        form = {"email": email, "password": password, "csrf": token}
        return c.post("/login", data=form).status_code


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", counting)
    return counting


def test_fifty_parallel_guesses_check_only_the_allowed_passwords_and_the_owner_gets_in(
    console: tuple[WebServices, World], hasher: CountingHasher
) -> None:
    services, _ = console
    with serve(create_app(replace(services, secure_cookies=False))) as base, ThreadPoolExecutor(50) as pool:
        one_account = list(
            pool.map(lambda _: guess(base, "127.0.0.1", SUPPORT, "wrong password!"), range(50))
        )
        assert hasher.checked <= FREE_PER_ACCOUNT
        assert sorted(set(one_account)) == [401, 429] and one_account.count(401) == hasher.checked

        hasher.checked = 0
        emails = [f"guess{n}@support.test" for n in range(50)]
        sprayed = list(pool.map(lambda e: guess(base, "127.0.0.3", e, "wrong password!"), emails))
        assert hasher.checked <= FREE_PER_ADDRESS and sprayed.count(429) >= 50 - FREE_PER_ADDRESS

        # the attacks above lock no one out: the owner logs in from their own address
        with httpx.Client(base_url=base, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as owner:
            assert login(owner, SUPPORT, PASSWORD).status_code == 303
            assert "sam@support.test" in owner.get("/").text
        assert guess(base, "127.0.0.1", SUPPORT, PASSWORD) == 429  # but not from the guessing address yet


def test_attempts_are_claimed_atomically_on_every_engine(database_url: str) -> None:
    from core.services import staff
    from core.staff import Role
    from friends import wiring
    from tests.conftest import FrozenClock

    uow, clock = wiring.uow_factory(database_url), FrozenClock()
    staff.add_staff(uow(), SUPPORT, Role.SUPPORT, "$argon2id$stored", now=clock())
    checked: list[str | None] = []
    lock = threading.Lock()

    def verify(stored: str | None) -> bool:
        with lock:
            checked.append(stored)
        time.sleep(0.05)  # as long as Argon2 takes: parallel attempts overlap here
        return False

    def attempt(_: int) -> str:
        try:
            staff.log_in(uow(), SUPPORT, verify, address="10.0.0.1", now=clock())
        except DomainError as err:
            return err.key
        return "in"

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(attempt, range(50)))
    assert len(checked) == FREE_PER_ACCOUNT == results.count("staff.login_refused")
    assert results.count("staff.slow_down") == 50 - FREE_PER_ACCOUNT
