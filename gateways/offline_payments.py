"""The offline payment provider: the same contract as a real one, and no money moves.

The demo and the tests use it; the chat labels card payments made with it as test payments.
"""

from __future__ import annotations

import logging

from core.ids import BookingId, Cents

log = logging.getLogger(__name__)


class OfflinePayments:
    name = "offline"
    live = False

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []  # (step, idempotency key, cents), for a look in tests

    def authorize(self, *, booking_id: BookingId, amount: Cents, idempotency_key: str) -> str:
        self._did("authorize", idempotency_key, amount)
        return f"offline-{booking_id}"

    def capture(self, reference: str, amount: Cents, *, idempotency_key: str) -> None:
        self._did("capture", idempotency_key, amount)

    def release(self, reference: str, *, idempotency_key: str) -> None:
        self._did("release", idempotency_key, 0)

    def _did(self, step: str, key: str, cents: int) -> None:
        if any(k == key for _, k, _ in self.calls):
            return  # the same idempotency key again: nothing new happens
        self.calls.append((step, key, cents))
        log.info("offline payment: %s %s (%s cents) - no money moves", step, key, cents)
