"""Rows of customers (every person who writes to the bot) and their chat log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Integer, String, Text, false
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
    #: Set with /language: then the bot no longer follows the language a person writes in.
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


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
    # what a line the bot sent was about: erasing a person erases these lines in the other side's log
    booking_id: Mapped[int | None] = mapped_column(Integer, index=True)
    helper_id: Mapped[int | None] = mapped_column(Integer, index=True)
