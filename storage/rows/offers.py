"""Rows of the helper cards shown to a customer for a request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class OfferRow(Base):
    """A helper shown to a customer for a request (so "more" shows others)."""

    __tablename__ = "offers"
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("helpers.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    shown_at: Mapped[datetime]
