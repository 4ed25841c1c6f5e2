"""A helper registers step by step, is verified, edits the profile, pauses and resumes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from core.categories import Category
from core.geo import PlaceIndex
from core.helpers import HelperStatus
from core.ids import TelegramUserId
from core.language import Language
from core.onboarding import InvalidHours, InvalidRate, read_absence, read_hours, read_rate
from core.ports import UnitOfWork
from core.services import matching, onboarding
from core.services.onboarding import Answer, ChooseAtLeastOne, WrongKindOfAnswer
from tests.conftest import FrozenClock

Uow = Callable[[], UnitOfWork]
BEN = TelegramUserId(77)


def say(uow: Uow, clock: FrozenClock, **given: object) -> list[str]:
    return [r.key for r in onboarding.answer(uow(), BEN, Answer(**given), now=clock())]  # type: ignore[arg-type]


def register(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> None:
    assert [r.key for r in onboarding.start(uow(), BEN, name="Ben", language=Language.DE, now=clock())] == [
        "onboarding.welcome",
        "onboarding.ask_name",
    ]
    assert say(uow, clock, text="Ben K.") == ["onboarding.ask_photo"]
    assert say(uow, clock, button="skip") == ["onboarding.ask_skills"]
    with pytest.raises(ChooseAtLeastOne):
        say(uow, clock, button="done")
    assert say(uow, clock, button="internet") == ["onboarding.ask_skills"]
    say(uow, clock, button="tv")
    assert say(uow, clock, button="done") == ["onboarding.ask_details"]
    assert say(uow, clock, text="FritzBox, Sky receiver") == ["onboarding.ask_description"]
    assert say(uow, clock, text="Rentner, geduldig") == ["onboarding.ask_rate"]
    with pytest.raises(InvalidRate):
        say(uow, clock, text="45")
    assert say(uow, clock, text="18,50") == ["onboarding.ask_area"]
    with pytest.raises(WrongKindOfAnswer):
        say(uow, clock, text="irgendwo")
    assert say(uow, clock, place=places.by_postcode("12047")) == ["onboarding.ask_radius"]
    assert say(uow, clock, button="5") == ["onboarding.ask_languages"]
    say(uow, clock, button="en")
    assert say(uow, clock, button="done") == ["onboarding.ask_remote"]
    assert say(uow, clock, button="yes") == ["onboarding.ask_days"]
    for day in ("0", "2", "4"):
        say(uow, clock, button=day)
    assert say(uow, clock, button="done") == ["onboarding.ask_hours"]
    with pytest.raises(InvalidHours):
        say(uow, clock, text="17-9")
    assert say(uow, clock, text="9-17 Uhr") == ["onboarding.ask_absences"]
    assert say(uow, clock, button="skip") == ["onboarding.ask_adult"]
    assert say(uow, clock, button="yes") == ["onboarding.ask_terms"]
    assert say(uow, clock, button="yes") == ["onboarding.complete", "profile.card"]


def test_registration_asks_every_field_and_stores_the_profile(
    uow: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    register(uow, clock, places)
    with uow() as u:
        ben = u.helpers.by_telegram_id(BEN)
    assert ben is not None and ben.status is HelperStatus.ACTIVE and not ben.verified
    assert ben.skills == {Category.INTERNET, Category.TV} and ben.languages == {Language.DE, Language.EN}
    assert ben.remote
    assert ben.rate == 1850 and ben.radius_km == 5.0 and ben.skill_details == "FritzBox, Sky receiver"
    assert [s.weekday for s in ben.availability.slots] == [0, 2, 4]
    assert all(f"{s.start:%H:%M}-{s.end:%H:%M}" == "09:00-17:00" for s in ben.availability.slots)
    assert ben.adult and ben.terms_accepted


def test_unverified_helpers_are_not_offered_until_support_verifies(
    uow: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    register(uow, clock, places)
    place = places.by_postcode("12047")
    found, _ = matching.propose(uow(), category=Category.TV, language=Language.EN, place=place, now=clock())
    assert found == []
    with uow() as u:
        ben = u.helpers.by_telegram_id(BEN)
    assert ben is not None
    matching.verify_helper(uow(), ben.id, now=clock())
    found, _ = matching.propose(uow(), category=Category.TV, language=Language.EN, place=place, now=clock())
    assert [c.helper.name for c in found] == ["Ben K."]
    onboarding.set_paused(uow(), BEN, True, now=clock())
    assert (
        matching.propose(uow(), category=Category.TV, language=Language.EN, place=place, now=clock())[0] == []
    )
    onboarding.set_paused(uow(), BEN, False, now=clock())
    assert matching.propose(uow(), category=Category.TV, language=Language.EN, place=place, now=clock())[0]


def test_a_field_is_edited_from_the_profile_menu(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> None:
    register(uow, clock, places)
    assert [r.key for r in onboarding.edit(uow(), BEN, onboarding.Field.AREA, now=clock())] == [
        "onboarding.ask_area"
    ]
    assert say(uow, clock, place=places.by_postcode("10437")) == ["onboarding.ask_radius"]
    assert say(uow, clock, button="district") == ["onboarding.ask_districts"]
    say(uow, clock, button="b7")  # Neukölln besides Pankow, which is ticked already
    assert say(uow, clock, button="done") == ["profile.saved", "profile.card"]
    with uow() as u:
        ben = u.helpers.by_telegram_id(BEN)
    assert ben is not None and ben.districts == {"Pankow", "Neukölln"} and ben.radius_km == 0
    assert not onboarding.awaits_answer(uow(), BEN)


def test_under_18_cannot_register(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> None:
    onboarding.start(uow(), BEN, name="Kid", language=Language.DE, now=clock())
    for given in (
        {"text": "Kid"},
        {"button": "skip"},
        {"button": "pc"},
        {"button": "done"},
        {"button": "skip"},
        {"button": "skip"},
        {"text": "10"},
        {"place": places.by_postcode("10115")},
        {"button": "2"},
        {"button": "done"},
        {"button": "no"},  # on site only
        {"button": "1"},
        {"button": "done"},
        {"text": "15-18"},
        {"button": "skip"},
    ):
        say(uow, clock, **given)
    assert say(uow, clock, button="no") == ["onboarding.under_18"]
    with uow() as u:
        kid = u.helpers.by_telegram_id(BEN)
    assert kid is not None and kid.status is HelperStatus.REGISTERING and not kid.adult


@pytest.mark.parametrize(("text", "cents"), [("18", 1800), ("18,50 €", 1850), ("€ 7", 700), ("30.00", 3000)])
def test_rates_people_type(text: str, cents: int) -> None:
    assert read_rate(text) == cents


@pytest.mark.parametrize("text", ["6,99", "31", "zwanzig", "", "-10"])
def test_rates_outside_7_to_30_euros_are_refused(text: str) -> None:
    with pytest.raises(InvalidRate):
        read_rate(text)


def test_hours_and_absences_people_type() -> None:
    assert [f"{t:%H:%M}" for t in read_hours("09:30 – 18 Uhr")] == ["09:30", "18:00"]
    absence = read_absence("24.12.-2.1.", date(2026, 11, 25))
    assert (absence.first_day, absence.last_day) == (date(2026, 12, 24), date(2027, 1, 2))
