"""Demo helpers never meet real customers: `friends run` seeds them only for the terminal demo
(no bot token), refuses a real token on a database that holds them unless told, and the
console says when the database holds them (tests/console/test_demo_banner.py)."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from core.geo import PlaceIndex
from friends.cli import DEMO_HELPERS, prepare_database
from friends.processes import FRIENDS
from friends.settings import ROOT, Settings
from friends.wiring import uow_factory
from storage.db import make_engine, session_factory
from storage.queries import Queries
from storage.seed import seed_helpers

runner = CliRunner()


def settings(url: str, token: str | None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        telegram_bot_token=SecretStr(token) if token else None,
    )


def demo_count(url: str) -> int:
    return Queries(session_factory(make_engine(url))).demo_helpers()


def test_a_real_token_never_seeds_demo_helpers_the_demo_does(tmp_path: Path) -> None:
    real = f"sqlite:///{tmp_path / 'real.db'}"
    prepare_database(settings(real, "123456789:real-looking-token"), allow_demo_helpers=False)
    assert demo_count(real) == 0
    demo = f"sqlite:///{tmp_path / 'demo.db'}"
    prepare_database(settings(demo, None), allow_demo_helpers=False)
    assert demo_count(demo) == DEMO_HELPERS


def test_run_refuses_a_real_token_on_a_database_with_demo_helpers_unless_told(
    tmp_path: Path, places: PlaceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'friends.db'}"
    seed_helpers(uow_factory(url), places, 5, now=datetime.now(UTC))
    env = {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "123456789:real-looking-token"}
    refused = subprocess.run(
        [str(FRIENDS), "run"], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    output = refused.stdout + refused.stderr
    assert refused.returncode == 2
    assert "5 demo helpers" in output and "--allow-demo-helpers" in output
    assert "starting rasa" not in output.lower()  # nothing was started
    prepare_database(settings(url, "123456789:real-looking-token"), allow_demo_helpers=True)  # told: goes on
