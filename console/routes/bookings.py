"""Bookings: the list, one booking's history and money, and what staff do to it: refund,
cancel, resolve a dispute."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from console import auth
from console.deps import (
    Cents,
    ClientAddress,
    CurrentStaff,
    Id,
    MayAnswer,
    MayRefund,
    Reads,
    Refused,
    Services,
    act,
    confirmed,
    required,
)
from console.pages import back, render
from core.ports import PaymentProvider
from core.services import booking as booking_service
from core.services import payments, staff
from core.staff import Permission

log = logging.getLogger(__name__)
router = APIRouter()


@router.get("/bookings", response_class=HTMLResponse)
async def bookings(request: Request, who: CurrentStaff, reads: Reads, state: str = "") -> HTMLResponse:
    lines = await run_in_threadpool(reads.bookings, state=state or None)
    return render(request, "bookings.html", {"who": who, "bookings": lines, "state": state})


def provider_view(provider: PaymentProvider, ledger: list[tuple[datetime, str, int, str, str]]) -> list[Any]:
    """What the payment provider says about each payment of the booking (Stripe's objects)."""
    references = sorted({ref for _, kind, _, ref, _ in ledger if kind in {"authorised", "captured"} and ref})
    seen = []
    for ref in references:
        try:
            seen.append(provider.payment(ref))
        except Exception as err:  # the provider is down: the page still shows our ledger
            log.warning("payment provider could not show %s: %s", ref, err)
    return seen


@router.get("/bookings/{booking_id}", response_class=HTMLResponse)
async def booking_page(
    request: Request, booking_id: Id, who: CurrentStaff, services: Services, reads: Reads
) -> HTMLResponse:
    events = await run_in_threadpool(reads.timeline, booking_id)
    if not events:
        raise Refused(404, "err_no_booking")
    ledger = await run_in_threadpool(reads.ledger, booking_id)
    line = await run_in_threadpool(reads.booking, booking_id)
    context = {
        "who": who,
        "id": booking_id,
        "events": events,
        "ledger": ledger,
        "ratings": await run_in_threadpool(reads.ratings, booking_id),
        "once": auth.new_token(),
        "provider": await run_in_threadpool(provider_view, services.payments, ledger),
        "line": line,
        "may_cancel": who.member.may(Permission.REFUND)
        or not staff.money_attached(line.payment if line else None),
    }
    return render(request, "booking.html", context)


@router.post("/bookings/{booking_id}/refund")
async def refund(
    booking_id: Id,
    who: MayRefund,
    services: Services,
    where: ClientAddress,
    sure: Annotated[bool, confirmed("err_confirm_refund")],
    reason: Annotated[str, required("reason", "err_confirm_refund")],
    cents: Cents,
    once: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    await act(  # the same form sent twice (a double click) refunds once and is audited once
        payments.refund,
        services.uow(),
        booking_id,
        cents,
        reason=reason,
        now=services.now(),
        payments=services.payments,
        request_key=once or None,
        by_staff=who.member,
        address=where,
    )
    return back(f"/bookings/{booking_id}")


@router.post("/bookings/{booking_id}/cancel")
async def cancel_booking(
    booking_id: Id,
    who: MayAnswer,
    services: Services,
    where: ClientAddress,
    reason: Annotated[str, required("reason", "err_reason_needed")],
) -> Response:
    await act(
        staff.cancel_booking,
        services.uow(),
        who.member,
        booking_id,
        reason,
        now=services.now(),
        policy=services.policy,
        payments=services.payments,
        address=where,
    )
    return back(f"/bookings/{booking_id}")


@router.post("/bookings/{booking_id}/resolve")
async def resolve_dispute(
    booking_id: Id,
    who: MayRefund,
    services: Services,
    where: ClientAddress,
    note: Annotated[str, required("note", "err_amount_and_note")],
    cents: Cents,
) -> Response:
    await act(
        booking_service.resolve,
        services.uow(),
        booking_id,
        amount=cents,
        note=note,
        now=services.now(),
        policy=services.policy,
        payments=services.payments,
        by_staff=who.member,
        address=where,
    )
    return back(f"/bookings/{booking_id}")
