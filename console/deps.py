"""The console's request dependencies, so that a route reads as its use case call:
`Services`, the signed-in member (`CurrentStaff` for pages, `StaffForm` for a form with its
CSRF token), a permission (`MayRefund` …), the client's address and checked form fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool

from console import auth
from console.config import WebServices
from console.pages import SESSION_COOKIE, services_of
from core.errors import DomainError
from core.services import staff
from core.staff import NotAllowed, Permission, StaffMember
from storage.queries import Queries

#: Ids in paths: positive and small enough for every database.
MAX_ID = 2**31 - 1
#: Amounts in forms, in cents (a million euros is far beyond any job).
MAX_CENTS = 100_000_000


class Refused(Exception):
    """The console says no: `status` and a catalog key (in [console] unless it names a table)."""

    def __init__(self, status: int, key: str, params: dict[str, object] | None = None) -> None:
        super().__init__(status, key)
        self.status, self.key, self.params = status, key, params or {}


@dataclass
class Staffed:
    """The signed-in member on this request, with the session's CSRF token."""

    member: StaffMember
    csrf: str
    token_hash: str


Services = Annotated[WebServices, Depends(services_of)]


def queries_of(request: Request) -> Queries:
    found = services_of(request).queries
    if found is None:
        raise Refused(503, "err_unavailable")
    return found


Reads = Annotated[Queries, Depends(queries_of)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Cents = Annotated[int, Form(ge=0, le=MAX_CENTS)]


async def known_customer(request: Request, customer_id: Id) -> int:
    """The customer of the path, who must exist (404 otherwise)."""
    if await run_in_threadpool(queries_of(request).customer, customer_id) is None:
        raise Refused(404, "err_no_customer")
    return customer_id


KnownCustomer = Annotated[int, Depends(known_customer)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


ClientAddress = Annotated[str, Depends(client_address)]


async def session_member(services: WebServices, token_hash: str) -> Staffed | None:
    """The member of a live session of an enabled account, or None."""
    found = await run_in_threadpool(staff.session, services.uow(), token_hash, now=services.now())
    return None if found is None else Staffed(found[0], found[1], token_hash)


async def signed_in(request: Request) -> Staffed | None:
    token = request.cookies.get(SESSION_COOKIE)
    return await session_member(services_of(request), auth.token_hash(token)) if token else None


async def current_staff(request: Request) -> Staffed:
    """For pages: without a session, to the login."""
    who = await signed_in(request)
    if who is None:
        raise HTTPException(303, headers={"Location": "/login"})
    return who


async def staff_form(request: Request, csrf: Annotated[str, Form()] = "") -> Staffed:
    """For changes: a session and its CSRF token, or 403 and nothing changes."""
    who = await signed_in(request)
    if who is None or not auth.same(csrf, who.csrf):
        raise Refused(403, "err_csrf")
    return who


CurrentStaff = Annotated[Staffed, Depends(current_staff)]
StaffForm = Annotated[Staffed, Depends(staff_form)]


def RequirePermission(permission: Permission, *, form: bool = True) -> Any:
    """`Depends` for a member who may do `permission` (with the form's CSRF token unless a page)."""

    def may(who: Staffed) -> Staffed:
        if not who.member.may(permission):
            raise Refused(403, "not_allowed")
        return who

    async def in_form(who: StaffForm) -> Staffed:
        return may(who)

    async def on_page(who: CurrentStaff) -> Staffed:
        return may(who)

    return Depends(in_form if form else on_page)


MayAnswer = Annotated[Staffed, RequirePermission(Permission.ANSWER)]
MayResolveFlags = Annotated[Staffed, RequirePermission(Permission.FLAG)]
MayVerify = Annotated[Staffed, RequirePermission(Permission.VERIFY)]
MaySuspend = Annotated[Staffed, RequirePermission(Permission.SUSPEND)]
MayRefund = Annotated[Staffed, RequirePermission(Permission.REFUND)]
MayDeleteData = Annotated[Staffed, RequirePermission(Permission.DELETE_DATA)]
MayExportData = Annotated[Staffed, RequirePermission(Permission.DELETE_DATA, form=False)]


def required(field: str, refusal: str) -> Any:
    """`Depends` for a form field that must not be blank (stripped); 400 with `refusal` if it is."""

    async def given(request: Request) -> str:
        value = (await request.form()).get(field, "")
        if not isinstance(value, str) or not value.strip():
            raise Refused(400, refusal)
        return value.strip()

    return Depends(given)


def confirmed(refusal: str) -> Any:
    """`Depends` for the form's "yes, I mean it" box; 400 with `refusal` without it."""

    async def ticked(confirm: Annotated[str, Form()] = "") -> bool:
        if confirm != "yes":
            raise Refused(400, refusal)
        return True

    return Depends(ticked)


async def act(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a core use case (one transaction) off the event loop; its refusals become pages."""
    try:
        return await run_in_threadpool(use_case, *args, **kwargs)
    except NotAllowed as err:
        raise Refused(403, err.key, dict(err.params)) from err
    except DomainError as err:
        raise Refused(400, err.key, dict(err.params)) from err
