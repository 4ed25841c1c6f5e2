"""The app's web server (FastAPI): Stripe webhooks and the staff console.

`create_app(services)` puts the pieces together: the routers (one per page, console/routes/,
and the webhook), the static files, two pure ASGI middlewares (a 1 MB cap on bodies, security
headers) and the pages shown when a request is refused.

The console: server-rendered pages behind a login (Argon2 passwords, server-side sessions in
an HttpOnly, SameSite=Strict, Secure cookie), a CSRF token in every form, strict security
headers (our own scripts and styles only), roles, and an audit log of every action. Routes get
what they need from console/deps.py; every text a person reads comes from locales/*.toml.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import Scope

from console import stripe_webhook
from console.config import WebServices
from console.deps import Refused, Staffed, signed_in
from console.middleware import BodyLimit, SecurityHeaders
from console.pages import HERE, error_page
from console.routes import audit, auth, bookings, conversations, customers, flags, helpers, overview, payments

__all__ = ["Staffed", "WebServices", "all_routes", "create_app"]
ROUTERS = (
    stripe_webhook,
    auth,
    overview,
    conversations,
    customers,
    flags,
    payments,
    helpers,
    bookings,
    audit,
)
STATUS_TEXTS = {404: "err_not_found", 405: "err_bad_input", 413: "err_too_large"}


def all_routes() -> list[APIRoute]:
    """Every route of the app, for tests that walk them all."""
    return [r for module in ROUTERS for r in module.router.routes if isinstance(r, APIRoute)]


def create_app(services: WebServices) -> FastAPI:
    app = FastAPI(title="Service Friends", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = services
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    app.add_exception_handler(Refused, _refused)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _bad_input)  # type: ignore[arg-type]
    app.add_middleware(SecurityHeaders, hsts=services.secure_cookies)
    app.add_middleware(BodyLimit, limit=services.max_body_bytes, refuse=_too_large)
    return app


async def _refused(request: Request, refused: Refused) -> Response:
    who = await signed_in(request)  # the page keeps its header (navigation, logout) when signed in
    return error_page(request, refused.status, refused.key, refused.params, who=who)


async def _http_error(request: Request, error: HTTPException) -> Response:
    if error.headers and "Location" in error.headers:  # to the login
        return RedirectResponse(error.headers["Location"], status_code=error.status_code)
    return error_page(request, error.status_code, STATUS_TEXTS.get(error.status_code, "err_bad_input"))


async def _bad_input(request: Request, error: RequestValidationError) -> Response:
    return error_page(request, 422, "err_bad_input")


def _too_large(scope: Scope) -> Response:
    return error_page(Request(scope), 413, "err_too_large")
