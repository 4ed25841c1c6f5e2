"""What is this chat doing? Read once per update, in the transaction that claims the update.

`begin` is the first thing every update does: it claims the update (a lease; an update done,
or being handled by another process, stops here; core.services.updates),
loads the person (created on first contact), writes the chat-log line, and reads the chat's
mode: a helper filling in their profile, an answer a booking waits for, an open relay, a place
the intake waits for, or plain intake. A message that only goes across an open relay (the
most frequent update) is relayed in the same transaction: claim, transcript and outbox row
commit together with the update's done mark, and the outbox rows come back leased to the
caller, who sends them at once. Any other update is marked done after its handlers ran.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from core.booking import ACTIVE_STATES, Actor
from core.chat import ChatFacts, Claim, RelayTarget
from core.ids import TelegramUserId
from core.intake import Customer, RequestStatus
from core.language import from_telegram
from core.leaks import find_leaks
from core.notices import Copy, Outgoing, Reply
from core.onboarding import Field
from core.ports import UnitOfWork
from core.relay import CAPTIONED, Incoming, MessageKind, Prompt, PromptKind
from core.services import relay, updates
from core.services.onboarding import current_field


class Mode(StrEnum):
    PROFILE = "profile"  # a helper's registration or profile edit waits for a field
    PROMPT = "prompt"  # a booking waits for an answer (a time, a duration, a comment, a report)
    RELAY = "relay"  # the person talks to the other side of a booking
    PLACE = "place"  # the intake waits for where help is needed
    INTAKE = "intake"  # anything else: a new problem for Rasa


class Relayable(StrEnum):
    """Which handler a message would reach, for the relay-first rules of each."""

    TEXT = "text"
    PHOTO = "photo"
    MEDIA = "media"


@dataclass(frozen=True)
class Arrival:
    """An update as the chat sees it."""

    source: str  # the bot ("telegram:<bot id>")
    update_id: int
    telegram_id: TelegramUserId
    name: str
    language_code: str | None
    log_kind: str
    log_text: str
    message: Incoming | None = None  # set when the relay could pass it on
    relayable: Relayable | None = None


@dataclass(frozen=True)
class ChatState:
    fresh: bool  # False: this update was handled before
    customer: Customer | None = None
    taken_over: bool = False  # support answers this person; the bot waits
    logged: bool = False  # the incoming chat-log line is written (only after consent)
    field: Field | None = None
    prompt: Prompt | None = None
    awaits_place: bool = False
    relayed: tuple[Outgoing, ...] | None = None  # relayed in this transaction: send these now
    relay_tried: bool = False  # the relay looked and found nothing to pass this message to

    @property
    def answer_awaited(self) -> Prompt | None:
        """The booking prompt a text answers (a ROUTE prompt is answered with a button)."""
        return None if self.prompt is None or self.prompt.kind is PromptKind.ROUTE else self.prompt


def begin(
    uow: UnitOfWork,
    arrival: Arrival,
    *,
    now: datetime,
    lease: timedelta,
    update_lease: timedelta = updates.LEASE,
) -> ChatState:
    with uow:
        tg = arrival.telegram_id
        claim = Claim(arrival.source, arrival.update_id, tg, now, update_lease, updates.TRIES)
        facts = uow.chats.arrive(claim, targets=arrival.message is not None)
        if facts is None:
            return ChatState(fresh=False)
        customer = facts.customer or uow.customers.add(
            tg, name=arrival.name[:64], language=from_telegram(arrival.language_code), now=now
        )
        state = ChatState(
            fresh=True,
            customer=customer,
            field=current_field(uow.helpers.by_telegram_id(tg)) if facts.filling_in else None,
            prompt=facts.prompt,
            awaits_place=facts.request_status is RequestStatus.AWAITING_LOCATION,
        )
        if customer.blocked or not customer.consented:  # the privacy gate answers; nothing is kept
            uow.commit()
            return state
        uow.chats.log(tg, kind=arrival.log_kind, text=arrival.log_text, now=now)
        state = replace(state, logged=True, taken_over=bool(customer.taken_over_by))
        if not state.taken_over and arrival.message is not None and _relays_first(arrival, state):
            relayed = _relay(uow, arrival.message, customer, facts, now=now, lease=lease)
            state = replace(state, relayed=relayed, relay_tried=relayed is None)
            if relayed is not None:  # the whole update's effect: it is done with this commit
                uow.updates.finish(arrival.source, [arrival.update_id], now=now)
        uow.commit()
        return state


def _relay(
    uow: UnitOfWork,
    message: Incoming,
    customer: Customer,
    facts: ChatFacts,
    *,
    now: datetime,
    lease: timedelta,
) -> tuple[Outgoing, ...] | None:
    """Relay in this transaction; the outbox rows it wrote, leased to the caller (None: there
    is no booking to pass the message to)."""
    targets = facts.targets
    if not targets:
        return None
    uow.outbox.hand_over(lease)
    live = [t for t in targets if t.state in ACTIVE_STATES]
    if message.reply_to is None and len(live) == 1 and not find_leaks(message.text):
        _pass_on(uow, live[0], customer, message, now=now)  # the common case, in plain SQL
    else:  # a reply, a choice of jobs, contact details: the full rules
        helper = uow.helpers.get(facts.helper_id) if facts.helper_id is not None else None
        if not relay.relay_in(uow, message, customer, helper, now=now):
            return None
    return tuple(uow.outbox.handed())


def _pass_on(
    uow: UnitOfWork, target: RelayTarget, customer: Customer, message: Incoming, *, now: datetime
) -> None:
    sender = Actor.CUSTOMER if target.customer_id == customer.id else Actor.HELPER
    uow.chats.relayed(
        target.booking_id, sender, kind=str(message.kind), text=message.text, file_id=message.file_id, now=now
    )
    to_chat, to_language = target.helper_chat if sender is Actor.CUSTOMER else target.customer_chat
    header = Reply(
        f"relay.from_{sender}", {**target.params, "text": message.text}, booking_id=target.booking_id
    )
    copy = None
    if message.kind is not MessageKind.TEXT:
        copy = Copy(message.telegram_id, message.message_id, captioned=message.kind in CAPTIONED)
    uow.outbox.add(to_chat, to_language, header, now=now, booking_id=target.booking_id, copy=copy)


def _relays_first(arrival: Arrival, state: ChatState) -> bool:
    """The message goes across before anything else looks at it (the handlers' order)."""
    kind = arrival.relayable
    if kind is Relayable.TEXT:
        return state.field is None and state.answer_awaited is None
    if kind is Relayable.PHOTO:
        return state.field is not Field.PHOTO
    return kind is Relayable.MEDIA


def mode(state: ChatState) -> Mode:
    """The one thing the chat is doing, in the order the handlers ask."""
    if state.field is not None:
        return Mode.PROFILE
    if state.answer_awaited is not None:
        return Mode.PROMPT
    if state.relayed is not None:
        return Mode.RELAY
    return Mode.PLACE if state.awaits_place else Mode.INTAKE
