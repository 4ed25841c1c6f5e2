"""The command menu Telegram shows beside the text field, in each language of the product."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.error import TelegramError

from bot.context import FriendsContext
from core.language import Language
from core.texts import Catalog

log = logging.getLogger(__name__)

#: In menu order; each has a description "commands.<name>" in both catalogs.
COMMANDS = (
    "start",
    "help",
    "language",
    "cancel",
    "jobs",
    "helper",
    "profile",
    "payouts",
    "privacy",
    "mydata",
    "deletemydata",
)


def menu(catalog: Catalog, lang: Language) -> list[BotCommand]:
    return [BotCommand(name, catalog.render(f"commands.{name}", lang)) for name in COMMANDS]


async def publish_commands(context: FriendsContext) -> None:
    """At start: the menu in German for German-speaking users, in English for everyone else."""
    catalog = context.bot_data["services"].catalog
    try:
        await context.bot.set_my_commands(menu(catalog, Language.EN))
        for lang in Language:
            await context.bot.set_my_commands(menu(catalog, lang), language_code=str(lang))
    except TelegramError:  # the bot works without a menu; the next start tries again
        log.warning("could not publish the command menu", exc_info=True)
