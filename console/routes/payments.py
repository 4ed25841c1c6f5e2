"""Payments: the fees helpers owe from cash jobs (refunds and ledgers are on each booking)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from console.deps import CurrentStaff, Reads
from console.pages import render

router = APIRouter()


@router.get("/payments", response_class=HTMLResponse)
async def payments_page(request: Request, who: CurrentStaff, reads: Reads) -> HTMLResponse:
    balances = await run_in_threadpool(reads.cash_balances)
    return render(request, "payments.html", {"who": who, "balances": balances})
