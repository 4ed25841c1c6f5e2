"""build_application: every handler registered here, in one place."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import inbox
from bot.callbacks import (
    BookingButton,
    HelperButton,
    PickCategory,
    PickHelper,
    PickLanguage,
    PrivacyButton,
    RequestButton,
)
from bot.commands import publish_commands
from bot.context import BotServices, FriendsApp, FriendsContext
from bot.handlers import booking, common, customer, helper, media, privacy
from bot.jobs import fire_timers
from bot.limits import refused_at_the_edge
from bot.outbox import drain_outbox, send_now
from bot.processor import PerChatUpdateProcessor
from core.ids import TelegramUserId
from core.services import chat, support, updates

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotConfig:
    token: str
    base_url: str | None = None  # a Bot API emulator in tests; Telegram by default
    request: BaseRequest | None = None
    get_updates_request: BaseRequest | None = None
    rate_limit: bool = True
    messages_per_s: float = 30  # this process's share of Telegram's limit for the bot (0: none)
    polling: bool = True  # False: updates arrive through the web server's webhook (bot.webhook)
    outbox_interval_s: float = 2.0
    timer_interval_s: float = 1.0
    inbox_interval_s: float = 5.0


async def begin_update(update: Update, context: FriendsContext) -> None:
    """Every update starts here, in one transaction: claimed once (a repeat stops here), the
    person loaded, the chat-log line written, the chat's mode read; a message for the other
    side of a booking is relayed in that same transaction and sent right after it."""
    services, now = context.services, context.services.now()
    source = inbox.source_of(context.bot.token)
    where = update.effective_chat
    if where is not None and where.type == "private" and (refused := refused_at_the_edge(update)):
        log.info("update %s refused: %s", update.update_id, refused)
        await context.call(updates.finish, source, [update.update_id], now=now)  # nothing to do again
        raise ApplicationHandlerStop
    arrival = _arrival(update, source)
    if arrival is None:  # not a private chat with a person: claimed, then left to the handlers
        if not await context.call(
            updates.claim, source, update.update_id, now=now, lease=services.update_lease
        ):
            raise ApplicationHandlerStop
        inbox.claimed(context.application, update.update_id)
        return
    state = await context.call(
        chat.begin, arrival, now=now, lease=services.outbox_lease, update_lease=services.update_lease
    )
    if not state.fresh:
        raise ApplicationHandlerStop
    context.chat = state
    if state.relayed is not None:  # relayed and done in one transaction; sent now
        await send_now(context.bot, services, state.relayed)
        raise ApplicationHandlerStop
    inbox.claimed(context.application, update.update_id)  # done once the handlers ran
    taken_over = state.taken_over
    if not state.logged:
        assert state.customer is not None
        await privacy.gate(update, context, state.customer)
        taken_over = await context.call(
            support.log_message,
            arrival.telegram_id,
            incoming=True,
            kind=arrival.log_kind,
            text=arrival.log_text,
            now=now,
        )
    if taken_over and update.callback_query is None:  # support answers this person; the bot waits
        raise ApplicationHandlerStop


def _arrival(update: Update, source: str) -> chat.Arrival | None:
    person, where = update.effective_user, update.effective_chat
    if where is None or where.type != "private" or person is None:
        return None
    kind, text = _what(update)
    relayable = _relayable(update)
    message = booking.incoming(update.message) if relayable is not None and update.message else None
    return chat.Arrival(
        source,
        update.update_id,
        TelegramUserId(person.id),
        person.first_name or "",
        person.language_code,
        kind,
        text,
        message,
        relayable if message is not None else None,
    )


def _relayable(update: Update) -> chat.Relayable | None:
    """Which relaying handler a new message reaches (commands and edits reach none)."""
    message = update.message
    if message is None or filters.COMMAND.check_update(update):
        return None
    if message.location is not None:  # a helper arriving checks in: the handlers decide
        return None
    if message.photo:
        return chat.Relayable.PHOTO
    if RELAYED_MEDIA.check_update(update):
        return chat.Relayable.MEDIA
    return chat.Relayable.TEXT if message.text or message.caption else None


def _what(update: Update) -> tuple[str, str]:
    """A message's kind and text for the chat log."""
    if update.callback_query is not None:
        return "button", update.callback_query.data or ""
    message = update.effective_message
    if message is None:
        return "other", ""
    if message.location is not None:
        return "location", f"{message.location.latitude:.4f}, {message.location.longitude:.4f}"
    for kind in ("photo", "voice", "video", "document", "sticker", "audio", "video_note", "contact"):
        if getattr(message, kind, None):
            return kind, message.caption or ""
    return "text", message.text or ""


#: Kinds of message the relay copies besides text, photos and locations.
RELAYED_MEDIA = (
    filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.Sticker.ALL
)


def build_application(config: BotConfig, services: BotServices) -> FriendsApp:
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .context_types(ContextTypes(context=FriendsContext))
        .concurrent_updates(PerChatUpdateProcessor())  # chats at once, each chat in order
        .application_class(inbox.InboxApplication)  # an update is done once its handlers ran
    )
    if config.polling:  # each batch of updates is stored before Telegram hears it arrived
        store = partial(inbox.keep, services, inbox.source_of(config.token))
        builder = builder.get_updates_request(
            inbox.KeepingRequest(config.get_updates_request or HTTPXRequest(connection_pool_size=1), store)
        )
    if config.base_url:
        builder = builder.base_url(f"{config.base_url}/bot").base_file_url(f"{config.base_url}/file/bot")
    if config.request:
        builder = builder.request(config.request)
    if not config.polling:
        builder = builder.updater(None)
    if config.rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=config.messages_per_s, max_retries=3))
    app: FriendsApp = builder.build()
    app.bot_data["services"] = services

    private = filters.ChatType.PRIVATE
    new = filters.UpdateType.MESSAGE & private
    app.add_handler(TypeHandler(Update, begin_update), group=-1)
    app.add_handlers(
        [
            MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, common.on_edited),
            CommandHandler("start", helper.on_helper, filters=new & filters.Regex(r"^/start\s+helper")),
            CommandHandler("start", common.on_start, filters=new),
            CommandHandler("helper", helper.on_helper, filters=new),
            CommandHandler("profile", helper.on_profile, filters=new),
            CommandHandler("help", common.on_help, filters=new),
            CommandHandler("cancel", common.on_cancel, filters=new),
            CommandHandler("language", common.on_language, filters=new),
            CommandHandler(["jobs", "auftraege"], booking.on_jobs, filters=new),
            CommandHandler("payouts", booking.on_payouts, filters=new),
            CommandHandler(["privacy", "datenschutz"], privacy.on_privacy, filters=new),
            CommandHandler(["mydata", "meinedaten"], privacy.on_my_data, filters=new),
            CommandHandler(["deletemydata", "datenloeschen"], privacy.on_delete_my_data, filters=new),
            MessageHandler(new & filters.COMMAND, common.on_unknown_command),
            MessageHandler(new & filters.LOCATION, customer.on_location),
            MessageHandler(new & filters.PHOTO, media.on_photo),
            MessageHandler(new & filters.VOICE, media.on_voice),
            MessageHandler(new & RELAYED_MEDIA, customer.on_media),
            MessageHandler(new & (filters.TEXT | filters.CAPTION), customer.on_text),
            MessageHandler(new, common.on_not_text),
            CallbackQueryHandler(customer.on_pick_category, pattern=PickCategory.pattern),
            CallbackQueryHandler(common.on_pick_language, pattern=PickLanguage.pattern),
            CallbackQueryHandler(customer.on_pick_helper, pattern=PickHelper.pattern),
            CallbackQueryHandler(customer.on_request_button, pattern=RequestButton.pattern),
            CallbackQueryHandler(helper.on_helper_button, pattern=HelperButton.pattern),
            CallbackQueryHandler(booking.on_booking_button, pattern=BookingButton.pattern),
            CallbackQueryHandler(privacy.on_privacy_button, pattern=PrivacyButton.pattern),
            CallbackQueryHandler(common.on_unknown_button),  # registered last: stale or forged data
        ]
    )
    app.add_error_handler(common.on_error)  # type: ignore[arg-type]
    if app.job_queue is not None:
        app.job_queue.run_once(publish_commands, when=0, name="commands")  # the menu, once at start
        # messages other processes queued (e.g. "a helper is free now"), and due timers
        app.job_queue.run_repeating(drain_outbox, interval=config.outbox_interval_s, first=1, name="outbox")
        app.job_queue.run_repeating(fire_timers, interval=config.timer_interval_s, first=1, name="timers")
        # updates a killed process left unfinished: at start, then now and then
        app.job_queue.run_once(inbox.after_restart, when=0, name="restart")
        app.job_queue.run_repeating(
            inbox.hand_in_again, interval=config.inbox_interval_s, first=config.inbox_interval_s, name="inbox"
        )
    return app
