"""A stand-in for Telegram over HTTP, and `friends web` as a process, for the benchmarks and
tests that run the bot in webhook mode in processes of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request

from friends.botapi import BOT_USER
from friends.settings import ROOT

FRIENDS = ROOT / ".venv" / "bin" / "friends"


class FakeTelegram:
    """Answers the Bot API calls the bot makes and keeps what it sent, per chat."""

    def __init__(self, port: int) -> None:
        self.sent: list[tuple[int, str]] = []
        self.webhook: dict[str, str] = {}
        self.ids = iter(range(10_000, 10**9))
        self.port = port
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def call(method: str, request: Request) -> dict[str, Any]:
            form = dict(await request.form())
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

        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        threading.Thread(target=self.server.run, daemon=True).start()
        while not self.server.started:
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True


class WebProcess:
    """`friends web` (webhook mode) as a process of its own, started and SIGKILLed at will."""

    def __init__(self, env: dict[str, str], port: int, log: Path, workers: int = 1) -> None:
        self.env, self.port, self.log, self.workers = env, port, log, workers
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> None:
        argv = [str(FRIENDS), "web", "--port", str(self.port)]
        if self.workers > 1:
            argv += ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the workers of a multi-worker server go with it
        )
        deadline = time.monotonic() + timeout
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
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def text_update(customer: int, n: int, text: str) -> dict[str, Any]:
    """The update Telegram posts when `customer` writes their n-th message."""
    person = {"id": customer, "is_bot": False, "first_name": "Kundin", "language_code": "de"}
    message = {
        "message_id": n,
        "date": int(time.time()),
        "chat": {"id": customer, "type": "private"},
        "from": person,
        "text": text,
    }
    return {"update_id": customer * 1000 + n, "message": message}
