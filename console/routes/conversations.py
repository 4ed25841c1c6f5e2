"""Conversations: the list, one person's chat (live, by server-sent events), support writing in
it and taking it over from the assistant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Form, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, StreamingResponse

from console.config import WebServices
from console.deps import (
    MAX_ID,
    ClientAddress,
    CurrentStaff,
    Id,
    KnownCustomer,
    MayAnswer,
    Reads,
    Refused,
    Services,
    act,
    required,
    session_member,
)
from console.pages import back, render
from core.services import support
from core.timezone import BERLIN
from storage.queries import ChatLine, Queries

router = APIRouter()
MAX_TEXT = 4000


@router.get("/conversations", response_class=HTMLResponse)
async def conversations(
    request: Request,
    who: CurrentStaff,
    reads: Reads,
    q: str = "",
    flagged: str = "",
    category: str = "",
    state: str = "",
    helper: str = "",
) -> HTMLResponse:
    lines = await run_in_threadpool(
        reads.conversations,
        search=q.strip(),
        flagged=bool(flagged),
        category=category,
        state=state,
        helper=helper.strip(),
    )
    filters = {"q": q, "flagged": flagged, "category": category, "state": state, "helper": helper}
    return render(request, "conversations.html", {"who": who, "lines": lines, **filters})


@router.get("/conversations/{customer_id}", response_class=HTMLResponse)
async def conversation(request: Request, customer_id: Id, who: CurrentStaff, reads: Reads) -> HTMLResponse:
    person = await run_in_threadpool(reads.customer, customer_id)
    if person is None:
        raise Refused(404, "err_no_customer")
    chat = await run_in_threadpool(reads.chat, customer_id)
    relay = await run_in_threadpool(reads.relay, customer_id)
    asked = await run_in_threadpool(reads.requests, customer_id)
    context = {"who": who, "id": customer_id, "person": person, "chat": chat, "relay": relay, "asked": asked}
    return render(request, "conversation.html", context)


def event(line: ChatLine) -> str:
    at = line.at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    data = {"id": line.id, "at": at, "who": line.who, "kind": line.kind, "text": line.text}
    return f"id: {line.id}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/conversations/{customer_id}/events")
async def conversation_events(
    request: Request,
    customer_id: Id,
    who: CurrentStaff,
    services: Services,
    reads: Reads,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_ID)] = None,
) -> Response:
    """Server-sent events: each new line of the chat as it is written (looked for every
    `poll_seconds`). The stream ends when its session does (logout, expiry, a disabled account:
    checked every `session_check_seconds`) and after `stream_max_seconds` at most; the browser
    then reconnects with the last id it saw, and a stream without a session is not opened."""
    return StreamingResponse(
        live_chat(request, services, reads, who.token_hash, customer_id, last_event_id or after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store"},
    )


async def live_chat(
    request: Request, services: WebServices, reads: Queries, token_hash: str, customer_id: int, after: int
) -> AsyncIterator[str]:
    clock = asyncio.get_running_loop().time
    started = checked = clock()
    last = after
    while clock() - started < services.stream_max_seconds and not await request.is_disconnected():
        if clock() - checked >= services.session_check_seconds:
            if await session_member(services, token_hash) is None:
                return
            checked = clock()
        for line in await run_in_threadpool(reads.chat, customer_id, after=last):
            last = line.id
            yield event(line)
        await asyncio.sleep(services.poll_seconds)


@router.post("/conversations/{customer_id}/write")
async def write(
    who: MayAnswer,
    customer_id: KnownCustomer,
    services: Services,
    where: ClientAddress,
    text: Annotated[str, required("text", "err_write_something")],
) -> Response:
    now = services.now()
    await act(support.write, services.uow(), who.member, customer_id, text[:MAX_TEXT], now=now, address=where)
    return back(f"/conversations/{customer_id}")


@router.post("/conversations/{customer_id}/take-over")
async def take_over(
    who: MayAnswer,
    customer_id: KnownCustomer,
    services: Services,
    where: ClientAddress,
    back_to_bot: Annotated[str, Form(alias="back")] = "",
) -> Response:
    taking = not back_to_bot
    now = services.now()
    await act(
        support.take_over, services.uow(), who.member, customer_id, taking=taking, now=now, address=where
    )
    return back(f"/conversations/{customer_id}")
