"""Alembic environment: the URL comes from `-x url=…` or the caller's config attributes."""

from alembic import context
from sqlalchemy import Column, Connection, Index

import storage.rows  # noqa: F401  (registers the tables on Base.metadata)
from storage.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("no database URL: run `friends migrate` or `alembic -x url=… upgrade head`")
    return str(url)


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Indexes on expressions are left out of the comparison of models and migrations: the
    databases give them back rewritten (PostgreSQL) or not at all (SQLite). The matching
    index (0015) is checked by tests/storage/test_matching_plan.py instead."""
    if type_ == "index" and isinstance(obj, Index):
        return all(isinstance(e, Column) for e in obj.expressions)
    return True


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # a batch migration copies a table; rows that point at it must not block the copy
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (conn := config.attributes.get("connection")) is not None:
    _run(conn)
else:
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()
