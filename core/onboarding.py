"""Helper registration as data: the fields in order, how each answer is read, what is next.

Handlers stay stateless: the draft lives in the database and `next_field` says what to ask,
like a Rasa form's "next missing slot". A crash or restart resumes where the helper was.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from enum import StrEnum
from typing import Final

from core.errors import DomainError
from core.helpers import MAX_RATE, MIN_RATE, Absence
from core.ids import Cents


class Field(StrEnum):
    NAME = "name"
    PHOTO = "photo"
    SKILLS = "skills"
    DETAILS = "details"
    DESCRIPTION = "description"
    RATE = "rate"
    AREA = "area"
    RADIUS = "radius"
    DISTRICTS = "districts"  # only asked when they serve whole districts instead of a radius
    LANGUAGES = "languages"
    REMOTE = "remote"  # do they also help by phone or video (customers anywhere in Berlin)
    DAYS = "days"
    HOURS = "hours"
    ABSENCES = "absences"
    ADULT = "adult"
    TERMS = "terms"


ORDER: Final = tuple(Field)
#: Fields a helper may leave out with a "skip" button.
SKIPPABLE: Final = frozenset({Field.PHOTO, Field.DETAILS, Field.DESCRIPTION, Field.ABSENCES})
#: Fields a helper can edit later from the profile menu (each re-asks its follow-up too).
EDITABLE: Final = (
    Field.NAME,
    Field.PHOTO,
    Field.SKILLS,
    Field.DETAILS,
    Field.DESCRIPTION,
    Field.RATE,
    Field.AREA,
    Field.LANGUAGES,
    Field.REMOTE,
    Field.DAYS,
    Field.ABSENCES,
)
FOLLOW_UP: Final = {Field.AREA: Field.RADIUS, Field.RADIUS: Field.DISTRICTS, Field.DAYS: Field.HOURS}
#: Berlin's twelve districts, in the order the buttons show them.
BEZIRKE: Final = (
    "Mitte",
    "Friedrichshain-Kreuzberg",
    "Pankow",
    "Charlottenburg-Wilmersdorf",
    "Spandau",
    "Steglitz-Zehlendorf",
    "Tempelhof-Schöneberg",
    "Neukölln",
    "Treptow-Köpenick",
    "Marzahn-Hellersdorf",
    "Lichtenberg",
    "Reinickendorf",
)
RADII_KM: Final = (2, 5, 10, 20)
MAX_TEXT: Final = {Field.NAME: 40, Field.DETAILS: 200, Field.DESCRIPTION: 500}


class InvalidAnswer(DomainError):
    """The answer does not fit the field; the key says what is expected."""


class InvalidName(InvalidAnswer):
    key = "onboarding.invalid_name"


class InvalidRate(InvalidAnswer):
    key = "onboarding.invalid_rate"


class InvalidHours(InvalidAnswer):
    key = "onboarding.invalid_hours"


class InvalidAbsence(InvalidAnswer):
    key = "onboarding.invalid_absence"


class TooLong(InvalidAnswer):
    key = "onboarding.too_long"


def next_field(answered: frozenset[str]) -> Field | None:
    """The first field not answered yet, or None when the registration is complete."""
    return next((f for f in ORDER if f not in answered), None)


def read_text(field: Field, text: str) -> str:
    value = re.sub(r"\s+", " ", text).strip()
    if field is Field.NAME and not (len(value) >= 2 and any(c.isalpha() for c in value)):
        raise InvalidName()
    if len(value) > MAX_TEXT.get(field, 500):
        raise TooLong(limit=MAX_TEXT.get(field, 500))
    return value


def read_rate(text: str) -> Cents:
    """ "18", "18,50 €", "€ 18.5" → cents; anything outside 7–30 € is refused."""
    match = re.fullmatch(r"\s*(?:€\s*)?(\d{1,3})(?:[.,](\d{1,2}))?\s*(?:€|eur|euro)?\s*", text, re.IGNORECASE)
    if not match:
        raise InvalidRate(low=MIN_RATE // 100, high=MAX_RATE // 100)
    cents = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if not MIN_RATE <= cents <= MAX_RATE:
        raise InvalidRate(low=MIN_RATE // 100, high=MAX_RATE // 100)
    return Cents(cents)


def read_hours(text: str) -> tuple[time, time]:
    """ "9-17", "09:00 – 18:30", "9 bis 13 Uhr" → (start, end)."""
    cleaned = text.lower().replace("uhr", "").replace("bis", "-").replace("to", "-").replace("–", "-")
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.](\d{2}))?\s*-\s*(\d{1,2})(?:[:.](\d{2}))?\s*", cleaned)
    if not match:
        raise InvalidHours()
    h1, m1, h2, m2 = (int(g or 0) for g in match.groups())
    if not (0 <= h1 <= 23 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60):
        raise InvalidHours()
    start, end = time(h1, m1), time(23, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        raise InvalidHours()
    return start, end


def read_absence(text: str, today: date) -> Absence:
    """ "24.12.-26.12.", "3.1.2027", "24.12. bis 2.1." → whole days, in the future."""
    dates = re.findall(r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})?", text)
    if not 1 <= len(dates) <= 2:
        raise InvalidAbsence()
    try:
        days = [_day(int(d), int(m), y, today) for d, m, y in dates]
    except ValueError:
        raise InvalidAbsence() from None
    first, last = days[0], days[-1]
    if last < first:
        last = last.replace(year=last.year + 1)
    if last < today or last - first > timedelta(days=366):
        raise InvalidAbsence()
    return Absence(first, last)


def _day(day: int, month: int, year: str, today: date) -> date:
    if year:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    candidate = date(today.year, month, day)
    return candidate if candidate >= today - timedelta(days=1) else candidate.replace(year=today.year + 1)
