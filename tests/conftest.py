"""Shared fixtures: databases (SQLite, PostgreSQL), the place index, a clock, the Rasa stack."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from core.geo import PlaceIndex
from core.helpers import Helper
from core.ports import UnitOfWork
from friends import wiring
from friends.bench.telegram import free_port
from storage.seed import seed_helpers

ROOT = Path(__file__).resolve().parent.parent
#: Demo helpers in the database of the real stack (bot, Rasa, e2e tests).
DEMO_HELPERS = 600


@dataclass
class FrozenClock:
    at: datetime = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture(scope="session")
def places() -> PlaceIndex:
    return wiring.place_index()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file brought to the newest migration; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    wiring.uow_factory(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    path = tmp_path / "friends.db"
    shutil.copy(migrated_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture
def uow(sqlite_url: str) -> Callable[[], UnitOfWork]:
    return wiring.uow_factory(sqlite_url, migrate=False)


# ---------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _as_postgres(*argv: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (Debian package; test.sh installs it)."""
    pg = _pg_bin()
    if pg is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; ./test.sh installs it")
        pytest.skip("PostgreSQL is not installed (./test.sh installs it)")
    base = Path(f"/tmp/friends-pg-{os.getpid()}")
    data = base / "data"
    data.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    run = lambda *a: subprocess.run(_as_postgres(*a), check=True, capture_output=True)  # noqa: E731
    run(str(pg / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off -c synchronous_commit=off"
    run(str(pg / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-o", opts, "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres(str(pg / "pg_ctl"), "-D", str(data), "stop", "-m", "fast"), capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database per test."""
    import psycopg

    name = f"t_{abs(hash(request.node.nodeid)) % 10**10}"
    with psycopg.connect(f"{postgres_server.replace('+psycopg', '')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{postgres_server}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine the product supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return str(request.getfixturevalue("postgres_url"))


# ---------------------------------------------------------------- the real Rasa stack


@dataclass
class NluStack:
    """Rasa server and action server running for real, on a database of their own."""

    settings: object  # friends.settings.Settings
    token: str
    var: Path


@pytest.fixture(scope="session")
def nlu_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NluStack]:
    from pydantic import SecretStr

    from friends.processes import action_process, rasa_process, running
    from friends.settings import Settings

    var = tmp_path_factory.mktemp("stack")
    token = "test-token"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{var / 'friends.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        action_server_port=free_port(),
        rasa_token=SecretStr(token),
        telegram_bot_token=None,
    )
    uow = wiring.uow_factory(settings.database_url)
    seed_helpers(uow, wiring.place_index(), DEMO_HELPERS, now=datetime.now(UTC))
    with running([action_process(settings, token, var), rasa_process(settings, token, var)]):
        yield NluStack(settings, token, var)


def top_helper(
    uow: Callable[[], UnitOfWork],
    telegram_id: int,
    name: str,
    postcode: str,
    language: str,
    rate: int = 700,
    *,
    remote: bool = False,
    ratings: int = 50,
) -> Helper:
    """Register a verified helper at a postcode's centre, cheap, free all week and rated 5.0 fifty
    times: for the customers there, they come first."""
    from core.categories import SERVICE_CATEGORIES
    from core.helpers import Availability, HelperStatus, WeeklySlot
    from core.ids import Cents, HelperId, TelegramUserId
    from core.language import Language

    week = Availability(tuple(WeeklySlot(d, time(0), time(23, 59)) for d in range(7)))
    with uow() as u:
        helper = u.helpers.save(
            Helper(
                id=HelperId(0),
                telegram_id=TelegramUserId(telegram_id),
                name=name,
                skills=frozenset(SERVICE_CATEGORIES),
                languages=frozenset({Language(language)}),
                rate=Cents(rate),
                home=wiring.place_index().by_postcode(postcode).location,
                radius_km=3.0,
                availability=week,
                status=HelperStatus.ACTIVE,
                verified=True,
                rating_sum=5 * ratings,
                rating_count=ratings,
                adult=True,
                terms_accepted=True,
                remote=remote,
            ),
            now=datetime.now(UTC),
        )
        u.commit()
    return helper


def consented(
    uow: Callable[[], UnitOfWork], telegram_id: int, *, first_name: str = "", language: str = "de"
) -> None:
    """A person who already accepted the privacy notice (the consent step has tests of its own)."""
    from core.ids import TelegramUserId
    from core.services import intake, privacy

    now = datetime.now(UTC)
    intake.ensure_customer(
        uow(), TelegramUserId(telegram_id), name=first_name, language_code=language, now=now
    )
    privacy.consent(uow(), TelegramUserId(telegram_id), now=now)
