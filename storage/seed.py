"""Demo helpers all over Berlin: realistic, deterministic (the same N gives the same helpers)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, time

from core.categories import SERVICE_CATEGORIES
from core.geo import Location, PlaceIndex
from core.helpers import Availability, Helper, HelperStatus, WeeklySlot
from core.ids import Cents, HelperId, TelegramUserId
from core.language import Language
from core.ports import UnitOfWork

FIRST_NAMES = (
    "Anna",
    "Ben",
    "Cem",
    "Dilara",
    "Elias",
    "Fatma",
    "Greta",
    "Hannes",
    "Ilka",
    "Jonas",
    "Kerem",
    "Lea",
    "Mehmet",
    "Nora",
    "Oskar",
    "Paula",
    "Quentin",
    "Rania",
    "Sven",
    "Tamara",
    "Umut",
    "Vera",
    "Wiebke",
    "Xaver",
    "Yusuf",
    "Zoe",
    "Aylin",
    "Bogdan",
    "Chiara",
    "Dmytro",
    "Emre",
    "Frieda",
    "Goran",
    "Hoa",
    "Ivana",
    "Jakub",
    "Karla",
    "Luca",
    "Mira",
    "Nikolai",
    "Olga",
    "Pedro",
    "Ronja",
    "Samira",
    "Tobias",
)
#: Brand and product names: they read the same to German and English customers.
SKILL_DETAILS = {
    "phone": ("iPhone", "Samsung Galaxy", "WhatsApp", "Android", "iPad", "Apple Watch"),
    "internet": ("FritzBox", "Speedport", "Vodafone Station", "Mesh", "TP-Link"),
    "tv": ("Sky Q", "MagentaTV", "Fire TV Stick", "Smart-TV", "Sonos"),
    "pc": ("Windows 11", "Mac", "HP", "Canon", "Outlook", "Thunderbird"),
}
DESCRIPTIONS = (
    "Patient and explains every step – happy to help older neighbours.",
    "IT student, quick with routers and phones.",
    "Retired telecom technician; Wi-Fi and TV reception are my thing.",
    "I set up computers and printers for small offices in my Kiez.",
    "Geduldig, erkläre alles Schritt für Schritt.",
    "Ich helfe gern bei Handy, Tablet und Fernseher – auch am Wochenende.",
)
#: Telegram user ids of demo helpers start here, far from real users' ids.
TELEGRAM_ID_BASE = 9_000_000_000


def demo_helpers(count: int, places: PlaceIndex, *, seed: int = 7) -> Iterator[Helper]:
    rng = random.Random(seed)
    postcodes = sorted(places.postcodes)
    for n in range(count):
        centre = places.by_postcode(rng.choice(postcodes)).location
        home = Location(
            round(centre.lat + rng.uniform(-0.01, 0.01), 5), round(centre.lon + rng.uniform(-0.015, 0.015), 5)
        )
        skills = frozenset(rng.sample(SERVICE_CATEGORIES, rng.choice((1, 2, 2, 3, 4))))
        details = ", ".join(rng.choice(SKILL_DETAILS[str(s)]) for s in sorted(skills))
        languages = rng.choice(
            (
                frozenset({Language.DE}),
                frozenset({Language.DE, Language.EN}),
                frozenset({Language.DE, Language.EN}),
                frozenset({Language.EN}),
            )
        )
        days = sorted(rng.sample(range(7), rng.randint(2, 6)))
        start = rng.choice((8, 9, 10, 14, 16))
        slots = tuple(
            WeeklySlot(d, time(start), time(min(start + rng.choice((3, 4, 6, 8)), 22))) for d in days
        )
        count_ratings = rng.choice((0, 0, 1, 3, 8, 15, 40))
        stars = sum(rng.choices((4, 5, 5, 5, 5), k=count_ratings))
        name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {chr(65 + rng.randrange(26))}."
        yield Helper(
            id=HelperId(0),
            telegram_id=TelegramUserId(TELEGRAM_ID_BASE + n),
            name=name,
            skills=skills,
            languages=languages,
            rate=Cents(rng.randrange(7, 31) * 100),
            home=home,
            radius_km=rng.choice((2.0, 3.0, 5.0, 5.0, 8.0, 10.0)),
            availability=Availability(slots),
            status=HelperStatus.PAUSED if rng.random() < 0.05 else HelperStatus.ACTIVE,
            verified=rng.random() < 0.9,
            skill_details=details,
            description=rng.choice(DESCRIPTIONS),
            rating_sum=stars,
            rating_count=count_ratings,
            adult=True,  # demo helpers went through the whole registration
            terms_accepted=True,
            remote=n % 3 == 0,  # a third also help by phone or video (no draw: the rest stays as seeded)
        )


def seed_helpers(
    uow: Callable[[], UnitOfWork],
    places: PlaceIndex,
    count: int,
    *,
    now: datetime,
    progress: Callable[[int], None] = lambda _: None,
    batch: int = 2000,
) -> int:
    """Creates the first `count` demo helpers that do not exist yet; returns how many were added."""
    added = 0
    pending: list[Helper] = []
    for helper in demo_helpers(count, places):
        pending.append(helper)
        if len(pending) == batch:
            added += _store(uow, pending, now)
            pending = []
            progress(added)
    added += _store(uow, pending, now)
    progress(added)
    with uow() as u:  # fresh planner statistics: PostgreSQL needs them after a bulk load
        u.helpers.refresh_statistics()
        u.commit()
    return added


def _store(uow: Callable[[], UnitOfWork], helpers: list[Helper], now: datetime) -> int:
    if not helpers:
        return 0
    with uow() as u:
        known = u.helpers.known_telegram_ids([h.telegram_id for h in helpers])
        new = [h for h in helpers if h.telegram_id not in known]
        u.helpers.add_many(new, now=now)
        u.commit()
    return len(new)
