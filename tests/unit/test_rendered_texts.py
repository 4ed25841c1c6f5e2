"""Every message of both catalogs, rendered with realistic parameters as a person would read it:
no leftover placeholders, no "1 Sterne" / "2 star", no word twice in a row, no "– –"."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.language import Language
from core.texts import Catalog, placeholders
from friends import wiring

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # a Wednesday, 10:30 in Berlin

#: Realistic values per parameter; a list gives variants (a count of one and of many, a
#: moment today, tomorrow and later, an empty optional part).
SAMPLES: dict[str, list[object]] = {
    "address": ["Weserstraße 12, 3. OG, bei Kaya, 12047 Berlin", "–"],
    "amount": [1875, 700],
    "area": ["Neukölln, Kreuzberg", ""],
    "at": [(NOW + timedelta(minutes=5)).isoformat()],
    "billed": [75, 60],
    "category": ["internet", "pc"],
    "clock": ["14:00"],
    "comment": ["Sehr geduldig, danke!", "–"],
    "day": ["morgen"],
    "days": ["0,2,4", ""],
    "description": ["Mein WLAN bricht ständig ab", ""],
    "details": ["FritzBox, iPhone", ""],
    "district": ["Neukölln"],
    "duration": [90, 60, 120],
    "estimate": [2700],
    "extra": [450],
    "fee": [375, 900],
    "high": [30],
    "hold": [3240],
    "hours": [24, 1],
    "hotlines": ["Telekom 0800 330 1000"],
    "id": [12],
    "km": ["2.5", "1.0"],
    "languages": ["de,en", "de"],
    "limit": [500],
    "low": [7],
    "method": ["card", "cash", "card_offline"],
    "maps": ["https://www.google.com/maps/search/?api=1&query=Weserstra%C3%9Fe+12+12047+Berlin", ""],
    "minimum": [12],
    "minutes": [15, 1],
    "n": [1, 3],
    "name": ["Jonas"],
    "next": ["Lea"],
    "owed": [160],
    "place": ["10245 (Friedrichshain-Kreuzberg)"],
    "postcode": ["12345"],
    "radius": ["5", ""],
    "rate": [1800, 1850],
    "ratings": [1, 12],
    "reason": ["Ausweis geprüft"],
    "remote": ["remote_yes", "remote_no"],
    "refundable": [1200],
    "seconds": [30, 1],
    "share": [1500],
    "since": ["09:12"],
    "skills": ["pc,tv", "phone"],
    "stars": [1, 4, "4.8"],
    "state": ["offered", "paid", "done"],
    "status": ["active", "unverified"],
    "text": ["Hör mal, dieses Piepen"],
    "until": [(NOW + timedelta(minutes=15)).isoformat(), (NOW + timedelta(days=1)).isoformat()],
    "urgent": ["yes", ""],
    "when": [
        (NOW + timedelta(hours=3)).isoformat(),
        (NOW + timedelta(days=1, hours=4)).isoformat(),
        (NOW + timedelta(days=3)).isoformat(),
    ],
    "worked": [67, 1],
}
#: Parameters that mean something else in one message.
OVERRIDES = {"profile.card": {"hours": ["09:00–17:00", ""]}}

PLURAL_NOUNS = {
    Language.DE: ("Sterne", "Stunden", "Minuten", "Sekunden", "Bewertungen", "Tage"),
    Language.EN: ("stars", "hours", "minutes", "seconds", "ratings", "days"),
}
SINGULAR_NOUNS = {
    Language.DE: ("Stern", "Stunde", "Minute", "Sekunde", "Bewertung", "Tag"),
    Language.EN: ("star", "hour", "minute", "second", "rating", "day"),
}


def mistakes(text: str, lang: Language) -> list[str]:
    """What a native reader would stumble over in a rendered message."""
    found = [f"placeholder {m}" for m in re.findall(r"\{[a-z_]*\}", text)]
    plural = "|".join(PLURAL_NOUNS[lang])
    found += [f"plural after 1: {m}" for m in re.findall(rf"(?<![\d.,])\b1 ({plural})\b", text)]
    singular = "|".join(SINGULAR_NOUNS[lang])
    found += [
        f"singular after {n}: {w}" for n, w in re.findall(rf"\b(\d*[02-9]|\d+[.,]\d+) ({singular})\b", text)
    ]
    words = re.findall(r"\w+", re.sub(r"/\w+", "", text.lower()))  # commands aside
    found += [f"repeated word: {a}" for a, b in itertools.pairwise(words) if a == b and not a.isdigit()]
    found += [f"empty part: {m!r}" for m in re.findall(r"–\s*–|\(\s*\)|„\s*“|“\s*”", text)]
    return found


def renderings(catalog: Catalog, key: str, lang: Language) -> Iterator[tuple[dict[str, object], str]]:
    """The message rendered once per variant of each of its parameters (the others at their first)."""
    texts = [v for k, v in catalog.messages[lang].items() if k == key or k.startswith(f"{key}.")]
    names = sorted(set().union(*(placeholders(t) for t in texts)) | _counts(catalog, key))
    samples = {**SAMPLES, **OVERRIDES.get(key, {})}
    missing = [n for n in names if n not in samples]
    assert not missing, f"{key}: no sample value for {missing}; add one to SAMPLES"
    base = {n: samples[n][0] for n in names}
    yield base, catalog.render(key, lang, base)
    for name in names:
        for value in samples[name][1:]:
            params = {**base, name: value}
            yield params, catalog.render(key, lang, params)


def _counts(catalog: Catalog, key: str) -> set[str]:
    return {v for k, v in catalog.messages[Language.EN].items() if k == f"{key}.count"}


def message_keys(catalog: Catalog) -> list[str]:
    """Every message, a plural message once (its forms are one message)."""
    keys = set()
    for key in catalog.messages[Language.EN]:
        stem, _, last = key.rpartition(".")
        keys.add(
            stem
            if last in {"one", "other", "count"} and f"{stem}.other" in catalog.messages[Language.EN]
            else key
        )
    return sorted(keys)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    catalog = wiring.catalog()
    return Catalog(catalog.messages, catalog.formats, defaults=catalog.defaults, now=lambda: NOW)


@pytest.mark.parametrize("lang", list(Language))
def test_every_message_reads_right_with_realistic_parameters(catalog: Catalog, lang: Language) -> None:
    problems = []
    keys = message_keys(catalog)
    assert len(keys) > 300
    for key in keys:
        for params, text in renderings(catalog, key, lang):
            assert text != catalog.messages[lang]["error.generic"] or key == "error.generic", key
            problems += [f"{key} {params}: {m}\n    {text}" for m in mistakes(text, lang)]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_the_mistakes_people_reported() -> None:
    assert mistakes("⏰ Erinnerung: Ben kommt morgen, morgen 14:00 (ca. 2 Std.).", Language.DE)
    assert mistakes("Danke für die 1 Sterne!", Language.DE)
    assert mistakes("Thanks for the 1 stars!", Language.EN)
    assert mistakes("Thanks for the 4 star!", Language.EN)
    assert mistakes("🛠 Handy oder Tablet – –", Language.DE)
    assert mistakes("Hallo {name}!", Language.DE)
    assert not mistakes("Danke für deine Bewertung: 1 Stern. Wie war es mit 4,8 Sternen?", Language.DE)


def test_numbers_money_and_times_follow_each_language(catalog: Catalog) -> None:
    tomorrow = (NOW + timedelta(days=1, hours=4)).isoformat()  # Thursday 14:30 in Berlin
    later = (NOW + timedelta(days=3)).isoformat()
    params = {"name": "Jonas", "when": tomorrow, "duration": 90}
    assert (
        catalog.render("booking.remind_24h_customer", Language.DE, params)
        == "⏰ Erinnerung: Jonas kommt morgen um 14:30 Uhr (ca. 1 Stunde 30 Minuten)."
    )
    assert (
        catalog.render("booking.remind_24h_customer", Language.EN, params)
        == "⏰ Reminder: Jonas is coming tomorrow at 14:30 (about 1 hour 30 minutes)."
    )
    assert catalog.when(datetime.fromisoformat(later), Language.DE) == "Sa., 28. Nov. um 10:30 Uhr"
    assert catalog.when(datetime.fromisoformat(later), Language.EN) == "Sat 28 Nov at 10:30"
    assert [catalog.money(c, Language.DE) for c in (1800, 1850, 123456)] == [
        "18\xa0€",
        "18,50\xa0€",
        "1.234,56\xa0€",
    ]
    assert [catalog.money(c, Language.EN) for c in (1800, 1850, 123456)] == ["€18", "€18.50", "€1,234.56"]
    assert catalog.render("rating.thanks_ask_comment", Language.EN, {"stars": 1}).startswith(
        "Thanks for your rating: 1 star."
    )
    assert catalog.render("rating.thanks_ask_comment", Language.DE, {"stars": 3}).startswith(
        "Danke für deine Bewertung: 3 Sterne."
    )


def test_an_empty_optional_part_leaves_no_dashes(catalog: Catalog) -> None:
    card = catalog.render(
        "match.card",
        Language.DE,
        {
            "name": "Ben",
            "stars": "4.8",
            "ratings": 1,
            "skills": "pc",
            "details": "",
            "rate": 1800,
            "km": "2.5",
            "when": NOW.isoformat(),
        },
    )
    assert card == (
        "👤 Ben · ⭐ 4,8 (1 Bewertung)\n🛠 Computer oder Drucker\n💶 18\xa0€ pro Stunde · 📍 2,5 km entfernt\n"
        "🕐 frei ab heute um 10:30 Uhr"
    )


def test_hotlines_come_from_the_operator_table(catalog: Catalog) -> None:
    for lang in Language:
        text = catalog.render("reply.out_of_scope_operator", lang)
        assert "Telekom 0800 330 1000" in text and "O2 089 78 79 79 400" in text
    assert "0800" not in "".join(catalog.messages[Language.DE].values())
