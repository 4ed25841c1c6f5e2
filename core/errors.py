"""Expected failures carry a message key; adapters render it in the user's language."""

from collections.abc import Mapping


class DomainError(Exception):
    key: str = "error.generic"

    def __init__(self, **params: str | int) -> None:
        super().__init__(self.key, params)
        self.params: Mapping[str, str | int] = params


class NotInBerlin(DomainError):
    key = "location.outside_berlin"


class UnknownPlace(DomainError):
    key = "location.unknown"


class NoOpenRequest(DomainError):
    key = "intake.no_open_request"


class RequestClosed(DomainError):
    key = "intake.request_closed"


class UnknownHelper(DomainError):
    key = "helper.unknown"


class Conflict(Exception):
    """Someone else changed the same thing at the same moment; the use case is retried."""
