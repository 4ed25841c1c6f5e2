"""What Telegram refuses, handled in one place: texts over 4,096 and captions over 1,024
characters (counted in UTF-16 code units, as Telegram counts), and the harmless repeats: the
400 "message is not modified" a repeated tap on an already changed keyboard gets, and the 400
"query is too old" a second answer to the same button press gets."""

from __future__ import annotations

import logging
import math
from typing import Final

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

TEXT_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024

log = logging.getLogger(__name__)


def units(text: str) -> int:
    """Telegram's length of a text: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """The longest start of text within limit, with "…" when cut."""
    if units(text) <= limit:
        return text
    cut = text[: limit - 1]
    while units(cut) > limit - 1:
        cut = cut[:-1]
    return cut + "…"


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most limit units each, cut at a line break or space where there is one."""
    pieces: list[str] = []
    rest = text
    while units(rest) > limit:
        head = rest[:limit]
        while units(head) > limit:
            head = head[:-1]
        cut = max(head.rfind("\n"), head.rfind(" "))
        if cut < limit // 2:  # no good break in the second half: cut hard
            cut = len(head)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [p for p in pieces if p] or [""]


async def answer_press(query: CallbackQuery, text: str | None = None, *, show_alert: bool = False) -> None:
    """Answer a button press. Telegram refuses a second answer to the same press ("query is too
    old … or query ID is invalid"): a press handled again after a restart, or answered late;
    the person's app stopped waiting already, so there is nothing to do."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as error:
        if "query is too old" not in str(error).lower() and "query id is invalid" not in str(error).lower():
            raise
        log.debug("button press %s was answered before or too late", query.id)


def is_repeat(error: object) -> bool:
    """Telegram's answer to an edit that changes nothing: the same button tapped twice."""
    return isinstance(error, BadRequest) and "message is not modified" in str(error).lower()


def refused_at_the_edge(update: Update) -> str | None:
    """Why a private update is not handled at all (None: it is handled). Telegram does not send
    these, but a bad client or a bug upstream could; nothing deeper should have to cope."""
    if update.effective_user is None:
        return "a private message without a sender"
    if update.message is None and update.edited_message is None and update.callback_query is None:
        return "nothing to answer (a chat member change, e.g. the person blocked the bot)"
    message = update.message
    if message is not None and message.location is not None:
        lat, lon = message.location.latitude, message.location.longitude
        if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
            return "a location that is not a place on Earth"
    return None
