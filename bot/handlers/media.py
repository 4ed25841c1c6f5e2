"""Photos and voice notes: a helper's profile photo, the other side of a booking, or – at
intake – a photo of the problem, whose text (OCR) is classified together with its caption."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update

from bot import dialogue
from bot.context import FriendsContext
from bot.handlers import booking, helper
from core.intake import Customer, has_words
from core.notices import Reply
from core.onboarding import Field
from core.photos import problem_text
from core.services import photos, support
from core.services.onboarding import Answer
from gateways.rasa_client import RasaUnavailable

log = logging.getLogger(__name__)


async def on_photo(update: Update, context: FriendsContext) -> None:
    """The profile photo while a helper is asked for one, the relay in a booking, else a problem."""
    message = update.effective_message
    assert message is not None and message.photo
    customer = await context.customer(update)
    if await context.awaited_field(customer) is Field.PHOTO:
        await helper.answer(update, context, Answer(photo=message.photo[-1].file_id))
    elif not await booking.relayed(update, context):
        await photo_of_a_problem(context, customer, message)


async def photo_of_a_problem(context: FriendsContext, customer: Customer, message: Message) -> None:
    """Read the photo's text, classify it with the caption like a written problem (Rasa and the
    intake use case), and keep the photo with the request it started, for the helper."""
    services, photo = context.services, message.photo[-1]  # the largest size reads best
    since = services.now()
    try:
        async with context.typing(customer):
            image = await (await context.bot.get_file(photo.file_id)).download_as_bytearray()
            read = await asyncio.to_thread(services.ocr.read, bytes(image))
            text = problem_text(message.caption, read)
            if not has_words(text):
                await context.send(customer, [Reply("input.photo_unreadable")])
                return
            replies, parse = await dialogue.converse(context, customer, text)
    except RasaUnavailable:
        log.warning("Rasa unavailable for customer %s", customer.id, exc_info=True)
        await context.send(customer, [Reply("error.nlu_down")])
        return
    await context.call(support.note_nlu, customer.telegram_id, text, parse.intent, parse.confidence)
    await context.call(
        photos.attach_to_new_request, customer.id, photo.file_id, since=since, now=services.now()
    )
    await context.send(customer, replies)


async def on_voice(update: Update, context: FriendsContext) -> None:
    """A voice note: for the other side of a booking; at intake a kind request for text or a
    photo (no speech model runs here)."""
    if not await booking.relayed(update, context):
        await context.send(await context.customer(update), [Reply("input.voice")])
