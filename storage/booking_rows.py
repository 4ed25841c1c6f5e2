"""Rows of bookings, their events and timers, the relay's transcript, flags, ratings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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


class RelayMessageRow(Base):
    """The transcript of a relayed conversation, for support."""

    __tablename__ = "relay_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    sender: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(256))
    leaks: Mapped[str] = mapped_column(String(64))  # "phone,email"
    created_at: Mapped[datetime]


class FlagRow(Base):
    """Something for support to look at: a contact leak, a report, a block, an unreachable user."""

    __tablename__ = "flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class BlockRow(Base):
    __tablename__ = "blocks"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("helpers.id"), primary_key=True)
    by: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class PromptRow(Base):
    """The answer the bot waits for in a chat (one at a time)."""

    __tablename__ = "prompts"
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


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


class RatingRow(Base):
    __tablename__ = "ratings"
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), primary_key=True)
    by: Mapped[str] = mapped_column(String(16), primary_key=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
