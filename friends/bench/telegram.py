"""A stand-in for Telegram over HTTP, and `friends web` as a process, for the benchmarks and
tests that run the bot in webhook mode in processes of its own."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response

from friends.botapi import InProcessBotApi
from friends.settings import ROOT

FRIENDS = ROOT / ".venv" / "bin" / "friends"


def free_port() -> int:
    """A port nobody listens on (for a server of a benchmark or a test)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeTelegram:
    """Telegram over HTTP for bots in processes of their own: the in-process Bot API double
    (friends.botapi: it refuses what Telegram refuses, keeps messages and their buttons)
    behind a web server, plus setWebhook."""

    def __init__(self, port: int) -> None:
        self.api = InProcessBotApi()
        self.webhook: dict[str, str] = {}
        self.port = port
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def call(token: str, method: str, request: Request) -> Response:
            form = {k: str(v) for k, v in (await request.form()).items()}
            if method == "setWebhook":
                self.webhook = form
            code, body = await self.api.do_request(f"/bot{token}/{method}", "POST", _Form(form))  # type: ignore[arg-type]
            return Response(body, status_code=code, media_type="application/json")

        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        threading.Thread(target=self.server.run, daemon=True).start()
        while not self.server.started:
            time.sleep(0.05)

    @property
    def sent(self) -> list[tuple[int, str]]:
        """(chat, text) of every message sent, in order."""
        return [(m.chat_id, m.text) for m in list(self.api.sent)]

    def stop(self) -> None:
        self.server.should_exit = True


@dataclass(frozen=True)
class _Form:
    """A form the bot posted, as the double reads request data."""

    json_parameters: dict[str, str]


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
        with contextlib.suppress(ProcessLookupError):  # (killed before)
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
