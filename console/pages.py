"""Rendering: the templates, the reader's language, the page helpers (t, when, euros), cookies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from console.config import WebServices
from core.language import Language
from core.texts import money
from core.timezone import BERLIN

HERE = Path(__file__).parent
SESSION_COOKIE = "sf_session"
LOGIN_CSRF_COOKIE = "sf_login_csrf"
LANG_COOKIE = "sf_lang"
templates = Jinja2Templates(directory=HERE / "templates")


def services_of(request: Request) -> WebServices:
    services: WebServices = request.app.state.services
    return services


def language(request: Request) -> Language:
    chosen = request.cookies.get(LANG_COOKIE) or request.headers.get("accept-language", "en")[:2]
    return Language.DE if chosen.lower().startswith("de") else Language.EN


def text(request: Request, key: str, params: Mapping[str, object] | None = None) -> str:
    """A catalog text in the reader's language; `key` without a table is in [console]."""
    catalog = services_of(request).catalog
    full = key if "." in key else f"console.{key}"
    return catalog.render(full, language(request), params) if catalog else full


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    lang = language(request)

    def t(key: str, **params: Any) -> str:
        return text(request, key, params)

    def when(moment: datetime | None) -> str:
        return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") if moment else "–"

    def euros(cents: int | None) -> str:
        return money(cents, lang) if cents is not None else "–"

    return templates.TemplateResponse(
        request,
        name,
        {"t": t, "when": when, "euros": euros, "lang": str(lang), **context},
        status_code=status,
    )


def error_page(
    request: Request, status: int, key: str, params: Mapping[str, object] | None = None, *, who: object = None
) -> Response:
    """What a person sees when the console refuses: the reason in their language, and the way back
    (with the header when signed in)."""
    context = {"who": who, "status": status, "message": text(request, key, params)}
    return render(request, "error.html", context, status=status)


def cookie(
    response: Response, request: Request, name: str, value: str, *, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=services_of(request).secure_cookies,
        path="/",
    )


def back(path: str) -> RedirectResponse:
    """After a change: to the page that shows it (303, so a reload does not send the form again)."""
    return RedirectResponse(path, status_code=303)
