"""Commands and input that work at any point: /start, /help, /language, /cancel, and the rest."""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update

from bot.callbacks import BadButton, PickLanguage
from bot.context import FriendsContext
from bot.handlers.booking import flush
from bot.limits import answer_press, is_repeat
from core.intake import RequestStatus
from core.notices import Choice, Reply
from core.services import booking, intake

log = logging.getLogger(__name__)


async def on_start(update: Update, context: FriendsContext) -> None:
    customer = await context.customer(update)
    replies = [Reply("start.welcome", {"name": customer.name or "👋"})]
    request = await context.call(intake.open_request, customer.id)
    if request is not None and request.status is RequestStatus.AWAITING_LOCATION:
        replies.append(
            Reply("start.resume_location", {"category": str(request.category)}, (Choice.SHARE_LOCATION,))
        )
    elif request is not None and request.status is RequestStatus.SEARCHING:
        params = {"category": str(request.category), "place": request.place_label or ""}
        replies.append(Reply("start.resume_searching", params))
    await context.send(customer, replies)
    await context.call(booking.jobs, customer.telegram_id, now=context.services.now(), quiet=True)
    await flush(context)


async def on_help(update: Update, context: FriendsContext) -> None:
    await context.send(await context.customer(update), [Reply("help.text")])


async def on_cancel(update: Update, context: FriendsContext) -> None:
    customer = await context.customer(update)
    await context.send(customer, [await context.call(intake.cancel, customer.id, now=context.services.now())])


async def on_language(update: Update, context: FriendsContext) -> None:
    await context.send(
        await context.customer(update), [Reply("language.choose", choices=(Choice.LANGUAGES,))]
    )


async def on_pick_language(update: Update, context: FriendsContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    customer = await context.customer(update)
    try:
        pick = PickLanguage.parse(query.data)
    except BadButton:
        await answer_press(query, context.text(customer, "button_press.unknown"), show_alert=True)
        return
    reply = await context.call(intake.set_language, customer.id, pick.language)
    await answer_press(query)
    await context.edit(query, replace(customer, language=pick.language), reply)  # "Which language?" → "OK, …"


async def on_unknown_command(update: Update, context: FriendsContext) -> None:
    await context.send(await context.customer(update), [Reply("input.unknown_command")])


async def on_not_text(update: Update, context: FriendsContext) -> None:
    """Stickers, photos without caption, voice notes, files, contacts, polls…"""
    await context.send(await context.customer(update), [Reply("input.not_text")])


async def on_edited(update: Update, context: FriendsContext) -> None:
    await context.send(await context.customer(update), [Reply("input.edited")])


async def on_unknown_button(update: Update, context: FriendsContext) -> None:
    """Stale or forged callback data: answer politely, change nothing."""
    query = update.callback_query
    assert query is not None
    customer = await context.customer(update)
    await answer_press(query, context.text(customer, "button_press.unknown"), show_alert=True)


async def on_error(update: object, context: FriendsContext) -> None:
    """The unexpected: logged once with context, answered with an apology. A repeated tap on a
    keyboard that already changed is no error: nothing more to do."""
    update_id = getattr(update, "update_id", None)
    if is_repeat(context.error):
        log.debug("update %s: a repeated tap, the message already shows its answer", update_id)
        return
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_user is None or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        await context.send(await context.customer(update), [Reply("error.generic")])
    except Exception:  # the apology itself failed (blocked bot, network): already logged above
        log.warning("could not apologise for update %s", update_id, exc_info=True)
