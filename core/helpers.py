"""Helpers (Service Friends): profile, service area, weekly availability, status."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from core.categories import Category
from core.geo import Location, Place
from core.ids import Cents, HelperId, TelegramUserId
from core.language import Language
from core.timezone import BERLIN

MIN_RATE: Final = Cents(700)
MAX_RATE: Final = Cents(3000)
#: The largest service radius a helper can choose.
MAX_RADIUS_KM: Final = 20.0
#: How far ahead the next free time is looked for.
LOOKAHEAD_DAYS: Final = 14


class HelperStatus(StrEnum):
    REGISTERING = "registering"
    ACTIVE = "active"
    PAUSED = "paused"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class WeeklySlot:
    """A recurring time range on a weekday (0 = Monday), in Berlin time."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Absence:
    """A one-off absence, whole days, both ends included."""

    first_day: date
    last_day: date


@dataclass(frozen=True)
class Availability:
    slots: tuple[WeeklySlot, ...] = ()
    absences: tuple[Absence, ...] = ()

    def next_free(self, after: datetime) -> datetime | None:
        """The first moment at or after `after` inside a slot and outside every absence."""
        local = after.astimezone(BERLIN)
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            if any(a.first_day <= day <= a.last_day for a in self.absences):
                continue
            starts = []
            for slot in self.slots:
                if slot.weekday != day.weekday():
                    continue
                begin = datetime.combine(day, slot.start, BERLIN)
                end = datetime.combine(day, slot.end, BERLIN)
                if end > local:
                    starts.append(max(begin, local))
            if starts:
                return min(starts)
        return None


@dataclass(frozen=True)
class Helper:
    id: HelperId
    telegram_id: TelegramUserId
    name: str
    skills: frozenset[Category]
    languages: frozenset[Language]
    rate: Cents
    home: Location
    radius_km: float
    availability: Availability
    status: HelperStatus = HelperStatus.ACTIVE
    verified: bool = False
    districts: frozenset[str] = frozenset()
    skill_details: str = ""
    description: str = ""
    photo: str | None = None
    rating_sum: int = 0
    rating_count: int = 0
    answered: frozenset[str] = frozenset()  # registration fields answered (core.onboarding)
    editing: str | None = None  # the field being edited from the profile menu
    adult: bool = False
    terms_accepted: bool = False
    stripe_account: str | None = None  # a connected (Express) account for card payouts
    payouts_ready: bool = False  # Stripe says the account can receive charges and payouts
    remote: bool = False  # also helps remotely, by phone or a video call with screen sharing

    @property
    def picture(self) -> str:
        """Their photo, or the default: an avatar with their initial (data/avatars)."""
        if self.photo:
            return self.photo
        initial = unicodedata.normalize("NFKD", self.name[:1]).encode("ascii", "ignore").decode().upper()
        return f"avatar:{initial if initial.isalpha() else 'F'}"

    @property
    def matchable(self) -> bool:
        """Only verified, active helpers are ever offered."""
        return self.verified and self.status is HelperStatus.ACTIVE

    def covers(self, place: Place, *, slack_km: float = 0.0) -> bool:
        """The place lies in the helper's radius (plus slack) or in a district they serve."""
        return (
            place.district in self.districts or self.home.km_to(place.location) <= self.radius_km + slack_km
        )
