"""The web server's machine endpoints: Stripe's webhook and the health check.

Webhooks are verified on the raw body with the endpoint secret; a forged or stale one is
refused with 400 and logged; every event is applied once (by its id), in any order."""

from __future__ import annotations

import logging
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from console.deps import MAX_ID, ClientAddress, Services
from core.services import payments

log = logging.getLogger(__name__)
router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, bool]:
    return {"ok": True}


@router.post("/stripe/webhook")
async def stripe_webhook(request: Request, services: Services, where: ClientAddress) -> JSONResponse:
    payload = await request.body()  # at most MAX_BODY_BYTES: the BodyLimit middleware stops more
    if services.verify_webhook is None:
        log.warning("Stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set")
        return JSONResponse({"error": "webhooks are not configured"}, status_code=400)
    try:
        event = services.verify_webhook(payload, request.headers.get("stripe-signature", ""))
    except ValueError as err:
        log.warning("Stripe webhook refused from %s: %s", where or "?", err)
        return JSONResponse({"error": "invalid signature"}, status_code=400)
    except (TypeError, AttributeError, LookupError) as err:  # signed, but not shaped like an event
        log.warning("Stripe webhook refused from %s: not an event object (%r)", where or "?", err)
        return JSONResponse({"error": "not an event object"}, status_code=400)
    if event.booking_id is not None and not 0 < event.booking_id <= MAX_ID:
        event = replace(event, booking_id=None)  # not one of ours: as an event without a booking
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
