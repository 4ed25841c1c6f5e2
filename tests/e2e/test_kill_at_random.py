"""The bot in webhook mode (`friends web`) is SIGKILLed at random moments while several
bookings chat at once; a stand-in for Telegram delivers every update again until it hears
200, as Telegram does. No relayed message is lost; a doubled one is only possible for a send
whose "sent" mark did not commit (at most one per kill and chat)."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from sqlalchemy import text as sql

from friends import wiring
from friends.bench.world import active_pairs
from friends.botapi import BOT_USER
from storage.db import make_engine
from tests.conftest import ROOT, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TOKEN = "4343:kill-test"
MESSAGES_PER_CHAT = 25
KILLS = 5


class FakeTelegram:
    """Answers the Bot API calls the bot makes and keeps what it sent, per chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.webhook: dict[str, str] = {}
        self.ids = iter(range(10_000, 10**9))
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def call(method: str, request: Request) -> dict[str, Any]:
            form = dict(await request.form()) or (await request.json() if await request.body() else {})
            result: Any = True
            if method == "getMe":
                result = BOT_USER
            elif method == "setWebhook":
                self.webhook = {k: str(v) for k, v in form.items()}
            elif method in {"sendMessage", "copyMessage"}:
                chat = int(str(form["chat_id"]))
                self.sent.append((chat, str(form.get("text", ""))))
                result = {
                    "message_id": next(self.ids),
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                }
            return {"ok": True, "result": result}

        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        threading.Thread(target=self.server.run, daemon=True).start()
        while not self.server.started:
            time.sleep(0.05)


class WebProcess:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "friends"), "web", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"friends web did not get ready:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def update(customer: int, n: int, text: str) -> dict[str, Any]:
    person = {"id": customer, "is_bot": False, "first_name": "Kundin", "language_code": "de"}
    message = {
        "message_id": n,
        "date": int(time.time()),
        "chat": {"id": customer, "type": "private"},
        "from": person,
        "text": text,
    }
    return {"update_id": customer * 1000 + n, "message": message}


async def test_kills_at_random_moments_lose_no_relayed_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    uow = wiring.uow_factory(url)
    pairs = active_pairs(uow, wiring.place_index(), 4, now=datetime.now(UTC))
    telegram = FakeTelegram()
    port = free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.port}",
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": url,
        "OUTBOX_LEASE_S": "2",
        "RASA_URL": "http://127.0.0.1:9",
        "LOG_LEVEL": "WARNING",
        "BOT_OPS_PORT": str(free_port()),
    }
    web = WebProcess(env, port, tmp_path / "web.log")
    await asyncio.to_thread(web.start)
    hook = f"http://127.0.0.1:{port}{telegram.webhook['url'].split(str(port), 1)[1]}"
    secret = {"X-Telegram-Bot-Api-Secret-Token": telegram.webhook["secret_token"]}
    finished = asyncio.Event()

    async def chat(customer: int) -> None:
        """One person writes; like Telegram, the next update waits for the 200 of this one."""
        async with httpx.AsyncClient(timeout=5) as client:
            for n in range(1, MESSAGES_PER_CHAT + 1):
                body = update(customer, n, f"Nachricht kill-{customer}-{n}")
                while True:
                    try:
                        if (await client.post(hook, json=body, headers=secret)).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.2)

    async def killer() -> None:
        rnd = random.Random(7)
        for _ in range(KILLS):
            await asyncio.sleep(rnd.uniform(0.3, 1.5))
            if finished.is_set():
                return
            web.kill()
            await asyncio.to_thread(web.start)

    kills = asyncio.create_task(killer())
    await asyncio.gather(*(chat(p.customer) for p in pairs))
    finished.set()
    await kills
    engine = make_engine(url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # leased sends of killed processes go out after the lease
        with engine.connect() as conn:
            if not conn.execute(
                sql("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND error IS NULL")
            ).scalar():
                break
        await asyncio.sleep(0.5)
    web.kill()
    telegram.server.should_exit = True
    seen = Counter(m.group(0) for _, text in telegram.sent for m in re.finditer(r"kill-\d+-\d+", text))
    wanted = {f"kill-{p.customer}-{n}" for p in pairs for n in range(1, MESSAGES_PER_CHAT + 1)}
    assert wanted - set(seen) == set(), "relayed messages lost"
    doubled = sum(n - 1 for n in seen.values())
    assert doubled <= KILLS * len(pairs), seen
    helpers = {p.helper for p in pairs}
    assert {chat for chat, _ in telegram.sent if "kill-" in _} <= helpers
