"""Rows of the money ledger and of the payment provider's events (each processed once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class LedgerRow(Base):
    """Append-only: every money movement of a booking (core.payments.LedgerKind)."""

    __tablename__ = "ledger_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("helpers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    reference: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(Text)


class ProviderEventRow(Base):
    """A payment provider's webhook event, processed once (Stripe's evt_… id)."""

    __tablename__ = "provider_events"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
