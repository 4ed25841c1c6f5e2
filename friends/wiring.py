"""Composition root: settings → engines, units of work, gateways, the place index."""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from actions.base import ActionServices
from bot.context import BotServices
from console.config import WebServices
from core.geo import PlaceIndex
from core.ports import PaymentProvider, UnitOfWork
from core.texts import Catalog
from friends.settings import ROOT, Settings
from gateways.formats import BabelFormats
from gateways.offline_payments import OfflinePayments
from gateways.rasa_client import RasaClient
from gateways.stripe_payments import StripePayments, verify_webhook
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.queries import Queries
from storage.uow import SqlUnitOfWork

DATA = ROOT / "data" / "berlin"
LOCALES = ROOT / "locales"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def place_index() -> PlaceIndex:
    return PlaceIndex.from_rows(
        _rows(DATA / "postcodes.csv"), _rows(DATA / "places.csv"), _rows(DATA / "aliases.csv")
    )


def hotlines() -> str:
    """The operators' customer service numbers (data/operators.toml), as the texts name them."""
    table = tomllib.loads((ROOT / "data" / "operators.toml").read_text("utf-8"))
    return ", ".join(f"{o['name']} {o['hotline']}" for o in table["operator"])


@cache
def catalog() -> Catalog:
    """Both languages' messages, formatted by CLDR's rules (Babel)."""
    return Catalog.load(LOCALES, BabelFormats(), defaults={"hotlines": hotlines()})


def uow_factory(database_url: str, *, migrate: bool = True) -> Callable[[], UnitOfWork]:
    """Brings the schema to the newest migration, then hands out units of work."""
    if migrate:
        upgrade(database_url)
    sessions = session_factory(make_engine(database_url))
    return lambda: SqlUnitOfWork(sessions)


def rasa_client(settings: Settings) -> RasaClient:
    token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
    return RasaClient(settings.rasa_url, token)


def database_executor(database_url: str) -> Executor | None:
    """SQLite: one thread does all database work (one writer at a time, no waiting on locks);
    PostgreSQL: the default thread pool."""
    return ThreadPoolExecutor(1, thread_name_prefix="sqlite") if database_url.startswith("sqlite") else None


def bot_services(settings: Settings, uow: Callable[[], UnitOfWork] | None = None) -> BotServices:
    return BotServices(
        executor=database_executor(settings.database_url),
        outbox_lease=timedelta(seconds=settings.outbox_lease_s),
        update_lease=timedelta(seconds=settings.update_lease_s),
        sole_worker=settings.database_url.startswith("sqlite"),
        uow=uow or uow_factory(settings.database_url),
        places=place_index(),
        rasa=rasa_client(settings),
        catalog=catalog(),
        now=utc_now,
        policy=settings.booking_policy,
        payments=offline_or_live_payments(settings),
        avatars=ROOT / "data" / "avatars",
    )


def action_services(settings: Settings) -> ActionServices:
    return ActionServices(uow=uow_factory(settings.database_url), now=utc_now)


def offline_or_live_payments(settings: Settings) -> PaymentProvider:
    """Stripe with STRIPE_API_KEY; otherwise the offline provider (test payments, labelled so)."""
    if settings.stripe_api_key is None:
        return OfflinePayments()
    return StripePayments(settings.stripe_api_key.get_secret_value(), return_url=settings.payment_return_url)


def web_services(settings: Settings) -> WebServices:
    secret = settings.stripe_webhook_secret.get_secret_value() if settings.stripe_webhook_secret else None
    upgrade(settings.database_url)
    sessions = session_factory(make_engine(settings.database_url))
    return WebServices(
        uow=lambda: SqlUnitOfWork(sessions),
        queries=Queries(sessions),
        catalog=catalog(),
        secure_cookies=settings.console_secure_cookies,
        payments=offline_or_live_payments(settings),
        policy=settings.booking_policy,
        now=utc_now,
        verify_webhook=(lambda body, signature: verify_webhook(body, signature, secret)) if secret else None,
    )
