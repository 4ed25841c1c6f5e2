"""CLDR formatting with Babel: numbers, euros, days, clock times, durations and plural
categories in German (de_DE) and English (en_GB: day before month, 24-hour clock, as in Berlin).

Implements core.texts.Formats, so the catalog in core stays plain Python while the rules
for "2,5 km", "18,50 €" / "€18.50", "Sa., 28. Nov." and "1 Stunde" / "2 hours" are CLDR's.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit

from core.language import Language

LOCALES = {Language.DE: "de_DE", Language.EN: "en_GB"}


@cache
def _locale(lang: Language) -> Locale:
    return Locale.parse(LOCALES[lang])


@cache
def _whole_euros_pattern(lang: Language) -> str:
    """The locale's currency pattern without decimals: "#,##0 ¤" (de), "¤#,##0" (en)."""
    pattern = _locale(lang).currency_formats["standard"].pattern
    return pattern.split(";")[0].replace(".00", "")


class BabelFormats:
    def decimal(self, value: float, lang: Language) -> str:
        """2.5 → "2,5" / "2.5"; 3.0 → "3"."""
        return format_decimal(value, format="#,##0.#", locale=_locale(lang))

    def money(self, cents: int, lang: Language) -> str:
        """Whole euros without decimals ("18 €", "€18"), others with cents ("18,50 €", "€18.50")."""
        if cents % 100 == 0:
            return format_currency(
                cents // 100, "EUR", _whole_euros_pattern(lang), locale=_locale(lang), currency_digits=False
            )
        return format_currency(cents / 100, "EUR", locale=_locale(lang))

    def day(self, day: date, lang: Language) -> str:
        """Weekday, day and month: "Sa., 28. Nov." / "Sat 28 Nov"."""
        return format_skeleton("MMMEd", day, locale=_locale(lang))

    def clock(self, moment: datetime, lang: Language) -> str:
        return format_time(moment, "short", locale=_locale(lang))

    def duration(self, amount: int, unit: str, lang: Language) -> str:
        """Minutes as hours and minutes ("1 Stunde 30 Minuten", "2 hours"); hours and seconds
        as they are ("24 Stunden", "1 second")."""
        if unit != "minute":
            return format_unit(amount, f"duration-{unit}", length="long", locale=_locale(lang))
        hours, minutes = divmod(amount, 60)
        parts = [
            format_unit(n, f"duration-{name}", length="long", locale=_locale(lang))
            for n, name in ((hours, "hour"), (minutes, "minute"))
            if n
        ]
        return " ".join(parts) or format_unit(0, "duration-minute", length="long", locale=_locale(lang))

    def plural(self, count: float, lang: Language) -> str:
        """CLDR plural category: "one" for 1, "other" for 0, 2, 1.5…"""
        number: float = int(count) if float(count).is_integer() else count
        return str(_locale(lang).plural_form(number))
