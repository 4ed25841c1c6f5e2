"""Rows of durable timers: due, claimed once, fired in the transaction of their effect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class TimerRow(Base):
    """A booking's timer: fires once (fired_at set in the same transaction as its effect)."""

    __tablename__ = "timers"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    kind: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    cancelled: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        UniqueConstraint("booking_id", "kind", name="uq_timers_booking_kind"),
        Index("ix_timers_pending_due", "fired_at", "cancelled", "due_at"),
    )
