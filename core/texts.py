"""Message catalogs (locales/*.toml): render(key, lang, **params) in the person's language."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.categories import Category
from core.language import Language
from core.timezone import BERLIN

#: Parameters whose values are themselves keys of the catalog ({category} → "category.pc").
TRANSLATED_PARAMS = {"category": "category", "remote": "profile"}
WEEKDAYS = {
    Language.DE: ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
    Language.EN: ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = str(value)
    return flat


class Catalog:
    def __init__(
        self,
        messages: Mapping[Language, Mapping[str, str]],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.messages = messages
        self.now = now

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        return cls(
            {lang: _flatten(tomllib.loads((folder / f"{lang}.toml").read_text("utf-8"))) for lang in Language}
        )

    def render(self, key: str, lang: Language, params: Mapping[str, object] | None = None) -> str:
        table = self.messages[lang]
        text = table.get(key) or self.messages[Language.EN].get(key) or table["error.generic"]
        values = {name: self._param(name, value, lang) for name, value in (params or {}).items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError):
            return text

    def category(self, category: Category, lang: Language) -> str:
        return self.render(f"category.{category}", lang)

    def _param(self, name: str, value: object, lang: Language) -> object:
        prefix = TRANSLATED_PARAMS.get(name)
        if prefix:
            return self.render(f"{prefix}.{value}", lang)
        if name == "skills":
            return ", ".join(self.render(f"category.{c}", lang) for c in str(value).split(",") if c)
        if name == "rate" and isinstance(value, int):
            return money(value, lang)
        if name in {"km", "stars"}:
            return str(value).replace(".", ",") if lang is Language.DE else str(value)
        if name == "languages":
            return ", ".join(self.render(f"language.name_{v}", lang) for v in str(value).split(",") if v)
        if name == "days":
            return ", ".join(self.render(f"weekday.d{v}", lang) for v in str(value).split(",") if v) or "–"
        if name == "status":
            return self.render(f"profile.status_{value}", lang)
        if name in {"when", "until", "at"}:
            return self.when(datetime.fromisoformat(str(value)), lang)
        if name in {"duration", "worked", "billed"} and isinstance(value, int):
            return duration(value, lang)
        if name in {"estimate", "hold", "amount", "fee", "share", "extra", "owed"} and isinstance(value, int):
            return money(value, lang)
        if name in {"method", "state"}:
            return self.render(f"{name}.{value}", lang)
        if name == "ratings" and isinstance(value, int):
            one, many = ("Bewertung", "Bewertungen") if lang is Language.DE else ("rating", "ratings")
            return f"{value} {one if value == 1 else many}"
        if name == "urgent":
            return self.render("booking.urgent", lang) if value == "yes" else ""
        return value

    def when(self, moment: datetime, lang: Language) -> str:
        """Berlin time, relative to today: "heute 14:00", "tomorrow 09:30", "Fr 28.11. 10:00"."""
        local, today = moment.astimezone(BERLIN), self.now().astimezone(BERLIN).date()
        clock = local.strftime("%H:%M")
        if local.date() == today:
            return f"{self.render('time.today', lang)} {clock}"
        if local.date() == today + timedelta(days=1):
            return f"{self.render('time.tomorrow', lang)} {clock}"
        day = WEEKDAYS[lang][local.weekday()]
        date = local.strftime("%d.%m.") if lang is Language.DE else local.strftime("%d %b")
        return f"{day} {date} {clock}"


def money(cents: int, lang: Language) -> str:
    """18 € / €18, 18,50 € / €18.50"""
    amount = f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"
    return f"{amount.replace('.', ',')} €" if lang is Language.DE else f"€{amount}"


def duration(minutes: int, lang: Language) -> str:
    """90 → "1 Std. 30 Min." / "1 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    h, m = ("Std.", "Min.") if lang is Language.DE else ("h", "min")
    if not hours:
        return f"{rest} {m}"
    return f"{hours} {h}" + (f" {rest} {m}" if rest else "")
