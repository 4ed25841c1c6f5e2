"""Rows of the relay: the transcript, flags, blocks and the answers the bot waits for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


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
