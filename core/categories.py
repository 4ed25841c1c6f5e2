"""Problem categories and how NLU intents map onto them (../shared/NLU-LABELS.md)."""

from enum import StrEnum
from typing import Final


class Category(StrEnum):
    PHONE = "phone"
    INTERNET = "internet"
    TV = "tv"
    PC = "pc"
    NONE = "none"


#: The categories a helper can work on, in the order buttons show them.
SERVICE_CATEGORIES: Final = (Category.PHONE, Category.INTERNET, Category.TV, Category.PC)

PROBLEM_INTENTS: Final[dict[str, Category]] = {
    "problem_phone": Category.PHONE,
    "problem_internet": Category.INTERNET,
    "problem_tv": Category.TV,
    "problem_pc": Category.PC,
}

#: Intents that are not a category: the bot answers them and proposes no helper.
NON_PROBLEM_INTENTS: Final = (
    "greet",
    "vague_problem",
    "out_of_scope_operator",
    "out_of_scope_other",
    "chitchat",
    "ask_service",
    "become_helper",
    "nlu_fallback",
)


def category_of(intent: str | None) -> Category:
    """The category an intent stands for; everything that is not a problem is `none`."""
    return PROBLEM_INTENTS.get(intent or "", Category.NONE)


def parse_category(value: str) -> Category:
    """A category from its name, refusing anything a helper cannot work on."""
    category = Category(value)
    if category not in SERVICE_CATEGORIES:
        raise ValueError(f"not a service category: {value}")
    return category
