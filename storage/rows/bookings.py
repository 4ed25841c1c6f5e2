"""Rows of bookings and their events (every transition and step, who and why)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class BookingRow(Base):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("helpers.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    rate_cents: Mapped[int] = mapped_column(Integer)
    km: Mapped[float] = mapped_column(Float)
    offered_at: Mapped[datetime]
    deadline: Mapped[datetime]
    start: Mapped[datetime | None]
    minutes: Mapped[int | None] = mapped_column(Integer)
    proposal_no: Mapped[int] = mapped_column(Integer)
    proposed_start: Mapped[datetime | None]
    proposed_minutes: Mapped[int | None] = mapped_column(Integer)
    payment: Mapped[str | None] = mapped_column(String(8))
    payment_ref: Mapped[str | None] = mapped_column(String(128))
    hold_cents: Mapped[int | None] = mapped_column(Integer)
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    amount_cents: Mapped[int | None] = mapped_column(Integer)
    fee_cents: Mapped[int | None] = mapped_column(Integer)
    relay_closed_at: Mapped[datetime | None]
    checkout_id: Mapped[str | None] = mapped_column(String(128))
    hold_expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class BookingEventRow(Base):
    """Append-only: every transition and step of a booking (who, when, why, from which input)."""

    __tablename__ = "booking_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64))
