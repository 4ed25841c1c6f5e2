"""Every part for real: the PTB bot polling a local Bot API emulator, Rasa, actions, SQLite."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from telegram import Update

from bot.app import BotConfig, build_application
from core.helpers import Helper
from friends import wiring
from tests.conftest import ROOT, NluStack, consented, free_port, top_helper
from tests.tg.adapter import EmulatorRequest, TgClient

TG = ROOT / "tests" / "tg"
_tokens = itertools.count(1)
_user_ids = itertools.count(700_001)


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    if shutil.which("node") is None or not (TG / "node_modules" / "telegram-test-api").exists():
        if os.environ.get("CI"):
            pytest.fail("the Bot API emulator is not installed; ./test.sh installs it")
        pytest.skip("the Bot API emulator is not installed (./test.sh installs it)")
    port = free_port()
    proc = subprocess.Popen(
        ["node", "start-emulator.js"],
        cwd=TG,
        env={**os.environ, "TG_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base}/bot0:x/getMe", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture
async def telegram(emulator: str, nlu_stack: NluStack) -> AsyncIterator[tuple[str, str]]:
    """The real bot polling the emulator with a fresh token; yields (emulator URL, token)."""
    token = f"{1000 + next(_tokens)}:E2E-test-token"
    config = BotConfig(
        token=token, base_url=emulator, request=EmulatorRequest(), get_updates_request=EmulatorRequest()
    )
    app = build_application(config, wiring.bot_services(nlu_stack.settings))  # type: ignore[arg-type]
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.05, timeout=0, allowed_updates=Update.ALL_TYPES)
    yield emulator, token
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


@pytest.fixture
async def customer_factory(telegram: tuple[str, str], nlu_stack: NluStack) -> AsyncIterator[object]:
    base, token = telegram
    uow = wiring.uow_factory(nlu_stack.settings.database_url, migrate=False)  # type: ignore[attr-defined]
    clients: list[TgClient] = []

    def make(language_code: str) -> TgClient:
        client = TgClient(base, token, next(_user_ids), language_code)
        consented(uow, client.chat_id, first_name=f"User{client.chat_id}", language=language_code)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def helper_at(nlu_stack: NluStack):  # type: ignore[no-untyped-def]
    """Register a verified, well-rated helper living at a postcode's centre (so they come first)."""
    uow = wiring.uow_factory(nlu_stack.settings.database_url)  # type: ignore[attr-defined]

    def register(
        telegram_id: int,
        name: str,
        postcode: str,
        language: str,
        rate: int = 700,
        remote: bool = False,
        ratings: int = 50,
    ) -> Helper:
        return top_helper(uow, telegram_id, name, postcode, language, rate, remote=remote, ratings=ratings)

    return register
