"""Processed inputs: claiming an update id makes a repeated delivery a no-op."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.rows.updates import ProcessedUpdateRow


class SqlProcessedUpdates:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, source: str, update_id: int, *, now: datetime) -> bool:
        stmt = CLAIM[self.session.get_bind().dialect.name == "postgresql"]
        row = {"source": source, "update_id": update_id, "received_at": now}
        return self.session.connection().execute(stmt, row).scalar() is not None


def _claim(insert: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect."""
    table = ProcessedUpdateRow.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["source", "update_id"]).returning(table.c.id)


CLAIM = {False: _claim(sqlite.insert), True: _claim(postgresql.insert)}
