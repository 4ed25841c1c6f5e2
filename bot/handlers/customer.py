"""A customer describes a problem, corrects its category and says where help is needed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from telegram import Update

from bot import dialogue
from bot.callbacks import BadButton, PickCategory, PickHelper, RequestButton
from bot.context import FriendsContext
from bot.handlers import booking, helper
from bot.keyboards import categories_markup
from bot.limits import answer_press
from bot.metrics import RASA_SECONDS
from core.errors import DomainError, NotInBerlin
from core.geo import Location
from core.intake import has_words
from core.notices import Choice, Reply
from core.onboarding import Field
from core.services import booking as booking_service
from core.services import intake, matching
from core.services.onboarding import Answer
from gateways.rasa_client import RasaUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


async def patiently(context: FriendsContext, call: Awaitable[T]) -> T:
    """Rasa's answer, or TimeoutError when it does not come within the patience (only this
    customer waits: other chats go on). Wrap it in `context.typing` to show "typing…"."""
    with RASA_SECONDS.time():
        return await asyncio.wait_for(call, context.services.rasa_patience_s)


async def on_text(update: Update, context: FriendsContext) -> None:
    """Free text: a place while we wait for one, otherwise a problem for Rasa."""
    message = update.effective_message
    assert message is not None
    text = message.text or message.caption or ""
    customer = await context.customer(update)
    field = await context.awaited_field(customer)
    if field is not None:  # a helper filling in their profile
        try:
            given = (
                await helper.answers_place(update, context, text)
                if field is Field.AREA
                else Answer(text=text)
            )
        except DomainError as err:
            await context.send(customer, [Reply(err.key, err.params)])
            return
        await helper.answer(update, context, given)
        return
    if await booking.answered_prompt(update, context, text) or await booking.relayed(update, context):
        return
    if not has_words(text):
        await context.send(customer, [Reply("input.no_words")])
        return
    customer = await dialogue.follow_language(context, customer, text)
    try:
        async with context.typing(customer):
            replies = await patiently(context, dialogue.answer(context, customer, text))
    except DomainError as err:
        await context.send(customer, [Reply(err.key, err.params, choices=(Choice.SHARE_LOCATION,))])
        return
    except RasaUnavailable:
        log.warning("Rasa unavailable for customer %s", customer.id, exc_info=True)
        replies = [Reply("error.nlu_down")]
    except TimeoutError:
        log.warning("Rasa did not answer customer %s in time", customer.id)
        replies = [Reply("error.nlu_slow")]
    await context.send(customer, replies)


async def on_location(update: Update, context: FriendsContext) -> None:
    """A shared Telegram location."""
    message = update.effective_message
    assert message is not None and message.location is not None
    customer = await context.customer(update)
    if await context.awaited_field(customer) is Field.AREA:
        try:
            await helper.answer(update, context, await helper.answers_place(update, context, None))
        except DomainError as err:
            await context.send(
                customer,
                [Reply("location.outside_berlin_shared" if isinstance(err, NotInBerlin) else err.key)],
            )
        return
    services = context.services
    if not await context.awaits_place(customer) and await booking.relayed(update, context):
        return
    try:
        place = services.places.locate(Location(message.location.latitude, message.location.longitude))
        replies = await context.call(intake.set_place, customer.id, place, now=services.now())
    except NotInBerlin:
        replies = [Reply("location.outside_berlin_shared", choices=(Choice.SHARE_LOCATION,))]
    except DomainError as err:
        replies = [Reply(err.key, err.params)]
    await context.send(customer, replies)


async def on_media(update: Update, context: FriendsContext) -> None:
    """Voice notes, videos, documents, stickers: for the other side of a booking, else refused."""
    if not await booking.relayed(update, context):
        await context.send(await context.customer(update), [Reply("input.not_text")])


async def on_pick_category(update: Update, context: FriendsContext) -> None:
    """The customer tapped a category button (pick after a vague message, or correction)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    customer = await context.customer(update)
    every = PickCategory.asks_all(query.data)
    if every is not None:  # "something else": all four areas
        await answer_press(query)
        await query.edit_message_reply_markup(
            categories_markup(every, customer.language, context.services.catalog)
        )
        return
    try:
        pick = PickCategory.parse(query.data)
        replies = await context.call(
            intake.choose_category, customer.id, pick.request_id, pick.category, now=context.services.now()
        )
    except (BadButton, DomainError) as err:
        await answer_press(query, context.text(customer, _refusal(err)), show_alert=True)
        return
    await answer_press(query)
    await query.edit_message_reply_markup(None)
    await context.send(customer, replies)


async def on_pick_helper(update: Update, context: FriendsContext) -> None:
    """The customer chose the helper of a card."""
    query = update.callback_query
    assert query is not None and query.data is not None
    customer = await context.customer(update)
    try:
        pick = PickHelper.parse(query.data)
        await context.call(
            booking_service.offer,
            customer.id,
            pick.request_id,
            pick.helper_id,
            now=context.services.now(),
            policy=context.services.policy,
        )
    except (BadButton, DomainError) as err:
        params = err.params if isinstance(err, DomainError) else {}
        await answer_press(query, context.text(customer, _refusal(err), **params), show_alert=True)
        return
    await answer_press(query)
    await booking.flush(context)


async def on_request_button(update: Update, context: FriendsContext) -> None:
    """More helpers, change the request, tell me when someone is available, or remote help."""
    query = update.callback_query
    assert query is not None and query.data is not None
    customer = await context.customer(update)
    try:
        button = RequestButton.parse(query.data)
        now = context.services.now()
        if button.action == "mh":
            replies = await context.call(
                matching.offer_helpers, customer.id, button.request_id, now=now, more=True
            )
        elif button.action == "ntf":
            replies = await context.call(matching.notify_me, customer.id, button.request_id, now=now)
        elif button.action in {"rem", "ons"}:  # remote help, or at my place after all
            replies = await context.call(
                matching.choose_mode, customer.id, button.request_id, remote=button.action == "rem", now=now
            )
        else:
            replies = await context.call(intake.change_request, customer.id, button.request_id, now=now)
    except (BadButton, DomainError) as err:
        await answer_press(query, context.text(customer, _refusal(err)), show_alert=True)
        return
    await answer_press(query)
    await query.edit_message_reply_markup(None)
    await context.send(customer, replies)


def _refusal(err: Exception) -> str:
    return err.key if isinstance(err, DomainError) else "button_press.unknown"
