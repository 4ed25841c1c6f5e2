"""Stripe as the payment provider: Checkout with manual capture, destination charges to the
helper's Connect Express account with the platform fee, captures, refunds, webhook events.

Every write carries the idempotency key the use case made of the booking and the step, so a
retry after a crash returns Stripe's first answer instead of charging again.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe

from core.ids import BookingId, Cents, HelperId
from core.payments import ProviderEvent
from core.ports import Checkout, ProviderPayment

log = logging.getLogger(__name__)
#: PaymentIntent states in which a hold can still be given back.
CANCELABLE = {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}


class StripePayments:
    name = "stripe"
    live = True

    def __init__(
        self,
        api_key: str,
        *,
        return_url: str,
        base_url: str | None = None,
        http_client: stripe.HTTPClient | None = None,
        max_network_retries: int = 2,
    ) -> None:
        addresses: Any = {"api": base_url, "connect": base_url} if base_url else None
        self.client = stripe.StripeClient(
            api_key,
            base_addresses=addresses,
            http_client=http_client,
            max_network_retries=max_network_retries,
        )
        self.return_url = return_url

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
        metadata = {"booking_id": str(booking_id), "purpose": "hold" if capture_later else "extra"}
        intent: dict[str, Any] = {
            "capture_method": "manual" if capture_later else "automatic",
            "metadata": metadata,
            "description": description,
        }
        if destination:
            intent |= {"application_fee_amount": fee, "transfer_data": {"destination": destination}}
        session = self.client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "eur",
                            "unit_amount": amount,
                            "product_data": {"name": description},
                        },
                    }
                ],
                "payment_intent_data": intent,  # type: ignore[typeddict-item]
                "metadata": metadata,
                "success_url": self.return_url,
                "cancel_url": self.return_url,
            },
            options={"idempotency_key": idempotency_key},
        )
        return Checkout(session.id, session.url)

    def capture(self, reference: str, amount: Cents, *, fee: Cents, idempotency_key: str) -> None:
        intent = self.client.v1.payment_intents.retrieve(reference)
        if intent.status == "succeeded":  # captured before (a retry after a crash): nothing more
            return
        params: dict[str, Any] = {"amount_to_capture": amount}
        if getattr(intent, "transfer_data", None):
            params["application_fee_amount"] = fee
        self.client.v1.payment_intents.capture(
            reference, params=params, options={"idempotency_key": idempotency_key}
        )

    def release(self, reference: str, *, idempotency_key: str) -> None:
        intent = self.client.v1.payment_intents.retrieve(reference)
        if intent.status in CANCELABLE:
            self.client.v1.payment_intents.cancel(reference, options={"idempotency_key": idempotency_key})

    def expire_checkout(self, checkout: str, *, idempotency_key: str) -> None:
        session = self.client.v1.checkout.sessions.retrieve(checkout)
        if session.status == "open":  # a completed one is handled by its webhook; an expired one is done
            self.client.v1.checkout.sessions.expire(checkout, options={"idempotency_key": idempotency_key})

    def refund(self, reference: str, amount: Cents, *, idempotency_key: str) -> str:
        intent = self.client.v1.payment_intents.retrieve(reference)
        params: dict[str, Any] = {"payment_intent": reference, "amount": amount}
        if getattr(intent, "transfer_data", None):  # the helper's transfer and our fee go back in part
            params |= {"reverse_transfer": True, "refund_application_fee": True}
        refund = self.client.v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
        return str(refund.id)

    def payment(self, reference: str) -> ProviderPayment:
        intent = self.client.v1.payment_intents.retrieve(reference).to_dict()
        refunds = self.client.v1.refunds.list(params={"payment_intent": reference, "limit": 100})
        refunded = sum(
            r.amount
            for r in refunds.data
            if r.status in {"succeeded", "pending"} and r.payment_intent == reference
        )
        return ProviderPayment(
            reference, str(intent["status"]), _capturable(intent), _received(intent), refunded
        )

    def connect_account(self, *, helper_id: HelperId, idempotency_key: str) -> str:
        account = self.client.v1.accounts.create(
            params={
                "type": "express",
                "country": "DE",
                "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
                "metadata": {"helper_id": str(helper_id)},
            },
            options={"idempotency_key": idempotency_key},
        )
        return str(account.id)

    def onboarding_link(self, account: str) -> str:
        link = self.client.v1.account_links.create(
            params={
                "account": account,
                "refresh_url": self.return_url,
                "return_url": self.return_url,
                "type": "account_onboarding",
            }
        )
        return str(link.url)


class WebhookRefused(ValueError):
    """A webhook whose signature does not match the raw body and our endpoint secret, or is stale."""


def verify_webhook(payload: bytes, signature: str, secret: str) -> ProviderEvent:
    """Check the Stripe-Signature against the raw body (5 minutes' tolerance) and read the event."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as err:
        raise WebhookRefused(str(err)) from err
    return provider_event(event.to_dict())


def provider_event(event: dict[str, Any]) -> ProviderEvent:
    """The parts of a Stripe event we act on."""
    kind = str(event.get("type", ""))
    obj: dict[str, Any] = (event.get("data") or {}).get("object") or {}
    metadata = obj.get("metadata") or {}
    booking = metadata.get("booking_id")
    reference = obj.get("payment_intent") if kind.startswith(("checkout.", "charge.")) else obj.get("id")
    return ProviderEvent(
        id=str(event.get("id", "")),
        type=kind,
        booking_id=int(booking) if str(booking or "").isdigit() else None,
        reference=str(reference) if reference else None,
        checkout=str(obj.get("id")) if kind.startswith("checkout.") else None,
        purpose=str(metadata.get("purpose") or "hold"),
        account=str(obj.get("id")) if kind == "account.updated" else None,
        ready=bool(obj.get("charges_enabled") and obj.get("payouts_enabled")),
    )


def _capturable(intent: dict[str, Any]) -> int:
    if intent.get("amount_capturable") is not None:
        return int(intent["amount_capturable"])
    return int(intent["amount"]) if intent["status"] == "requires_capture" else 0


def _received(intent: dict[str, Any]) -> int:
    """What was captured. Stripe says amount_received; a test double that leaves it out books the
    released rest of a hold as a refund without a payment_intent, which is subtracted here."""
    if intent.get("amount_received") is not None:
        return int(intent["amount_received"])
    charge = intent.get("latest_charge")
    if not isinstance(charge, dict) or not charge.get("captured"):
        return 0
    released = sum(
        r["amount"] for r in (charge.get("refunds") or {}).get("data", []) if not r.get("payment_intent")
    )
    return int(charge.get("amount_captured") or charge["amount"] - released)
