"""Storage on SQLite and PostgreSQL: migrations, round trips, aware times, unique updates."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

from alembic import command
from sqlalchemy import inspect

from core.categories import Category
from core.ids import TelegramUserId
from core.intake import Problem, RequestStatus
from core.language import Language
from friends import wiring
from storage.db import make_engine
from storage.migrate import alembic_config


def test_migrations_create_the_schema_and_match_the_models(database_url: str) -> None:
    wiring.uow_factory(database_url)
    tables = set(inspect(make_engine(database_url)).get_table_names())
    assert {"customers", "requests", "processed_updates", "alembic_version"} <= tables
    command.check(alembic_config(database_url))  # raises when models and migrations differ


def test_migrating_twice_is_harmless(database_url: str) -> None:
    wiring.uow_factory(database_url)
    wiring.uow_factory(database_url)


def test_request_round_trip_with_aware_utc_times(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    berlin_morning = datetime(2026, 3, 29, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    with uow() as u:
        customer = u.customers.add(TelegramUserId(99), name="Zoë", language=Language.DE, now=berlin_morning)
        problem = Problem("Fernseher 📺 zeigt nix", "problem_tv", Category.TV, 0.93)
        request = u.requests.add(customer, problem, description=problem.text, now=berlin_morning)
        u.commit()
    with uow() as u:
        stored = u.requests.get(request.id)
        assert stored is not None
        assert stored.created_at == berlin_morning and stored.created_at.tzinfo is not None
        assert stored.created_at.utcoffset() == timedelta(0)
        assert (
            stored.description == "Fernseher 📺 zeigt nix"
            and stored.status is RequestStatus.AWAITING_LOCATION
        )
        assert u.customers.by_telegram_id(TelegramUserId(99)) == customer


def test_uncommitted_work_is_rolled_back(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    with uow() as u:
        u.customers.add(TelegramUserId(5), name="x", language=Language.EN, now=datetime.now(UTC))
    with uow() as u:
        assert u.customers.by_telegram_id(TelegramUserId(5)) is None


def test_concurrent_claims_of_one_update_let_exactly_one_through(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        with uow() as u:
            fresh = u.updates.claim("telegram:1", 777, now=datetime.now(UTC))
            u.commit()
        results.append(fresh)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
