"""FriendsContext: typed access to the services, the customer and the reply path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from bot.keyboards import markup_for
from bot.limits import CAPTION_LIMIT, split, units
from core.booking import DEFAULT_POLICY, BookingPolicy
from core.geo import PlaceIndex
from core.ids import TelegramUserId
from core.intake import Customer
from core.language import Language
from core.notices import Reply
from core.onboarding import Field
from core.photos import ReadsText
from core.ports import PaymentProvider, UnitOfWork
from core.relay import Prompt
from core.services import booking, intake, onboarding, outbox, support, updates
from core.services.chat import ChatState
from core.texts import Catalog
from gateways.language_detector import LanguageDetector
from gateways.ocr import TesseractOcr
from gateways.offline_payments import OfflinePayments
from gateways.rasa_client import RasaClient

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

#: Telegram shows "typing…" for 5 seconds; repeated this often while the bot still thinks.
TYPING_EVERY_S = 4.0

#: Replies after which the location keyboard has done its job.
CLOSES_KEYBOARD = frozenset({"intake.request_stored", "intake.cancelled", "intake.pick_category_first"})


#: Sent messages are marked together: those sent within this time after the first of them.
MARK_WITHIN_S = 0.01


class SentMarks:
    """Messages Telegram accepted are marked sent off the update's path, in batches: one
    transaction for those sent within MARK_WITHIN_S (group commit: a relayed message costs two
    transactions otherwise). What a process that dies before the mark had sent is sent again
    once its lease ends, as when each was marked alone; stopping the application waits for the
    marks (`settled`)."""

    def __init__(self) -> None:
        self._pending: list[outbox.Sent] = []
        self._writing: asyncio.Task[None] | None = None

    def add(self, services: BotServices, sent: outbox.Sent) -> None:
        self._pending.append(sent)
        if self._writing is None or self._writing.done():
            self._writing = asyncio.get_running_loop().create_task(self._write(services))

    async def _write(self, services: BotServices) -> None:
        while self._pending:
            await asyncio.sleep(MARK_WITHIN_S)
            batch, self._pending = self._pending, []
            try:
                await run_db(services, outbox.mark_sent, services.uow(), batch)
            except Exception:  # left leased: sent again when the lease ends
                log.exception("%d sent messages could not be marked", len(batch))

    async def settled(self) -> None:
        """Every message sent so far is marked (or its mark failed and was logged)."""
        while self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)


@dataclass
class BotServices:
    uow: Callable[[], UnitOfWork]
    places: PlaceIndex
    rasa: RasaClient
    catalog: Catalog
    now: Callable[[], datetime]
    payments: PaymentProvider = field(default_factory=OfflinePayments)
    policy: BookingPolicy = DEFAULT_POLICY
    avatars: Path | None = None  # data/avatars: default pictures ("avatar:K")
    uploaded: dict[str, str] = field(default_factory=dict)  # avatar → Telegram file_id
    languages: LanguageDetector = field(default_factory=LanguageDetector)  # what a customer writes in
    ocr: ReadsText = field(default_factory=TesseractOcr)  # the text on a photo of the problem
    #: Where database work runs: one thread for SQLite (one writer at a time, no lock waits),
    #: the default thread pool (None) for PostgreSQL.
    executor: Executor | None = None
    #: A message being sent is leased this long; a process that died leaves it to the drain after.
    outbox_lease: timedelta = outbox.LEASE
    #: An update claimed this long ago and not finished is handed in again (its process died).
    update_lease: timedelta = updates.LEASE
    #: The only process that handles updates and drains the outbox (SQLite): after a restart
    #: nobody else can hold its leases.
    sole_worker: bool = False
    #: Sent messages waiting for their mark.
    sent: SentMarks = field(default_factory=SentMarks)
    #: How long a customer waits for Rasa before being told to try again (its own timeout is longer).
    rasa_patience_s: float = 6.0


class FriendsContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    #: What the chat is doing, read once when the update arrived (bot.app.begin_update).
    chat: ChatState | None = None

    @property
    def services(self) -> BotServices:
        services: BotServices = self.application.bot_data["services"]
        return services

    async def call(self, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a synchronous core use case with a fresh unit of work, off the event loop."""
        return await run_db(self.services, use_case, self.services.uow(), *args, **kwargs)

    async def customer(self, update: Update) -> Customer:
        """The person behind the update: loaded once when it arrived, then passed on."""
        if self.chat is not None and self.chat.customer is not None:
            return self.chat.customer
        user = update.effective_user
        assert user is not None
        return await self.call(
            intake.ensure_customer,
            TelegramUserId(user.id),
            name=user.first_name or "",
            language_code=user.language_code,
            now=self.services.now(),
        )

    async def awaited_field(self, customer: Customer) -> Field | None:
        """The profile field a helper's next input answers (read when the update arrived)."""
        if self.chat is not None:
            return self.chat.field
        return await self.call(onboarding.awaited_field, customer.telegram_id)

    async def awaits_place(self, customer: Customer) -> bool:
        if self.chat is not None:
            return self.chat.awaits_place
        return await self.call(intake.awaits_place, customer.id)

    async def prompt(self, customer: Customer) -> Prompt | None:
        """The answer a booking waits for from this person."""
        if self.chat is not None:
            return self.chat.prompt
        return await self.call(booking.waiting_for, customer.telegram_id)

    async def send(self, customer: Customer, replies: Iterable[Reply]) -> None:
        """Render replies in the customer's language and send them to their private chat."""
        await send_replies(self.bot, self.services, customer.telegram_id, customer.language, replies)

    def text(self, customer: Customer, key: str, **params: object) -> str:
        return self.services.catalog.render(key, customer.language, params)

    @contextlib.asynccontextmanager
    async def typing(self, customer: Customer) -> AsyncIterator[None]:
        """ "typing…" in the person's chat while the block runs (Rasa, OCR): sent at once and
        every few seconds, since Telegram shows it for five seconds or until the next message."""

        async def keep_typing() -> None:
            while True:
                try:
                    await self.bot.send_chat_action(customer.telegram_id, ChatAction.TYPING)
                except TelegramError:  # only a courtesy: never worth failing the answer
                    log.debug("typing action failed", exc_info=True)
                await asyncio.sleep(TYPING_EVERY_S)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()

    async def edit(self, query: CallbackQuery, customer: Customer, reply: Reply) -> None:
        """Answer a button in the message it came from: its text becomes the reply (and the
        buttons the reply's, or none) — where a new message would only repeat the question."""
        markup = markup_for(reply, customer.language, self.services.catalog)
        text = self.services.catalog.render(reply.key, customer.language, reply.params)
        await query.edit_message_text(
            text, reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None
        )
        await asyncio.to_thread(
            support.log_message,
            self.services.uow(),
            customer.telegram_id,
            incoming=False,
            kind="bot",
            text=text,
            now=self.services.now(),
        )


async def run_db(services: BotServices, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking database work off the event loop, on the services' executor."""
    return await asyncio.get_running_loop().run_in_executor(services.executor, partial(fn, *args, **kwargs))


FriendsApp = Application[ExtBot[None], FriendsContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]


async def send_replies(
    bot: Bot, services: BotServices, chat_id: int, language: Language, replies: Iterable[Reply]
) -> None:
    for reply in replies:
        await send_reply(bot, services, chat_id, language, reply)


async def send_reply(
    bot: Bot,
    services: BotServices,
    chat_id: int,
    language: Language,
    reply: Reply,
    *,
    booking_id: int | None = None,
    log: bool = True,
) -> Message:
    """Render a reply in a language, turn its choices into a keyboard, send it (a photo with a
    caption when it has one) and keep it in the chat log (log=False: the caller does).
    booking_id: the booking it is about, when the reply does not say."""
    markup = markup_for(reply, language, services.catalog)
    if markup is None and reply.key in CLOSES_KEYBOARD:
        markup = ReplyKeyboardRemove()
    text = services.catalog.render(reply.key, language, reply.params)
    photo = reply.params.get("photo")
    picture: str | bytes = str(photo or "")
    if str(photo).startswith("avatar:"):  # a default picture: uploaded once, then its file_id
        picture = services.uploaded.get(str(photo)) or _avatar_bytes(services, str(photo))
    if not picture:
        sent = await send_long_text(bot, chat_id, text, markup)
    elif units(text) > CAPTION_LIMIT:  # the photo first, then the whole text with the buttons
        shown = await bot.send_photo(chat_id, picture)
        _remember_avatar(services, photo, shown)
        sent = await send_long_text(bot, chat_id, text, markup)
    else:
        sent = await bot.send_photo(chat_id, picture, caption=text, reply_markup=markup)
        _remember_avatar(services, photo, sent)
    if not log:
        return sent
    await run_db(
        services,
        support.log_message,
        services.uow(),
        chat_id,
        incoming=False,
        kind="relay" if reply.key.startswith("relay.from_") else "bot",  # retention erases "relay"
        text=text,
        now=services.now(),
        booking_id=reply.booking_id or booking_id,
        helper_id=reply.helper_id,
    )
    return sent


async def send_long_text(bot: Bot, chat_id: int, text: str, markup: Any = None) -> Message:
    """A text of any length: in pieces within Telegram's limit, the buttons under the last;
    returns the last piece (the one a reply answers)."""
    *first, last = split(text)
    for piece in first:
        await bot.send_message(chat_id, piece)
    return await bot.send_message(chat_id, last, reply_markup=markup)


def _remember_avatar(services: BotServices, photo: object, sent: Message) -> None:
    if str(photo).startswith("avatar:") and sent.photo:  # uploaded once, then its file_id
        services.uploaded[str(photo)] = sent.photo[-1].file_id


def _avatar_bytes(services: BotServices, avatar: str) -> bytes:
    path = (services.avatars or Path("data/avatars")) / f"{avatar.removeprefix('avatar:')}.png"
    return path.read_bytes() if path.exists() else b""
