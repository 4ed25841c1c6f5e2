"""Typed ORM rows. Named ``…Row`` so they never pass for domain objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class CustomerRow(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime]
    taken_over_by: Mapped[int | None] = mapped_column(Integer)  # a support agent answers, the bot waits
    consented_at: Mapped[datetime | None]  # accepted the terms and the privacy notice
    blocked_at: Mapped[datetime | None]  # support blocked this person: the bot answers nothing more


class ChatMessageRow(Base):
    """What a person sent the bot and what they were sent, for support (the relay has its own)."""

    __tablename__ = "chat_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    incoming: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(16))  # text, photo, button, support…
    text: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(Integer)  # written by a support agent
    intent: Mapped[str | None] = mapped_column(String(40))  # what the NLU read (a person's text)
    confidence: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(index=True)


class RequestRow(Base):
    __tablename__ = "requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    category: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    urgency: Mapped[str] = mapped_column(String(12))
    device: Mapped[str | None] = mapped_column(String(64))
    brand: Mapped[str | None] = mapped_column(String(64))
    postcode: Mapped[str | None] = mapped_column(String(5))
    district: Mapped[str | None] = mapped_column(String(64))
    place_label: Mapped[str | None] = mapped_column(String(128))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    chosen_helper_id: Mapped[int | None] = mapped_column(ForeignKey("helpers.id"))
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_requests_customer_status", "customer_id", "status"),)


class ProcessedUpdateRow(Base):
    """One row per incoming update (Telegram update_id, later Stripe event id)."""

    __tablename__ = "processed_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    update_id: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("source", "update_id", name="uq_processed_updates_source_update"),)


class OutboxRow(Base):
    """A message for the bot process to send; sent_at is set once Telegram accepted it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(2))
    payload: Mapped[str] = mapped_column(Text)  # Reply.as_payload() as JSON
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    booking_id: Mapped[int | None] = mapped_column(Integer)
    copy_from_chat: Mapped[int | None] = mapped_column(BigInteger)
    copy_message_id: Mapped[int | None] = mapped_column(BigInteger)
    copy_captioned: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]  # leased or backing off until then
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # Telegram's id of the sent message
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_chat_message", "telegram_id", "message_id"),)
