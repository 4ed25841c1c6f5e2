"""The outbox: notices added in the use case's transaction, leased and marked sent by the bot."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.language import Language
from core.notices import Copy, Outgoing, Reply
from storage.plain import PlainSql
from storage.rows.outbox import OutboxRow

#: The hot path adds a row for every relayed message and marks it sent.
ADD = PlainSql(
    "INSERT INTO outbox (telegram_id, language, payload, created_at, booking_id, copy_from_chat,"
    " copy_message_id, copy_captioned, attempts, next_attempt_at)"
    " VALUES (:telegram_id, :language, :payload, :created_at, :booking_id, :copy_from_chat,"
    " :copy_message_id, :copy_captioned, :attempts, :next_attempt_at) RETURNING id"
)
MARK_SENT = PlainSql(
    "UPDATE outbox SET sent_at = :sent_at, message_id = :message_id, next_attempt_at = NULL WHERE id = :id",
    deferrable=True,
)


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._lease: timedelta | None = None
        self._handed: list[Outgoing] = []

    def hand_over(self, lease: timedelta) -> None:
        """Rows added from now on in this transaction are leased to the caller, who sends them
        right after the commit (the drain skips them until the lease ends)."""
        self._lease = lease

    def handed(self) -> list[Outgoing]:
        return list(self._handed)

    def add(
        self,
        telegram_id: int,
        language: Language,
        reply: Reply,
        *,
        now: datetime,
        booking_id: int | None = None,
        copy: Copy | None = None,
    ) -> int:
        if telegram_id < 0:  # a person who erased their data (pseudonymised id): told nothing more
            return 0
        payload = json.dumps(reply.as_payload(), ensure_ascii=False)
        leased = self._lease is not None
        row = {
            "telegram_id": telegram_id,
            "language": str(language),
            "payload": payload,
            "created_at": now,
            "booking_id": booking_id,
            "copy_from_chat": copy.from_chat_id if copy else None,
            "copy_message_id": copy.message_id if copy else None,
            "copy_captioned": bool(copy and copy.captioned),
            "attempts": 1 if leased else 0,
            "next_attempt_at": now + self._lease if self._lease is not None else None,
        }
        [(new_id,)] = ADD.rows(self.session, row)
        if leased:
            self._handed.append(Outgoing(new_id, telegram_id, language, reply, booking_id, copy, 1))
        return int(new_id)

    def claim(self, *, now: datetime, limit: int, lease: timedelta) -> list[Outgoing]:
        """Due rows, oldest first; each is leased (next_attempt_at moves on) so that a second
        drainer skips it, and a drainer that died leaves it to be retried after the lease."""
        stmt = (
            select(OutboxRow)
            .where(
                OutboxRow.sent_at.is_(None),
                OutboxRow.error.is_(None) | OutboxRow.next_attempt_at.is_not(None),
                OutboxRow.next_attempt_at.is_(None) | (OutboxRow.next_attempt_at <= now),
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(self.session.scalars(stmt))
        for row in rows:
            row.next_attempt_at = now + lease
            row.attempts += 1
        self.session.flush()
        return [
            Outgoing(
                id=r.id,
                telegram_id=r.telegram_id,
                language=Language(r.language),
                reply=Reply.from_payload(json.loads(r.payload)),
                booking_id=r.booking_id,
                copy=Copy(r.copy_from_chat, r.copy_message_id, r.copy_captioned)
                if r.copy_from_chat is not None and r.copy_message_id is not None
                else None,
                attempts=r.attempts,
            )
            for r in rows
        ]

    def mark_sent(self, outbox_id: int, *, now: datetime, message_id: int | None = None) -> None:
        MARK_SENT.rows(self.session, {"id": outbox_id, "sent_at": now, "message_id": message_id})

    def retry_at(self, outbox_id: int, at: datetime, *, error: str) -> None:
        row = self.session.get_one(OutboxRow, outbox_id)
        row.next_attempt_at, row.error = at, error[:500]

    def give_up(self, outbox_id: int, *, now: datetime, error: str) -> None:
        row = self.session.get_one(OutboxRow, outbox_id)
        row.next_attempt_at, row.error = None, error[:500]

    def backlog(self, now: datetime) -> tuple[int, datetime | None]:
        """Messages waiting to be sent (not given up) and when the oldest of them was queued."""
        unsent = (OutboxRow.sent_at.is_(None)) & (
            OutboxRow.error.is_(None) | OutboxRow.next_attempt_at.is_not(None)
        )
        size, oldest = self.session.execute(
            select(func.count(OutboxRow.id), func.min(OutboxRow.created_at)).where(unsent)
        ).one()
        return int(size), oldest

    def release(self, *, now: datetime) -> int:
        """A lease (error still empty) ends now; a back-off after an error keeps its time."""
        done = self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.sent_at.is_(None), OutboxRow.error.is_(None), OutboxRow.next_attempt_at > now)
            .values(next_attempt_at=now)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]

    def booking_of_message(self, telegram_id: int, message_id: int) -> int | None:
        return self.session.scalar(
            select(OutboxRow.booking_id).where(
                OutboxRow.telegram_id == telegram_id, OutboxRow.message_id == message_id
            )
        )
