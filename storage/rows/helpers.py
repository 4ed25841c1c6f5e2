"""Rows of helpers and of the matching index (grid cells per category and language)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base
from storage.matching_sql import STATIC_COST_SQL


class HelperRow(Base):
    __tablename__ = "helpers"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    verified: Mapped[bool] = mapped_column(Boolean)
    skills: Mapped[str] = mapped_column(String(64))  # "internet,pc"
    skill_details: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    languages: Mapped[str] = mapped_column(String(16))  # "de,en"
    rate_cents: Mapped[int] = mapped_column(Integer)
    home_lat: Mapped[float] = mapped_column(Float)
    home_lon: Mapped[float] = mapped_column(Float)
    radius_km: Mapped[float] = mapped_column(Float)
    districts: Mapped[str] = mapped_column(Text)  # "Neukölln|Mitte"
    availability: Mapped[str] = mapped_column(Text)  # JSON: slots and absences
    photo: Mapped[str | None] = mapped_column(String(256))
    rating_sum: Mapped[int] = mapped_column(Integer)
    rating_count: Mapped[int] = mapped_column(Integer)
    answered: Mapped[str] = mapped_column(Text, default="")
    editing: Mapped[str | None] = mapped_column(String(16))
    adult: Mapped[bool] = mapped_column(Boolean, default=False)
    terms_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    stripe_account: Mapped[str | None] = mapped_column(String(64))
    payouts_ready: Mapped[bool] = mapped_column(Boolean, default=False)
    remote: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class _IndexEntryColumns:
    """What both matching index tables keep of a helper: enough for a lower bound."""

    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_km: Mapped[float] = mapped_column(Float)
    rate_cents: Mapped[int] = mapped_column(Integer)
    rating_sum: Mapped[int] = mapped_column(Integer)
    rating_count: Mapped[int] = mapped_column(Integer)
    remote: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class MatchCellRow(_IndexEntryColumns, Base):
    """One row per (category, language) a matchable helper offers, keyed by the grid cell of
    their home: the candidate search reads a few cells instead of every helper."""

    __tablename__ = "match_cells"
    # Clustered by its key on SQLite: a cell's rows lie together and need no second look-up.
    # Per cell, the index orders them by their rating and price cost and covers what the
    # search reads (migration 0015).
    __table_args__ = (
        Index(
            "ix_match_cells_static_cost",
            *("category", "language", "cell", text(STATIC_COST_SQL)),
            *("lat", "lon", "radius_km", "rate_cents", "rating_sum", "rating_count", "helper_id"),
        ),
        {"sqlite_with_rowid": False},
    )
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    cell: Mapped[int] = mapped_column(Integer, primary_key=True)
    helper_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # key order: category … helper


class MatchDistrictRow(_IndexEntryColumns, Base):
    """Helpers who serve whole districts, found by district whatever their distance."""

    __tablename__ = "match_districts"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    district: Mapped[str] = mapped_column(String(64), primary_key=True)
    helper_id: Mapped[int] = mapped_column(Integer, primary_key=True)
