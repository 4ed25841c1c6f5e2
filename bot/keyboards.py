"""Choices in a Reply → Telegram keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.callbacks import PickCategory, PickLanguage
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
    if Choice.SHARE_LOCATION in reply.choices:
        button = KeyboardButton(catalog.render("button.share_location", lang), request_location=True)
        return ReplyKeyboardMarkup(
            [[button]],
            resize_keyboard=True,
            one_time_keyboard=True,
            input_field_placeholder="10115 / Neukölln",
        )
    return None
