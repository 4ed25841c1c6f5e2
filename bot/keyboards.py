"""Choices in a Reply → Telegram keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.callbacks import PickCategory, PickHelper, PickLanguage, RequestButton
from bot.texts import Catalog
from core.categories import SERVICE_CATEGORIES
from core.language import Language
from core.notices import Choice, Reply

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


def markup_for(reply: Reply, lang: Language, catalog: Catalog) -> Markup | None:
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
    if Choice.MORE_HELPERS in reply.choices or Choice.CHANGE_REQUEST in reply.choices:
        assert reply.request_id is not None
        row = [
            InlineKeyboardButton(
                catalog.render(f"button.{action}", lang),
                callback_data=RequestButton(code, reply.request_id).encode(),
            )
            for action, code in (("more_helpers", "mh"), ("change_request", "chg"))
            if Choice(action) in reply.choices
        ]
        return InlineKeyboardMarkup([row])
    if Choice.SHARE_LOCATION in reply.choices:
        button = KeyboardButton(catalog.render("button.share_location", lang), request_location=True)
        return ReplyKeyboardMarkup(
            [[button]],
            resize_keyboard=True,
            one_time_keyboard=True,
            input_field_placeholder="10115 / Neukölln",
        )
    return None
