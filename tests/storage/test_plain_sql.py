"""The hot path's plain SQL on both engines: what it writes reads the same through the ORM,
and on PostgreSQL a write queued for the next round trip keeps its order, commits with its
transaction, and is dropped with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.language import Language
from core.notices import Reply
from friends import wiring
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.plain import PlainSql, flushed
from storage.repositories.chats import LOGGED
from storage.rows.customers import ChatMessageRow
from storage.rows.outbox import OutboxRow

T0 = datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=UTC)
BERLIN = timezone(timedelta(hours=1))


def line(n: int, at: datetime = T0) -> dict[str, object]:
    return {
        "telegram_id": n,
        "incoming": True,
        "kind": "text",
        "text": f"Zeile {n}",
        "at": at,
        "booking_id": None,
        "helper_id": None,
    }


@pytest.fixture
def sessions(database_url: str):  # type: ignore[no-untyped-def]
    upgrade(database_url)
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def lines(sessions) -> list[tuple[int, datetime]]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return [(r.telegram_id, r.at) for r in s.scalars(select(ChatMessageRow).order_by(ChatMessageRow.id))]


def test_a_row_written_in_plain_sql_reads_the_same_through_the_orm(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s:
        LOGGED.rows(s, line(1, T0.astimezone(BERLIN)))  # an aware time in another zone
        s.commit()
    [(telegram_id, at)] = lines(sessions)
    assert (telegram_id, at) == (1, T0)
    assert at.tzinfo is not None and at.microsecond == 123456
    with sessions() as s:  # and compares with the ORM's own values in SQL
        assert s.scalar(select(func.count()).where(ChatMessageRow.at < T0 + timedelta(microseconds=1))) == 1
        assert s.scalar(select(func.count()).where(ChatMessageRow.at < T0)) == 0


def test_a_naive_time_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s, pytest.raises(ValueError, match="naive"):
        LOGGED.rows(s, line(1, T0.replace(tzinfo=None)))


def test_queued_writes_keep_their_order_before_any_other_statement(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s:
        LOGGED.rows(s, line(1))
        LOGGED.rows(s, [line(2), line(3)])
        # an ORM query on the same connection sees them: they went first
        assert s.scalar(select(func.count()).select_from(ChatMessageRow)) == 3
        LOGGED.rows(s, line(4))
        cursor = flushed(s).connection.cursor()  # other plain SQL on the driver sees them too
        cursor.execute("SELECT count(*) FROM chat_messages")
        assert cursor.fetchone()[0] == 4
        cursor.close()
        LOGGED.rows(s, line(5))
        s.commit()  # the last one goes before the commit
    assert [n for n, _ in lines(sessions)] == [1, 2, 3, 4, 5]


def test_plain_sql_after_orm_changes_runs_after_them(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s:
        s.add(ChatMessageRow(**line(1)))  # pending in the ORM session
        LOGGED.rows(s, line(2))
        s.add(ChatMessageRow(**line(3)))
        s.commit()
    assert [n for n, _ in lines(sessions)] == [1, 2, 3]


def test_a_rollback_drops_queued_writes_and_the_next_transaction_never_runs_them(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s:
        LOGGED.rows(s, line(1))
        s.rollback()
    for _ in range(3):  # the same pooled connection, again and again
        with sessions() as s:
            LOGGED.rows(s, line(2))
        # closed without a commit
    with sessions() as s:
        LOGGED.rows(s, line(3))
        s.commit()
    assert [n for n, _ in lines(sessions)] == [3]


def test_a_failing_queued_write_fails_its_commit_and_nothing_of_the_transaction_stays(sessions) -> None:  # type: ignore[no-untyped-def]
    broken = PlainSql("INSERT INTO chat_messages (telegram_id) VALUES (:n)", deferrable=True)  # NOT NULLs
    with sessions() as s:
        with pytest.raises(Exception, match=r"(?i)null"):  # at once, or with the round trip it went in
            LOGGED.rows(s, line(1))
            broken.rows(s, {"n": 2})
            s.commit()
        s.rollback()
    assert lines(sessions) == []


def test_the_outbox_written_in_plain_sql_is_drained_like_any_other(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    with uow() as u:
        u.outbox.hand_over(timedelta(seconds=60))
        u.outbox.add(7, Language.DE, Reply("relay.from_customer", {"text": "Hallo"}), now=T0)
        [handed] = u.outbox.handed()
        u.commit()
    with uow() as u:  # leased to the caller: the drain leaves it until the lease ends
        assert u.outbox.claim(now=T0 + timedelta(seconds=59), limit=10, lease=timedelta(seconds=60)) == []
        [again] = u.outbox.claim(now=T0 + timedelta(seconds=61), limit=10, lease=timedelta(seconds=60))
        u.outbox.mark_sent(again.id, now=T0 + timedelta(seconds=62), message_id=99)
        u.commit()
    assert (again.id, again.telegram_id, again.reply) == (handed.id, 7, handed.reply)
    with uow() as u:
        row = u.outbox.session.get(OutboxRow, handed.id)  # type: ignore[attr-defined]
        assert row is not None and (row.sent_at, row.message_id) == (T0 + timedelta(seconds=62), 99)
