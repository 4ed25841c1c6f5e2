"""Free text of a customer → Rasa (dialogue + custom actions) → keyed replies."""

from __future__ import annotations

import asyncio

from core.categories import Category
from core.intake import Customer, conversation_id, nlu_text
from core.notices import Reply
from gateways.rasa_client import Parse, RasaClient

#: Below this, a message typed while we wait for a place is not read as a new problem.
NEW_PROBLEM_CONFIDENCE = 0.6


async def converse(rasa: RasaClient, customer: Customer, text: str) -> tuple[list[Reply], Parse | None]:
    """Rasa's answer, and (read at the same time) what its NLU made of the text, for support."""
    said = nlu_text(text)
    replies, parse = await asyncio.gather(
        rasa.converse(conversation_id(customer.id), said, {"language": str(customer.language)}),
        rasa.parse(said),
        return_exceptions=True,
    )
    if isinstance(replies, BaseException):
        raise replies
    return replies, None if isinstance(parse, BaseException) else parse


def is_new_problem(parse: Parse) -> bool:
    """While we wait for a place: does this text describe a (new) problem?"""
    return parse.category is not Category.NONE and parse.confidence >= NEW_PROBLEM_CONFIDENCE
