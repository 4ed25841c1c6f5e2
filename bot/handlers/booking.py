"""Booking steps (buttons), /jobs, the relay between customer and helper, and the answers
the bot waits for (a proposed time, a rating comment, a report)."""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.callbacks import BadButton, BookingButton
from bot.context import FriendsContext
from bot.limits import answer_press
from bot.outbox import drain
from core.booking import AlreadyDone
from core.errors import DomainError
from core.geo import Location
from core.ids import TelegramUserId
from core.notices import Reply
from core.relay import Incoming, MessageKind, PromptKind
from core.schedule import parse_minutes, parse_proposal
from core.services import booking, buttons, payments, relay

log = logging.getLogger(__name__)


async def flush(context: FriendsContext) -> None:
    """Send what the use case queued, right away (the periodic drain is the safety net)."""
    await drain(context.bot, context.services)


async def on_jobs(update: Update, context: FriendsContext) -> None:
    customer = await context.customer(update)
    await context.call(booking.jobs, customer.telegram_id, now=context.services.now())
    await flush(context)


async def on_payouts(update: Update, context: FriendsContext) -> None:
    """/payouts: a helper connects a Stripe account for card payments and sees what they owe."""
    customer = await context.customer(update)
    services = context.services
    try:
        reply = await context.call(
            payments.connect, customer.telegram_id, now=services.now(), payments=services.payments
        )
    except DomainError:
        reply = Reply("helper.not_registered")
    await context.send(customer, [reply])


async def on_booking_button(update: Update, context: FriendsContext) -> None:
    """A booking step pressed: its use case (core.services.buttons), then the buttons are spent."""
    query = update.callback_query
    assert query is not None and query.data is not None
    customer = await context.customer(update)
    services = context.services
    try:
        button = BookingButton.parse(query.data)
        press = buttons.Press(
            TelegramUserId(customer.telegram_id), button.booking_id, button.step, button.arg,
            services.now(), services.policy, services.payments, f"tg:{update.update_id}",
        )  # fmt: skip
        await context.call(buttons.press, press)
    except AlreadyDone as err:
        await answer_press(query, context.text(customer, err.key), show_alert=True)
        await _take_buttons_away(query.message)
        return
    except (BadButton, DomainError) as err:
        key = err.key if isinstance(err, DomainError) else "button_press.unknown"
        params = err.params if isinstance(err, DomainError) else {}
        await answer_press(query, context.text(customer, key, **params), show_alert=True)
        return
    await answer_press(query)
    await _take_buttons_away(query.message)
    await flush(context)


async def _take_buttons_away(message: object) -> None:
    """A step's buttons are spent once used (a second tap would only be refused)."""
    if isinstance(message, Message) and message.reply_markup is not None:
        await message.edit_reply_markup(None)


def incoming(message: Message) -> Incoming | None:
    """What of a message the relay passes on; None for kinds it does not (contacts, polls…)."""
    kinds = (
        (message.text, MessageKind.TEXT, None),
        (message.photo, MessageKind.PHOTO, message.photo[-1].file_id if message.photo else None),
        (message.voice, MessageKind.VOICE, message.voice.file_id if message.voice else None),
        (message.audio, MessageKind.AUDIO, message.audio.file_id if message.audio else None),
        (message.video, MessageKind.VIDEO, message.video.file_id if message.video else None),
        (
            message.video_note,
            MessageKind.VIDEO_NOTE,
            message.video_note.file_id if message.video_note else None,
        ),
        (message.animation, MessageKind.ANIMATION, message.animation.file_id if message.animation else None),
        (message.document, MessageKind.DOCUMENT, message.document.file_id if message.document else None),
        (message.location, MessageKind.LOCATION, None),
        (message.sticker, MessageKind.STICKER, message.sticker.file_id if message.sticker else None),
    )
    for present, kind, file_id in kinds:
        if present:
            reply_to = message.reply_to_message.message_id if message.reply_to_message else None
            return Incoming(
                message.chat_id,
                message.message_id,
                kind,
                message.text or message.caption or "",
                file_id,
                reply_to,
            )
    return None


async def answered_prompt(update: Update, context: FriendsContext, text: str) -> bool:
    """Text the bot waits for in a booking: a proposed time, a duration, a comment, a report."""
    customer = await context.customer(update)
    me, now = TelegramUserId(customer.telegram_id), context.services.now()
    prompt = await context.prompt(customer)
    if prompt is None or prompt.kind is PromptKind.ROUTE:
        return False
    try:
        if prompt.kind is PromptKind.PROPOSE_TIME:
            proposal = parse_proposal(text, now)
            if proposal is None:  # not a time: a message for the customer, and a hint
                await context.call(booking.not_a_time, me, prompt, now=now)
                if not await relayed(update, context):
                    await flush(context)
                return True
            await context.call(
                booking.propose,
                me,
                prompt.booking_id,
                start=proposal.start,
                minutes=proposal.minutes,
                now=now,
            )
        elif prompt.kind is PromptKind.PROPOSE_MINUTES:
            minutes = parse_minutes(text)
            if minutes is None:
                await context.send(customer, [Reply("booking.duration_not_understood")])
                return True
            await context.call(booking.duration_typed, me, prompt, minutes, now=now)
        elif prompt.kind is PromptKind.ADDRESS:
            services = context.services
            taken = await context.call(
                booking.give_address,
                me,
                prompt,
                text,
                now=now,
                places=services.places,
                policy=services.policy,
            )
            if not taken and await relayed(update, context):  # not an address: a message for the helper
                return True
        elif prompt.kind is PromptKind.COMMENT:
            await context.call(booking.comment, me, prompt, text, now=now)
        elif prompt.kind is PromptKind.REPORT:
            await context.call(relay.report, me, prompt, text, now=now)
    except DomainError as err:
        await context.send(customer, [Reply(err.key, err.params)])
    await flush(context)
    return True


async def relayed(update: Update, context: FriendsContext) -> bool:
    """Pass a message to the other side of an open booking; False when there is none."""
    message = update.effective_message
    if message is None or (context.chat is not None and context.chat.relay_tried):
        return False
    given = incoming(message)
    if given is None:
        return False
    if message.location is not None and await context.call(  # a helper arriving: the check-in
        booking.arrived, given.telegram_id, Location(message.location.latitude, message.location.longitude),
        now=context.services.now(),
    ):  # fmt: skip
        await flush(context)
        return True
    if not await context.call(relay.relay, given, now=context.services.now()):
        return False
    await flush(context)
    return True
