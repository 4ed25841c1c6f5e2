"""Processed inputs: claiming an update id makes a repeated delivery a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.rows.updates import ProcessedUpdateRow


class SqlProcessedUpdates:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, source: str, update_id: int, *, now: datetime) -> bool:
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = (
            insert(ProcessedUpdateRow)
            .values(source=source, update_id=update_id, received_at=now)
            .on_conflict_do_nothing(index_elements=["source", "update_id"])
            .returning(ProcessedUpdateRow.id)
        )
        return self.session.execute(stmt).scalar() is not None
