"""Typed ORM rows, one module per aggregate (named …Row so they never pass for domain objects).
Importing this package registers every table on `Base.metadata` (Alembic's env.py does)."""

from storage.rows import (  # noqa: F401
    addresses,
    bookings,
    customers,
    helpers,
    ledger,
    offers,
    outbox,
    ratings,
    relay,
    requests,
    staff,
    timers,
    updates,
)
