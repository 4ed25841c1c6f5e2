"""Free text of a customer → Rasa (dialogue + custom actions) → keyed replies."""

from __future__ import annotations

from core.categories import Category
from core.intake import Customer, conversation_id, nlu_text
from core.notices import Reply
from gateways.rasa_client import RasaClient

#: Below this, a message typed while we wait for a place is not read as a new problem.
NEW_PROBLEM_CONFIDENCE = 0.6


async def converse(rasa: RasaClient, customer: Customer, text: str) -> list[Reply]:
    return await rasa.converse(
        conversation_id(customer.id), nlu_text(text), {"language": str(customer.language)}
    )


async def is_new_problem(rasa: RasaClient, text: str) -> bool:
    """While we wait for a place: does this text describe a (new) problem?"""
    parse = await rasa.parse(nlu_text(text))
    return parse.category is not Category.NONE and parse.confidence >= NEW_PROBLEM_CONFIDENCE
