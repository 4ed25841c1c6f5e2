"""The audit log: every staff action, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from console.deps import CurrentStaff, Services
from console.pages import render
from core.services import staff

router = APIRouter()


@router.get("/audit", response_class=HTMLResponse)
async def audit_log(request: Request, who: CurrentStaff, services: Services) -> HTMLResponse:
    entries = await run_in_threadpool(staff.recent_audit, services.uow())
    return render(request, "audit.html", {"who": who, "entries": entries})
