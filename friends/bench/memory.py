"""Resident memory of every process `friends run` starts, at rest, with a bot token (polling):
the supervisor, the action server, Rasa, the web server and the bot. Telegram is a local
stand-in; the database a fresh SQLite file."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from friends.bench.telegram import FakeTelegram, free_port
from friends.processes import FRIENDS
from friends.settings import ROOT

NAMES = {"run": "supervisor", "actions": "actions", "rasa": "rasa", "web": "web", "bot": "bot"}


def _name(process: psutil.Process) -> str:
    line = process.cmdline()
    if any("rasa.__main__" in part for part in line):
        return "rasa"
    for part in line[1:]:
        if part in NAMES:
            return NAMES[part]
    return Path(line[0]).name if line else "?"


def bench_memory(settle_s: float = 15, timeout_s: float = 600) -> dict[str, Any]:
    telegram = FakeTelegram(free_port())
    folder = Path(tempfile.mkdtemp(prefix="friends-memory-"))
    ops, rasa = free_port(), free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "5555:memory-bench",
        "TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.port}",
        "DATABASE_URL": f"sqlite:///{folder / 'friends.db'}",
        "WEB_PORT": str(free_port()),
        "BOT_OPS_PORT": str(ops),
        "RASA_URL": f"http://127.0.0.1:{rasa}",
        "ACTION_SERVER_PORT": str(free_port()),
    }
    with (folder / "run.log").open("wb") as log:
        run = subprocess.Popen(
            [str(FRIENDS), "run"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout_s
        while not _ready(ops, rasa):
            if time.monotonic() > deadline or run.poll() is not None:
                raise RuntimeError(
                    f"friends run did not get ready:\n{(folder / 'run.log').read_text()[-2000:]}"
                )
            time.sleep(1)
        time.sleep(settle_s)  # at rest: started, nothing to do
        processes = [psutil.Process(run.pid), *psutil.Process(run.pid).children(recursive=True)]
        rss = {_name(p): round(p.memory_info().rss / 2**20) for p in processes}
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
        telegram.stop()
    return {"rss_mb": rss, "total_mb": sum(rss.values())}


def _ready(ops: int, rasa: int) -> bool:
    try:
        bot = httpx.get(f"http://127.0.0.1:{ops}/readyz", timeout=1).status_code == 200
        return bot and httpx.get(f"http://127.0.0.1:{rasa}/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
