"""Rows of incoming updates (Telegram update_id, CLI calls): kept until handled, handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class ProcessedUpdateRow(Base):
    """One row per incoming update. `payload` holds the update as Telegram sent it from its
    arrival until it was handled (then it is cleared): a process killed in the middle leaves
    it unfinished, and the next drain of unfinished updates hands it in again."""

    __tablename__ = "processed_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    update_id: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime]
    chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    payload: Mapped[str | None] = mapped_column(Text, default=None)
    leased_until: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    done_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        UniqueConstraint("source", "update_id", name="uq_processed_updates_source_update"),
        Index("ix_processed_updates_pending", "source", "done_at"),
    )
