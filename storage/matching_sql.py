"""The statements of matching's hot path (storage/repositories/helpers.py runs them).

Plain SQL text with bound parameters whose shape depends only on how many cells or ids a
statement names, padded to a power of two: both drivers then reuse the prepared statement
(SQLite's statement cache, psycopg's automatic prepare) instead of parsing a new one per
request, which cost more than running it (profiled, docs/MATCHING.md).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence

from core.categories import Category
from core.geo import EARTH_RADIUS_KM, Location
from core.helpers import MAX_RATE, MIN_RATE
from core.language import Language
from core.matching import RANKING

Statement = tuple[str, dict[str, object]]

#: Longest list of cells a statement names (SQLite allows 999 bound parameters in older builds).
CHUNK = 128
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
INDEX_COLUMNS_SQL = "SELECT helper_id, lat, lon, radius_km, rate_cents, rating_sum, rating_count"
#: A cell no helper lives in: pads a statement's list of cells.
NO_CELL = -1


def _static_cost_sql(constant: Callable[[str, float], str] = lambda _, value: repr(value)) -> str:
    """Ranking.static_cost (core/matching.py) as SQL over the index columns; migration 0015
    indexes exactly this expression per cell (a test compares the two)."""
    r, c = RANKING, constant
    prior = f"{c('prior', r.prior_mean * r.prior_weight)}"
    rating = f"(({prior} + rating_sum) / ({c('prior_weight', float(r.prior_weight))} + rating_count))"
    price = (
        f"((rate_cents - {c('min_rate', float(MIN_RATE))}) / {c('rate_span', float(MAX_RATE - MIN_RATE))})"
    )
    return f"({c('rating', r.rating)} * (5.0 - {rating}) / 4.0 + {c('price', r.price)} * {price})"


STATIC_COST_SQL = _static_cost_sql()
#: The same with its weights as bound parameters: PostgreSQL then computes it in floating
#: point (its literals are numeric, which is several times slower) where no index is involved.
_WEIGHTS: dict[str, object] = {}


def _weight(name: str, value: float) -> str:
    _WEIGHTS[f"w_{name}"] = value
    return f":w_{name}"


_STATIC_COST_FLOAT_SQL = _static_cost_sql(_weight)
#: The flat-earth distance (km²) from the place: within a fraction of a percent of the great
#: circle over a city.
_FLAT = f"(((lat - :plat) * {KM_PER_DEGREE!r}) * ((lat - :plat) * {KM_PER_DEGREE!r}) + "
_FLAT += "((lon - :plon) * :kx) * ((lon - :plon) * :kx))"
#: The helper's radius (plus slack) reaches the place (1 % + 50 m of margin keep every helper
#: who reaches it; Python checks exactly).
_REACH = f" AND {_FLAT} <= ((radius_km + :slack) * 1.01 + 0.05) * ((radius_km + :slack) * 1.01 + 0.05)"
#: The distance cost there still leaves the static cost below the bar (2 % + 20 m of margin),
#: so that only helpers who may beat the bar reach Python.
_ROOM = f"(:bar - {_STATIC_COST_FLOAT_SQL})"
_KM = f"({_ROOM} * {RANKING.distance_scale_km / RANKING.distance * 1.02!r} + 0.02)"
_BELOW_BAR = f" AND ({_ROOM} >= {RANKING.distance!r} OR {_FLAT} <= {_KM} * {_KM})"


def padded(count: int) -> int:
    """The power of two a list of `count` is padded to."""
    return 1 << max(count - 1, 0).bit_length()


def _where(
    category: Category, language: Language, reaching: tuple[Location, float] | None, bar: float | None
) -> Statement:
    params: dict[str, object] = {"category": str(category), "language": str(language)}
    where = "category = :category AND language = :language"
    if reaching is not None:
        place, slack_km = reaching
        params |= {
            "plat": place.lat,
            "plon": place.lon,
            "kx": KM_PER_DEGREE * math.cos(math.radians(place.lat)),
            "slack": slack_km,
        }
        where += _REACH
        if bar is not None:
            where += _BELOW_BAR
            params |= _WEIGHTS | {"bar": bar}
    return where, params


def in_cells(
    category: Category,
    language: Language,
    cells: Sequence[int],
    max_static_cost: float | None,
    reaching: tuple[Location, float] | None,
    bar: float | None,
) -> Statement:
    """The rows of these cells whose static cost is at most max_static_cost: one range of the
    index ix_match_cells_static_cost per cell. More than CHUNK cells (a ring far out, where
    helpers are few) are read as one range from the lowest cell to the highest: more rows,
    but one short statement. (Not a join with a list of cells and a bound per cell: SQLite
    3.40 answered that with a Bloom filter over the expression index, wrongly.)"""
    where, params = _where(category, language, reaching, bar)
    if max_static_cost is not None:
        where += f" AND {STATIC_COST_SQL} <= CAST(:room AS NUMERIC)"
        params["room"] = max_static_cost
    if len(cells) > CHUNK:
        params |= {"first": min(cells), "last": max(cells)}
        return f"{INDEX_COLUMNS_SQL} FROM match_cells WHERE cell BETWEEN :first AND :last AND {where}", params
    wanted = list(cells) + [NO_CELL] * (padded(len(cells)) - len(cells))
    marks = ", ".join(f":c{n}" for n in range(len(wanted)))
    params |= {f"c{n}": int(cell) for n, cell in enumerate(wanted)}
    return f"{INDEX_COLUMNS_SQL} FROM match_cells WHERE cell IN ({marks}) AND {where}", params


def first_look(
    category: Category,
    language: Language,
    district: str,
    cells: Sequence[int],
    per_cell: int,
    reaching: tuple[Location, float] | None,
) -> Statement:
    """In one statement: the helpers who serve the whole district (first column 1), and per
    cell the first `per_cell` rows of the index, the lowest static costs (first column 0)."""
    where, params = _where(category, language, reaching, None)
    wanted = list(cells) + [NO_CELL] * (padded(len(cells)) - len(cells))
    params |= {f"c{n}": int(cell) for n, cell in enumerate(wanted)} | {"district": district}
    parts = [
        "SELECT 1 AS district, helper_id, lat, lon, radius_km, rate_cents, rating_sum, rating_count "
        "FROM match_districts WHERE category = :category AND language = :language AND district = :district"
    ]
    parts += [
        f"SELECT 0, c{n}.* FROM ({INDEX_COLUMNS_SQL} FROM match_cells WHERE cell = :c{n} AND {where} "
        f"ORDER BY {STATIC_COST_SQL} LIMIT {int(per_cell)}) AS c{n}"
        for n in range(len(wanted))
    ]
    return " UNION ALL ".join(parts), params


def by_ids(columns: str, ids: Sequence[int]) -> Statement:
    """Rows of helpers by id."""
    wanted = list(ids) + [NO_CELL] * (padded(len(ids)) - len(ids))
    marks = ", ".join(f":i{n}" for n in range(len(wanted)))
    return f"SELECT {columns} FROM helpers WHERE id IN ({marks})", {
        f"i{n}": int(i) for n, i in enumerate(wanted)
    }


@functools.lru_cache(maxsize=512)
def for_driver(sql: str, dialect: str) -> str:
    """`:name` parameters as the driver wants them. PostgreSQL computes the static cost in
    numeric and uses its index only to compare with numerics, hence CAST(:room AS NUMERIC);
    SQLite uses its index only to compare with a value of no type affinity, hence no cast."""
    if dialect == "sqlite":
        return re.sub(r"CAST\((:[a-z]\w*) AS NUMERIC\)", r"\1", sql)
    return re.sub(r"(?<!:):([a-z]\w*)", r"%(\1)s", sql)
