"""The offline payment provider: the same contract as Stripe, and no money moves.

The demo and the tests use it; the chat labels card payments made with it as test payments.
A card is "held" at once (no payment page), and each idempotency key acts once, like Stripe's.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

from core.ids import BookingId, Cents, HelperId
from core.ports import Checkout, ProviderPayment

log = logging.getLogger(__name__)


@dataclass
class _Payment:
    held: int
    captured: int = 0
    refunded: int = 0
    status: str = "requires_capture"


class OfflinePayments:
    name = "offline"
    live = False

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []  # (step, idempotency key, cents), for a look in tests
        self._payments: dict[str, _Payment] = {}
        self._ids = itertools.count(1)

    def checkout(
        self,
        *,
        booking_id: BookingId,
        amount: Cents,
        fee: Cents,
        destination: str | None,
        description: str,
        idempotency_key: str,
        capture_later: bool = True,
    ) -> Checkout:
        reference = f"offline-{idempotency_key}"
        if self._once("authorize" if capture_later else "charge", idempotency_key, amount):
            self._payments[reference] = _Payment(held=amount if capture_later else 0)
            if not capture_later:
                self._payments[reference].captured = amount
                self._payments[reference].status = "succeeded"
        return Checkout(reference, None)

    def capture(self, reference: str, amount: Cents, *, fee: Cents, idempotency_key: str) -> None:
        if self._once("capture", idempotency_key, amount):
            payment = self._payments.setdefault(reference, _Payment(held=amount))
            payment.captured, payment.status = amount, "succeeded"

    def release(self, reference: str, *, idempotency_key: str) -> None:
        if self._once("release", idempotency_key, 0):
            self._payments.setdefault(reference, _Payment(held=0)).status = "canceled"

    def expire_checkout(self, checkout: str, *, idempotency_key: str) -> None:
        self.calls.append(("expire", idempotency_key, 0))  # offline pages hold at once: none stays open

    def refund(self, reference: str, amount: Cents, *, idempotency_key: str) -> str:
        if self._once("refund", idempotency_key, amount):
            self._payments.setdefault(reference, _Payment(held=0)).refunded += amount
        return f"offline-refund-{idempotency_key}"

    def payment(self, reference: str) -> ProviderPayment:
        p = self._payments.get(reference, _Payment(held=0, status="unknown"))
        capturable = p.held if p.status == "requires_capture" else 0
        return ProviderPayment(reference, p.status, capturable, p.captured, p.refunded)

    def connect_account(self, *, helper_id: HelperId, idempotency_key: str) -> str:
        return f"offline-account-{helper_id}"

    def onboarding_link(self, account: str) -> str:
        return "https://example.invalid/offline-payouts"

    def _once(self, step: str, key: str, cents: int) -> bool:
        if any(k == key for _, k, _ in self.calls):
            return False  # the same idempotency key again: nothing new happens
        self.calls.append((step, key, cents))
        log.info("offline payment: %s %s (%s cents) - no money moves", step, key, cents)
        return True
