"""Logging in and out, and the console's language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from console import auth
from console.deps import ClientAddress, Refused, Services, StaffForm
from console.pages import LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, back, cookie, render
from core.services import staff

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, error: str = "") -> HTMLResponse:
    token = auth.new_token()
    response = render(request, "login.html", {"csrf": token, "error": error})
    cookie(response, request, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/login")
async def login(
    request: Request,
    services: Services,
    where: ClientAddress,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not auth.same(csrf, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        raise Refused(403, "err_csrf")
    try:
        member = await run_in_threadpool(
            staff.log_in,
            services.uow(),
            email,
            auth.password_check(password),
            address=where,
            now=services.now(),
        )
    except staff.SlowDown as err:
        context = {"csrf": csrf, "error": "slow_down", "seconds": err.params["seconds"]}
        return render(request, "login.html", context, status=429)
    except staff.LoginRefused:
        return render(request, "login.html", {"csrf": csrf, "error": "refused"}, status=401)
    token = auth.new_token()  # a fresh session at every login
    await run_in_threadpool(
        staff.start_session,
        services.uow(),
        member,
        auth.token_hash(token),
        auth.new_token(),
        now=services.now(),
        hours=services.session_hours,
    )
    response = back("/")
    cookie(response, request, SESSION_COOKIE, token, max_age=services.session_hours * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(who: StaffForm, services: Services) -> Response:
    await run_in_threadpool(staff.end_session, services.uow(), who.token_hash)
    response = back("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
async def set_language(request: Request, who: StaffForm, lang: Annotated[str, Form()] = "en") -> Response:
    response = back("/")
    cookie(response, request, LANG_COOKIE, "de" if lang == "de" else "en", max_age=365 * 86400)
    return response
