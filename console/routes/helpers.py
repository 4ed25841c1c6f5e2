"""Helpers: the list, one helper's profile, verifying and suspending."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from console.deps import (
    ClientAddress,
    CurrentStaff,
    Id,
    MaySuspend,
    MayVerify,
    Reads,
    Refused,
    Services,
    act,
    required,
)
from console.pages import back, render
from core.services import staff

router = APIRouter()


@router.get("/helpers", response_class=HTMLResponse)
async def helpers(request: Request, who: CurrentStaff, reads: Reads, status: str = "") -> HTMLResponse:
    lines = await run_in_threadpool(reads.helpers, status=status)
    return render(request, "helpers.html", {"who": who, "helpers": lines, "status": status})


@router.get("/helpers/{helper_id}", response_class=HTMLResponse)
async def helper_page(request: Request, helper_id: Id, who: CurrentStaff, reads: Reads) -> HTMLResponse:
    profile = await run_in_threadpool(reads.helper, helper_id)
    if profile is None:
        raise Refused(404, "err_no_helper")
    return render(request, "helper.html", {"who": who, "h": profile})


@router.post("/helpers/{helper_id}/verify")
async def verify(
    helper_id: Id,
    who: MayVerify,
    services: Services,
    where: ClientAddress,
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    checked = note.strip() or "checked"
    await act(
        staff.verify_helper, services.uow(), who.member, helper_id, checked, now=services.now(), address=where
    )
    return back("/helpers")


@router.post("/helpers/{helper_id}/suspend")
async def suspend(
    helper_id: Id,
    who: MaySuspend,
    services: Services,
    where: ClientAddress,
    reason: Annotated[str, required("reason", "err_reason_told")],
    undo: Annotated[str, Form()] = "",
) -> Response:
    await act(
        staff.suspend_helper,
        services.uow(),
        who.member,
        helper_id,
        reason,
        suspended=not undo,
        now=services.now(),
        address=where,
    )
    return back("/helpers")
