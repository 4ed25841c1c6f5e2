"""Choices in a Reply → Telegram keyboards."""

from __future__ import annotations

from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.callbacks import (
    BookingButton,
    HelperButton,
    PickCategory,
    PickHelper,
    PickLanguage,
    PrivacyButton,
    RequestButton,
)
from core.booking import Step, StepChoice
from core.categories import SERVICE_CATEGORIES
from core.language import Language
from core.notices import Choice, Reply
from core.onboarding import BEZIRKE, EDITABLE, RADII_KM
from core.texts import Catalog

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


def _button(
    catalog: Catalog, lang: Language, label_key: str, action: str, value: str, tick: bool = False
) -> InlineKeyboardButton:
    label = catalog.render(label_key, lang)
    return InlineKeyboardButton(
        f"✅ {label}" if tick else label, callback_data=HelperButton(action, value).encode()
    )


def onboarding_markup(reply: Reply, lang: Language, catalog: Catalog) -> Markup | None:
    """The buttons of the registration field being asked (toggles get a tick when chosen)."""
    field = str(reply.params.get("field"))
    selected = set(str(reply.params.get("selected", "")).split(","))
    options = {
        "skills": [(f"button.{c}", str(c)) for c in SERVICE_CATEGORIES],
        "languages": [(f"button.{lg}", str(lg)) for lg in Language],
        "days": [(f"weekday.d{d}", str(d)) for d in range(7)],
    }
    if field == "districts":
        ticks = [
            InlineKeyboardButton(
                ("✅ " if f"b{i}" in selected else "") + name,
                callback_data=HelperButton("ob", f"b{i}").encode(),
            )
            for i, name in enumerate(BEZIRKE)
        ]
        rows = [ticks[i : i + 2] for i in range(0, len(ticks), 2)]
        return InlineKeyboardMarkup([*rows, [_button(catalog, lang, "button.done", "ob", "done")]])
    if field in options:
        toggles = [
            _button(catalog, lang, key, "ob", value, value in selected) for key, value in options[field]
        ]
        width = 4 if field == "days" else 2
        rows = [toggles[i : i + width] for i in range(0, len(toggles), width)]
        return InlineKeyboardMarkup([*rows, [_button(catalog, lang, "button.done", "ob", "done")]])
    if field == "area":
        location = KeyboardButton(catalog.render("button.share_location", lang), request_location=True)
        return ReplyKeyboardMarkup([[location]], resize_keyboard=True, one_time_keyboard=True)
    if field == "radius":
        radii = [
            InlineKeyboardButton(f"{km} km", callback_data=HelperButton("ob", str(km)).encode())
            for km in RADII_KM
        ]
        return InlineKeyboardMarkup([radii, [_button(catalog, lang, "button.my_district", "ob", "district")]])
    if field == "adult":
        return InlineKeyboardMarkup(
            [
                [
                    _button(catalog, lang, "button.adult_yes", "ob", "yes"),
                    _button(catalog, lang, "button.adult_no", "ob", "no"),
                ]
            ]
        )
    if field == "remote":
        yes = _button(catalog, lang, "button.remote_yes", "ob", "yes")
        return InlineKeyboardMarkup([[yes, _button(catalog, lang, "button.remote_no", "ob", "no")]])
    if field == "terms":
        return InlineKeyboardMarkup([[_button(catalog, lang, "button.accept_terms", "ob", "yes")]])
    if field in {"photo", "details", "description", "absences"}:
        return InlineKeyboardMarkup([[_button(catalog, lang, "button.skip", "ob", "skip")]])
    return None


def profile_markup(reply: Reply, lang: Language, catalog: Catalog) -> Markup:
    edits = [_button(catalog, lang, f"button.edit_{f}", "edit", str(f)) for f in EDITABLE]
    rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
    paused = reply.params.get("status") == "paused"
    rows.append(
        [
            _button(
                catalog,
                lang,
                "button.resume" if paused else "button.pause",
                "pf",
                "resume" if paused else "pause",
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


#: Steps laid out in one row (short labels: durations, stars); the others two to a row.
ONE_ROW: Final = frozenset({Step.DURATION, Step.RATE})


def step_label(choice: StepChoice, reply: Reply, lang: Language, catalog: Catalog) -> str:
    if choice.step is Step.ROUTE:  # "Job #12 · Internet": one button per job
        jobs = dict(job.split(":") for job in str(reply.params.get("jobs", "")).split(",") if ":" in job)
        params = {"id": choice.booking_id or 0, "category": jobs.get(str(choice.booking_id), "none")}
        return catalog.render("button.bk_rt", lang, params)
    valued = choice.step in (Step.DURATION, Step.RATE)
    return catalog.render(f"button.bk_{choice.step}{choice.arg if valued else ''}", lang, reply.params)


def booking_markup(reply: Reply, lang: Language, catalog: Catalog) -> Markup | None:
    """The steps offered in a booking message as buttons, laid out by step."""
    buttons = []
    for choice in reply.steps:
        booking_id = choice.booking_id or reply.booking_id
        if booking_id is None:
            continue
        data = BookingButton(choice.step, booking_id, choice.arg).encode()
        buttons.append(InlineKeyboardButton(step_label(choice, reply, lang, catalog), callback_data=data))
    if not buttons:
        return None
    if all(c.step in ONE_ROW for c in reply.steps):
        return InlineKeyboardMarkup([buttons])
    if any(c.step is Step.ROUTE for c in reply.steps):
        return InlineKeyboardMarkup([[b] for b in buttons])
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def markup_for(reply: Reply, lang: Language, catalog: Catalog) -> Markup | None:
    url = reply.params.get("url")
    if url:  # a payment page or payout onboarding: a link button
        label = catalog.render(f"button.url_{reply.key.rsplit('.', 1)[-1]}", lang, reply.params)
        return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=str(url))]])
    if Choice.PRIVACY in reply.choices:
        actions = [a for a in str(reply.params.get("actions", "")).split(",") if a]
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        catalog.render(f"button.pv_{a}", lang), callback_data=PrivacyButton(a).encode()
                    )
                ]
                for a in actions
            ]
        )
    if reply.steps:
        return booking_markup(reply, lang, catalog)
    if Choice.ONBOARDING in reply.choices:
        return onboarding_markup(reply, lang, catalog)
    if Choice.PROFILE_MENU in reply.choices:
        return profile_markup(reply, lang, catalog)
    if Choice.CATEGORIES in reply.choices and reply.request_id is not None:
        buttons = [
            InlineKeyboardButton(
                catalog.render(f"button.{c}", lang), callback_data=PickCategory(reply.request_id, c).encode()
            )
            for c in SERVICE_CATEGORIES
        ]
        return InlineKeyboardMarkup([buttons[:2], buttons[2:]])
    if Choice.LANGUAGES in reply.choices:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        catalog.render(f"button.{lg}", lang), callback_data=PickLanguage(lg).encode()
                    )
                    for lg in Language
                ]
            ]
        )
    if Choice.PICK_HELPER in reply.choices and reply.request_id is not None and reply.helper_id is not None:
        label = catalog.render("button.pick_helper", lang, {"name": str(reply.params.get("name", ""))})
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        label, callback_data=PickHelper(reply.request_id, reply.helper_id).encode()
                    )
                ]
            ]
        )
    request_actions = (
        ("notify_me", "ntf"),
        ("more_helpers", "mh"),
        ("change_request", "chg"),
        ("remote_help", "rem"),
        ("on_site", "ons"),
    )
    if reply.request_id is not None and any(Choice(a) in reply.choices for a, _ in request_actions):
        row = [
            InlineKeyboardButton(
                catalog.render(f"button.{action}", lang),
                callback_data=RequestButton(code, reply.request_id).encode(),
            )
            for action, code in request_actions
            if Choice(action) in reply.choices
        ]
        return InlineKeyboardMarkup([[button] for button in row] if len(row) > 2 else [row])
    if Choice.SHARE_LOCATION in reply.choices:
        button = KeyboardButton(catalog.render("button.share_location", lang), request_location=True)
        return ReplyKeyboardMarkup(
            [[button]],
            resize_keyboard=True,
            one_time_keyboard=True,
            input_field_placeholder="10115 / Neukölln",
        )
    return None
