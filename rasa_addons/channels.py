"""Rasa's REST channel behind a shared secret: only our bot may post as `customer-<N>`.

Without it, anyone on the machine could post to 127.0.0.1 as any customer and have the
action server store a problem in their name. The secret is the Rasa token the run command
hands to Rasa in the environment (FRIENDS_RASA_TOKEN), sent by the bot in a header.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

HEADER = "X-Friends-Token"
VARIABLE = "FRIENDS_RASA_TOKEN"


class GuardedRestInput(RestInput):
    """The REST channel at the same address (/webhooks/rest/webhook), refusing any request
    without the secret (401)."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        secret = os.environ.get(VARIABLE, "")
        if not secret:  # never open: a channel without its secret does not start
            raise ValueError(f"{VARIABLE} is not set: the REST channel needs its shared secret")
        return cls(secret)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.on_request
        async def guard(request: Request) -> Any:
            given = request.headers.get(HEADER, "")
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                return response.json({"error": "unauthorised"}, status=401)
            return None

        return bp
