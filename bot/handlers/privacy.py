"""Consent at first contact, the privacy notice, a person's data export and erasing it."""

from __future__ import annotations

import json

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.callbacks import BadButton, PrivacyButton
from bot.context import FriendsContext
from bot.limits import answer_press
from core.intake import Customer
from core.notices import Choice, Reply
from core.services import privacy

CONSENT = Reply("privacy.consent", {"actions": "yes,notice"}, choices=(Choice.PRIVACY,))
#: chat_data key: the first message a person wrote before consenting, answered after consent.
#: Held in this process's memory only – nothing is stored before consent.
BEFORE_CONSENT = "before_consent"


async def gate(update: Update, context: FriendsContext, customer: Customer) -> None:
    """Before consent, only the consent buttons and /privacy go through: nothing the person
    writes is kept or sent to Rasa. A person support blocked gets one short answer."""
    if customer.blocked:
        if update.callback_query is not None:
            await answer_press(update.callback_query)
        await context.send(customer, [Reply("privacy.blocked")])
        raise ApplicationHandlerStop
    if customer.consented or await context.call(
        privacy.consented_as_helper, customer.telegram_id, now=context.services.now()
    ):
        return
    query = update.callback_query
    if query is not None and query.data and PrivacyButton.pattern.match(query.data):
        return
    message = update.effective_message
    if message is not None and (message.text or "").split(" ")[0] in {"/privacy", "/datenschutz"}:
        return
    if query is not None:
        await answer_press(query)
    elif message is not None and not (message.text or "").startswith("/") and context.chat_data is not None:
        context.chat_data.setdefault(BEFORE_CONSENT, update.to_dict())
    await context.send(customer, [CONSENT])
    raise ApplicationHandlerStop


async def answer_message_before_consent(update: Update, context: FriendsContext) -> bool:
    """The message the person wrote before consenting, handled now as if it came again (under
    an update id of its own, so the repeat guard lets it through once). False if there was none."""
    if context.chat_data is None or BEFORE_CONSENT not in context.chat_data:
        return False
    data = context.chat_data.pop(BEFORE_CONSENT)
    await context.application.process_update(
        Update.de_json({**data, "update_id": -data["update_id"]}, context.bot)
    )
    return True


async def on_privacy(update: Update, context: FriendsContext) -> None:
    customer = await context.customer(update)
    notice = Reply(
        "privacy.notice", {"actions": "" if customer.consented else "yes"}, choices=(Choice.PRIVACY,)
    )
    await context.send(customer, [notice])


async def on_my_data(update: Update, context: FriendsContext) -> None:
    customer = await context.customer(update)
    data = await context.call(privacy.export, customer.id)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    caption = context.text(customer, "privacy.export_caption")
    await context.bot.send_document(
        customer.telegram_id, body, filename="service-friends-my-data.json", caption=caption
    )


async def on_delete_my_data(update: Update, context: FriendsContext) -> None:
    customer = await context.customer(update)
    await context.send(
        customer, [Reply("privacy.delete_confirm", {"actions": "delyes,keep"}, choices=(Choice.PRIVACY,))]
    )


async def on_privacy_button(update: Update, context: FriendsContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    customer = await context.customer(update)
    try:
        button = PrivacyButton.parse(query.data)
    except BadButton:
        await answer_press(query, context.text(customer, "button_press.unknown"), show_alert=True)
        return
    await answer_press(query)
    if button.action == "yes":
        await query.edit_message_reply_markup(None)
        await context.call(privacy.consent, customer.telegram_id, now=context.services.now())
        await context.send(customer, [Reply("privacy.thanks")])
        if not await answer_message_before_consent(update, context):
            await context.send(customer, [Reply("start.welcome", {"name": customer.name or "👋"})])
    elif button.action == "notice":
        await on_privacy(update, context)
    elif button.action == "del":
        await on_delete_my_data(update, context)
    elif button.action == "delyes":  # the question "Erase your data?" becomes its answer
        await context.edit(query, customer, Reply("privacy.deleted"))
        services = context.services
        await context.call(
            privacy.erase, customer.id, now=services.now(), policy=services.policy, payments=services.payments
        )
    else:
        await context.edit(query, customer, Reply("privacy.kept"))
