"""Button codes: tiny typed dataclasses ⇄ short strings (Telegram allows 64 bytes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from core.booking import Step
from core.categories import Category, parse_category
from core.language import Language

MAX_BYTES = 64


class BadButton(ValueError):
    """Callback data that is not ours, stale or forged."""


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


@dataclass(frozen=True)
class PickCategory:
    """The customer picks or corrects the category of a request."""

    PREFIX: ClassVar[str] = "cat"
    pattern: ClassVar[re.Pattern[str]] = re.compile(r"^cat:\d{1,12}:[a-z]{2,8}$")
    request_id: int
    category: Category

    #: "Something else": show all four areas instead of the two the model hesitated between.
    ALL: ClassVar[str] = "all"

    def encode(self) -> str:
        return _checked(f"{self.PREFIX}:{self.request_id}:{self.category}")

    @classmethod
    def all_of(cls, request_id: int) -> str:
        return _checked(f"{cls.PREFIX}:{request_id}:{cls.ALL}")

    @classmethod
    def asks_all(cls, data: str) -> int | None:
        """The request whose four areas the customer wants to see, if this is that button."""
        if not cls.pattern.match(data) or not data.endswith(f":{cls.ALL}"):
            return None
        return int(data.split(":")[1])

    @classmethod
    def parse(cls, data: str) -> PickCategory:
        if not cls.pattern.match(data):
            raise BadButton(data)
        _, request_id, category = data.split(":")
        try:
            return cls(int(request_id), parse_category(category))
        except ValueError as exc:
            raise BadButton(data) from exc


@dataclass(frozen=True)
class PickLanguage:
    PREFIX: ClassVar[str] = "lang"
    pattern: ClassVar[re.Pattern[str]] = re.compile(r"^lang:[a-z]{2}$")
    language: Language

    def encode(self) -> str:
        return _checked(f"{self.PREFIX}:{self.language}")

    @classmethod
    def parse(cls, data: str) -> PickLanguage:
        if not cls.pattern.match(data):
            raise BadButton(data)
        try:
            return cls(Language(data.split(":")[1]))
        except ValueError as exc:
            raise BadButton(data) from exc


@dataclass(frozen=True)
class RequestButton:
    """A button about one request: more helpers ("mh"), change the request ("chg"), tell me
    when someone is available ("ntf"), help by phone or video ("rem") or at my place ("ons")."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(r"^(mh|chg|ntf|rem|ons):\d{1,12}$")
    action: str
    request_id: int

    def encode(self) -> str:
        return _checked(f"{self.action}:{self.request_id}")

    @classmethod
    def parse(cls, data: str) -> RequestButton:
        if not cls.pattern.match(data):
            raise BadButton(data)
        action, request_id = data.split(":")
        return cls(action, int(request_id))


@dataclass(frozen=True)
class PickHelper:
    """The customer chooses the helper of a card."""

    PREFIX: ClassVar[str] = "hp"
    pattern: ClassVar[re.Pattern[str]] = re.compile(r"^hp:\d{1,12}:\d{1,12}$")
    request_id: int
    helper_id: int

    def encode(self) -> str:
        return _checked(f"{self.PREFIX}:{self.request_id}:{self.helper_id}")

    @classmethod
    def parse(cls, data: str) -> PickHelper:
        if not cls.pattern.match(data):
            raise BadButton(data)
        _, request_id, helper_id = data.split(":")
        return cls(int(request_id), int(helper_id))


@dataclass(frozen=True)
class HelperButton:
    """Registration answers name the question they answer ("ob:skills:internet",
    "ob:terms:yes", "ob:radius:5"), so a late tap on an earlier question's button is refused
    instead of answering the next one; profile edits ("edit:rate") and pause/resume
    ("pf:pause", "pf:resume") need none."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(r"^(ob|edit|pf):[a-z0-9_]{1,16}(:[a-z0-9_]{1,16})?$")
    action: str
    value: str
    question: str = ""  # the registration field a "ob" button answers

    def encode(self) -> str:
        if self.question:
            return _checked(f"{self.action}:{self.question}:{self.value}")
        return _checked(f"{self.action}:{self.value}")

    @classmethod
    def parse(cls, data: str) -> HelperButton:
        if not cls.pattern.match(data):
            raise BadButton(data)
        action, *rest = data.split(":")
        if (action == "ob") != (len(rest) == 2):  # every answer names its question, nothing else does
            raise BadButton(data)
        if action == "pf" and rest[0] not in {"pause", "resume"}:
            raise BadButton(data)
        if action == "ob":
            return cls(action, rest[1], rest[0])
        return cls(action, rest[0])


@dataclass(frozen=True)
class BookingButton:
    """A step of a booking: "bk:acc:12" (accept job 12), "bk:ok:12:2" (agree to proposal 2),
    "bk:r:12:5" (five stars), "bk:rt:12:345" (message 345 is for job 12)…"""

    PREFIX: ClassVar[str] = "bk"
    pattern: ClassVar[re.Pattern[str]] = re.compile(r"^bk:[a-z_]{1,6}\d{0,3}:\d{1,12}(:\d{1,12})?$")
    #: Buttons sent before steps were typed carried the value in the code ("bk:r5:12", "bk:d90:12").
    _legacy: ClassVar[re.Pattern[str]] = re.compile(r"^([dr])(\d{1,3})$")
    step: Step
    booking_id: int
    arg: int | None = None

    def encode(self) -> str:
        tail = "" if self.arg is None else f":{self.arg}"
        return _checked(f"{self.PREFIX}:{self.step}:{self.booking_id}{tail}")

    @classmethod
    def parse(cls, data: str) -> BookingButton:
        if not cls.pattern.match(data):
            raise BadButton(data)
        _, code, booking_id, *arg = data.split(":")
        if legacy := cls._legacy.match(code):
            code, arg = legacy.group(1), [legacy.group(2)]
        if code not in Step.__members__.values():
            raise BadButton(data)
        return cls(Step(code), int(booking_id), int(arg[0]) if arg else None)


@dataclass(frozen=True)
class PrivacyButton:
    """Consent ("pv:yes"), the notice ("pv:notice"), erasing data ("pv:del", "pv:delyes", "pv:keep")."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(r"^pv:(yes|notice|del|delyes|keep)$")
    action: str

    def encode(self) -> str:
        return _checked(f"pv:{self.action}")

    @classmethod
    def parse(cls, data: str) -> PrivacyButton:
        if not cls.pattern.match(data):
            raise BadButton(data)
        return cls(data.split(":")[1])
