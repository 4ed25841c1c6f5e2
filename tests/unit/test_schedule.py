"""Visit times typed by helpers, in German and English, read into Berlin start times and minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.schedule import Proposal, parse_minutes, parse_proposal
from core.timezone import BERLIN

#: Wednesday, 25 November 2026, 10:00 in Berlin.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
#: Same Wednesday, late evening: a time alone now means tomorrow.
LATE = datetime(2026, 11, 25, 23, 30, tzinfo=BERLIN)
#: Saturday before the spring DST change (Sunday 2027-03-28, 02:00 → 03:00), given in UTC.
BEFORE_DST = datetime(2027, 3, 27, 11, 0, tzinfo=UTC)  # 12:00 CET


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "start", "minutes"),
    [
        # time only: today when still ahead, else tomorrow
        ("14:00", at(11, 25, 14), None),
        ("14.30", at(11, 25, 14, 30), None),
        ("14 Uhr", at(11, 25, 14), None),
        ("um 14.30 Uhr", at(11, 25, 14, 30), None),
        ("14h", at(11, 25, 14), None),
        ("2pm", at(11, 25, 14), None),
        ("2:30 pm", at(11, 25, 14, 30), None),
        ("10am", at(11, 26, 10), None),
        ("11 a.m.", at(11, 25, 11), None),
        ("9:00", at(11, 26, 9), None),
        ("halb 3", at(11, 25, 14, 30), None),
        ("halb acht", at(11, 26, 7, 30), None),
        ("viertel nach 10", at(11, 25, 10, 15), None),
        ("viertel vor 10", at(11, 26, 9, 45), None),
        ("quarter past 4", at(11, 25, 16, 15), None),
        ("ich komme um 3", at(11, 25, 15), None),
        ("ich komme so um 3", at(11, 25, 15), None),
        ("I can come at 5", at(11, 25, 17), None),
        ("at three o'clock", at(11, 25, 15), None),
        # relative days and parts of the day
        ("heute 15 Uhr", at(11, 25, 15), None),
        ("heute abend", at(11, 25, 18), None),
        ("this afternoon", at(11, 25, 15), None),
        ("tonight", at(11, 25, 18), None),
        ("morgen um 10", at(11, 26, 10), None),
        ("morgen 10", at(11, 26, 10), None),
        ("morgen früh", at(11, 26, 9), None),
        ("Morgen Vormittag", at(11, 26, 10), None),
        ("morgen nachmittag", at(11, 26, 15), None),
        ("morgen um 7 abends", at(11, 26, 19), None),
        ("übermorgen 9:00", at(11, 27, 9), None),
        ("uebermorgen um 11", at(11, 27, 11), None),
        ("tomorrow 2pm", at(11, 26, 14), None),
        ("tomorrow morning", at(11, 26, 9), None),
        ("tomorrow evening", at(11, 26, 18), None),
        ("day after tomorrow at 11", at(11, 27, 11), None),
        # weekdays
        ("Friday at 10:30", at(11, 27, 10, 30), None),
        ("am Freitag um 14 Uhr für 2 Stunden", at(11, 27, 14), 120),
        ("Freitagabend", at(11, 27, 18), None),
        ("Freitag morgen um 8", at(11, 27, 8), None),
        ("Mittwoch 14 Uhr", at(11, 25, 14), None),
        ("Mittwoch 9 Uhr", at(12, 2, 9), None),
        ("nächsten Montag 9 Uhr", at(11, 30, 9), None),
        ("next Tuesday 11am", at(12, 1, 11), None),
        ("Sonnabend 11 Uhr", at(11, 28, 11), None),
        ("Sunday 3pm", at(11, 29, 15), None),
        ("Thu 16:00", at(11, 26, 16), None),
        ("So 14:00", at(11, 29, 14), None),
        ("Mo, 14:00", at(11, 30, 14), None),
        ("Do 3.12. 9 Uhr", at(12, 3, 9), None),
        ("Sa 10-12", at(11, 28, 10), 120),
        ("I can come on Thursday at 4", at(11, 26, 16), None),
        ("um 10 am Freitag", at(11, 27, 10), None),
        # dates
        ("28.11. 10:00", at(11, 28, 10), None),
        ("28.11 10:00", at(11, 28, 10), None),
        ("28.11.2026 10 Uhr", at(11, 28, 10), None),
        ("28.11.26 10 Uhr", at(11, 28, 10), None),
        ("2026-11-28 10:00", at(11, 28, 10), None),
        ("28/11 10:00", at(11, 28, 10), None),
        ("Nov 28 10am", at(11, 28, 10), None),
        ("28 Nov 10 Uhr", at(11, 28, 10), None),
        ("28. November 14 Uhr", at(11, 28, 14), None),
        ("28th November at 3pm", at(11, 28, 15), None),
        ("December 3rd, 9:30", at(12, 3, 9, 30), None),
        ("5.1. 10 Uhr", at(1, 5, 10, year=2027), None),
        ("24.01. 10:00", at(1, 24, 10, year=2027), None),  # exactly 60 days ahead
        ("28.11. nachmittags", at(11, 28, 15), None),
        # combined, ranges and durations
        ("Fr 28.11. 14:30", at(11, 28, 14, 30), None),
        ("28.11. 9-11 Uhr", at(11, 28, 9), 120),
        ("14-16 Uhr", at(11, 25, 14), 120),
        ("2-4pm", at(11, 25, 14), 120),
        ("11-1pm", at(11, 25, 11), 120),
        ("morgen von 9 bis 12", at(11, 26, 9), 180),
        ("between 2 and 4pm", at(11, 25, 14), 120),
        ("morgen 10:00-11:30", at(11, 26, 10), 90),
        ("morgen 10 Uhr, ca. 2h", at(11, 26, 10), 120),
        ("morgen 14:00 - 1,5 Std", at(11, 26, 14), 90),
        ("morgen 10 Uhr bis 12:30", at(11, 26, 10), 150),
        ("morgen 14 Uhr für anderthalb Stunden", at(11, 26, 14), 90),
        ("Ich komme morgen um 14 Uhr, 90 Min.", at(11, 26, 14), 90),
        ("tomorrow at 2pm for 1.5 hours", at(11, 26, 14), 90),
        ("Friday 10am, about half an hour", at(11, 27, 10), 30),
        ("morgen 14 Uhr für 20 Stunden", at(11, 26, 14), None),  # implausible duration dropped
    ],
)
def test_reads_proposals(text: str, start: datetime, minutes: int | None) -> None:
    assert parse_proposal(text, NOW) == Proposal(start, minutes)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ja",
        "ok",
        "Ja, passt!",
        "vielleicht nächste Woche",
        "maybe next week",
        "morgen",
        "tomorrow",
        "Freitag",
        "28.11.",
        "31.02. 10:00",
        "30.02.2027 10 Uhr",
        "25:00",
        "25 Uhr",
        "14:75",
        "13pm",
        "heute 9:00",
        "today at 8am",
        "20.11. 10 Uhr",  # passed: next year's is too far ahead
        "24.01. 10:30",  # just over 60 days
        "1.3.2027 10 Uhr",
        "2025-12-01 10:00",
        "ich habe 3 Katzen",
        "2 Stunden",
    ],
)
def test_refuses_what_is_not_a_usable_time(text: str) -> None:
    assert parse_proposal(text, NOW) is None


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("14:00", at(11, 26, 14)),
        ("2pm", at(11, 26, 14)),
        ("23:45", at(11, 25, 23, 45)),
        ("morgen 9 Uhr", at(11, 26, 9)),
        ("Mittwoch 14 Uhr", at(12, 2, 14)),
        ("Do 10:00", at(11, 26, 10)),
    ],
)
def test_late_in_the_evening_a_time_alone_is_tomorrow(text: str, start: datetime) -> None:
    assert parse_proposal(text, LATE) == Proposal(start, None)


def test_late_in_the_evening_today_is_over() -> None:
    assert parse_proposal("heute 14:00", LATE) is None


def test_now_in_utc_is_read_in_berlin_time() -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    assert parse_proposal("10:30", now) == Proposal(at(11, 25, 10, 30), None)
    assert parse_proposal("9:30", now) == Proposal(at(11, 26, 9, 30), None)


@pytest.mark.parametrize(
    ("text", "start", "offset_hours"),
    [
        ("14:00", datetime(2027, 3, 27, 14, 0, tzinfo=BERLIN), 1),
        ("morgen 10 Uhr", datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN), 2),
        ("Sonntag 9:00", datetime(2027, 3, 28, 9, 0, tzinfo=BERLIN), 2),
        ("10:00", datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN), 2),
        ("Monday 8am", datetime(2027, 3, 29, 8, 0, tzinfo=BERLIN), 2),
        ("morgen 02:30", datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN), 2),  # skipped hour moves on
    ],
)
def test_across_the_dst_change(text: str, start: datetime, offset_hours: int) -> None:
    proposal = parse_proposal(text, BEFORE_DST)
    assert proposal is not None
    assert proposal.start == start
    assert proposal.start.tzinfo is BERLIN
    assert proposal.start.utcoffset() == timedelta(hours=offset_hours)


def test_start_is_aware_berlin_time() -> None:
    proposal = parse_proposal("morgen 10 Uhr", NOW)
    assert proposal is not None
    assert proposal.start.tzinfo is BERLIN
    assert proposal.start.astimezone(UTC) == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2h", 120),
        ("2 Std", 120),
        ("2 Std.", 120),
        ("2 Stunden", 120),
        ("1,5 Stunden", 90),
        ("1.5 hours", 90),
        ("90 min", 90),
        ("90 Min.", 90),
        ("45 Minuten", 45),
        ("1 h 30", 90),
        ("1h30", 90),
        ("2 Stunden 15 Minuten", 135),
        ("anderthalb Stunden", 90),
        ("eineinhalb Stunden", 90),
        ("halbe Stunde", 30),
        ("eine halbe Stunde", 30),
        ("half an hour", 30),
        ("an hour and a half", 90),
        ("eine Stunde", 60),
        ("two hours", 120),
        ("ca. 3 Stunden", 180),
        ("12h", 720),
        ("2", 120),
        ("90", 90),
    ],
)
def test_reads_durations(text: str, minutes: int) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(
    "text", ["", "ja", "ok", "lange", "10 min", "13h", "13 Stunden", "1000 min", "0", "a while", "weiß nicht"]
)
def test_refuses_implausible_durations(text: str) -> None:
    assert parse_minutes(text) is None
