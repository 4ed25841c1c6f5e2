"""Rows of visit addresses: where the helper rings, one per booking (personal data: exported,
erased with the person and by the retention timer)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class VisitAddressRow(Base):
    __tablename__ = "visit_addresses"
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), primary_key=True)
    street: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(5))
    floor: Mapped[str] = mapped_column(String(120))
    doorbell: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime]
