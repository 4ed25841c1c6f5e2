"""Helper registration and profile: one transaction per answer; the draft is the helper row."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time

from core.categories import SERVICE_CATEGORIES, Category
from core.errors import DomainError
from core.geo import Location, Place
from core.helpers import MAX_RATE, MIN_RATE, Availability, Helper, HelperStatus, WeeklySlot
from core.ids import Cents, HelperId, TelegramUserId
from core.language import Language
from core.notices import Choice, Reply
from core.onboarding import (
    BEZIRKE,
    EDITABLE,
    FOLLOW_UP,
    RADII_KM,
    SKIPPABLE,
    Field,
    next_field,
    read_absence,
    read_hours,
    read_rate,
    read_text,
)
from core.ports import UnitOfWork
from core.services import matching
from core.timezone import BERLIN

#: Multi-select fields and their values.
OPTIONS: dict[Field, tuple[str, ...]] = {
    Field.SKILLS: tuple(str(c) for c in SERVICE_CATEGORIES),
    Field.LANGUAGES: tuple(str(lang) for lang in Language),
    Field.DAYS: tuple(str(d) for d in range(7)),
    Field.DISTRICTS: tuple(f"b{i}" for i in range(len(BEZIRKE))),
}


class NotRegistering(DomainError):
    key = "onboarding.not_registering"


class ChooseAtLeastOne(DomainError):
    key = "onboarding.choose_one"


class WrongKindOfAnswer(DomainError):
    key = "onboarding.use_buttons"


@dataclass(frozen=True)
class Answer:
    """What a helper sent: text, a photo, a place, or a button value."""

    text: str | None = None
    photo: str | None = None
    place: Place | None = None
    button: str | None = None


def blank_helper(telegram_id: TelegramUserId, name: str, language: Language) -> Helper:
    return Helper(
        id=HelperId(0),
        telegram_id=telegram_id,
        name=name[:40],
        skills=frozenset(),
        languages=frozenset({language}),
        rate=Cents(0),
        home=Location(0.0, 0.0),
        radius_km=0.0,
        availability=Availability(),
        status=HelperStatus.REGISTERING,
    )


def start(
    uow: UnitOfWork, telegram_id: TelegramUserId, *, name: str, language: Language, now: datetime
) -> list[Reply]:
    """/helper or the deep link: begin (or resume) the registration, or show the profile."""
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        if helper is None:
            helper = uow.helpers.save(blank_helper(telegram_id, name, language), now=now)
            uow.commit()
            return [Reply("onboarding.welcome"), question(helper)]
    if helper.status is HelperStatus.REGISTERING:
        return [Reply("onboarding.resume"), question(helper)]
    return profile_replies(helper)


def current_field(helper: Helper | None) -> Field | None:
    """The field the helper's next input answers, or None when they are not filling in."""
    if helper is None:
        return None
    if helper.editing:
        return Field(helper.editing)
    return next_field(helper.answered) if helper.status is HelperStatus.REGISTERING else None


def awaits_answer(uow: UnitOfWork, telegram_id: TelegramUserId) -> bool:
    return awaited_field(uow, telegram_id) is not None


def awaited_field(uow: UnitOfWork, telegram_id: TelegramUserId) -> Field | None:
    """The registration field this person's next message answers (None: they are a customer now)."""
    with uow:
        return current_field(uow.helpers.by_telegram_id(telegram_id))


def answer(uow: UnitOfWork, telegram_id: TelegramUserId, given: Answer, *, now: datetime) -> list[Reply]:
    """Store one answer (or refuse it with the reason) and ask what comes next."""
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        field = current_field(helper)
        if helper is None or field is None:
            raise NotRegistering()
        if field is Field.ADULT and given.button == "no":
            return [Reply("onboarding.under_18")]  # nothing stored: helpers must be adults
        updated, done = _apply(helper, field, given, now=now)
        if done:
            updated = _advance(updated, field)
        saved = uow.helpers.save(updated, now=now)
        uow.commit()
    if not done or saved.editing or saved.status is HelperStatus.REGISTERING:
        return [question(saved)]  # a tick changed, an edit's follow-up, or the next field
    if field is Field.TERMS:
        return [Reply("onboarding.complete"), *profile_replies(saved)]
    return [Reply("profile.saved"), *profile_replies(saved)]


def edit(uow: UnitOfWork, telegram_id: TelegramUserId, field: Field, *, now: datetime) -> list[Reply]:
    if field not in EDITABLE:
        raise WrongKindOfAnswer()
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        if helper is None or helper.status is HelperStatus.REGISTERING:
            raise NotRegistering()
        saved = uow.helpers.save(replace(helper, editing=str(field)), now=now)
        uow.commit()
    return [question(saved)]


def set_paused(uow: UnitOfWork, telegram_id: TelegramUserId, paused: bool, *, now: datetime) -> list[Reply]:
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        if helper is None or helper.status not in {HelperStatus.ACTIVE, HelperStatus.PAUSED}:
            raise NotRegistering()
        status = HelperStatus.PAUSED if paused else HelperStatus.ACTIVE
        saved = uow.helpers.save(replace(helper, status=status), now=now)
        matching.announce_helper(uow, saved, now=now)
        uow.commit()
    return [Reply("profile.paused" if paused else "profile.resumed"), *profile_replies(saved)]


def profile(uow: UnitOfWork, telegram_id: TelegramUserId) -> list[Reply]:
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        if helper is None or helper.status is HelperStatus.REGISTERING:
            raise NotRegistering()
        owed = uow.ledger.balance(helper.id)
    money = Reply("profile.owed" if owed > 0 else "profile.owes_nothing", {"owed": owed})
    return [*profile_replies(helper), money]


def question(helper: Helper) -> Reply:
    field = current_field(helper)
    assert field is not None
    params: dict[str, str | int] = {"field": str(field)}
    if field in OPTIONS:
        params["selected"] = ",".join(sorted(_selected(helper, field)))
    if field is Field.RATE:
        params.update(low=MIN_RATE // 100, high=MAX_RATE // 100)
    return Reply(f"onboarding.ask_{field}", params, choices=(Choice.ONBOARDING,))


def profile_replies(helper: Helper) -> list[Reply]:
    days = sorted({s.weekday for s in helper.availability.slots})
    first = helper.availability.slots[0] if helper.availability.slots else None
    params: dict[str, str | int] = {
        "name": helper.name,
        "skills": ",".join(sorted(str(s) for s in helper.skills)),
        "details": helper.skill_details or "",
        "description": helper.description or "",
        "rate": helper.rate,
        "radius": "" if helper.districts else f"{helper.radius_km:g}",
        "area": ", ".join(sorted(helper.districts)),
        "languages": ",".join(sorted(str(lang) for lang in helper.languages)),
        "days": ",".join(str(d) for d in days),
        "hours": f"{first.start:%H:%M}–{first.end:%H:%M}" if first else "",
        "remote": "remote_yes" if helper.remote else "remote_no",
        "status": str(helper.status)
        if helper.status is not HelperStatus.ACTIVE or helper.verified
        else "unverified",
    }
    params["photo"] = helper.picture
    return [Reply("profile.card", params, choices=(Choice.PROFILE_MENU,), helper_id=helper.id)]


def _selected(helper: Helper, field: Field) -> set[str]:
    if field is Field.SKILLS:
        return {str(s) for s in helper.skills}
    if field is Field.LANGUAGES:
        return {str(s) for s in helper.languages}
    if field is Field.DISTRICTS:
        return {f"b{i}" for i, name in enumerate(BEZIRKE) if name in helper.districts}
    return {str(s.weekday) for s in helper.availability.slots}


def _advance(helper: Helper, field: Field) -> Helper:
    """Mark a field answered; an edit continues with its follow-up field, then ends."""
    answered = helper.answered | {str(field)}
    follow_up = FOLLOW_UP.get(field)
    if field is Field.RADIUS and helper.radius_km > 0:  # a radius: no district list to ask
        answered, follow_up = answered | {str(Field.DISTRICTS)}, None
    editing = str(follow_up) if helper.editing and follow_up else None
    status = helper.status
    if status is HelperStatus.REGISTERING and next_field(answered) is None:
        status = HelperStatus.ACTIVE
    return replace(helper, answered=answered, editing=editing if helper.editing else None, status=status)


def _apply(helper: Helper, field: Field, given: Answer, *, now: datetime) -> tuple[Helper, bool]:
    """The helper with this answer applied, and whether the field is finished."""
    if given.button == "skip" and field in SKIPPABLE:
        return helper, True
    if field in OPTIONS:
        return _toggle(helper, field, given.button)
    if field is Field.PHOTO:
        if given.photo is None:
            raise WrongKindOfAnswer()
        return replace(helper, photo=given.photo), True
    if field is Field.AREA:
        if given.place is None:
            raise WrongKindOfAnswer()
        district = frozenset({given.place.district})  # kept only if they serve "my district"
        return replace(helper, home=given.place.location, districts=district), True
    if field is Field.RADIUS:
        return _radius(helper, given.button), True
    if field is Field.REMOTE:
        if given.button not in {"yes", "no"}:
            raise WrongKindOfAnswer()
        return replace(helper, remote=given.button == "yes"), True
    if field in {Field.ADULT, Field.TERMS}:
        if given.button not in {"yes", "no"}:
            raise WrongKindOfAnswer()
        if field is Field.ADULT:
            return replace(helper, adult=True), True
        if given.button != "yes":
            raise WrongKindOfAnswer()
        return replace(helper, terms_accepted=True), True
    if given.text is None:
        raise WrongKindOfAnswer()
    if field is Field.RATE:
        return replace(helper, rate=read_rate(given.text)), True
    if field is Field.HOURS:
        start, end = read_hours(given.text)
        slots = tuple(WeeklySlot(s.weekday, start, end) for s in helper.availability.slots)
        return replace(helper, availability=replace(helper.availability, slots=slots)), True
    if field is Field.ABSENCES:
        absence = read_absence(given.text, now.astimezone(BERLIN).date())
        return replace(helper, availability=replace(helper.availability, absences=(absence,))), True
    value = read_text(field, given.text)
    if field is Field.NAME:
        return replace(helper, name=value), True
    if field is Field.DETAILS:
        return replace(helper, skill_details=value), True
    return replace(helper, description=value), True


def _toggle(helper: Helper, field: Field, button: str | None) -> tuple[Helper, bool]:
    if button == "done":
        if not _selected(helper, field):
            raise ChooseAtLeastOne()
        return helper, True
    if button not in OPTIONS[field]:
        raise WrongKindOfAnswer()
    chosen = _selected(helper, field) ^ {button}
    if field is Field.SKILLS:
        return replace(helper, skills=frozenset(Category(c) for c in chosen)), False
    if field is Field.LANGUAGES:
        return replace(helper, languages=frozenset(Language(c) for c in chosen)), False
    if field is Field.DISTRICTS:
        return replace(helper, districts=frozenset(BEZIRKE[int(c[1:])] for c in chosen)), False
    old = {s.weekday: s for s in helper.availability.slots}
    start, end = (
        (helper.availability.slots[0].start, helper.availability.slots[0].end)
        if old
        else (time(0), time(23, 59))
    )
    slots = tuple(old.get(int(d), WeeklySlot(int(d), start, end)) for d in sorted(chosen, key=int))
    return replace(helper, availability=replace(helper.availability, slots=slots)), False


def _radius(helper: Helper, button: str | None) -> Helper:
    if button == "district":  # the district of their place, whatever the distance
        return replace(helper, radius_km=0.0)
    if button is None or not button.isdigit() or int(button) not in RADII_KM:
        raise WrongKindOfAnswer()
    return replace(helper, radius_km=float(button), districts=frozenset())


def helper_of(uow: UnitOfWork, telegram_id: TelegramUserId) -> Helper | None:
    with uow:
        return uow.helpers.by_telegram_id(telegram_id)
