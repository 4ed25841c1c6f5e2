"""What operators need of every process: /healthz (alive), /readyz (can do its work),
/metrics (Prometheus), JSON logs as an option and log files that rotate."""

from __future__ import annotations

import json
import logging
import logging.handlers
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core.ports import UnitOfWork
from core.services import outbox
from friends.settings import Settings

log = logging.getLogger(__name__)


class BacklogCollector(Collector):
    """Read at every scrape: the outbox's size and lag, and timers that are due but unfired."""

    def __init__(self, uow: Callable[[], UnitOfWork], now: Callable[[], datetime]) -> None:
        self.uow, self.now = uow, now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            backlog = outbox.backlog(self.uow(), now=self.now())
        except Exception:  # the database is away: /readyz says so; metrics stay scrapeable
            log.warning("backlog metrics unavailable", exc_info=True)
            return
        yield GaugeMetricFamily("friends_outbox_size", "Messages waiting to be sent", backlog.outbox_size)
        yield GaugeMetricFamily(
            "friends_outbox_lag_seconds", "Age of the oldest message waiting", backlog.outbox_lag_s
        )
        yield GaugeMetricFamily(
            "friends_timers_overdue", "Booking timers that are due but have not fired", backlog.overdue_timers
        )


_registered: set[int] = set()


def watch_backlog(uow: Callable[[], UnitOfWork], now: Callable[[], datetime]) -> None:
    """Once per process."""
    if not _registered:
        REGISTRY.register(BacklogCollector(uow, now))
        _registered.add(1)


def database_ready(uow: Callable[[], UnitOfWork], now: Callable[[], datetime]) -> bool:
    try:
        outbox.backlog(uow(), now=now())
    except Exception:
        log.warning("not ready: database unavailable", exc_info=True)
        return False
    return True


def router(ready: Callable[[], bool]) -> APIRouter:
    """/metrics and /readyz for a FastAPI app (the web server has /healthz of its own)."""
    routes = APIRouter()

    @routes.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @routes.get("/readyz", include_in_schema=False)
    def readyz() -> Response:
        ok = ready()
        return Response(
            json.dumps({"ready": ok}), status_code=200 if ok else 503, media_type="application/json"
        )

    return routes


def serve(port: int, ready: Callable[[], bool]) -> WSGIServer:
    """/healthz, /readyz and /metrics on 127.0.0.1:port, for a process without a web server (the
    polling bot), in a thread of its own."""

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            start("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest(REGISTRY)]
        if path == "/healthz":
            status, ok = "200 OK", True
        elif path == "/readyz":
            ok = ready()
            status = "200 OK" if ok else "503 Service Unavailable"
        else:
            start("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start(status, [("Content-Type", "application/json")])
        return [json.dumps({"ok" if path == "/healthz" else "ready": ok}).encode()]

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = make_server("127.0.0.1", port, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, name="ops", daemon=True).start()
    return server


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings) -> None:
    """Level, format (LOG_JSON) and, with LOG_FILE, a file rotated at 10 MB (5 kept)."""
    handler: logging.Handler
    if settings.log_file is not None:
        Path(settings.log_file).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            settings.log_file, maxBytes=10_000_000, backupCount=5, encoding="utf-8"
        )
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if settings.log_json else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
