"""The app's web server (FastAPI): Stripe webhooks now, the staff console later.

`create_app(services)` registers every route in one place. Webhooks are verified on the raw
body with the endpoint secret; a forged or stale one is refused with 400 and logged; every
event is applied once (by its id), in any order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from core.booking import BookingPolicy
from core.payments import ProviderEvent
from core.ports import PaymentProvider, UnitOfWork
from core.services import payments

log = logging.getLogger(__name__)


@dataclass
class WebServices:
    uow: Callable[[], UnitOfWork]
    payments: PaymentProvider
    policy: BookingPolicy
    now: Callable[[], datetime]
    #: (raw body, Stripe-Signature header) → the event; raises ValueError when refused.
    verify_webhook: Callable[[bytes, str], ProviderEvent] | None = None


def create_app(services: WebServices) -> FastAPI:
    app = FastAPI(title="Service Friends", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/stripe/webhook")
    async def stripe_webhook(request: Request) -> JSONResponse:
        payload = await request.body()
        if services.verify_webhook is None:
            log.warning("Stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set")
            return JSONResponse({"error": "webhooks are not configured"}, status_code=400)
        try:
            event = services.verify_webhook(payload, request.headers.get("stripe-signature", ""))
        except ValueError as err:
            client = request.client.host if request.client else "?"
            log.warning("Stripe webhook refused from %s: %s", client, err)
            return JSONResponse({"error": "invalid signature"}, status_code=400)
        done = await run_in_threadpool(
            payments.apply_event,
            services.uow(),
            event,
            now=services.now(),
            policy=services.policy,
            payments=services.payments,
        )
        log.info("Stripe event %s (%s): %s", event.id, event.type, done)
        return JSONResponse({"received": True, "result": done})

    return app
