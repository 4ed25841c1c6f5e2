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

    def encode(self) -> str:
        return _checked(f"{self.PREFIX}:{self.request_id}:{self.category}")

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
    """Registration answers ("ob:internet", "ob:done", "ob:skip", "ob:5"), profile edits
    ("edit:rate") and pause/resume ("pf:pause", "pf:resume")."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(r"^(ob|edit|pf):[a-z0-9_]{1,16}$")
    action: str
    value: str

    def encode(self) -> str:
        return _checked(f"{self.action}:{self.value}")

    @classmethod
    def parse(cls, data: str) -> HelperButton:
        if not cls.pattern.match(data):
            raise BadButton(data)
        action, value = data.split(":")
        if action == "pf" and value not in {"pause", "resume"}:
            raise BadButton(data)
        return cls(action, value)


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
