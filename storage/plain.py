"""Plain SQL handed to the driver as written, for the statements every update runs.

A relayed message runs about ten statements. Through SQLAlchemy Core each cost about 20 µs of
Python on top of the driver's 6 on SQLite, and even `exec_driver_sql` builds result metadata
for every statement (33 µs a query): most of a relayed message's cost (`friends bench relay`
shows the whole against a bare echo bot). These run on the driver's cursor of the session's
connection, in the session's transaction. What SQLAlchemy's types did is done here: datetimes
are bound as SQLAlchemy binds them, in UTC, and on SQLite as the text it stores, so rows written
here read the same through the ORM and compare correctly with those written there. SQLAlchemy's
events do not see these statements; `PlainSql.runs` counts them for the benchmark.

On PostgreSQL every statement is a round trip (about 0.1 ms on localhost, 2–3 ms a relayed
message). A write whose result nobody reads (`deferrable`) waits in the connection's queue and
goes in one pipeline with the next statement that returns rows, or before any other statement
SQLAlchemy runs on the connection, or before its commit (`defer_writes` installs these
events); a rollback drops the queue. The order of statements is kept; an error in a queued
write fails its transaction as it would have.

Parameters are written `:name`; PostgreSQL's driver gets `%(name)s`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

_NAMED = re.compile(r"(?<![:\w]):(\w+)")

Params = Mapping[str, Any]


class PlainSql:
    #: Statements run so far, in this process (the benchmark's SQL count adds them).
    runs = 0

    def __init__(self, sql: str, *, deferrable: bool = False) -> None:
        if "%" in sql:
            raise ValueError("a literal % would need escaping for PostgreSQL's driver")
        self.sql = sql
        self.postgres_sql = _NAMED.sub(r"%(\1)s", sql)
        self.deferrable = deferrable
        #: Whether it returns rows (asking the driver builds a description of every column).
        self.returns = bool(
            re.match(r"\s*(SELECT|WITH)\b", sql, re.I) or re.search(r"\bRETURNING\b", sql, re.I)
        )

    def rows(self, session: Session, params: Params | Sequence[Params]) -> list[tuple[Any, ...]]:
        """Run in the session's transaction (a sequence of parameter sets: once for each);
        the rows it returned (none from a write queued on PostgreSQL)."""
        conn = _connection(session)
        if self.deferrable and conn.engine in _DEFERRING:
            PlainSql.runs += 1
            conn.info.setdefault(_PENDING, []).append((self.postgres_sql, _bound(params, _utc), False))
            return []
        [rows] = _together(conn, [(self, params)])
        return rows


def together(session: Session, *statements: tuple[PlainSql, Params | Sequence[Params]]) -> list[list[Any]]:
    """Several statements in order, in one round trip on PostgreSQL; the rows of each."""
    return _together(_connection(session), statements)


def _together(
    conn: Connection, statements: Sequence[tuple[PlainSql, Params | Sequence[Params]]]
) -> list[list[Any]]:
    PlainSql.runs += len(statements)
    driver = conn.connection.driver_connection
    if conn.dialect.name != "postgresql":
        return _rows(_execute(driver, [(s.sql, _bound(p, _sqlite_text), s.returns) for s, p in statements]))
    queued = conn.info.pop(_PENDING, [])
    cursors = _pipelined(
        driver, queued + [(s.postgres_sql, _bound(p, _utc), s.returns) for s, p in statements]
    )
    return _rows(cursors)[len(queued) :]


Queued = tuple[str, Any, bool]  # SQL, parameters, whether it returns rows
_PENDING = "plain_sql_pending"
_DEFERRING: weakref.WeakSet[Engine] = weakref.WeakSet()


def defer_writes(engine: Engine) -> None:
    """PostgreSQL: queued writes go before anything else on their connection and before its
    commit; a rollback, or the connection going back to the pool, drops them."""
    _DEFERRING.add(engine)
    event.listen(engine, "before_execute", lambda conn, *_: _flush(conn))
    event.listen(engine, "commit", _flush)
    event.listen(engine, "rollback", lambda conn: conn.info.pop(_PENDING, None))
    event.listen(engine.pool, "checkin", lambda _driver, record: record.info.pop(_PENDING, None))


def flushed(session: Session) -> Connection:
    """The session's connection with everything written so far sent (for other plain SQL)."""
    conn = _connection(session)
    _flush(conn)
    return conn


def _connection(session: Session) -> Connection:
    if session.new or session.dirty or session.deleted:
        session.flush()  # as session.execute would: statements run in the order they were made
    return session.connection()


def _flush(conn: Connection) -> None:
    queued = conn.info.pop(_PENDING, None)
    if queued:
        _rows(_pipelined(conn.connection.driver_connection, queued))


def _pipelined(driver: Any, statements: list[Queued]) -> list[tuple[Any, bool]]:
    """One round trip for several statements (a pipeline costs more than one statement alone)."""
    if len(statements) == 1:
        return _execute(driver, statements)
    with driver.pipeline():
        return _execute(driver, statements)


def _execute(driver: Any, statements: list[Queued]) -> list[tuple[Any, bool]]:
    cursors = []
    for sql, bound, returns in statements:
        cursor = driver.cursor()
        cursors.append((cursor, returns))
        if isinstance(bound, list):
            cursor.executemany(sql, bound)
        else:
            cursor.execute(sql, bound)
    return cursors


def _rows(cursors: list[tuple[Any, bool]]) -> list[list[Any]]:
    """The rows of each statement (none of one that returns none); the cursors closed."""
    try:
        return [cursor.fetchall() if returns else [] for cursor, returns in cursors]
    finally:
        for cursor, _ in cursors:
            cursor.close()


def _bound(params: Params | Sequence[Params], convert: Any) -> Any:
    if isinstance(params, Mapping):
        return {k: convert(v) if isinstance(v, datetime) else v for k, v in params.items()}
    return [_bound(p, convert) for p in params]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given; store aware datetimes only")
    return value.astimezone(UTC)


def _sqlite_text(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME stores (storage.db.UtcDateTime: UTC, no zone)."""
    return _utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")
