"""Rows of the outbox: what the bot still has to send, leased while it sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


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
