"""Helpers and the matching index: one row per helper, index rows per category × language."""

from __future__ import annotations

import collections
import functools
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from core.categories import Category
from core.geo import Location, cell_of
from core.helpers import Absence, Availability, Helper, HelperStatus, WeeklySlot
from core.ids import Cents, HelperId, TelegramUserId
from core.language import Language
from core.matching import IndexEntry
from storage import matching_sql
from storage.matching_sql import INDEX_COLUMNS_SQL, STATIC_COST_SQL
from storage.plain import flushed
from storage.rows.helpers import HelperRow, MatchCellRow, MatchDistrictRow


def availability_json(availability: Availability) -> str:
    return json.dumps(
        {
            "slots": [
                [s.weekday, s.start.strftime("%H:%M"), s.end.strftime("%H:%M")] for s in availability.slots
            ],
            "absences": [[a.first_day.isoformat(), a.last_day.isoformat()] for a in availability.absences],
        }
    )


@functools.lru_cache(maxsize=4096)
def availability_from(text: str) -> Availability:
    """Parsed once per distinct text (an Availability is immutable): matching reads many."""
    data = json.loads(text or "{}")
    return Availability(
        slots=tuple(
            WeeklySlot(int(d), time.fromisoformat(a), time.fromisoformat(b))
            for d, a, b in data.get("slots", [])
        ),
        absences=tuple(
            Absence(date.fromisoformat(a), date.fromisoformat(b)) for a, b in data.get("absences", [])
        ),
    )


@functools.lru_cache(maxsize=256)
def _skills(text: str) -> frozenset[Category]:
    return frozenset(Category(s) for s in text.split(",") if s)


@functools.lru_cache(maxsize=256)
def _languages(text: str) -> frozenset[Language]:
    return frozenset(Language(s) for s in text.split(",") if s)


def _helper(row: Any) -> Helper:
    return Helper(
        id=HelperId(row.id),
        telegram_id=TelegramUserId(row.telegram_id),
        name=row.name,
        skills=_skills(row.skills),
        languages=_languages(row.languages),
        rate=Cents(row.rate_cents),
        home=Location(row.home_lat, row.home_lon),
        radius_km=row.radius_km,
        availability=availability_from(row.availability),
        status=HelperStatus(row.status),
        verified=row.verified,
        districts=frozenset(d for d in row.districts.split("|") if d),
        skill_details=row.skill_details,
        description=row.description,
        photo=row.photo,
        rating_sum=row.rating_sum,
        rating_count=row.rating_count,
        answered=frozenset(a for a in (row.answered or "").split(",") if a),
        editing=row.editing,
        adult=bool(row.adult),
        terms_accepted=bool(row.terms_accepted),
        stripe_account=row.stripe_account,
        payouts_ready=bool(row.payouts_ready),
        remote=bool(row.remote),
    )


class SqlHelpers:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_stripe_account(self, account: str) -> Helper | None:
        row = self.session.scalar(select(HelperRow).where(HelperRow.stripe_account == account))
        return None if row is None else _helper(row)

    def get(self, helper_id: HelperId) -> Helper | None:
        row = self.session.get(HelperRow, helper_id)
        return None if row is None else _helper(row)

    def by_telegram_id(self, telegram_id: TelegramUserId) -> Helper | None:
        row = self.session.scalar(select(HelperRow).where(HelperRow.telegram_id == telegram_id))
        return None if row is None else _helper(row)

    def many(self, ids: Iterable[int]) -> list[Helper]:
        """Helpers by id (matching's hot path: see storage/matching_sql.py)."""
        wanted = list(ids)
        if not wanted:
            return []
        rows = self._run(matching_sql.by_ids(HELPER_COLUMNS, wanted))
        return [_helper(_HelperColumns._make(row)) for row in rows]

    def refresh_statistics(self) -> None:
        connection = self.session.connection()
        if connection.dialect.name != "postgresql":
            connection.exec_driver_sql("ANALYZE")
            return
        # VACUUM (outside any transaction) also marks the pages all-visible, so that matching
        # answers from its index alone right away rather than after the next autovacuum.
        with connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as own:
            own.exec_driver_sql("VACUUM ANALYZE helpers, match_cells, match_districts")

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(HelperRow)) or 0)

    def known_telegram_ids(self, telegram_ids: Sequence[int]) -> set[int]:
        stmt = select(HelperRow.telegram_id).where(HelperRow.telegram_id.in_(telegram_ids))
        return set(self.session.scalars(stmt))

    def add_many(self, helpers: Sequence[Helper], *, now: datetime) -> None:
        """Bulk insert of new helpers with their index rows (seeding, benchmarks)."""
        if not helpers:
            return
        rows = [{"telegram_id": h.telegram_id, "created_at": now, **_columns(h, now)} for h in helpers]
        ids = self.session.scalars(
            insert(HelperRow).returning(HelperRow.id, sort_by_parameter_order=True), rows
        ).all()
        cells, districts = [], []
        for helper_id, helper in zip(ids, helpers, strict=True):
            for keys, common in _index_rows(helper, helper_id):
                cells.append({**keys, "cell": cell_of(helper.home), **common})
                districts += [{**keys, "district": d, **common} for d in helper.districts]
        if cells:
            self.session.execute(insert(MatchCellRow), cells)
        if districts:
            self.session.execute(insert(MatchDistrictRow), districts)

    def save(self, helper: Helper, *, now: datetime) -> Helper:
        row = self.session.get(HelperRow, helper.id) if helper.id else None
        if row is None:
            row = HelperRow(telegram_id=helper.telegram_id, created_at=now)
            self.session.add(row)
        for name, value in _columns(helper, now).items():
            setattr(row, name, value)
        self.session.flush()
        saved = _helper(row)
        self._index(saved)
        return saved

    def _index(self, helper: Helper) -> None:
        self.session.execute(delete(MatchCellRow).where(MatchCellRow.helper_id == helper.id))
        self.session.execute(delete(MatchDistrictRow).where(MatchDistrictRow.helper_id == helper.id))
        for keys, common in _index_rows(helper, helper.id):
            self.session.add(MatchCellRow(**keys, cell=cell_of(helper.home), **common))
            for district in helper.districts:
                self.session.add(MatchDistrictRow(**keys, district=district, **common))
        self.session.flush()

    def _run(self, statement: matching_sql.Statement) -> list[tuple[Any, ...]]:
        """Runs one of storage/matching_sql.py's statements on the session's own database
        connection (same transaction), straight through the driver: on matching's hot path,
        setting up a SQLAlchemy result per statement cost more than most queries take."""
        sql, params = statement
        connection = flushed(self.session)  # the search sees this unit's writes
        cursor = connection.connection.cursor()
        try:
            cursor.execute(matching_sql.for_driver(sql, connection.dialect.name), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def in_cells(
        self,
        category: Category,
        language: Language,
        cells: Sequence[int],
        *,
        max_static_cost: float | None = None,
        reaching: tuple[Location, float] | None = None,
        bar: float | None = None,
    ) -> list[IndexEntry]:
        if not cells:
            return []
        statement = matching_sql.in_cells(category, language, cells, max_static_cost, reaching, bar)
        return [_entry(*r) for r in self._run(statement)]

    def first_look(
        self,
        category: Category,
        language: Language,
        district: str,
        cells: Sequence[int],
        *,
        per_cell: int,
        reaching: tuple[Location, float] | None = None,
    ) -> tuple[list[IndexEntry], list[IndexEntry]]:
        statement = matching_sql.first_look(category, language, district, cells, per_cell, reaching)
        serving: list[IndexEntry] = []
        cheapest: list[IndexEntry] = []
        for by_district, *row in self._run(statement):
            (serving if by_district else cheapest).append(_entry(*row))
        return serving, cheapest

    def remote(self, category: Category, language: Language, *, cheapest: int) -> list[IndexEntry]:
        """Helpers who also help remotely, best rated and cheapest first (distance plays no part)."""
        params = {"category": str(category), "language": str(language)}
        return [_entry(*r) for r in self.session.execute(_remote_sql(cheapest), params)]


def _columns(helper: Helper, now: datetime) -> dict[str, object]:
    return {
        "name": helper.name,
        "status": str(helper.status),
        "verified": helper.verified,
        "skills": ",".join(sorted(str(s) for s in helper.skills)),
        "languages": ",".join(sorted(str(s) for s in helper.languages)),
        "skill_details": helper.skill_details,
        "description": helper.description,
        "photo": helper.photo,
        "rate_cents": helper.rate,
        "radius_km": helper.radius_km,
        "home_lat": helper.home.lat,
        "home_lon": helper.home.lon,
        "districts": "|".join(sorted(helper.districts)),
        "availability": availability_json(helper.availability),
        "rating_sum": helper.rating_sum,
        "rating_count": helper.rating_count,
        "answered": ",".join(sorted(helper.answered)),
        "editing": helper.editing,
        "adult": helper.adult,
        "terms_accepted": helper.terms_accepted,
        "stripe_account": helper.stripe_account,
        "payouts_ready": helper.payouts_ready,
        "remote": helper.remote,
        "updated_at": now,
    }


def _index_rows(helper: Helper, helper_id: int) -> list[tuple[dict[str, str], dict[str, object]]]:
    """The (category, language) keys and shared values of a helper's index rows; none unless matchable."""
    if not helper.matchable:
        return []
    common: dict[str, object] = {
        "helper_id": helper_id,
        "lat": helper.home.lat,
        "lon": helper.home.lon,
        "radius_km": helper.radius_km,
        "rate_cents": helper.rate,
        "rating_sum": helper.rating_sum,
        "rating_count": helper.rating_count,
        "remote": helper.remote,
    }
    return [
        ({"category": str(c), "language": str(lg)}, common) for c in helper.skills for lg in helper.languages
    ]


def _remote_sql(limit: int) -> Any:
    return text(
        f"{INDEX_COLUMNS_SQL} FROM match_cells WHERE category = :category AND language = :language "
        f"AND remote ORDER BY {STATIC_COST_SQL}, helper_id LIMIT {int(limit)}"
    )


HELPER_COLUMNS = ", ".join(c.name for c in HelperRow.__table__.columns)
#: A helper's row as the driver returns it, with the attributes of a HelperRow.
_HelperColumns = collections.namedtuple("_HelperColumns", [c.name for c in HelperRow.__table__.columns])  # type: ignore[misc]


def _entry(
    helper_id: int, lat: float, lon: float, radius_km: float, rate: int, rating_sum: int, rating_count: int
) -> IndexEntry:
    return IndexEntry(helper_id, Location(lat, lon), radius_km, rate, rating_sum, rating_count)
