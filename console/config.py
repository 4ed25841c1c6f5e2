"""What the web server is given: the services it calls and its few knobs (set by friends/wiring.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.booking import BookingPolicy
from core.payments import ProviderEvent
from core.ports import PaymentProvider, UnitOfWork
from core.texts import Catalog
from storage.queries import Queries

#: The largest request body any route reads (the Stripe webhook included).
MAX_BODY_BYTES = 1024 * 1024


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
    #: A live conversation stream checks its session this often, so it ends within seconds of a
    #: logout, an expiry or a disabled account …
    session_check_seconds: float = 2.0
    #: … and ends after this long anyway (the browser reconnects, with the session checked again).
    stream_max_seconds: float = 30 * 60
    #: Served over HTTPS (directly or behind a proxy): Secure cookies and HSTS. Only plain-HTTP
    #: local use (the demo, `friends run` without a public URL) turns it off.
    secure_cookies: bool = True
    max_body_bytes: int = MAX_BODY_BYTES
