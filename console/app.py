"""The app's web server (FastAPI): Stripe webhooks and the staff console.

`create_app(services)` registers every route in one place. Webhooks are verified on the raw
body with the endpoint secret; a forged or stale one is refused with 400 and logged; every
event is applied once (by its id), in any order.

The console: server-rendered pages behind a login (Argon2 passwords, server-side sessions in
an HttpOnly, SameSite=Strict cookie, Secure behind HTTPS), a CSRF token in every form, strict
security headers (our own scripts and styles only), roles, and an audit log of every action.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from console import auth
from core.booking import BookingPolicy
from core.categories import Category
from core.errors import DomainError
from core.language import Language
from core.payments import ProviderEvent
from core.ports import PaymentProvider, UnitOfWork
from core.services import booking as booking_service
from core.services import payments, privacy, staff, steps, support
from core.staff import NotAllowed, Permission, StaffMember
from core.texts import Catalog, money
from core.timezone import BERLIN
from storage.queries import Queries, Stats

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
SESSION_COOKIE = "sf_session"
LOGIN_CSRF_COOKIE = "sf_login_csrf"
LANG_COOKIE = "sf_lang"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


@dataclass
class WebServices:
    uow: Callable[[], UnitOfWork]
    payments: PaymentProvider
    policy: BookingPolicy
    now: Callable[[], datetime]
    #: (raw body, Stripe-Signature header) → the event; raises ValueError when refused.
    verify_webhook: Callable[[bytes, str], ProviderEvent] | None = None
    queries: Queries | None = None
    catalog: Catalog | None = None
    session_hours: int = 8
    poll_seconds: float = 1.0  # how often a live conversation page looks for new messages
    #: Behind HTTPS (a proxy): cookies get the Secure flag.
    secure_cookies: bool = False


@dataclass
class Staffed:
    """The signed-in member on this request, with the session's CSRF token."""

    member: StaffMember
    csrf: str
    token_hash: str


def create_app(services: WebServices) -> FastAPI:
    app = FastAPI(title="Service Friends", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if request.url.path not in {"/healthz", "/stripe/webhook"}:
            response.headers["Cache-Control"] = "no-store"
        return response

    def language(request: Request) -> Language:
        chosen = request.cookies.get(LANG_COOKIE) or request.headers.get("accept-language", "en")[:2]
        return Language.DE if chosen.lower().startswith("de") else Language.EN

    def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        lang = language(request)
        catalog = services.catalog

        def t(key: str, **params: Any) -> str:
            return catalog.render(f"console.{key}", lang, params) if catalog else key

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

    def cookie(response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="strict",
            secure=services.secure_cookies,
            path="/",
        )

    async def signed_in(request: Request) -> Staffed | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        digest = auth.token_hash(token)
        found = await run_in_threadpool(staff.session, services.uow(), digest, now=services.now())
        return None if found is None else Staffed(found[0], found[1], digest)

    async def page_user(request: Request) -> Staffed:
        """For pages: without a session, to the login."""
        who = await signed_in(request)
        if who is None:
            raise HTTPException(303, headers={"Location": "/login"})
        return who

    async def form_user(request: Request, csrf: Annotated[str, Form()] = "") -> Staffed:
        """For state changes: a session and its CSRF token, or 403 and nothing changes."""
        who = await signed_in(request)
        if who is None or not auth.same(csrf, who.csrf):
            raise HTTPException(403, "missing or wrong CSRF token, or no session")
        return who

    Page = Annotated[Staffed, Depends(page_user)]
    Act = Annotated[Staffed, Depends(form_user)]

    def allowed(who: Staffed, permission: Permission) -> None:
        if not who.member.may(permission):
            raise HTTPException(403, f"your role may not {permission}")

    def address(request: Request) -> str:
        return request.client.host if request.client else ""

    # ---- unauthenticated ------------------------------------------------------------------

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/stripe/webhook")
    async def stripe_webhook(request: Request) -> JSONResponse:
        payload = await request.body()
        if services.verify_webhook is None:
            log.warning("Stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set")
            return JSONResponse({"error": "webhooks are not configured"}, status_code=400)
        try:
            event = services.verify_webhook(payload, request.headers.get("stripe-signature", ""))
        except ValueError as err:
            log.warning("Stripe webhook refused from %s: %s", address(request) or "?", err)
            return JSONResponse({"error": "invalid signature"}, status_code=400)
        done = await run_in_threadpool(
            payments.apply_event,
            services.uow(),
            event,
            now=services.now(),
            policy=services.policy,
            payments=services.payments,
        )
        log.info("Stripe event %s (%s): %s", event.id, event.type, done)
        return JSONResponse({"received": True, "result": done})

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, error: str = "") -> HTMLResponse:
        token = auth.new_token()
        response = render(request, "login.html", {"csrf": token, "error": error})
        cookie(response, LOGIN_CSRF_COOKIE, token, max_age=3600)
        return response

    @app.post("/login")
    async def login(
        request: Request,
        email: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        if not auth.same(csrf, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
            raise HTTPException(403, "missing or wrong CSRF token")
        try:
            member = await run_in_threadpool(
                staff.log_in,
                services.uow(),
                email,
                auth.password_check(password),
                address=address(request),
                now=services.now(),
            )
        except staff.SlowDown as err:
            return render(
                request,
                "login.html",
                {"csrf": csrf, "error": "slow_down", "seconds": err.params["seconds"]},
                status=429,
            )
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
        response = RedirectResponse("/", status_code=303)
        cookie(response, SESSION_COOKIE, token, max_age=services.session_hours * 3600)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @app.post("/logout")
    async def logout(who: Act) -> Response:
        await run_in_threadpool(staff.end_session, services.uow(), who.token_hash)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.post("/language")
    async def set_language(who: Act, lang: Annotated[str, Form()] = "en") -> Response:
        response = RedirectResponse("/", status_code=303)
        cookie(response, LANG_COOKIE, "de" if lang == "de" else "en", max_age=365 * 86400)
        return response

    # ---- pages ------------------------------------------------------------------------------

    def queries() -> Queries:
        assert services.queries is not None
        return services.queries

    @app.get("/", response_class=HTMLResponse)
    async def dashboard(request: Request, who: Page) -> HTMLResponse:
        board = await run_in_threadpool(queries().dashboard, services.now())
        stats = await run_in_threadpool(queries().stats, services.now())
        return render(
            request, "dashboard.html", {"who": who, "board": board, "charts": _charts(stats, request)}
        )

    def _charts(stats: Stats, request: Request) -> list[tuple[str, str]]:
        """(title key, Chart.js config as JSON) for each chart; drawn by static/console.js."""
        lang = language(request)
        catalog = services.catalog
        colours = {
            "phone": "#2f6fde",
            "internet": "#2e8b57",
            "tv": "#d08a1f",
            "pc": "#8a4fd0",
            "none": "#9aa1b1",
        }

        def label(key: str) -> str:
            return catalog.render(f"console.{key}", lang) if catalog else key

        def line(data: list[Any], name: str, colour: str) -> dict[str, Any]:
            return {
                "label": name,
                "data": data,
                "borderColor": colour,
                "backgroundColor": colour,
                "spanGaps": True,
            }

        euros = [round(c / 100, 2) for c in stats.revenue_cents]
        fees = [round(c / 100, 2) for c in stats.fee_cents]
        unsure = [None if v is None else round(v * 100, 1) for v in stats.unsure_share]
        configs = [
            (
                "chart_requests",
                {
                    "type": "bar",
                    "data": {
                        "labels": stats.days,
                        "datasets": [
                            {
                                "label": catalog.category(Category(c), lang) if catalog else c,
                                "data": v,
                                "backgroundColor": colours.get(c, "#9aa1b1"),
                            }
                            for c, v in sorted(stats.requests_by_category.items())
                        ],
                    },
                    "options": {
                        "scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}
                    },
                },
            ),
            (
                "chart_minutes",
                {
                    "type": "line",
                    "data": {
                        "labels": stats.days,
                        "datasets": [
                            line(stats.minutes_to_first_offer, label("to_first_offer"), "#2f6fde"),
                            line(stats.minutes_to_acceptance, label("to_acceptance"), "#2e8b57"),
                        ],
                    },
                    "options": {"scales": {"y": {"beginAtZero": True}}},
                },
            ),
            (
                "chart_funnel",
                {
                    "type": "bar",
                    "data": {
                        "labels": [label("funnel_requests"), label("funnel_booked"), label("funnel_paid")],
                        "datasets": [
                            {
                                "label": label("count"),
                                "data": list(stats.funnel),
                                "backgroundColor": "#2f6fde",
                            }
                        ],
                    },
                    "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
                },
            ),
            (
                "chart_revenue",
                {
                    "type": "bar",
                    "data": {
                        "labels": stats.days,
                        "datasets": [
                            {"label": label("revenue"), "data": euros, "backgroundColor": "#2f6fde"},
                            {"label": label("platform_fee"), "data": fees, "backgroundColor": "#2e8b57"},
                        ],
                    },
                },
            ),
            (
                "chart_ratings",
                {
                    "type": "bar",
                    "data": {
                        "labels": ["1★", "2★", "3★", "4★", "5★"],
                        "datasets": [
                            {"label": label("ratings"), "data": stats.ratings, "backgroundColor": "#d08a1f"}
                        ],
                    },
                    "options": {"plugins": {"legend": {"display": False}}},
                },
            ),
            (
                "chart_unsure",
                {
                    "type": "line",
                    "data": {
                        "labels": stats.days,
                        "datasets": [line(unsure, label("unsure_percent"), "#c2413b")],
                    },
                    "options": {"scales": {"y": {"beginAtZero": True, "max": 100}}},
                },
            ),
        ]
        return [(title, json.dumps(config, ensure_ascii=False)) for title, config in configs]

    @app.get("/conversations", response_class=HTMLResponse)
    async def conversations(
        request: Request,
        who: Page,
        q: str = "",
        flagged: str = "",
        category: str = "",
        state: str = "",
        helper: str = "",
    ) -> HTMLResponse:
        lines = await run_in_threadpool(
            queries().conversations,
            search=q.strip(),
            flagged=bool(flagged),
            category=category,
            state=state,
            helper=helper.strip(),
        )
        filters = {"q": q, "flagged": flagged, "category": category, "state": state, "helper": helper}
        return render(request, "conversations.html", {"who": who, "lines": lines, **filters})

    @app.get("/conversations/{customer_id}", response_class=HTMLResponse)
    async def conversation(request: Request, customer_id: int, who: Page) -> HTMLResponse:
        q = queries()
        person = await run_in_threadpool(q.customer, customer_id)
        if person is None:
            raise HTTPException(404, "no such customer")
        chat = await run_in_threadpool(q.chat, customer_id)
        relay = await run_in_threadpool(q.relay, customer_id)
        asked = await run_in_threadpool(q.requests, customer_id)
        return render(
            request,
            "conversation.html",
            {"who": who, "id": customer_id, "person": person, "chat": chat, "relay": relay, "asked": asked},
        )

    @app.get("/conversations/{customer_id}/events")
    async def conversation_events(request: Request, customer_id: int, who: Page, after: int = 0) -> Response:
        """Server-sent events: each new line of the chat as it is written (checked every second)."""

        async def stream():  # type: ignore[no-untyped-def]
            last = after
            while not await request.is_disconnected():
                for line in await run_in_threadpool(queries().chat, customer_id, after=last):
                    last = line.id
                    data = json.dumps(
                        {
                            "id": line.id,
                            "at": line.at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M"),
                            "who": line.who,
                            "kind": line.kind,
                            "text": line.text,
                        },
                        ensure_ascii=False,
                    )
                    yield f"id: {line.id}\ndata: {data}\n\n"
                await asyncio.sleep(services.poll_seconds)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    @app.post("/conversations/{customer_id}/write")
    async def write(
        request: Request, customer_id: int, who: Act, text: Annotated[str, Form()] = ""
    ) -> Response:
        allowed(who, Permission.ANSWER)
        if not text.strip():
            raise HTTPException(400, "write something")
        await _act(
            support.write,
            services.uow(),
            who.member,
            customer_id,
            text.strip()[:4000],
            now=services.now(),
            address=address(request),
        )
        return RedirectResponse(f"/conversations/{customer_id}", status_code=303)

    @app.post("/conversations/{customer_id}/take-over")
    async def take_over(
        request: Request, customer_id: int, who: Act, back: Annotated[str, Form()] = ""
    ) -> Response:
        allowed(who, Permission.ANSWER)
        await _act(
            support.take_over,
            services.uow(),
            who.member,
            customer_id,
            taking=not back,
            now=services.now(),
            address=address(request),
        )
        return RedirectResponse(f"/conversations/{customer_id}", status_code=303)

    @app.get("/customers", response_class=HTMLResponse)
    async def customers(request: Request, who: Page, q: str = "") -> HTMLResponse:
        lines = await run_in_threadpool(queries().customers, search=q.strip())
        return render(request, "customers.html", {"who": who, "lines": lines, "q": q})

    @app.get("/customers/{customer_id}", response_class=HTMLResponse)
    async def customer_page(request: Request, customer_id: int, who: Page) -> HTMLResponse:
        q = queries()
        person = await run_in_threadpool(q.customer, customer_id)
        if person is None:
            raise HTTPException(404, "no such customer")
        found = await run_in_threadpool(lambda: q.customers(customer_id=customer_id))
        line = found[0] if found else None
        bookings = await run_in_threadpool(lambda: q.bookings(customer_id=customer_id, limit=1000))
        asked = await run_in_threadpool(q.requests, customer_id)
        return render(
            request,
            "customer.html",
            {
                "who": who,
                "id": customer_id,
                "person": person,
                "line": line,
                "bookings": bookings,
                "asked": asked,
            },
        )

    @app.post("/customers/{customer_id}/block")
    async def block_customer(
        request: Request,
        customer_id: int,
        who: Act,
        reason: Annotated[str, Form()] = "",
        undo: Annotated[str, Form()] = "",
    ) -> Response:
        allowed(who, Permission.SUSPEND)
        if not reason.strip():
            raise HTTPException(400, "a reason is needed")
        await _act(
            support.block_customer,
            services.uow(),
            who.member,
            customer_id,
            reason.strip(),
            blocked=not undo,
            now=services.now(),
            address=address(request),
        )
        return RedirectResponse(f"/customers/{customer_id}", status_code=303)

    @app.get("/customers/{customer_id}/export.json")
    async def export_customer(request: Request, customer_id: int, who: Page) -> JSONResponse:
        allowed(who, Permission.DELETE_DATA)
        data = await _act(privacy.export, services.uow(), customer_id)
        await run_in_threadpool(
            _audit, who.member, "export_person", "customer", customer_id, "JSON", address(request)
        )
        return JSONResponse(
            data, headers={"Content-Disposition": f'attachment; filename="customer-{customer_id}.json"'}
        )

    @app.post("/customers/{customer_id}/erase")
    async def erase_customer(
        request: Request, customer_id: int, who: Act, confirm: Annotated[str, Form()] = ""
    ) -> Response:
        allowed(who, Permission.DELETE_DATA)
        if confirm != "yes":
            raise HTTPException(400, "confirm the erasure")
        await _act(privacy.erase, services.uow(), customer_id, now=services.now(), member=who.member)
        return RedirectResponse("/customers", status_code=303)

    @app.get("/flags", response_class=HTMLResponse)
    async def flags(request: Request, who: Page, resolved: str = "") -> HTMLResponse:
        lines = await run_in_threadpool(queries().flags, resolved=bool(resolved))
        return render(request, "flags.html", {"who": who, "flags": lines, "resolved": resolved})

    @app.post("/flags/{flag_id}/resolve")
    async def resolve_flag(
        request: Request, flag_id: int, who: Act, note: Annotated[str, Form()] = ""
    ) -> Response:
        allowed(who, Permission.FLAG)
        if not note.strip():
            raise HTTPException(400, "say what was done")
        await _act(
            support.resolve_flag,
            services.uow(),
            who.member,
            flag_id,
            note.strip(),
            now=services.now(),
            address=address(request),
        )
        return RedirectResponse("/flags", status_code=303)

    @app.get("/payments", response_class=HTMLResponse)
    async def payments_page(request: Request, who: Page) -> HTMLResponse:
        balances = await run_in_threadpool(queries().cash_balances)
        return render(request, "payments.html", {"who": who, "balances": balances})

    @app.get("/helpers", response_class=HTMLResponse)
    async def helpers(request: Request, who: Page, status: str = "") -> HTMLResponse:
        lines = await run_in_threadpool(queries().helpers, status=status)
        return render(request, "helpers.html", {"who": who, "helpers": lines, "status": status})

    @app.get("/helpers/{helper_id}", response_class=HTMLResponse)
    async def helper_page(request: Request, helper_id: int, who: Page) -> HTMLResponse:
        profile = await run_in_threadpool(queries().helper, helper_id)
        if profile is None:
            raise HTTPException(404, "no such helper")
        return render(request, "helper.html", {"who": who, "h": profile})

    @app.post("/helpers/{helper_id}/verify")
    async def verify(
        request: Request, helper_id: int, who: Act, note: Annotated[str, Form()] = ""
    ) -> Response:
        allowed(who, Permission.VERIFY)
        await _act(
            staff.verify_helper,
            services.uow(),
            who.member,
            helper_id,
            note.strip() or "checked",
            now=services.now(),
            address=address(request),
        )
        return RedirectResponse("/helpers", status_code=303)

    @app.post("/helpers/{helper_id}/suspend")
    async def suspend(
        request: Request,
        helper_id: int,
        who: Act,
        reason: Annotated[str, Form()] = "",
        undo: Annotated[str, Form()] = "",
    ) -> Response:
        allowed(who, Permission.SUSPEND)
        if not reason.strip():
            raise HTTPException(400, "a reason is needed; the helper is told it")
        await _act(
            staff.suspend_helper,
            services.uow(),
            who.member,
            helper_id,
            reason.strip(),
            suspended=not undo,
            now=services.now(),
            address=address(request),
        )
        return RedirectResponse("/helpers", status_code=303)

    @app.get("/bookings", response_class=HTMLResponse)
    async def bookings(request: Request, who: Page, state: str = "") -> HTMLResponse:
        lines = await run_in_threadpool(queries().bookings, state=state or None)
        return render(request, "bookings.html", {"who": who, "bookings": lines, "state": state})

    @app.get("/bookings/{booking_id}", response_class=HTMLResponse)
    async def booking_page(request: Request, booking_id: int, who: Page) -> HTMLResponse:
        q = queries()
        events = await run_in_threadpool(q.timeline, booking_id)
        if not events:
            raise HTTPException(404, "no such booking")
        ledger = await run_in_threadpool(q.ledger, booking_id)
        ratings = await run_in_threadpool(q.ratings, booking_id)
        line = await run_in_threadpool(q.booking, booking_id)
        provider = await run_in_threadpool(_provider_view, ledger)
        return render(
            request,
            "booking.html",
            {
                "who": who,
                "id": booking_id,
                "events": events,
                "ledger": ledger,
                "ratings": ratings,
                "once": auth.new_token(),
                "provider": provider,
                "line": line,
            },
        )

    @app.post("/bookings/{booking_id}/refund")
    async def refund(
        request: Request,
        booking_id: int,
        who: Act,
        cents: Annotated[int, Form()],
        reason: Annotated[str, Form()] = "",
        confirm: Annotated[str, Form()] = "",
        once: Annotated[str, Form()] = "",
    ) -> Response:
        allowed(who, Permission.REFUND)
        if confirm != "yes" or not reason.strip():
            raise HTTPException(400, "confirm the refund and give a reason")
        await _act(  # the same form sent twice (a double click) refunds once and is audited once
            payments.refund,
            services.uow(),
            booking_id,
            cents,
            reason=reason.strip(),
            now=services.now(),
            payments=services.payments,
            request_key=once or None,
            by_staff=who.member,
            address=address(request),
        )
        return RedirectResponse(f"/bookings/{booking_id}", status_code=303)

    @app.post("/bookings/{booking_id}/cancel")
    async def cancel_booking(
        request: Request, booking_id: int, who: Act, reason: Annotated[str, Form()] = ""
    ) -> Response:
        allowed(who, Permission.ANSWER)
        if not reason.strip():
            raise HTTPException(400, "a reason is needed")
        await _act(
            booking_service.cancel,
            services.uow(),
            None,
            booking_id,
            now=services.now(),
            policy=services.policy,
            payments=services.payments,
            reason=reason.strip(),
            source="console",
            by_staff=who.member,
            address=address(request),
        )
        return RedirectResponse(f"/bookings/{booking_id}", status_code=303)

    @app.post("/bookings/{booking_id}/resolve")
    async def resolve_dispute(
        request: Request,
        booking_id: int,
        who: Act,
        cents: Annotated[int, Form()],
        note: Annotated[str, Form()] = "",
    ) -> Response:
        allowed(who, Permission.REFUND)
        if not note.strip() or cents < 0:
            raise HTTPException(400, "an amount and a note are needed")
        await _act(
            booking_service.resolve,
            services.uow(),
            booking_id,
            amount=cents,
            note=note.strip(),
            now=services.now(),
            policy=services.policy,
            payments=services.payments,
            by_staff=who.member,
            address=address(request),
        )
        return RedirectResponse(f"/bookings/{booking_id}", status_code=303)

    def _audit(member: StaffMember, action: str, kind: str, object_id: int, after: str, where: str) -> None:
        uow = services.uow()
        with uow:
            steps.audit(
                uow, member, action, kind, str(object_id), "", after[:200], now=services.now(), address=where
            )
            uow.commit()

    def _provider_view(ledger: list[tuple[datetime, str, int, str, str]]) -> list[Any]:
        """What the payment provider says about each payment of the booking (Stripe's objects)."""
        references = sorted(
            {ref for _, kind, _, ref, _ in ledger if kind in {"authorised", "captured"} and ref}
        )
        seen = []
        for ref in references:
            try:
                seen.append(services.payments.payment(ref))
            except Exception as err:  # the provider is down: the page still shows our ledger
                log.warning("payment provider could not show %s: %s", ref, err)
        return seen

    @app.get("/audit", response_class=HTMLResponse)
    async def audit_log(request: Request, who: Page) -> HTMLResponse:
        entries = await run_in_threadpool(staff.recent_audit, services.uow())
        return render(request, "audit.html", {"who": who, "entries": entries})

    async def _act(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return await run_in_threadpool(use_case, *args, **kwargs)
        except NotAllowed as err:
            raise HTTPException(403, err.key) from err
        except DomainError as err:
            raise HTTPException(400, f"{err.key} {dict(err.params)}") from err

    return app
