"""Visit times as helpers type them: "Fr 28.11. 14:30", "morgen um 10 für 2 Stunden", "tomorrow 2pm".

A helper answers the booking prompt in everyday German or English. :func:`parse_proposal` turns that
text into an aware start time in Berlin local time (plus a duration when the text names one);
:func:`parse_minutes` reads a duration on its own.

The text is folded (umlauts → ``ae``/``oe``/``ue``, ``ß`` → ``ss``), lower-cased and then read in
passes. Each pass looks for one kind of thing – dates, time ranges, clock times, durations, day
words, weekdays, parts of the day – and blanks out what it used, so that no later pass reads the
same digits again: "28.11." is taken as a date before anything looks for "11", "14.30 Uhr" as a time
before anything looks for "30 Uhr". Whatever is left (filler such as "ich komme", "am", "um", "at",
"Uhr") is ignored.

Guesses the reader makes, on purpose:

* a bare hour 1..6 without am/pm is in the afternoon ("um 3" → 15:00, "halb 3" → 14:30) – nobody
  books a helper for 3 at night; a leading zero ("05:30") or "morgens"/"früh" keeps it in the morning,
  "abends"/"nachmittags" moves 7..11 into the evening;
* a date or weekday that has already passed means the next one; a time alone means today if it is
  still ahead, else tomorrow;
* the two-letter weekdays (Mo Di Mi Do Fr Sa So) only count directly before a time or a date, and
  "so"/"do" – ordinary words in both languages – only when capitalised or at the very start;
* when a date and a weekday disagree ("Fr 28.11." for a Saturday) the date wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Final

from core.timezone import BERLIN

#: Durations outside this range (minutes) are not believed.
MIN_MINUTES: Final = 15
MAX_MINUTES: Final = 12 * 60
#: A proposed start further ahead than this is refused.
MAX_DAYS_AHEAD: Final = 60
#: Only this much of a message is read; a time proposal is a short text.
MAX_TEXT: Final = 300


@dataclass(frozen=True)
class Proposal:
    """A start time proposed by a helper, with the duration if the text named one."""

    start: datetime
    minutes: int | None


# --- word tables -------------------------------------------------------------------------------------

_FOLD: Final = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ẞ": "SS",
        "’": "'",
        "–": "-",
        "—": "-",
    }
)

_WEEKDAYS: Final = {
    "montag": 0,
    "dienstag": 1,
    "mittwoch": 2,
    "donnerstag": 3,
    "freitag": 4,
    "samstag": 5,
    "sonnabend": 5,
    "sonntag": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_GERMAN_WEEKDAYS: Final = (
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag",
)
#: English abbreviations: unusual enough as words to count anywhere.
_WEEKDAY_ABBREVIATIONS: Final = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
#: German two-letter abbreviations: only directly before a time or a date.
_WEEKDAY_SHORT: Final = {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6}
#: Two-letter abbreviations that are also everyday words ("so um 3", "can you do 14:00").
_WORDLIKE_SHORT: Final = frozenset({"so", "do"})

_RELATIVE_DAYS: Final = {
    "heute": 0,
    "today": 0,
    "tonight": 0,
    "morgen": 1,
    "tomorrow": 1,
    "uebermorgen": 2,
    "day after tomorrow": 2,
}


@dataclass(frozen=True)
class _PartOfDay:
    hour: int
    kind: str  # "am", "pm" or "noon": how a bare hour next to it is read


_MORNING: Final = _PartOfDay(9, "am")
_FORENOON: Final = _PartOfDay(10, "am")
_NOON: Final = _PartOfDay(12, "noon")
_AFTERNOON: Final = _PartOfDay(15, "pm")
_EVENING: Final = _PartOfDay(18, "pm")
_PARTS_OF_DAY: Final = {
    "frueh": _MORNING,
    "morgens": _MORNING,
    "morning": _MORNING,
    "vormittag": _FORENOON,
    "vormittags": _FORENOON,
    "mittag": _NOON,
    "mittags": _NOON,
    "noon": _NOON,
    "nachmittag": _AFTERNOON,
    "nachmittags": _AFTERNOON,
    "afternoon": _AFTERNOON,
    "abend": _EVENING,
    "abends": _EVENING,
    "evening": _EVENING,
    "tonight": _EVENING,
}

_MONTHS: Final = {
    "januar": 1,
    "jaenner": 1,
    "january": 1,
    "jan": 1,
    "februar": 2,
    "february": 2,
    "feb": 2,
    "maerz": 3,
    "march": 3,
    "maer": 3,
    "mrz": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "december": 12,
    "dez": 12,
    "dec": 12,
}

_HOUR_WORDS: Final = {
    "eins": 1,
    "one": 1,
    "zwei": 2,
    "two": 2,
    "drei": 3,
    "three": 3,
    "vier": 4,
    "four": 4,
    "fuenf": 5,
    "five": 5,
    "sechs": 6,
    "six": 6,
    "sieben": 7,
    "seven": 7,
    "acht": 8,
    "eight": 8,
    "neun": 9,
    "nine": 9,
    "zehn": 10,
    "ten": 10,
    "elf": 11,
    "eleven": 11,
    "zwoelf": 12,
    "twelve": 12,
}
#: Words counting hours in a duration ("zwei Stunden", "an hour").
_COUNT_WORDS: Final = {**_HOUR_WORDS, "ein": 1, "eine": 1, "einer": 1, "an": 1, "a": 1}
#: Whole-word durations, in minutes.
_DURATION_PHRASES: Final = {
    "halbe stunde": 30,
    "half an hour": 30,
    "half hour": 30,
    "viertelstunde": 15,
    "viertel stunde": 15,
    "quarter of an hour": 15,
    "quarter hour": 15,
    "dreiviertelstunde": 45,
    "dreiviertel stunde": 45,
    "three quarters of an hour": 45,
}
#: "anderthalb Stunden" and friends, in minutes.
_HALF_COUNT_WORDS: Final = {
    "anderthalb": 90,
    "eineinhalb": 90,
    "zweieinhalb": 150,
    "dreieinhalb": 210,
    "viereinhalb": 270,
    "fuenfeinhalb": 330,
}


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so that "sept" wins over "sep"."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# --- regexes (on the folded, lower-cased text) ---------------------------------------------------------

_DE_DAY_WORDS: Final = _alternation(["heute", "morgen", "uebermorgen", *_GERMAN_WEEKDAYS])
#: "Freitagabend" → "Freitag abend".
_DAY_COMPOUND: Final = re.compile(
    rf"\b({_DE_DAY_WORDS})(frueh|morgens?|vormittags?|mittags?|nachmittags?|abends?)\b", re.IGNORECASE
)
#: "heute Morgen", "Freitag morgen": the morning, not tomorrow.
_MORNING_NOUN: Final = re.compile(rf"\b({_DE_DAY_WORDS}) morgen\b", re.IGNORECASE)

#: What may follow a German "am" that is not a.m.: "10 am Freitag", "um 3 am 28.11.".
_GERMAN_AFTER_AM: Final = (
    rf"\d|(?:{_alternation(_WEEKDAY_SHORT)})\b|{_alternation(_WEEKDAYS)}"
    r"|naechst|kommend|wochenende|morgen|heute|uebermorgen|abend|nachmittag|vormittag|mittag"
)
_MERIDIEM: Final = rf"[ap]\.?m(?![a-z])\.?(?!\s*(?:{_GERMAN_AFTER_AM}))"
_HOUR: Final = rf"(?P<h>\d{{1,2}}|{_alternation(_HOUR_WORDS)})"
_HOUR_UNIT: Final = r"(?:stunden|stunde|std|hours|hour|hrs|hr|h)"
_MINUTE_UNIT: Final = r"(?:minuten|minute|minutes|mins|min)"
_MONTH: Final = rf"(?P<mon>{_alternation(_MONTHS)})"

_ISO_DATE: Final = re.compile(r"(?<![\d.])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_DOTTED_DATE_WITH_YEAR: Final = re.compile(
    r"(?<![\d.:])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})(?![\d:])"
)
_DOTTED_DATE: Final = re.compile(r"(?<![\d.:])(?P<d>\d{1,2})\.(?P<m>0?[1-9]|1[0-2])\.(?!\d)")
_SLASH_DATE: Final = re.compile(r"(?<![\d./:])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])")
_DAY_MONTH_DATE: Final = re.compile(
    rf"(?<![\d.:])(?P<d>\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}\b\.?(?:\s*(?P<y>\d{{4}})(?!\d))?"
)
_MONTH_DAY_DATE: Final = re.compile(
    rf"\b{_MONTH}\b\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?!\d|[.:]\d|\s*(?:uhr|h\b|{_MERIDIEM}))(?:,?\s*(?P<y>\d{{4}})(?!\d))?"
)
_DATE_PATTERNS: Final = (
    _ISO_DATE,
    _DOTTED_DATE_WITH_YEAR,
    _DOTTED_DATE,
    _SLASH_DATE,
    _DAY_MONTH_DATE,
    _MONTH_DAY_DATE,
)

#: "9-11 Uhr", "14:00-16:00", "2-4pm", "von 9 bis 11", "between 2 and 4".
_TIME_RANGE: Final = re.compile(
    rf"(?<![\d.:/-])(?P<pre>(?:von|from|zwischen|between)\s+)?"
    rf"(?P<h1>\d{{1,2}})(?:[:.](?P<m1>\d{{2}}))?\s*(?P<mer1>{_MERIDIEM})?\s*(?:uhr\s*)?"
    r"(?P<sep>-|bis|to|until|till|und|and)\s*"
    rf"(?P<h2>\d{{1,2}})(?:[:.](?P<m2>\d{{2}}))?(?!\d)\s*(?:(?P<mer2>{_MERIDIEM})|(?P<uhr>uhr\b|h\b))?"
    rf"(?![\d:/-]|[.,]\d|\s*(?:{_HOUR_UNIT}|{_MINUTE_UNIT})\b)"
)
_COLON_TIME: Final = re.compile(
    rf"(?<![\d.:])(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?!\d)(?:\s*(?P<mer>{_MERIDIEM}))?"
)
_MERIDIEM_TIME: Final = re.compile(rf"(?<![\d.:])(?P<h>\d{{1,2}})\s*(?P<mer>{_MERIDIEM})")
#: "14 Uhr", "14.30 Uhr", "14 Uhr 30".
_UHR_TIME: Final = re.compile(
    r"(?<![\d.:])(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?\s*uhr\b(?:\s*(?P<m2>\d{2})(?![\d.:]|\s*min))?"
)
_HALF_TIME: Final = re.compile(rf"\b(?P<kind>halb|half past)\s+{_HOUR}\b")
_QUARTER_TIME: Final = re.compile(
    rf"\b(?:(?:viertel|quarter)\s+(?P<dir>nach|past|after|vor|to|before)|(?P<tq>drei ?viertel))\s+{_HOUR}\b"
)
_OCLOCK_TIME: Final = re.compile(rf"\b{_HOUR}\s*o'?\s?clock\b")
#: "um 10", "at 3", "gegen zwei": a bare hour after a word that announces a time.
_AT_HOUR: Final = re.compile(
    rf"\b(?:um|at|gegen|around|ab)\s+{_HOUR}\b(?![.:]\d|\s*(?:{_HOUR_UNIT}\b|{_MINUTE_UNIT}\b|uhr|{_MERIDIEM}))"
)
#: "14.30" (a time) or "28.11" (a date): decided by the numbers.
_DOTTED_NUMBERS: Final = re.compile(
    rf"(?<![\d.:])(?P<a>\d{{1,2}})\.(?P<b>\d{{1,2}})(?!\d|\s*(?:{_HOUR_UNIT}|{_MINUTE_UNIT})(?![a-z]))"
)
#: "14h", "14h30" – read as a time only when nothing else is.
_H_TIME: Final = re.compile(r"(?<![\d.:])(?P<h>\d{1,2})h(?P<m>\d{2})?(?![a-z\d])")
#: A bare hour right after the day: "morgen 10", "28.11. 14".
_HOUR_AFTER_DAY: Final = re.compile(
    rf"[\s,]*(?P<h>\d{{1,2}})(?!\d|[.:]\d|\s*(?:{_HOUR_UNIT}|{_MINUTE_UNIT})\b)"
)
#: Words before a number that make it a duration: "ca. 2h", "für 2h".
_DURATION_MARKER: Final = re.compile(
    r"\b(?:fuer|for|ca|circa|etwa|ungefaehr|about|approx|approximately|dauer|dauert|takes?)\.?\s*$"
)

_DURATION_DIGITS: Final = re.compile(
    rf"(?<![\d.:,])(?P<n>\d{{1,2}})(?:[.,](?P<frac>\d{{1,2}})|:(?P<mm>\d{{2}}))?\s*{_HOUR_UNIT}(?![a-z])\.?"
    rf"(?:\s*(?:und|and)?\s*(?P<m>\d{{1,2}})(?!\d)(?:\s*{_MINUTE_UNIT}\b\.?)?)?"
)
_DURATION_MINUTES: Final = re.compile(rf"(?<![\d.:,])(?P<mins>\d{{1,3}})\s*{_MINUTE_UNIT}\b\.?")
_DURATION_WORDS: Final = re.compile(
    rf"\b(?:(?P<phrase>{_alternation(_DURATION_PHRASES)})"
    rf"|(?P<half>{_alternation(_HALF_COUNT_WORDS)})\s*{_HOUR_UNIT}\b"
    rf"|(?P<count>{_alternation(_COUNT_WORDS)})(?P<half1>\s+(?:and a half|einhalb))?\s+{_HOUR_UNIT}\b"
    r"(?P<half2>\s+(?:and a half|und (?:eine )?halbe?))?)"
)
_DURATION_PATTERNS: Final = (_DURATION_DIGITS, _DURATION_MINUTES, _DURATION_WORDS)
_BARE_NUMBER: Final = re.compile(r"\s*(?P<n>\d{1,3})(?:[.,](?P<frac>\d{1,2}))?\s*")

_RELATIVE_DAY: Final = re.compile(rf"\b(?P<w>{_alternation(_RELATIVE_DAYS)})\b")
_OVER_NEXT: Final = r"(?P<over>uebernaechste[nrms]?\s+)?"
_WEEKDAY: Final = re.compile(rf"\b{_OVER_NEXT}(?P<w>{_alternation(_WEEKDAYS)})s?\b")
_WEEKDAY_ABBREVIATION: Final = re.compile(
    rf"\b{_OVER_NEXT}(?P<w>{_alternation(_WEEKDAY_ABBREVIATIONS)})\b\.?"
)
_WEEKDAY_SHORT_FORM: Final = re.compile(rf"\b(?P<w>{_alternation(_WEEKDAY_SHORT)})\b\.?")
#: Between a two-letter weekday and its time or date: "Fr 28.11.", "Mo, 14:00", "Fr den 28.11.".
_SHORT_WEEKDAY_GAP: Final = re.compile(r"[\s,]*(?:den\s+)?")
_PART_OF_DAY: Final = re.compile(rf"\b(?P<p>{_alternation(_PARTS_OF_DAY)})\b")


# --- reading -------------------------------------------------------------------------------------------


class _Invalid(Exception):
    """The text clearly names a date or time, but one that cannot be (31.02., 25:00)."""


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int = 0
    meridiem: str | None = None  # "a" or "p"
    literal: bool = False  # written with a leading zero ("05:30"): no afternoon guess


_DateParts = tuple[int | None, int, int]  # year (None: the next such date), month, day


@dataclass
class _Text:
    """The folded text; every pass blanks out what it used."""

    source: str  # lower-cased, never blanked
    cased: str  # same positions, original case (for "So" versus "so")
    text: str = ""
    starts: set[int] = field(default_factory=set)  # where a time or a date begins

    def __post_init__(self) -> None:
        self.text = self.source

    def find(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        return list(pattern.finditer(self.text))

    def blank(self, match: re.Match[str]) -> None:
        start, end = match.span()
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]


@dataclass
class _Reading:
    date: _DateParts | None = None
    relative: int | None = None
    weekday: int | None = None
    over_next: bool = False
    clock: _Clock | None = None
    until: _Clock | None = None
    part: _PartOfDay | None = None
    minutes: int | None = None
    day_ends: list[int] = field(default_factory=list)


def _fold(text: str) -> _Text:
    cased = " ".join(text[:MAX_TEXT].translate(_FOLD).split())
    cased = _DAY_COMPOUND.sub(r"\1 \2", cased)
    cased = _MORNING_NOUN.sub(r"\1 morgens", cased)
    lowered = cased.lower()
    return _Text(source=lowered, cased=cased if len(cased) == len(lowered) else lowered)


def _hour_value(token: str) -> int:
    return int(token) if token.isdigit() else _HOUR_WORDS[token]


def _hour_before(hour: int) -> int:
    """The hour before ``hour`` on a 12-hour dial: "halb 1" is 12:30."""
    return 12 if hour == 1 else hour - 1


def _meridiem(match: re.Match[str], group: str = "mer") -> str | None:
    found = match.group(group)
    return found[0] if found else None


def _colon_clock(match: re.Match[str]) -> _Clock:
    h = match["h"]
    return _Clock(int(h), int(match["m"]), _meridiem(match), literal=h.startswith("0"))


def _meridiem_clock(match: re.Match[str]) -> _Clock:
    return _Clock(int(match["h"]), 0, _meridiem(match))


def _uhr_clock(match: re.Match[str]) -> _Clock:
    h = match["h"]
    return _Clock(int(h), int(match["m"] or match["m2"] or 0), literal=h.startswith("0"))


def _half_clock(match: re.Match[str]) -> _Clock:
    hour = _hour_value(match["h"])
    return _Clock(_hour_before(hour) if match["kind"] == "halb" else hour, 30)


def _quarter_clock(match: re.Match[str]) -> _Clock:
    hour = _hour_value(match["h"])
    if match["dir"] in ("nach", "past", "after"):
        return _Clock(hour, 15)
    return _Clock(_hour_before(hour), 45)


def _hour_clock(match: re.Match[str]) -> _Clock:
    h = match["h"]
    return _Clock(_hour_value(h), 0, literal=h.startswith("0"))


_TIME_PATTERNS: Final = (
    (_COLON_TIME, _colon_clock),
    (_MERIDIEM_TIME, _meridiem_clock),
    (_UHR_TIME, _uhr_clock),
    (_HALF_TIME, _half_clock),
    (_QUARTER_TIME, _quarter_clock),
    (_OCLOCK_TIME, _hour_clock),
    (_AT_HOUR, _hour_clock),
)


def _date_parts(match: re.Match[str]) -> _DateParts:
    found = match.groupdict()
    day = int(found["d"])
    month = int(found["m"]) if found.get("m") else _MONTHS[found["mon"]]
    year_text = found.get("y")
    year = None if not year_text else int(year_text) + (2000 if len(year_text) == 2 else 0)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise _Invalid
    return year, month, day


def _read_dates(text: _Text, reading: _Reading) -> None:
    for pattern in _DATE_PATTERNS:
        for match in text.find(pattern):
            text.blank(match)
            text.starts.add(match.start())
            if reading.date is None:
                reading.date = _date_parts(match)
                reading.day_ends.append(match.end())


def _after_duration_word(text: _Text, match: re.Match[str]) -> bool:
    return _DURATION_MARKER.search(text.text[: match.start()]) is not None


def _range_clocks(match: re.Match[str]) -> tuple[_Clock, _Clock]:
    h1, h2 = match["h1"], match["h2"]
    end = _Clock(int(h2), int(match["m2"] or 0), _meridiem(match, "mer2"), literal=h2.startswith("0"))
    start_meridiem = _meridiem(match, "mer1")
    if start_meridiem is None and end.meridiem is not None and int(h1) <= 12:
        # "2-4pm" is 14-16, "11-1pm" is 11-13.
        start_meridiem = end.meridiem if int(h1) % 12 <= end.hour % 12 else "a"
    start = _Clock(int(h1), int(match["m1"] or 0), start_meridiem, literal=h1.startswith("0"))
    return start, end


def _is_time_range(text: _Text, match: re.Match[str]) -> bool:
    if _after_duration_word(text, match):
        return False
    if match["sep"] in ("und", "and"):
        return match["pre"] is not None
    marked = any(match[name] for name in ("pre", "m1", "m2", "mer1", "mer2", "uhr"))
    return marked or match["sep"] in ("-", "bis")


def _read_times(text: _Text, reading: _Reading) -> None:
    for match in text.find(_TIME_RANGE):
        if not _is_time_range(text, match):
            continue
        text.blank(match)
        text.starts.add(match.start())
        if reading.clock is None:
            reading.clock, reading.until = _range_clocks(match)
    for pattern, clock_of in _TIME_PATTERNS:
        for match in text.find(pattern):
            text.blank(match)
            text.starts.add(match.start("h"))
            if reading.clock is None:
                reading.clock = clock_of(match)
    _read_dotted_numbers(text, reading)
    if reading.clock is None:
        for match in text.find(_H_TIME):
            if _after_duration_word(text, match):
                continue
            text.blank(match)
            text.starts.add(match.start())
            reading.clock = _Clock(int(match["h"]), int(match["m"] or 0), literal=match["h"].startswith("0"))
            break


def _read_dotted_numbers(text: _Text, reading: _Reading) -> None:
    """ "14.30" is a time (hour ≤ 23, two-digit minutes), "28.11" a date; a second one is a date."""
    for match in text.find(_DOTTED_NUMBERS):
        text.blank(match)
        text.starts.add(match.start())
        a, b = int(match["a"]), int(match["b"])
        could_be_time = len(match["b"]) == 2 and a <= 23 and b <= 59
        if could_be_time and reading.clock is None:
            reading.clock = _Clock(a, b, literal=match["a"].startswith("0"))
        elif 1 <= a <= 31 and 1 <= b <= 12:
            if reading.date is None:
                reading.date = (None, b, a)
                reading.day_ends.append(match.end())
        elif not could_be_time:
            raise _Invalid


def _duration_of(match: re.Match[str]) -> int:
    found = match.groupdict()
    if found.get("phrase"):
        return _DURATION_PHRASES[found["phrase"]]
    if found.get("half"):
        return _HALF_COUNT_WORDS[found["half"]]
    if found.get("count"):
        return _COUNT_WORDS[found["count"]] * 60 + (30 if found["half1"] or found["half2"] else 0)
    if found.get("mins"):
        return int(found["mins"])
    minutes = int(found["n"]) * 60 + int(found["mm"] or 0) + int(found["m"] or 0)
    if found["frac"]:
        minutes += round(float("0." + found["frac"]) * 60)
    return minutes


def _take_duration(text: _Text) -> int | None:
    """The first duration in the text, in minutes (unchecked), blanking every one."""
    found = [match for pattern in _DURATION_PATTERNS for match in text.find(pattern)]
    if not found:
        return None
    for match in found:
        text.blank(match)
    return _duration_of(min(found, key=lambda match: match.start()))


def _short_weekday_counts(text: _Text, match: re.Match[str]) -> bool:
    gap = _SHORT_WEEKDAY_GAP.match(text.source, match.end())
    if gap is None or gap.end() not in text.starts:
        return False
    if match["w"] in _WORDLIKE_SHORT:
        return text.cased[match.start()].isupper() or not text.source[: match.start()].strip()
    return True


def _read_days(text: _Text, reading: _Reading) -> None:
    for match in text.find(_RELATIVE_DAY):
        text.blank(match)
        word = " ".join(match["w"].split())
        if reading.relative is None:
            reading.relative = _RELATIVE_DAYS[word]
            reading.day_ends.append(match.end())
        if word == "tonight" and reading.part is None:
            reading.part = _EVENING
    for pattern, table in ((_WEEKDAY, _WEEKDAYS), (_WEEKDAY_ABBREVIATION, _WEEKDAY_ABBREVIATIONS)):
        for match in text.find(pattern):
            text.blank(match)
            if reading.weekday is None:
                reading.weekday = table[match["w"]]
                reading.over_next = match["over"] is not None
                reading.day_ends.append(match.end())
    for match in text.find(_WEEKDAY_SHORT_FORM):
        if reading.weekday is None and _short_weekday_counts(text, match):
            text.blank(match)
            reading.weekday = _WEEKDAY_SHORT[match["w"]]
            reading.day_ends.append(match.end())
    for match in text.find(_PART_OF_DAY):
        text.blank(match)
        if reading.part is None:
            reading.part = _PARTS_OF_DAY[match["p"]]


def _read_hour_after_day(text: _Text, reading: _Reading) -> None:
    for end in sorted(reading.day_ends):
        match = _HOUR_AFTER_DAY.match(text.text, end)
        if match is not None:
            text.blank(match)
            reading.clock = _hour_clock(match)
            return


def _read(text: _Text) -> _Reading:
    reading = _Reading()
    _read_dates(text, reading)
    _read_times(text, reading)
    reading.minutes = _take_duration(text)
    _read_days(text, reading)
    if reading.clock is None:
        _read_hour_after_day(text, reading)
    return reading


# --- resolving -----------------------------------------------------------------------------------------


def _hour_of(clock: _Clock, kind: str | None) -> int:
    """The 24-hour hour of ``clock``, next to a part of the day of ``kind`` ("am", "pm", "noon")."""
    hour = clock.hour
    if clock.minute > 59:
        raise _Invalid
    if clock.meridiem is not None:
        if not 1 <= hour <= 12:
            raise _Invalid
        return hour % 12 + (12 if clock.meridiem == "p" else 0)
    if hour > 23:
        raise _Invalid
    if clock.literal or kind == "am":
        return hour
    if kind == "pm" and 1 <= hour <= 11:
        return hour + 12
    return hour + 12 if 1 <= hour <= 6 else hour


def _range_minutes(start: int, until: _Clock, kind: str | None) -> int:
    """Minutes from ``start`` (minutes after midnight) to the range's end."""
    end = _hour_of(until, kind) * 60 + until.minute
    if end <= start and until.meridiem is None and until.hour < 12:
        end += 12 * 60  # "5-7 Uhr" is 17-19
    if end <= start:
        end += 24 * 60
    return end - start


def _plausible(minutes: int | None) -> int | None:
    return minutes if minutes is not None and MIN_MINUTES <= minutes <= MAX_MINUTES else None


def _at(day: date, hour: int, minute: int) -> datetime:
    """Berlin wall time on ``day``; a time skipped by the spring DST change moves forward an hour."""
    return (
        datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(UTC).astimezone(BERLIN)
    )


def _start(reading: _Reading, hour: int, minute: int, now: datetime) -> datetime | None:
    today = now.date()
    if reading.date is not None:
        year, month, day = reading.date
        for candidate_year in [year] if year is not None else [today.year, today.year + 1]:
            try:
                start = _at(date(candidate_year, month, day), hour, minute)
            except ValueError:
                continue
            if year is not None or start >= now:
                return start
        return None
    if reading.relative is not None:
        return _at(today + timedelta(days=reading.relative), hour, minute)
    if reading.weekday is not None:
        ahead = (reading.weekday - today.weekday()) % 7 + (7 if reading.over_next else 0)
        start = _at(today + timedelta(days=ahead), hour, minute)
        return start if start > now else _at(today + timedelta(days=ahead + 7), hour, minute)
    start = _at(today, hour, minute)
    return start if start > now else _at(today + timedelta(days=1), hour, minute)


def _proposal(reading: _Reading, now: datetime) -> Proposal | None:
    kind = reading.part.kind if reading.part else None
    clock = reading.clock
    if clock is None:
        if reading.part is None:
            return None
        clock = _Clock(reading.part.hour, literal=True)
    hour = _hour_of(clock, kind)
    minutes = reading.minutes
    if reading.until is not None:
        minutes = _range_minutes(hour * 60 + clock.minute, reading.until, kind)
    start = _start(reading, hour, clock.minute, now)
    if start is None or start < now or start - now > timedelta(days=MAX_DAYS_AHEAD):
        return None
    return Proposal(start=start, minutes=_plausible(minutes))


# --- API -----------------------------------------------------------------------------------------------


def parse_proposal(text: str, now: datetime) -> Proposal | None:
    """None when no date+time can be read, the time is before now, or more than 60 days ahead."""
    local_now = (now if now.tzinfo is not None else now.replace(tzinfo=BERLIN)).astimezone(BERLIN)
    try:
        return _proposal(_read(_fold(text)), local_now)
    except _Invalid:
        return None


def parse_minutes(text: str) -> int | None:
    """A duration alone: "2h", "2 Std", "2 Stunden", "1,5 Stunden", "90 min", "90 Min.", "1.5 hours",
    "1 h 30", "anderthalb Stunden", "halbe Stunde", "half an hour" → minutes;
    only 15..720 accepted, else None.

    A bare number is read as hours up to 12 ("2", "1,5") and as minutes above ("90").
    """
    folded = _fold(text)
    minutes = _take_duration(folded)
    if minutes is None:
        bare = _BARE_NUMBER.fullmatch(folded.source)
        if bare is None:
            return None
        value = int(bare["n"]) + (float("0." + bare["frac"]) if bare["frac"] else 0.0)
        minutes = round(value * 60) if value <= 12 else int(bare["n"]) if not bare["frac"] else None
    return _plausible(minutes)
