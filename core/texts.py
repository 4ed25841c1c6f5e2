"""Message catalogs (locales/*.toml): render(key, lang, **params) in the person's language.

The words are in the catalogs; numbers, money, times, durations and plural categories come
from a `Formats` (CLDR rules, implemented with Babel in gateways/formats.py and handed in by
the composition root), so this module stays plain Python.

Catalog conventions:
- a message with plural forms is a table `{count = "stars", one = "…", other = "…"}`: the CLDR
  plural category of the parameter named by `count` picks the text;
- a line whose placeholders all render empty is left out (an optional line of a card);
- `defaults` fill parameters a message uses but the caller does not give ({hotlines}).
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from core.categories import Category
from core.language import Language
from core.timezone import BERLIN

#: Parameters whose values name a message of the catalog ({category} → "category.pc"); lists of
#: such codes are comma-separated ({skills} = "pc,tv").
TRANSLATED_PARAMS = {
    "category": "category.{}",
    "category2": "category.{}",
    "method": "method.{}",
    "state": "state.{}",
    "status": "profile.status_{}",
    "skills": "category.{}",
    "languages": "language.name_{}",
    "days": "weekday.d{}",
    "remote": "profile.{}",
}
#: Parameters that are amounts of money in cents.
MONEY_PARAMS = frozenset({"rate", "estimate", "hold", "amount", "fee", "share", "extra", "owed"})
#: Parameters that are lengths of time: minutes, or (by name) hours and seconds.
DURATION_PARAMS = {"duration": "minute", "worked": "minute", "billed": "minute", "minutes": "minute"}
DURATION_PARAMS |= {"hours": "hour", "seconds": "second"}
#: Parameters that are counts of something, rendered by a plural message of the catalog.
COUNTED_PARAMS = {"ratings": "count.ratings"}
#: Parameters that are a moment (ISO 8601), rendered relative to today in Berlin.
MOMENT_PARAMS = frozenset({"when", "until", "at"})
#: Parameters that are decimal numbers (one decimal at most).
DECIMAL_PARAMS = frozenset({"km", "stars", "radius"})
#: What core passes for "nothing to show" (a rating without a comment).
NOTHING = frozenset({"", "–"})


class Formats(Protocol):
    """CLDR formatting of one language's numbers, money, days, times and plural categories."""

    def decimal(self, value: float, lang: Language) -> str: ...

    def money(self, cents: int, lang: Language) -> str: ...

    def day(self, day: date, lang: Language) -> str: ...

    def clock(self, moment: datetime, lang: Language) -> str: ...

    def duration(self, amount: int, unit: str, lang: Language) -> str: ...

    def plural(self, count: float, lang: Language) -> str: ...


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = str(value)
    return flat


@functools.lru_cache(maxsize=4096)
def placeholders(text: str) -> frozenset[str]:
    """The parameters a template uses (read once per template: rendering is on the hot path)."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field)


class Catalog:
    def __init__(
        self,
        messages: Mapping[Language, Mapping[str, str]],
        formats: Formats,
        *,
        defaults: Mapping[str, object] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.messages = messages
        self.formats = formats
        self.defaults = dict(defaults or {})
        self.now = now

    @classmethod
    def load(cls, folder: Path, formats: Formats, *, defaults: Mapping[str, object] | None = None) -> Catalog:
        return cls(
            {
                lang: _flatten(tomllib.loads((folder / f"{lang}.toml").read_text("utf-8")))
                for lang in Language
            },
            formats,
            defaults=defaults,
        )

    def has(self, key: str, lang: Language) -> bool:
        table = self.messages[lang]
        return key in table or f"{key}.other" in table

    def template(self, key: str, lang: Language, params: Mapping[str, object]) -> str:
        """The message's text in a language (English, then the generic error, when missing);
        for a plural message, the form its count asks for."""
        for table in (self.messages[lang], self.messages[Language.EN]):
            if key in table:
                return table[key]
            if f"{key}.other" in table:
                count = params.get(table.get(f"{key}.count", "count"), 0)
                form = self.formats.plural(_number(count), lang)
                return table.get(f"{key}.{form}") or table[f"{key}.other"]
        return self.messages[lang]["error.generic"]

    def render(self, key: str, lang: Language, params: Mapping[str, object] | None = None) -> str:
        given = {**self.defaults, **(params or {})}
        text = self.template(key, lang, given)
        used = placeholders(text)  # only what the text shows is formatted
        values = {name: self._param(name, value, lang) for name, value in given.items() if name in used}
        lines = [
            line
            for line in text.split("\n")
            if not (fields := placeholders(line)) or any(str(values.get(f, "")) for f in fields)
        ]
        try:
            return "\n".join(lines).format(**values)
        except (KeyError, IndexError, ValueError):
            return text

    def category(self, category: Category, lang: Language) -> str:
        return self.render(f"category.{category}", lang)

    def money(self, cents: int, lang: Language) -> str:
        return self.formats.money(cents, lang)

    def _param(self, name: str, value: object, lang: Language) -> object:
        if value is None or (isinstance(value, str) and value in NOTHING):
            return ""
        if name in TRANSLATED_PARAMS:
            key = TRANSLATED_PARAMS[name]
            return ", ".join(self.render(key.format(code), lang) for code in str(value).split(",") if code)
        if name == "urgent":
            return self.render("booking.urgent", lang) if value == "yes" else ""
        if name in MONEY_PARAMS and isinstance(value, int):
            return self.formats.money(value, lang)
        if name in DURATION_PARAMS and isinstance(value, int):
            return self.formats.duration(value, DURATION_PARAMS[name], lang)
        if name in COUNTED_PARAMS and isinstance(value, int):
            return self.render(COUNTED_PARAMS[name], lang, {"n": value})
        if name in DECIMAL_PARAMS:
            return self.formats.decimal(_number(value), lang)
        if name in MOMENT_PARAMS:
            return self.when(datetime.fromisoformat(str(value)), lang)
        if name == "n" and isinstance(value, int):
            return self.formats.decimal(value, lang)
        return value

    def when(self, moment: datetime, lang: Language) -> str:
        """Berlin time, relative to today: "heute um 14:00 Uhr", "tomorrow at 09:30",
        "Fr., 28. Nov. um 10:00 Uhr"."""
        local, today = moment.astimezone(BERLIN), self.now().astimezone(BERLIN).date()
        if local.date() == today:
            day = self.render("time.today", lang)
        elif local.date() == today + timedelta(days=1):
            day = self.render("time.tomorrow", lang)
        else:
            day = self.formats.day(local.date(), lang)
        return self.render("time.at", lang, {"day": day, "clock": self.formats.clock(local, lang)})


def _number(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def money(cents: int, lang: Language) -> str:
    """Plain euro amounts for the staff console (which has no Formats yet): 18 € / €18."""
    amount = f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"
    return f"{amount.replace('.', ',')} €" if lang is Language.DE else f"€{amount}"
