"""What to tell a person, not how: a message key, its parameters and the choices offered."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from core.booking import Step, StepChoice
from core.language import Language


class Choice(StrEnum):
    """Things a person can answer with; the adapter turns them into buttons."""

    SHARE_LOCATION = "share_location"  # a location share or a typed postcode/district
    CATEGORIES = "categories"  # pick or correct the problem's category
    LANGUAGES = "languages"
    PICK_HELPER = "pick_helper"  # choose the helper of this card
    MORE_HELPERS = "more_helpers"
    CHANGE_REQUEST = "change_request"
    NOTIFY_ME = "notify_me"  # tell me when a helper becomes available
    REMOTE = "remote_help"  # help by phone or video call instead
    ON_SITE = "on_site"  # help at my place after all
    ONBOARDING = "onboarding"  # the buttons of the registration field being asked
    PROFILE_MENU = "profile_menu"  # edit fields, pause or resume
    PRIVACY = "privacy"  # consent and data buttons in params["actions"] ("yes,notice")


@dataclass(frozen=True)
class Reply:
    key: str
    params: Mapping[str, str | int] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    request_id: int | None = None  # the request the choices act on
    helper_id: int | None = None  # the helper a card shows
    booking_id: int | None = None  # the booking the choices act on
    steps: tuple[StepChoice, ...] = ()  # booking steps offered, acting on booking_id

    def as_payload(self) -> dict[str, object]:
        """The JSON shape that travels between processes (Rasa custom payloads)."""
        return {
            "key": self.key,
            "params": dict(self.params),
            "choices": [str(c) for c in self.choices],
            "request_id": self.request_id,
            "helper_id": self.helper_id,
            "booking_id": self.booking_id,
            "steps": [[str(c.step), c.arg, c.booking_id] for c in self.steps],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> "Reply":
        params = payload.get("params") or {}
        choices = payload.get("choices") or []
        request_id = payload.get("request_id")
        helper_id = payload.get("helper_id")
        booking_id = payload.get("booking_id")
        steps = payload.get("steps") or []
        return cls(
            key=str(payload["key"]),
            params=dict(params) if isinstance(params, Mapping) else {},
            choices=tuple(Choice(c) for c in choices if c in Choice.__members__.values())
            if isinstance(choices, list)
            else (),
            request_id=request_id if isinstance(request_id, int) else None,
            helper_id=helper_id if isinstance(helper_id, int) else None,
            booking_id=booking_id if isinstance(booking_id, int) else None,
            steps=tuple(_step_choices(steps)),
        )


def _step_choices(raw: object) -> list[StepChoice]:
    found = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, list) and len(item) == 3 and item[0] in Step.__members__.values():
            arg, booking_id = (v if isinstance(v, int) else None for v in item[1:])
            found.append(StepChoice(Step(item[0]), arg, booking_id))
    return found


@dataclass(frozen=True)
class Copy:
    """Copy a person's message to another chat (the relay): photos, voice notes, documents…"""

    from_chat_id: int
    message_id: int
    captioned: bool  # the kind takes a caption (photo, video, document…); else the header goes first


@dataclass(frozen=True)
class Outgoing:
    """A message waiting in the outbox."""

    id: int
    telegram_id: int
    language: Language
    reply: Reply
    booking_id: int | None = None
    copy: Copy | None = None
    attempts: int = 0
