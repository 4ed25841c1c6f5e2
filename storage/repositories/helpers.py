"""Helpers and the matching index: one row per helper, index rows per category × language."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, text
from sqlalchemy.orm import Session

from core.categories import Category
from core.geo import EARTH_RADIUS_KM, Location, cell_of
from core.helpers import MAX_RATE, MIN_RATE, Absence, Availability, Helper, HelperStatus, WeeklySlot
from core.ids import Cents, HelperId, TelegramUserId
from core.language import Language
from core.matching import RANKING, IndexEntry
from storage.rows.helpers import HelperRow, MatchCellRow, MatchDistrictRow

#: SQLite allows 999 bound parameters in older builds; stay well below.
CHUNK = 500


def availability_json(availability: Availability) -> str:
    return json.dumps(
        {
            "slots": [
                [s.weekday, s.start.strftime("%H:%M"), s.end.strftime("%H:%M")] for s in availability.slots
            ],
            "absences": [[a.first_day.isoformat(), a.last_day.isoformat()] for a in availability.absences],
        }
    )


def availability_from(text: str) -> Availability:
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


def _helper(row: HelperRow | Row[Any]) -> Helper:
    return Helper(
        id=HelperId(row.id),
        telegram_id=TelegramUserId(row.telegram_id),
        name=row.name,
        skills=frozenset(Category(s) for s in row.skills.split(",") if s),
        languages=frozenset(Language(s) for s in row.languages.split(",") if s),
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
        """Helpers by id (matching's hot path: plain SQL with the integer ids inlined)."""
        wanted = ",".join(str(int(i)) for i in ids)
        if not wanted:
            return []
        rows = self.session.execute(text(f"SELECT {HELPER_COLUMNS} FROM helpers WHERE id IN ({wanted})"))
        return [_helper(row) for row in rows]  # a Row has the same attributes as a HelperRow

    def refresh_statistics(self) -> None:
        self.session.execute(text("ANALYZE"))

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

    def in_cells(
        self,
        category: Category,
        language: Language,
        cells: Sequence[int],
        *,
        max_static_cost: float | None = None,
        cheapest: int | None = None,
        reaching: tuple[Location, float] | None = None,
    ) -> list[IndexEntry]:
        """Hot path of matching: plain SQL text (the cells are integers we computed), so that
        SQLAlchemy does not build and cache-key an expression per request. Distance and price
        bounds are applied here, so that only rows that can still win reach Python."""
        entries: list[IndexEntry] = []
        bound = "" if max_static_cost is None else f" AND {STATIC_COST_SQL} <= :max_static"
        if reaching is not None:
            bound += f" AND {REACH_SQL}"
        order = "" if cheapest is None else f" ORDER BY {STATIC_COST_SQL}, helper_id LIMIT {int(cheapest)}"
        params: dict[str, object] = {
            "category": str(category),
            "language": str(language),
            "max_static": (max_static_cost or 0) + 1e-9,
        }
        if reaching is not None:
            place, slack_km = reaching
            params |= {
                "plat": place.lat,
                "plon": place.lon,
                "kx": KM_PER_DEGREE * math.cos(math.radians(place.lat)),
                "slack": slack_km,
            }
        for start in range(0, len(cells), CHUNK):
            chunk = ",".join(str(int(c)) for c in cells[start : start + CHUNK])
            where = f"category = :category AND language = :language AND cell IN ({chunk}){bound}"
            sql = text(f"{INDEX_COLUMNS_SQL} FROM match_cells WHERE {where}{order}")
            entries += [_entry(*r) for r in self.session.execute(sql, params)]
        return entries

    def remote(self, category: Category, language: Language, *, cheapest: int) -> list[IndexEntry]:
        """Helpers who also help remotely, best rated and cheapest first (distance plays no part)."""
        params = {"category": str(category), "language": str(language)}
        return [_entry(*r) for r in self.session.execute(_remote_sql(cheapest), params)]

    def serving(self, category: Category, language: Language, district: str) -> list[IndexEntry]:
        params = {"category": str(category), "language": str(language), "district": district}
        return [_entry(*r) for r in self.session.execute(SERVING_SQL, params)]


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


def _static_cost_sql() -> str:
    """Ranking.static_cost (core/matching.py) as SQL over the index columns."""
    r = RANKING
    rating = (
        f"(({r.prior_mean * r.prior_weight!r} + rating_sum) / ({float(r.prior_weight)!r} + rating_count))"
    )
    price = f"((rate_cents - {float(MIN_RATE)!r}) / {float(MAX_RATE - MIN_RATE)!r})"
    return f"({r.rating!r} * (5.0 - {rating}) / 4.0 + {r.price!r} * {price})"


STATIC_COST_SQL = _static_cost_sql()
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
#: The helper's radius (plus slack) reaches the place, by a flat-earth distance that is within
#: a fraction of a percent of the great circle over a city; 1 % + 50 m of margin keep every
#: helper who reaches it (Python checks exactly).
_DY = f"((lat - :plat) * {KM_PER_DEGREE!r})"
_DX = "((lon - :plon) * :kx)"
_REACH = "((radius_km + :slack) * 1.01 + 0.05)"
REACH_SQL = f"({_DY} * {_DY} + {_DX} * {_DX} <= {_REACH} * {_REACH})"


SERVING_SQL = text(
    "SELECT helper_id, lat, lon, radius_km, rate_cents, rating_sum, rating_count FROM match_districts "
    "WHERE category = :category AND language = :language AND district = :district"
)


def _remote_sql(limit: int) -> Any:
    return text(
        f"{INDEX_COLUMNS_SQL} FROM match_cells WHERE category = :category AND language = :language "
        f"AND remote ORDER BY {STATIC_COST_SQL}, helper_id LIMIT {int(limit)}"
    )


HELPER_COLUMNS = ", ".join(c.name for c in HelperRow.__table__.columns)


INDEX_COLUMNS_SQL = "SELECT helper_id, lat, lon, radius_km, rate_cents, rating_sum, rating_count"


def _entry(
    helper_id: int, lat: float, lon: float, radius_km: float, rate: int, rating_sum: int, rating_count: int
) -> IndexEntry:
    return IndexEntry(helper_id, Location(lat, lon), radius_km, rate, rating_sum, rating_count)
