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
            fresh = u.updates.claim(
                "telegram:1", 777, now=datetime.now(UTC), lease=timedelta(seconds=30), tries=3
            )
            u.commit()
        results.append(fresh)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]


def test_a_database_with_bookings_upgrades_to_the_newest_schema(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Later migrations copy tables that bookings point at (SQLite's batch mode)."""
    from alembic import command
    from sqlalchemy import text

    from storage.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0003")
    engine = make_engine(url)
    with engine.begin() as conn:
        now = "2026-11-20 10:00:00.000000"
        conn.execute(
            text(
                "INSERT INTO customers (id, telegram_id, name, language, created_at) VALUES (1, 5, 'A', 'de', :n)"
            ),
            {"n": now},
        )
        conn.execute(
            text(
                "INSERT INTO helpers (id, telegram_id, name, status, verified, skills, skill_details, description, languages,"
                " rate_cents, home_lat, home_lon, radius_km, districts, availability, rating_sum, rating_count, answered,"
                " adult, terms_accepted, created_at, updated_at) VALUES (1, 6, 'H', 'active', 1, 'pc', '', '', 'de', 1500,"
                " 52.5, 13.4, 5, '', '{}', 0, 0, '', 1, 1, :n, :n)"
            ),
            {"n": now},
        )
        conn.execute(
            text(
                "INSERT INTO requests (id, customer_id, status, category, intent, confidence, description, language, urgency,"
                " notify, created_at, updated_at) VALUES (1, 1, 'booked', 'pc', 'problem_pc', 0.9, 'x', 'de', 'normal', 0, :n, :n)"
            ),
            {"n": now},
        )
        conn.execute(
            text(
                "INSERT INTO bookings (id, request_id, customer_id, helper_id, state, version, category, rate_cents, km,"
                " offered_at, deadline, proposal_no, updated_at) VALUES (1, 1, 1, 1, 'accepted', 1, 'pc', 1500, 0.5, :n, :n, 0, :n)"
            ),
            {"n": now},
        )
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT state FROM bookings")).scalar() == "accepted"
        assert conn.execute(text("SELECT payouts_ready FROM helpers")).scalar() == 0
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


def test_the_nlu_chart_counts_how_often_customers_corrected_the_model(database_url: str) -> None:
    from core.services import intake
    from storage.db import session_factory
    from storage.queries import Queries

    uow = wiring.uow_factory(database_url)
    now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    readings = [("problem_pc", Category.PHONE), ("problem_tv", Category.TV), ("problem_tv", None)]
    for n, (intent, pick) in enumerate(readings):
        customer = intake.ensure_customer(
            uow(), TelegramUserId(700 + n), name="x", language_code="de", now=now
        )
        problem = Problem("…", intent, Category(intent.removeprefix("problem_")), 0.9)
        [understood, *_] = intake.describe_problem(uow(), customer.id, problem, now=now)
        if pick is not None and understood.request_id is not None:
            intake.choose_category(uow(), customer.id, understood.request_id, pick, now=now)
    stats = Queries(session_factory(make_engine(database_url))).stats(now, days=3)
    assert stats.corrected_share == [None, None, round(1 / 3, 3)]  # one of three readings changed
