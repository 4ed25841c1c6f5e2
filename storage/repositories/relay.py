"""The relay: transcript, flags, blocks, the answer the bot waits for, reply routing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking import (
    Actor,
)
from core.ids import BookingId, CustomerId, HelperId
from core.relay import Prompt, PromptKind
from storage.rows.relay import BlockRow, FlagRow, PromptRow, RelayMessageRow


class SqlRelay:
    def __init__(self, session: Session) -> None:
        self.session = session

    def log(
        self,
        booking_id: BookingId,
        sender: Actor,
        *,
        kind: str,
        text: str,
        file_id: str | None,
        leaks: Sequence[str],
        now: datetime,
    ) -> int:
        row = RelayMessageRow(
            booking_id=booking_id,
            sender=str(sender),
            kind=kind,
            text=text,
            file_id=file_id,
            leaks=",".join(leaks),
            created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def transcript(self, booking_id: BookingId) -> list[tuple[Actor, str, str]]:
        stmt = select(RelayMessageRow).where(RelayMessageRow.booking_id == booking_id)
        return [
            (Actor(r.sender), r.kind, r.text) for r in self.session.scalars(stmt.order_by(RelayMessageRow.id))
        ]

    def flag(self, booking_id: BookingId | None, kind: str, *, by: Actor, note: str, now: datetime) -> bool:
        if kind in {"unreachable", "block", "payment"} and self.session.scalar(
            select(FlagRow.id).where(
                FlagRow.booking_id == booking_id, FlagRow.kind == kind, FlagRow.resolved_at.is_(None)
            )
        ):
            return False
        self.session.add(
            FlagRow(booking_id=booking_id, kind=kind, by=str(by), note=note[:2000], created_at=now)
        )
        self.session.flush()
        return True

    def flags(self, booking_id: BookingId) -> list[tuple[str, str]]:
        stmt = select(FlagRow).where(FlagRow.booking_id == booking_id).order_by(FlagRow.id)
        return [(r.kind, r.note) for r in self.session.scalars(stmt)]

    def resolve_flag(self, flag_id: int, note: str, *, now: datetime) -> bool:
        row = self.session.get(FlagRow, flag_id)
        if row is None or row.resolved_at is not None:
            return False
        row.resolved_at, row.note = now, f"{row.note}\n✔ {note}".strip()
        return True

    def block(self, customer_id: CustomerId, helper_id: HelperId, *, by: Actor, now: datetime) -> None:
        if self.session.get(BlockRow, (customer_id, helper_id)) is None:
            self.session.add(
                BlockRow(customer_id=customer_id, helper_id=helper_id, by=str(by), created_at=now)
            )
            self.session.flush()

    def blocked_helpers(self, customer_id: CustomerId) -> set[int]:
        return set(
            self.session.scalars(select(BlockRow.helper_id).where(BlockRow.customer_id == customer_id))
        )

    def prompt(self, telegram_id: int) -> Prompt | None:
        row = self.session.get(PromptRow, telegram_id)
        if row is None:
            return None
        return Prompt(row.telegram_id, PromptKind(row.kind), BookingId(row.booking_id), row.data)

    def ask(self, prompt: Prompt, *, now: datetime) -> None:
        row = self.session.get(PromptRow, prompt.telegram_id)
        if row is None:
            row = PromptRow(telegram_id=prompt.telegram_id)
            self.session.add(row)
        row.kind, row.booking_id, row.data, row.created_at = (
            str(prompt.kind),
            prompt.booking_id,
            prompt.data,
            now,
        )
        self.session.flush()

    def answered(self, telegram_id: int) -> None:
        row = self.session.get(PromptRow, telegram_id)
        if row is not None:
            self.session.delete(row)
            self.session.flush()
