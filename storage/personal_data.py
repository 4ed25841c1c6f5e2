"""Every place a person's data lives, in one list: erasure and the export both read it.

`places()` names, for one person, the rows that hold their data and what erasing does to each
personal column (a replacement value, or the whole row deleted). `NOT_PERSONAL` names every
other text, JSON and number-with-a-fraction column and why it holds nothing personal. A test
walks the schema (Base.metadata) and fails when a column is in neither: a new column must be
classified before it ships.

Copies are avoided where practical (a report's text lives in its flag, not again in the
booking's events); where the bot must copy a person's words or name into another chat (the
relay, an offer quoting a problem), the copy names its booking or helper, so it is found here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, false, or_

from storage.rows.addresses import VisitAddressRow
from storage.rows.bookings import BookingEventRow
from storage.rows.customers import ChatMessageRow, CustomerRow
from storage.rows.helpers import HelperRow, MatchCellRow, MatchDistrictRow
from storage.rows.outbox import OutboxRow
from storage.rows.ratings import RatingRow
from storage.rows.relay import FlagRow, PromptRow, RelayMessageRow
from storage.rows.requests import RequestRow
from storage.rows.staff import AuditRow
from storage.rows.updates import ProcessedUpdateRow

ERASED: Final = "[erased]"
#: Reply parameters that carry a person's words, name or place (core.services.steps.params,
#: the relay, offers, cards): erased in messages about them that were queued for others.
PERSONAL_PARAMS: Final = frozenset(
    {"text", "name", "description", "details", "place", "district", "address", "photo", "customer", "comment"}
)
NO_AVAILABILITY: Final = json.dumps({"slots": [], "absences": []})


@dataclass(frozen=True)
class Person:
    customer_id: int
    telegram_id: int
    helper_id: int | None
    as_customer: tuple[int, ...]  # their bookings as a customer
    as_helper: tuple[int, ...]  # their bookings as a helper
    shown_name: str = ""  # a helper's name, shown to customers (cards, offers, "asked …")

    @property
    def bookings(self) -> tuple[int, ...]:
        return self.as_customer + self.as_helper


Where = Callable[[Person], ColumnElement[bool]]


@dataclass(frozen=True)
class Place:
    """Rows holding a person's data, their personal columns, and what erasing does."""

    name: str  # the section of the export
    table: Any  # a row class
    rows: Where
    columns: tuple[str, ...]  # personal columns (exported, and erased)
    erase: Mapping[str, Any] | None = None  # column → replacement; None: the rows are deleted
    rewrite: Callable[[Any, Person], None] | None = field(default=None)  # per row, in Python
    one: bool = False  # at most one row: exported as an object (or null), not a list


def _flags_by(p: Person) -> ColumnElement[bool]:
    return or_(
        and_(FlagRow.booking_id.in_(p.as_customer), FlagRow.by == "customer"),
        and_(FlagRow.booking_id.in_(p.as_helper), FlagRow.by == "helper"),
    )


def _reports_by(p: Person) -> ColumnElement[bool]:
    """Older rows kept a report's text in the event too (now it lives only in the flag)."""
    return and_(
        BookingEventRow.trigger == "reported",
        or_(
            and_(BookingEventRow.booking_id.in_(p.as_customer), BookingEventRow.actor == "customer"),
            and_(BookingEventRow.booking_id.in_(p.as_helper), BookingEventRow.actor == "helper"),
        ),
    )


def _helper(column: Any) -> Where:
    return lambda p: column == p.helper_id if p.helper_id is not None else false()


def _audited_about(p: Person) -> ColumnElement[bool]:
    """Staff actions on this person (a support message's text, a verification note): the audit
    keeps who did what and when, not what it said about them."""
    about = and_(AuditRow.object_type == "customer", AuditRow.object_id == str(p.customer_id))
    if p.helper_id is not None:
        about = or_(about, and_(AuditRow.object_type == "helper", AuditRow.object_id == str(p.helper_id)))
    return about


def _lines_about(p: Person) -> ColumnElement[bool]:
    """What others were sent about this person: their relayed words, name, description."""
    about: ColumnElement[bool] = ChatMessageRow.booking_id.in_(p.bookings)
    if p.helper_id is not None:
        about = or_(about, ChatMessageRow.helper_id == p.helper_id)
    return and_(about, ChatMessageRow.telegram_id != p.telegram_id, ChatMessageRow.incoming.is_(False))


def _queued_about(p: Person) -> ColumnElement[bool]:
    about: ColumnElement[bool] = OutboxRow.booking_id.in_(p.bookings)
    if p.helper_id is not None:
        about = or_(about, OutboxRow.payload.contains(f'"helper_id": {p.helper_id},'))
    return and_(about, OutboxRow.telegram_id != p.telegram_id)


def scrub_payload(row: OutboxRow, keys: frozenset[str] = PERSONAL_PARAMS) -> None:
    """Erase the personal parameters of a queued reply (it still renders, without them)."""
    payload = json.loads(row.payload)
    params = payload.get("params") or {}
    for key in keys & params.keys():
        params[key] = ERASED
    row.payload = json.dumps(payload, ensure_ascii=False)


def _naming(column: Any, incoming: Any = None) -> Where:
    """Messages to others that name this helper without saying which booking (\"we asked
    Jonas …\", \"Mira is next\"): found by the name itself."""

    def where(p: Person) -> ColumnElement[bool]:
        if len(p.shown_name) < 2 or p.shown_name == ERASED:
            return false()
        naming = column.contains(p.shown_name, autoescape=True)
        return and_(naming, incoming.is_(False)) if incoming is not None else naming

    return where


def _unname_payload(row: OutboxRow, p: Person) -> None:
    payload = json.loads(row.payload)
    params = payload.get("params") or {}
    for key, value in params.items():
        if isinstance(value, str):
            params[key] = value.replace(p.shown_name, ERASED)
    row.payload = json.dumps(payload, ensure_ascii=False)


def _unname_line(row: ChatMessageRow, p: Person) -> None:
    row.text = row.text.replace(p.shown_name, ERASED)


PLACES: Final = (
    Place(
        "customer",
        CustomerRow,
        lambda p: CustomerRow.id == p.customer_id,
        ("name",),
        {"name": ERASED, "taken_over_by": None},  # the Telegram id is pseudonymised by the caller
        one=True,
    ),
    Place(
        "messages_with_the_assistant",
        ChatMessageRow,
        lambda p: ChatMessageRow.telegram_id == p.telegram_id,
        ("text", "kind", "intent", "at"),
    ),
    Place("sent_to_others_about_you", ChatMessageRow, _lines_about, ("text",), {"text": ERASED}),
    Place(
        "requests",
        RequestRow,
        lambda p: RequestRow.customer_id == p.customer_id,
        (
            "id",
            "created_at",
            "category",
            "description",
            "photo",
            "device",
            "brand",
            "postcode",
            "district",
            "place_label",
            "lat",
            "lon",
        ),
        {
            "description": ERASED,
            "photo": None,
            "device": None,
            "brand": None,
            "postcode": None,
            "district": None,
            "place_label": None,
            "lat": None,
            "lon": None,
        },
    ),
    Place(
        "visit_addresses",
        VisitAddressRow,
        lambda p: VisitAddressRow.booking_id.in_(p.as_customer),  # a helper never gives one
        ("booking_id", "street", "postcode", "floor", "doorbell", "note"),
    ),
    Place(
        "relayed_messages",
        RelayMessageRow,
        lambda p: RelayMessageRow.booking_id.in_(p.bookings),
        ("sender", "text", "file_id"),
        {"text": ERASED, "file_id": None},
    ),
    Place(
        "ratings",
        RatingRow,
        lambda p: RatingRow.booking_id.in_(p.bookings),
        ("by", "stars", "comment"),
        {"comment": ""},
    ),
    Place("reports_and_flags", FlagRow, _flags_by, ("kind", "note"), {"note": ERASED}),
    Place("reports_in_booking_history", BookingEventRow, _reports_by, ("reason",), {"reason": ERASED}),
    Place(
        "answers_the_bot_waits_for",
        PromptRow,
        lambda p: PromptRow.telegram_id == p.telegram_id,
        ("kind", "data"),
    ),
    Place(
        "messages_queued_for_you",
        OutboxRow,
        lambda p: OutboxRow.telegram_id == p.telegram_id,
        ("payload", "error"),
    ),
    Place(
        "queued_for_others_about_you",
        OutboxRow,
        _queued_about,
        ("payload",),
        {},
        rewrite=lambda row, _: scrub_payload(row),
    ),
    Place(
        "queued_for_others_naming_you",
        OutboxRow,
        _naming(OutboxRow.payload),
        ("payload",),
        {},
        _unname_payload,
    ),
    Place(
        "sent_to_others_naming_you",
        ChatMessageRow,
        _naming(ChatMessageRow.text, ChatMessageRow.incoming),
        ("text",),
        {},
        _unname_line,
    ),
    Place(
        "helper_profile",
        HelperRow,
        _helper(HelperRow.id),
        (
            "name",
            "photo",
            "description",
            "skill_details",
            "home_lat",
            "home_lon",
            "districts",
            "availability",
            "stripe_account",
            "answered",
        ),
        {
            "name": ERASED,
            "photo": None,
            "description": "",
            "skill_details": "",
            "home_lat": 0.0,
            "home_lon": 0.0,
            "districts": "",
            "availability": NO_AVAILABILITY,
            "stripe_account": None,
            "answered": "",
            "editing": None,
        },
        one=True,
    ),
    Place(
        "staff_actions_about_you",
        AuditRow,
        _audited_about,
        ("action", "before", "after", "at"),
        {"before": ERASED, "after": ERASED},
    ),
    Place("helper_home_in_the_matching_index", MatchCellRow, _helper(MatchCellRow.helper_id), ("lat", "lon")),
    Place(
        "helper_districts_in_the_matching_index",
        MatchDistrictRow,
        _helper(MatchDistrictRow.helper_id),
        ("district", "lat", "lon"),
    ),
    Place(
        "messages_not_yet_handled",
        ProcessedUpdateRow,
        lambda p: and_(ProcessedUpdateRow.chat_id == p.telegram_id, ProcessedUpdateRow.payload.is_not(None)),
        ("payload",),
        {"payload": None},
    ),
)

#: Columns that hold nothing personal, and why ("table.column": reason).
NOT_PERSONAL: Final[dict[str, str]] = {
    "customers.language": "a language code",
    "helpers.status": "a state",
    "helpers.skills": "category codes",
    "helpers.languages": "language codes",
    "helpers.radius_km": "a distance, without the home it is around",
    "helpers.editing": "which profile field is being edited (cleared on erasure)",
    "match_cells.category": "a category code",
    "match_cells.language": "a language code",
    "match_cells.radius_km": "a distance",
    "match_districts.category": "a category code",
    "match_districts.language": "a language code",
    "match_districts.radius_km": "a distance",
    "requests.status": "a state",
    "requests.category": "a category code",
    "requests.picked_category": "the category the person picked (a code)",
    "requests.runner_up": "the classifier's second category (a code)",
    "requests.intent": "what the classifier read (a label)",
    "requests.confidence": "the classifier's confidence",
    "requests.language": "a language code",
    "requests.urgency": "a code",
    "chat_messages.confidence": "the classifier's confidence",
    "bookings.state": "a state",
    "bookings.category": "a category code",
    "bookings.km": "a distance (bookings stay for accounting, without the person)",
    "bookings.payment": "a payment method code",
    "bookings.payment_ref": "the payment provider's reference (accounting)",
    "bookings.checkout_id": "the payment provider's checkout id (accounting)",
    "booking_events.actor": "a role",
    "booking_events.trigger": "a step code",
    "booking_events.from_state": "a state",
    "booking_events.to_state": "a state",
    "booking_events.source": "which input caused the step (a code)",
    "ledger_entries.kind": "a money movement code",
    "ledger_entries.reference": "the payment provider's reference (accounting)",
    "ledger_entries.note": "a step or staff reason (accounting)",
    "provider_events.id": "the payment provider's event id",
    "provider_events.type": "the payment provider's event type",
    "outbox.language": "a language code",
    "flags.by": "a role",
    "flags.kind": "a flag code",
    "blocks.by": "a role",
    "ratings.by": "a role",
    "relay_messages.kind": "a message kind",
    "relay_messages.sender": "a role",
    "relay_messages.leaks": "kinds of contact data found (phone, email), not the data",
    "processed_updates.source": "which channel an update came from",
    "staff.email": "staff accounts: the staff member's own, not a customer's or helper's",
    "staff.password_hash": "staff accounts",
    "staff.role": "staff accounts",
    "staff_sessions.token_hash": "staff sessions",
    "staff_sessions.csrf": "staff sessions",
    "login_failures.key": "staff logins (an e-mail or address of a staff login attempt)",
    "audit_log.action": "staff audit (codes)",
    "audit_log.object_type": "staff audit (codes)",
    "audit_log.object_id": "staff audit (ids)",
    "audit_log.address": "the staff member's address",
    "timers.kind": "a timer code",
}
