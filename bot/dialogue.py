"""Free text of a customer → one reading by Rasa's NLU → the dialogue (custom actions) → keyed
replies, in the language the customer writes in."""

from __future__ import annotations

from bot.context import FriendsContext
from core.categories import Category
from core.errors import DomainError
from core.intake import Customer, conversation_id, nlu_text
from core.notices import Choice, Reply
from core.services import intake, support
from gateways.rasa_client import Parse

#: Below this, a message typed while we wait for a place is not read as a new problem.
NEW_PROBLEM_CONFIDENCE = 0.6
#: While we wait for a place, a text that is no place refines the problem only from this length.
DETAIL_WORDS = 3


async def follow_language(context: FriendsContext, customer: Customer, text: str) -> Customer:
    """Answer in the language the customer writes in (unless they chose one with /language);
    a text too short to tell keeps the conversation's language."""
    written = context.services.languages.written_in(text)
    if written is None or written is customer.language or customer.language_chosen:
        return customer
    return await context.call(intake.follow_language, customer.id, written)


async def answer(context: FriendsContext, customer: Customer, text: str) -> list[Reply]:
    """A place while we wait for one; otherwise what the customer said so far in this request,
    read once by the NLU, drives the dialogue."""
    services = context.services
    awaits_place = await context.awaits_place(customer)
    if awaits_place:
        place = services.places.find(text)
        if place is not None:
            return await context.call(intake.set_place, customer.id, place, now=services.now())
    elif _names_a_place(context, text):
        return [Reply("intake.no_open_request")]
    parse = await read(context, customer, text)
    await context.call(support.note_nlu, customer.telegram_id, nlu_text(text), parse.intent, parse.confidence)
    if awaits_place and not (is_new_problem(parse) and _words(text) >= DETAIL_WORDS):
        return [Reply("location.unknown", choices=(Choice.SHARE_LOCATION,))]
    return await services.rasa.trigger(conversation_id(customer.id), parse)


async def read(context: FriendsContext, customer: Customer, text: str) -> Parse:
    """The NLU's one reading of this text together with what the customer already wrote about
    the request they are still describing."""
    so_far = await context.call(intake.said_so_far, customer.id, now=context.services.now())
    return await context.services.rasa.parse(nlu_text(f"{so_far} {text}" if so_far else text))


async def converse(context: FriendsContext, customer: Customer, text: str) -> tuple[list[Reply], Parse]:
    """Read the text once (with what came before) and let that reading drive the dialogue."""
    parse = await read(context, customer, text)
    return await context.services.rasa.trigger(conversation_id(customer.id), parse), parse


def is_new_problem(parse: Parse) -> bool:
    """While we wait for a place: does this text describe a problem?"""
    return parse.category is not Category.NONE and parse.confidence >= NEW_PROBLEM_CONFIDENCE


def _names_a_place(context: FriendsContext, text: str) -> bool:
    try:
        return context.services.places.find(text) is not None
    except DomainError:
        return True


def _words(text: str) -> int:
    return sum(any(ch.isalpha() for ch in word) for word in text.split())
