"""Places in Berlin: postcodes, districts, localities and the names people type.

The index is built from the shipped tables in ``data/berlin`` (handed in as rows by the
composition root); no geocoding service is asked at run time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from core.errors import NotInBerlin, UnknownPlace

EARTH_RADIUS_KM: Final = 6371.0
#: A shared location counts as Berlin when its nearest postcode centre is this close.
MAX_KM_FROM_POSTCODE_CENTRE: Final = 4.0
#: Longest text that is still read as a place name rather than a sentence.
MAX_PLACE_WORDS: Final = 6

#: Grid for the matching index: cells of 0.01° (about 1.1 km × 0.7 km in Berlin).
CELL_DEGREES: Final = 0.01
KM_PER_DEGREE_LAT: Final = 111.32

_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_DIGITS = re.compile(r"(?<!\d)\d{3,7}(?!\d)")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "'": "", "’": ""})
_NOISE_WORDS: Final = frozenset(
    {"in", "im", "bei", "berlin", "ich", "wohne", "i", "live", "near", "nahe", "am"}
)


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float

    def km_to(self, other: Location) -> float:
        """Great-circle distance (haversine)."""
        p1, p2 = math.radians(self.lat), math.radians(other.lat)
        dp, dl = p2 - p1, math.radians(other.lon - self.lon)
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def cell_of(where: Location) -> int:
    """The grid cell of a coordinate, as one integer (row * 100000 + column)."""
    return math.floor(where.lat / CELL_DEGREES) * 100_000 + math.floor(where.lon / CELL_DEGREES)


def cells_around(where: Location, radius_km: float) -> list[int]:
    """Every grid cell that the square of side 2 × radius_km around `where` touches."""
    return list(cells_near(where, radius_km))


def cells_near(where: Location, radius_km: float) -> dict[int, float]:
    """The cells of `cells_around`, each with a lower bound of the distance (km) from `where`
    to any point inside it: 1 % below the flat-earth distance to the cell's nearest edge, at
    the longitude scale of its poleward edge, which the great circle never undercuts here."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    dlon = radius_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(where.lat)))
    first_row, last_row = (math.floor((where.lat + d) / CELL_DEGREES) for d in (-dlat, dlat))
    first_col, last_col = (math.floor((where.lon + d) / CELL_DEGREES) for d in (-dlon, dlon))
    km_per_degree = EARTH_RADIUS_KM * math.pi / 180
    cols = range(first_col, last_col + 1)
    east_west = [max(c * CELL_DEGREES - where.lon, where.lon - (c + 1) * CELL_DEGREES, 0.0) for c in cols]
    near: dict[int, float] = {}
    for row in range(first_row, last_row + 1):
        south, north = row * CELL_DEGREES, (row + 1) * CELL_DEGREES
        dy = max(south - where.lat, where.lat - north, 0.0) * km_per_degree
        poleward = max(abs(where.lat), abs(south), abs(north))
        x_scale = km_per_degree * math.cos(math.radians(min(poleward, 90.0)))
        base = row * 100_000
        near.update(
            {base + c: 0.99 * math.hypot(d * x_scale, dy) for c, d in zip(cols, east_west, strict=True)}
        )
    return near


@dataclass(frozen=True)
class Place:
    """Where a customer needs help: a label to show, the district, a coordinate."""

    label: str
    district: str
    location: Location
    postcode: str | None = None


def name_key(text: str) -> str:
    """Spelling-insensitive key: case, umlauts (ä/ae/a), hyphens and spaces do not matter."""
    folded = text.casefold().translate(_FOLD)
    folded = folded.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return re.sub(r"[^a-z0-9]", "", folded)


class PlaceIndex:
    """Postcode and name look-ups over the shipped Berlin tables."""

    def __init__(self, postcodes: Mapping[str, Place], names: Mapping[str, Place]) -> None:
        self._postcodes = dict(postcodes)
        self._names = dict(names)

    @classmethod
    def from_rows(
        cls,
        postcodes: Iterable[Mapping[str, str]],
        places: Iterable[Mapping[str, str]],
        aliases: Iterable[Mapping[str, str]] = (),
    ) -> PlaceIndex:
        by_code = {
            r["postcode"]: Place(
                label=f"{r['postcode']} ({r['district']})",
                district=r["district"],
                location=Location(float(r["lat"]), float(r["lon"])),
                postcode=r["postcode"],
            )
            for r in postcodes
        }
        by_name = {
            name_key(r["name"]): Place(
                label=r["name"], district=r["district"], location=Location(float(r["lat"]), float(r["lon"]))
            )
            for r in places
        }
        for r in aliases:
            target = by_name.get(name_key(r["name"]))
            if target is not None:
                by_name.setdefault(name_key(r["alias"]), target)
        return cls(by_code, by_name)

    @property
    def postcodes(self) -> frozenset[str]:
        return frozenset(self._postcodes)

    @property
    def districts(self) -> frozenset[str]:
        return frozenset(p.district for p in self._postcodes.values())

    def by_postcode(self, postcode: str) -> Place:
        place = self._postcodes.get(postcode)
        if place is None:
            raise NotInBerlin(postcode=postcode)
        return place

    def find(self, text: str) -> Place | None:
        """The place a short text names, or None when it does not look like a place at all.

        Raises NotInBerlin for a German postcode outside Berlin and UnknownPlace for a
        number that cannot be a postcode.
        """
        if match := _POSTCODE.search(text):
            return self.by_postcode(match.group(1))
        if _DIGITS.fullmatch(text.strip()):
            raise UnknownPlace(text=text.strip())
        words = [w for w in re.split(r"[\s,.;:!?()/]+", text) if w]
        if not words or len(words) > MAX_PLACE_WORDS:
            return None
        if place := self._names.get(name_key(text)):
            return place
        meaningful = [w for w in words if w.casefold() not in _NOISE_WORDS]
        for size in range(min(3, len(meaningful)), 0, -1):  # longest run of words first
            for start in range(len(meaningful) - size + 1):
                key = name_key(" ".join(meaningful[start : start + size]))
                if key and (place := self._names.get(key)):
                    return place
        return None

    def locate(self, where: Location) -> Place:
        """A shared coordinate → the Berlin postcode area it lies in (nearest centre)."""
        nearest = min(self._postcodes.values(), key=lambda p: p.location.km_to(where), default=None)
        if nearest is None or nearest.location.km_to(where) > MAX_KM_FROM_POSTCODE_CENTRE:
            raise NotInBerlin(postcode="")
        return Place(
            label=nearest.label, district=nearest.district, location=where, postcode=nearest.postcode
        )
