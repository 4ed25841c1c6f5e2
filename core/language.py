"""The two languages the product speaks."""

from enum import StrEnum


class Language(StrEnum):
    DE = "de"
    EN = "en"


def from_telegram(language_code: str | None) -> Language:
    """Telegram's IETF tag (``de``, ``de-AT``, ``en-GB``, ``tr``…) → our language.

    German for any German locale; English for every other one, as the lingua franca
    of Berlin's newcomers.
    """
    if language_code and language_code.lower().split("-")[0] == "de":
        return Language.DE
    return Language.EN
