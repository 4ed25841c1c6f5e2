"""Rows of processed inputs (Telegram updates, CLI calls): each handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class ProcessedUpdateRow(Base):
    """One row per incoming update (Telegram update_id, later Stripe event id)."""

    __tablename__ = "processed_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    update_id: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("source", "update_id", name="uq_processed_updates_source_update"),)
