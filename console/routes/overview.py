"""The overview: what waits for support, and the last 30 days in charts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from console.charts import charts
from console.deps import CurrentStaff, Reads, Services
from console.pages import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, who: CurrentStaff, services: Services, reads: Reads) -> HTMLResponse:
    board = await run_in_threadpool(reads.dashboard, services.now())
    stats = await run_in_threadpool(reads.stats, services.now())
    return render(request, "dashboard.html", {"who": who, "board": board, "charts": charts(stats, request)})
