"""Incoming updates: kept from arrival until handled, claimed by one process at a time.

An update is received (stored with its payload: polling stores a batch before Telegram hears
it was fetched, the webhook before it answers 200), then claimed (a lease) by the process that
handles it, then finished (payload cleared) in the same transaction as its effect where it has
one, or right after its handlers ran. What a killed process left unfinished is handed in again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.chat import Claim
from core.ports import Received
from storage.plain import PlainSql
from storage.rows.updates import ProcessedUpdateRow

T = cast(Table, ProcessedUpdateRow.__table__)


class SqlProcessedUpdates:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def receive(self, source: str, updates: Sequence[Received], *, now: datetime) -> None:
        if not updates:
            return
        rows = [
            {
                "source": source,
                "update_id": u.update_id,
                "chat_id": u.chat_id,
                "payload": u.payload,
                "received_at": now,
            }
            for u in updates
        ]
        self.session.connection().execute(RECEIVE[self._postgres], rows)

    def claim(
        self,
        source: str,
        update_id: int,
        *,
        now: datetime,
        lease: timedelta,
        chat_id: int | None = None,
        tries: int,
    ) -> bool:
        return bool(
            CLAIM_SQL.rows(self.session, claim_row(Claim(source, update_id, chat_id, now, lease, tries)))
        )

    def finish(self, source: str, update_ids: Sequence[int], *, now: datetime) -> None:
        rows = [{"source": source, "update_id": u, "now": now} for u in update_ids]
        if rows:
            FINISH_SQL.rows(self.session, rows)

    def release(self, source: str, *, now: datetime) -> int:
        done = self.session.connection().execute(
            update(T)
            .where(T.c.source == source, T.c.done_at.is_(None), T.c.leased_until >= now)
            .values(leased_until=now - timedelta(microseconds=1))
        )
        return int(done.rowcount)

    def prune(self, source: str, *, before: datetime) -> int:
        done = self.session.connection().execute(delete(T).where(T.c.source == source, T.c.done_at < before))
        return int(done.rowcount)

    def unfinished(
        self, source: str, *, now: datetime, grace: timedelta, tries: int, limit: int
    ) -> list[Received]:
        """Updates to hand in again: a lease that ran out, or never claimed since `grace`.
        Those that failed `tries` times, or that nobody kept, are given up (and cleared)."""
        free = or_(T.c.leased_until < now, and_(T.c.leased_until.is_(None), T.c.received_at < now - grace))
        pending = and_(T.c.source == source, T.c.done_at.is_(None), free)
        hopeless = or_(T.c.attempts >= tries, T.c.payload.is_(None))
        self.session.connection().execute(
            update(T).where(pending, hopeless).values(done_at=now, payload=None, leased_until=None)
        )
        rows = self.session.connection().execute(
            select(T.c.update_id, T.c.chat_id, T.c.payload).where(pending).order_by(T.c.id).limit(limit)
        )
        return [Received(r.update_id, r.chat_id, r.payload) for r in rows]


def _receive(insert: Any) -> Any:
    return insert(T).on_conflict_do_nothing(index_elements=["source", "update_id"])


def claim_row(claim: Claim) -> dict[str, Any]:
    """CLAIM_SQL's parameters."""
    return {
        "source": claim.source,
        "update_id": claim.update_id,
        "chat_id": claim.chat_id,
        "received_at": claim.now,
        "leased_until": claim.now + claim.lease,
        "now": claim.now,
        "tries": claim.tries,
    }


#: INSERT … ON CONFLICT DO UPDATE … WHERE free RETURNING id: a new update, or one whose last
#: claim ran out (its process died), is leased; one done or leased by another is not. On
#: PostgreSQL a second claimer waits for the first one's row lock, then finds it leased. The
#: same SQL on both engines.
CLAIM_SQL = PlainSql(
    "INSERT INTO processed_updates (source, update_id, chat_id, received_at, leased_until, attempts)"
    " VALUES (:source, :update_id, :chat_id, :received_at, :leased_until, 1)"
    " ON CONFLICT (source, update_id) DO UPDATE"
    " SET leased_until = excluded.leased_until, attempts = processed_updates.attempts + 1"
    " WHERE processed_updates.done_at IS NULL AND processed_updates.attempts < :tries"
    " AND (processed_updates.leased_until IS NULL OR processed_updates.leased_until < :now)"
    " RETURNING id"
)

#: Runs for every update.
FINISH_SQL = PlainSql(
    "UPDATE processed_updates SET done_at = :now, payload = NULL, leased_until = NULL"
    " WHERE source = :source AND update_id = :update_id",
    deferrable=True,
)


RECEIVE = {False: _receive(sqlite.insert), True: _receive(postgresql.insert)}
