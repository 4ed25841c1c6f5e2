"""Contact and payment details in relayed chat messages.

Customers and helpers talk through the bot's relay; when one of them tries to hand over a phone
number, an e-mail address, an IBAN, a payment channel, a link or a messenger handle, support gets
to look at the conversation. ``find_leaks`` only finds; what happens next is up to the caller.

Detection is deliberately lenient towards ordinary conversation: prices, times, dates, postcodes
and model numbers are not phone numbers, cash is an allowed way to pay, and a weak Wi-Fi signal is
not the Signal messenger.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class LeakKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    IBAN = "iban"
    PAYMENT = "payment"
    LINK = "link"
    HANDLE = "handle"


@dataclass(frozen=True)
class Leak:
    kind: LeakKind
    text: str


#: Fewest digits a phone number has, area code included.
MIN_PHONE_DIGITS: Final = 7
#: Most digits a phone number has after a leading international ``00``.
MAX_PHONE_DIGITS: Final = 16

_CI: Final = re.IGNORECASE

_LABEL: Final = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_LOCAL: Final = r"[^\W_][\w.%+-]*"
_AT: Final = r"(?:\s*@\s*|\s*[(\[{<]\s*(?:at|ät|@)\s*[)\]}>]\s*)"
_WORD_DOT: Final = r"(?:\s*[(\[{<]\s*(?:dot|punkt|\.)\s*[)\]}>]\s*|\s+(?:dot|punkt)\s+)"
_DOT: Final = rf"(?:\.|{_WORD_DOT})"
_EMAIL_BODY: Final = rf"{_LOCAL}{_AT}(?:{_LABEL}{_DOT})+[a-z]{{2,24}}(?![\w-])"
_COMMON_TLDS: Final = (
    "de|com|net|org|eu|info|io|me|ly|co|uk|at|ch|nl|fr|pl|app|dev|biz|berlin|online|shop|site|xyz|tv|gg"
)
_URL_CHARS: Final = r"[^\s<>\"'«»]"

_PAYPAL_LINK: Final = re.compile(
    rf"(?<![\w.-])(?:https?://)?(?:www\.)?pay\s?pal\.(?:me|com|de)\b(?:/{_URL_CHARS}*)?", _CI
)
_PAYPAL_EMAIL: Final = re.compile(
    rf"\bpay\s?pal\b(?:\s*(?::|=|-|an|to|ist|is|at|über|via)\s*|\s+)(?<![\w.+-]){_EMAIL_BODY}", _CI
)
_IBAN: Final = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Z0-9])", _CI
)
_EMAIL: Final = re.compile(rf"(?<![\w.+-]){_EMAIL_BODY}", _CI)
_EMAIL_SPOKEN: Final = re.compile(
    rf"(?<![\w.+-]){_LOCAL}\s+(?:at|ät)\s+(?:{_LABEL}{_WORD_DOT})+(?:{_COMMON_TLDS})(?![\w-])", _CI
)
_URL: Final = re.compile(rf"\b(?:https?://|www\.){_URL_CHARS}+", _CI)
_DOMAIN: Final = re.compile(
    rf"(?<![\w@./-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+(?:{_COMMON_TLDS})(?![\w-])"
    rf"(?:/{_URL_CHARS}*)?"
)

_SEP: Final = r"(?:[ \u00a0]?[./\-–][ \u00a0]?|[ \u00a0])"
_DIGITS_RUN: Final = rf"(?:{_SEP}?\d)+"
_PHONE: Final = re.compile(
    rf"(?<![\w+.,/-])(?:(?:\+|00)[1-9]\d{{0,3}}(?:{_SEP}?\(0\))?|\(0\d{{1,5}}\)|0){_DIGITS_RUN}(?![\w@])"
)
_PHONE_AFTER_WORD: Final = re.compile(
    r"\b(?:tel(?:efon)?(?:nummer)?|handy(?:nummer)?|mobil(?:nummer)?|mobile|cell|phone(?:\s+number)?"
    r"|(?:meine|my)\s+(?:nummer|number))\b\.?\s*(?:[:=]|ist|is|lautet)?\s*"
    rf"(?P<hit>\+?\d{_DIGITS_RUN})(?![\w@])",
    _CI,
)
_REFERENCE_BEFORE: Final = re.compile(
    r"(?:\b(?:kunden|bestell|rechnungs|serien|auftrags|vertrags|sendungs|artikel|referenz|ticket|vorgangs|konto"
    r"|order|serial|customer|invoice|tracking|reference|account|case|model|modell)[\s-]?(?:nummer|number|nr|no|id)"
    r"|\b(?:pin|puk|imei|s/n|sn|version|firmware|build))\b\.?\s*[:#]?\s*$",
    _CI,
)
_UNIT_AFTER_NUMBER: Final = re.compile(r"\s*(?:€|eur\b|euro|uhr\b|%|ct\b|cent\b)", _CI)
_LAST_GROUP: Final = re.compile(rf"(.*\d){_SEP}+\(?\d+\)?$")
_DATE_OR_TIME: Final = re.compile(
    r"(?<![\d./-])\d{1,2}([./-])\d{1,2}\1(?:\d{4}|\d{2})?(?!\d)"
    r"|(?<![\d.])(?:[01]?\d|2[0-3])[.:][0-5]\d(?![\d.])"
)

_PAYMENT_WORDS: Final = re.compile(
    r"\b(?:pay\s?pal|venmo|revolut|klarna|zelle|cash\s?app|apple\s?pay|google\s?pay|transfer\s?wise"
    r"|sofort\s?überweisung|(?:ü|ue)berw(?:ei|ie)s\w*|kontonummer|kto\.?-?nr|bankverbindung|bankdaten"
    r"|kontodaten|bankleitzahl|blz|bic|iban|swift[\s-]?code|bank\s+transfer|wire\s+transfer"
    r"|wire\s+(?:me|you|us|him|her|them)(?:\s+the)?\s+money|account\s+number|routing\s+number|sort\s+code"
    r"|bank\s+(?:details|account))\b",
    _CI,
)
_WISE: Final = re.compile(
    r"(?<=[^\s.!?]\s)Wise\b"
    r"|(?i:\b(?:per|via|über|mit|with|using|by|through|over)\s+(?P<hit>wise)\b)"
    r"|(?i:\bwise[\s-]?(?:account|konto|transfer|app|link)\b)"
)

_MESSENGERS: Final = re.compile(r"\b(?:whats\s?app|threema|insta(?:gram)?)\b", _CI)
_SIGNAL: Final = re.compile(
    r"\b(?:per|via|über|ueber|bei|on|over)\s+(?P<hit>signal)\b(?!-)"
    r"(?!\s+(?:strength|quality|level|stärke|qualität|pegel|empfang|reception))"
    r"|\bsignal[\s-]?(?:app|messenger|nummer|number|chat|kontakt|contact)\b",
    _CI,
)
_AT_HANDLE: Final = re.compile(r"(?<![\w@.])@[A-Za-z][A-Za-z0-9_.]{1,30}[A-Za-z0-9_]")

_TRAILING_PUNCTUATION: Final = ".,;:!?)]}'\"»"

#: Length of an IBAN by country, for the countries it is known for; others only need 15–34.
_IBAN_LENGTHS: Final = {
    "AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27,
    "GB": 22, "GR": 27, "HU": 28, "IE": 22, "IT": 27, "LI": 21, "LU": 20, "NL": 18, "NO": 15,
    "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "TR": 26,
}  # fmt: skip


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: LeakKind
    rank: int


def find_leaks(text: str) -> list[Leak]:
    """All leaks in a message, in order of appearance, no overlaps.

    Where matches overlap, the more specific kind wins (an IBAN is not also a phone, an e-mail is not
    also a link or handle, a PayPal link or address is a payment), then the longer match.
    """
    chosen: list[_Hit] = []
    for hit in sorted(_candidates(text), key=lambda h: (h.rank, h.start - h.end, h.start)):
        if all(hit.end <= c.start or c.end <= hit.start for c in chosen):
            chosen.append(hit)
    return [Leak(h.kind, text[h.start : h.end]) for h in sorted(chosen, key=lambda h: h.start)]


def _candidates(text: str) -> Iterator[_Hit]:
    """Every match of every detector, ranked by how specific its kind is (0 = most)."""
    yield from _hits(_PAYPAL_LINK, text, LeakKind.PAYMENT, 0, trim=True)
    yield from _hits(_PAYPAL_EMAIL, text, LeakKind.PAYMENT, 0)
    yield from (h for h in _hits(_IBAN, text, LeakKind.IBAN, 1) if _is_iban(text[h.start : h.end]))
    yield from _hits(_EMAIL, text, LeakKind.EMAIL, 2)
    yield from _hits(_EMAIL_SPOKEN, text, LeakKind.EMAIL, 2)
    yield from _hits(_URL, text, LeakKind.LINK, 3, trim=True)
    yield from _hits(_DOMAIN, text, LeakKind.LINK, 3, trim=True)
    yield from _phones(text)
    yield from _hits(_PAYMENT_WORDS, text, LeakKind.PAYMENT, 5)
    yield from _hits(_WISE, text, LeakKind.PAYMENT, 5)
    yield from _hits(_MESSENGERS, text, LeakKind.HANDLE, 6)
    yield from _hits(_SIGNAL, text, LeakKind.HANDLE, 6)
    yield from _hits(_AT_HANDLE, text, LeakKind.HANDLE, 6)


def _hits(
    pattern: re.Pattern[str], text: str, kind: LeakKind, rank: int, *, trim: bool = False
) -> Iterator[_Hit]:
    """Matches of ``pattern``; a group named ``hit`` narrows a match to the part that leaks."""
    for match in pattern.finditer(text):
        group = "hit" if "hit" in pattern.groupindex and match.group("hit") is not None else 0
        start, end = match.span(group)
        if trim:
            end = start + len(text[start:end].rstrip(_TRAILING_PUNCTUATION))
        if end > start:
            yield _Hit(start, end, kind, rank)


def _phones(text: str) -> Iterator[_Hit]:
    """Phone numbers, with dates and clock times blanked out first so they cannot pass for one."""
    masked = _DATE_OR_TIME.sub(lambda m: "#" * len(m.group()), text)
    for pattern in (_PHONE, _PHONE_AFTER_WORD):
        for hit in _hits(pattern, masked, LeakKind.PHONE, 4):
            end = _phone_end(masked, hit.start, hit.end)
            if end is not None:
                yield _Hit(hit.start, end, LeakKind.PHONE, 4)


def _phone_end(text: str, start: int, end: int) -> int | None:
    """Where the phone number in ``text[start:end]`` ends, or None when it is not one.

    A number followed by a currency or ``Uhr`` loses its last group (``0151 2345678 - 14 Uhr``).
    """
    if _REFERENCE_BEFORE.search(text, max(0, start - 40), start):
        return None
    if _UNIT_AFTER_NUMBER.match(text, end):
        shorter = _LAST_GROUP.match(text, start, end)
        if shorter is None:
            return None
        end = shorter.end(1)
    digits = re.sub(r"\D", "", text[start:end])
    if digits.startswith("00"):
        digits = digits[2:]
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS or len(set(digits)) < 3:
        return None
    return end


def _is_iban(text: str) -> bool:
    """Whether ``text`` is an IBAN: known length for its country and a valid mod-97 checksum."""
    iban = text.replace(" ", "").upper()
    expected = _IBAN_LENGTHS.get(iban[:2])
    if not 15 <= len(iban) <= 34 or (expected is not None and len(iban) != expected):
        return False
    return int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1
