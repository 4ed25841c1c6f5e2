"""Every process answers /healthz, /readyz and /metrics; logs can be JSON and rotate."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from friends import ops
from friends.settings import Settings
from friends.web import web_app
from tests.conftest import free_port


def settings(tmp_path: Path, **more: object) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'ops.db'}", **more)  # type: ignore[call-arg]


def test_the_web_server_is_ready_and_shows_the_backlog_in_its_metrics(tmp_path: Path) -> None:
    client = TestClient(web_app(settings(tmp_path)))
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json() == {"ready": True}
    metrics = client.get("/metrics").text
    for name in ("friends_outbox_size", "friends_outbox_lag_seconds", "friends_timers_overdue"):
        assert f"{name} 0.0" in metrics


def test_a_process_without_a_web_server_serves_health_readiness_and_metrics() -> None:
    import bot.metrics  # noqa: F401  (the polling bot's own figures)

    ready = [False]
    port = free_port()
    server = ops.serve(port, lambda: ready[0])
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz").status_code == 200
        assert httpx.get(f"{base}/readyz").status_code == 503  # alive, not ready yet
        ready[0] = True
        assert httpx.get(f"{base}/readyz").status_code == 200
        metrics = httpx.get(f"{base}/metrics").text
        assert "friends_rasa_seconds" in metrics and "friends_update_seconds" in metrics
    finally:
        server.shutdown()


def test_logs_can_be_json_lines_in_a_rotated_file(tmp_path: Path) -> None:
    log_file = tmp_path / "log" / "bot.log"
    root = logging.getLogger()
    before = root.handlers[:], root.level
    try:
        ops.configure_logging(settings(tmp_path, log_json=True, log_file=log_file))
        logging.getLogger("friends.test").warning("outbox %s is late", 7)
        [handler] = root.handlers
        assert isinstance(handler, logging.handlers.RotatingFileHandler) and handler.backupCount == 5
        handler.flush()
    finally:
        root.handlers, _ = before
        root.setLevel(before[1])
    line = json.loads(log_file.read_text().splitlines()[-1])
    assert line["level"] == "WARNING" and line["message"] == "outbox 7 is late"


def test_several_workers_need_postgresql_and_a_webhook(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from friends.cli import app

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'one.db'}")
    refused = CliRunner().invoke(app, ["web", "--workers", "2"])
    assert refused.exit_code == 2 and "PostgreSQL" in refused.output
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:real-looking-token")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL", raising=False)
    refused = CliRunner().invoke(app, ["run", "--workers", "3"])
    assert refused.exit_code == 2 and "TELEGRAM_WEBHOOK_URL" in refused.output


def test_the_web_workers_share_telegrams_limit_for_the_bot(tmp_path: Path) -> None:
    from friends.web import webhook_config

    hook = {"telegram_bot_token": "1:x", "telegram_webhook_url": "https://bot.example.org"}
    assert webhook_config(settings(tmp_path, **hook)).messages_per_s == 30
    assert webhook_config(settings(tmp_path, **hook, web_workers=4)).messages_per_s == 7.5
    assert webhook_config(settings(tmp_path, **hook, telegram_messages_per_s=0)).messages_per_s == 0
