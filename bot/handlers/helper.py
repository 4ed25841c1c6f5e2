"""Helpers register, edit their profile and pause or resume matching, in the same chat."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.callbacks import BadButton, HelperButton
from bot.context import FriendsContext
from bot.keyboards import markup_for
from bot.limits import answer_press
from core.errors import DomainError
from core.geo import Location
from core.ids import TelegramUserId
from core.notices import Reply
from core.onboarding import Field
from core.services import onboarding
from core.services.onboarding import Answer


async def on_helper(update: Update, context: FriendsContext) -> None:
    """/helper (or the deep link t.me/<bot>?start=helper): register, or show the profile."""
    customer = await context.customer(update)
    replies = await context.call(
        onboarding.start,
        customer.telegram_id,
        name=customer.name,
        language=customer.language,
        now=context.services.now(),
    )
    await context.send(customer, replies)


async def on_profile(update: Update, context: FriendsContext) -> None:
    customer = await context.customer(update)
    try:
        replies = await context.call(onboarding.profile, customer.telegram_id)
    except DomainError as err:
        replies = [Reply(err.key)]
    await context.send(customer, replies)


async def answer(update: Update, context: FriendsContext, given: Answer) -> None:
    """One answer to the registration field being asked; a refusal says what is expected."""
    customer = await context.customer(update)
    try:
        replies = await context.call(
            onboarding.answer, customer.telegram_id, given, now=context.services.now()
        )
    except DomainError as err:
        replies = [Reply(err.key, err.params)]
    await context.send(customer, replies)


async def answers_place(update: Update, context: FriendsContext, text: str | None) -> Answer:
    """Text or a shared location, read as a place when the area is asked."""
    message = update.effective_message
    assert message is not None
    places = context.services.places
    if message.location is not None:
        return Answer(place=places.locate(Location(message.location.latitude, message.location.longitude)))
    place = places.find(text or "")
    return Answer(place=place) if place else Answer(text=text)


async def on_helper_button(update: Update, context: FriendsContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    customer = await context.customer(update)
    try:
        button = HelperButton.parse(query.data)
        telegram_id, now = TelegramUserId(customer.telegram_id), context.services.now()
        if button.action == "ob":
            replies = await context.call(
                onboarding.answer, telegram_id, Answer(button=button.value, question=button.question), now=now
            )
        elif button.action == "edit":
            replies = await context.call(onboarding.edit, telegram_id, Field(button.value), now=now)
        else:
            replies = await context.call(onboarding.set_paused, telegram_id, button.value == "pause", now=now)
    except (BadButton, ValueError, DomainError) as err:
        key = err.key if isinstance(err, DomainError) else "button_press.unknown"
        await answer_press(query, context.text(customer, key), show_alert=True)
        return
    await answer_press(query)
    message = query.message
    [first, *_] = replies
    text = context.services.catalog.render(first.key, customer.language, first.params)
    markup = markup_for(first, customer.language, context.services.catalog)
    same_question = len(replies) == 1 and message is not None and getattr(message, "text", None) == text
    if same_question and isinstance(markup, InlineKeyboardMarkup):
        await query.edit_message_reply_markup(markup)  # a tick changed: only the buttons change
        return
    await query.edit_message_reply_markup(None)
    await context.send(customer, replies)
