"""Customers: the list, one customer's page, blocking, and their data (export, erasure)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from console.deps import (
    ClientAddress,
    CurrentStaff,
    KnownCustomer,
    MayDeleteData,
    MayExportData,
    MaySuspend,
    Reads,
    Services,
    act,
    confirmed,
    required,
)
from console.pages import back, render
from core.services import privacy, steps, support

router = APIRouter()


@router.get("/customers", response_class=HTMLResponse)
async def customers(request: Request, who: CurrentStaff, reads: Reads, q: str = "") -> HTMLResponse:
    lines = await run_in_threadpool(reads.customers, search=q.strip())
    return render(request, "customers.html", {"who": who, "lines": lines, "q": q})


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
async def customer_page(
    request: Request, who: CurrentStaff, customer_id: KnownCustomer, reads: Reads
) -> HTMLResponse:
    person = await run_in_threadpool(reads.customer, customer_id)
    found = await run_in_threadpool(lambda: reads.customers(customer_id=customer_id))
    bookings = await run_in_threadpool(lambda: reads.bookings(customer_id=customer_id, limit=1000))
    asked = await run_in_threadpool(reads.requests, customer_id)
    context = {
        "who": who,
        "id": customer_id,
        "person": person,
        "line": found[0] if found else None,
        "bookings": bookings,
        "asked": asked,
    }
    return render(request, "customer.html", context)


@router.post("/customers/{customer_id}/block")
async def block_customer(
    who: MaySuspend,
    customer_id: KnownCustomer,
    services: Services,
    where: ClientAddress,
    reason: Annotated[str, required("reason", "err_reason_needed")],
    undo: Annotated[str, Form()] = "",
) -> Response:
    await act(
        support.block_customer,
        services.uow(),
        who.member,
        customer_id,
        reason,
        blocked=not undo,
        now=services.now(),
        address=where,
    )
    return back(f"/customers/{customer_id}")


def _audit_export(services: Services, who: MayExportData, customer_id: int, where: str) -> None:
    uow = services.uow()
    with uow:
        steps.audit(
            uow,
            who.member,
            "export_person",
            "customer",
            str(customer_id),
            "",
            "JSON",
            now=services.now(),
            address=where,
        )
        uow.commit()


@router.get("/customers/{customer_id}/export.json")
async def export_customer(
    who: MayExportData, customer_id: KnownCustomer, services: Services, where: ClientAddress
) -> JSONResponse:
    data = await act(privacy.export, services.uow(), customer_id)
    await run_in_threadpool(_audit_export, services, who, customer_id, where)
    disposition = f'attachment; filename="customer-{customer_id}.json"'
    return JSONResponse(data, headers={"Content-Disposition": disposition})


@router.post("/customers/{customer_id}/erase")
async def erase_customer(
    who: MayDeleteData,
    customer_id: KnownCustomer,
    services: Services,
    sure: Annotated[bool, confirmed("err_confirm_erasure")],
) -> Response:
    await act(
        privacy.erase, services.uow(), customer_id, now=services.now(), member=who.member,
        policy=services.policy, payments=services.payments,
    )  # fmt: skip
    return back("/customers")
