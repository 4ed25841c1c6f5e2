"""Start, watch and stop the product's processes: Rasa server, action server, bot."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil

from friends.model import RASA, ensure_model, rasa_env
from friends.settings import ROOT, Settings

FRIENDS = Path(sys.executable).with_name("friends")
MAX_RESTARTS = 3
RESTART_WINDOW_S = 300


class ProcessFailed(SystemExit):
    pass


@dataclass
class Process:
    name: str
    argv: list[str]
    health_url: str | None
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(self.popen.pid))

    @property
    def pid_file(self) -> Path:
        """var/run/NAME.pid beside var/log/NAME.log, so benchmarks find the process."""
        folder = self.log.parent.parent / "run"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{self.name}.pid"

    @property
    def port(self) -> int | None:
        return urlsplit(self.health_url).port if self.health_url else None

    def stop_leftover(self) -> None:
        """A run that was killed (not stopped) may have left this process behind: stop it."""
        try:
            pid = int(self.pid_file.read_text())
            process = psutil.Process(pid)
            if self.argv[0] in " ".join(process.cmdline()) or self.name in " ".join(process.cmdline()):
                print(f"  stopping {self.name} left over from an earlier run (pid {pid})", flush=True)
                os.killpg(pid, signal.SIGTERM)
                process.wait(10)
        except (OSError, ValueError, psutil.Error):
            pass
        self.pid_file.unlink(missing_ok=True)

    def healthy(self) -> bool:
        if self.health_url is None:
            return self.alive()
        try:
            return httpx.get(self.health_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10) -> None:
        if self.popen is None or self.popen.poll() is not None:
            self.pid_file.unlink(missing_ok=True)
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        self.pid_file.unlink(missing_ok=True)


def run_dir() -> Path:
    path = ROOT / "var" / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pid_file(name: str) -> Path:
    return run_dir() / f"{name}.pid"


def rasa_token(settings: Settings) -> str:
    """The configured token, else the one a running `friends run` wrote, else a new one."""
    if settings.rasa_token:
        return settings.rasa_token.get_secret_value()
    path = run_dir() / "rasa.token"
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_urlsafe(24)
    path.write_text(token)
    path.chmod(0o600)
    return token


VAR = ROOT / "var"


def child_env(settings: Settings, token: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RASA_TOKEN": token,
            "DATABASE_URL": settings.database_url,
            "RASA_URL": settings.rasa_url,
            "ACTION_SERVER_PORT": str(settings.action_server_port),
        }
    )
    return env


#: Starts Rasa with its API token from the environment, so the token never shows on a command
#: line (`ps`).
RASA_LAUNCHER = (
    "import os, sys; from rasa.__main__ import main; "
    "sys.argv = ['rasa', *sys.argv[1:], '--auth-token', os.environ['FRIENDS_RASA_TOKEN']]; main()"
)


def local_console_env(settings: Settings) -> dict[str, str]:
    """For `friends run`'s web server: without a public URL (the demo, a developer's machine)
    the console is plain HTTP on 127.0.0.1, so its cookies cannot be Secure. An explicit
    CONSOLE_SECURE_COOKIES wins."""
    if settings.console_public_url or "console_secure_cookies" in settings.model_fields_set:
        return {}
    return {"CONSOLE_SECURE_COOKIES": "false"}


def rasa_process(settings: Settings, token: str, var: Path = VAR) -> Process:
    env = rasa_env({"FRIENDS_ACTION_URL": settings.action_server_url, "FRIENDS_RASA_TOKEN": token})
    argv = [
        str(RASA.with_name("python")),
        "-c",
        RASA_LAUNCHER,
        "run",
        "--enable-api",
        "--interface",
        "127.0.0.1",
        "--port",
        str(settings.rasa_port),
        "--model",
        str(ensure_model()),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
    ]
    # Rasa's root answers without the token: the health check carries no secret in its URL.
    return Process("rasa", argv, f"{settings.rasa_url}/", env, var / "log" / "rasa.log")


def action_process(settings: Settings, token: str, var: Path = VAR) -> Process:
    return Process(
        "actions",
        [str(FRIENDS), "actions"],
        f"http://127.0.0.1:{settings.action_server_port}/health",
        child_env(settings, token),
        var / "log" / "actions.log",
    )


def web_process(settings: Settings, token: str, var: Path = VAR, *, workers: int = 1) -> Process:
    more = ["--workers", str(workers)] if workers > 1 else []
    return Process(
        "web",
        [str(FRIENDS), "web", "--port", str(settings.web_port), *more],
        f"http://127.0.0.1:{settings.web_port}/healthz",
        child_env(settings, token),
        var / "log" / "web.log",
    )


def bot_process(settings: Settings, token: str, var: Path = VAR) -> Process:
    health = f"http://127.0.0.1:{settings.bot_ops_port}/healthz"
    return Process("bot", [str(FRIENDS), "bot"], health, child_env(settings, token), var / "log" / "bot.log")


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class Supervisor:
    """Starts processes, waits until each is healthy, restarts a crashed one a few times."""

    def __init__(self, processes: list[Process]) -> None:
        self.processes = processes
        self.stopping = False  # set first by stop(): a process stopping is not one that died

    def start(self, timeout: float = 240) -> None:
        for p in self.processes:
            p.stop_leftover()
            if p.port is not None and _port_taken(p.port):
                raise ProcessFailed(
                    f"port {p.port} for {p.name} is in use by another program: stop it or set another port"
                )
        for p in self.processes:
            print(f"  starting {p.name} (log: {_shown(p.log)})", flush=True)
            p.start()
        deadline = time.monotonic() + timeout
        waiting = list(self.processes)
        while waiting:
            for p in list(waiting):
                if not p.alive():
                    raise ProcessFailed(f"{p.name} exited while starting:\n{p.tail()}")
                if p.healthy():
                    print(f"  {p.name} is ready", flush=True)
                    waiting.remove(p)
            if time.monotonic() > deadline:
                raise ProcessFailed(f"{', '.join(p.name for p in waiting)} not healthy after {timeout:.0f} s")
            time.sleep(0.5)

    def check(self) -> None:
        """Restart what died; stop everything with the reason when one keeps dying."""
        now = time.monotonic()
        for p in self.processes:
            if self.stopping:
                return
            if p.alive():
                continue
            p.restarts = [t for t in p.restarts if now - t < RESTART_WINDOW_S] + [now]
            if len(p.restarts) > MAX_RESTARTS:
                raise ProcessFailed(f"{p.name} keeps dying ({MAX_RESTARTS} restarts in 5 min):\n{p.tail()}")
            print(f"  {p.name} died (exit {p.popen.returncode if p.popen else '?'}); restarting", flush=True)
            p.start()

    def stop(self) -> None:
        self.stopping = True
        for p in reversed(self.processes):
            p.stop()


@contextlib.contextmanager
def running(processes: list[Process]) -> Iterator[Supervisor]:
    supervisor = Supervisor(processes)
    try:
        supervisor.start()
        yield supervisor
    finally:
        supervisor.stop()


def rasa_is_up(settings: Settings, token: str) -> bool:
    """A running Rasa that takes our token (Rasa's API reads it only from the query)."""
    try:
        res = httpx.get(f"{settings.rasa_url}/status", params={"token": token}, timeout=2)
        return res.status_code == 200 and bool(res.json().get("model_file"))
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def nlu_stack(settings: Settings, *, with_actions: bool) -> Iterator[str]:
    """Use the running Rasa (and action server) or start them for the duration; yields the token."""
    token = rasa_token(settings)
    if rasa_is_up(settings, token):
        yield token
        return
    print("Starting Rasa for this command…", file=sys.stderr, flush=True)
    processes = [action_process(settings, token)] if with_actions else []
    processes.append(rasa_process(settings, token))
    supervisor = Supervisor(processes)
    try:
        with contextlib.redirect_stdout(sys.stderr):  # stdout belongs to the command's output
            supervisor.start()
        yield token
    finally:
        supervisor.stop()
