"""Flagged messages, reports, blocks and chargebacks, resolved with a note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from console.deps import ClientAddress, CurrentStaff, Id, MayResolveFlags, Reads, Services, act, required
from console.pages import back, render
from core.services import support

router = APIRouter()


@router.get("/flags", response_class=HTMLResponse)
async def flags(request: Request, who: CurrentStaff, reads: Reads, resolved: str = "") -> HTMLResponse:
    lines = await run_in_threadpool(reads.flags, resolved=bool(resolved))
    return render(request, "flags.html", {"who": who, "flags": lines, "resolved": resolved})


@router.post("/flags/{flag_id}/resolve")
async def resolve_flag(
    flag_id: Id,
    who: MayResolveFlags,
    services: Services,
    where: ClientAddress,
    note: Annotated[str, required("note", "err_say_what_was_done")],
) -> Response:
    await act(
        support.resolve_flag, services.uow(), who.member, flag_id, note, now=services.now(), address=where
    )
    return back("/flags")
