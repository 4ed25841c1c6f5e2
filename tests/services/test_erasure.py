"""Erasure as a data-protection auditor checks it: after /deletemydata no text the person wrote,
no name, place, coordinate or payout account is left anywhere in the database, for a customer
and for a helper with a whole booking history; /mydata showed all of it before; and every
text column of the schema is known to be personal (and erased) or not."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import Float, String, Text, select

from core.geo import PlaceIndex
from core.helpers import Availability, WeeklySlot
from core.ids import TelegramUserId
from core.relay import Incoming, MessageKind, Prompt, PromptKind
from core.services import booking, privacy, relay, staff, support
from core.staff import Role
from storage.db import Base
from storage.personal_data import NOT_PERSONAL, PLACES
from storage.rows import helpers as helper_rows
from storage.uow import SqlUnitOfWork
from tests.conftest import FrozenClock
from tests.services.test_booking import CUSTOMER, POLICY, Uow, World

#: What the customer (Anna) and the helper (Jonas) wrote or gave, each easy to find again.
ANNA = {
    "Anna",
    "WLAN bricht ständig ab",
    "Kommen Sie um drei? Klingel Qwertz",
    "0171 2345678",
    "Er war unfreundlich, Qwertz-Bericht",
    "Qwertz-Lob: super erklärt",
    "Qwertz-gehalten",
    "Qwertz-Support",
}
JONAS = {
    "Jonas",
    "Bin gleich da, Qwertz-Helfer",
    "Qwertz-über-mich",
    "Qwertz-Kiez",
    "acct_qwertz",
    "Qwertz-Helfer-Bericht",
}
THE_SCHEMA_TYPES = (String, Text, Float)


@pytest.fixture
def world(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> World:
    return World(uow, clock, places)


def whole_history(w: World) -> int:
    """A booking from offer to both ratings with everything a person leaves on the way."""
    clock, jonas = w.clock, w.tg(0)
    with w.uow() as u:  # a profile with a description, districts, a payout account, times
        helper = u.helpers.get(w.helpers[0].id)
        assert helper is not None
        u.helpers.save(
            replace(
                helper,
                description="Qwertz-über-mich",
                districts=frozenset({"Qwertz-Kiez"}),
                stripe_account="acct_qwertz",
                availability=Availability((WeeklySlot(0, *w_slot()),)),
            ),
            now=clock(),
        )
        u.commit()
    b = w.pick(0)
    w.accept(0, b)
    relay.relay(
        w.uow(), Incoming(CUSTOMER, 11, MessageKind.TEXT, "Kommen Sie um drei? Klingel Qwertz"), now=clock()
    )
    relay.relay(w.uow(), Incoming(CUSTOMER, 12, MessageKind.TEXT, "Ruf an: 0171 2345678"), now=clock())
    relay.relay(w.uow(), Incoming(jonas, 13, MessageKind.TEXT, "Bin gleich da, Qwertz-Helfer"), now=clock())
    for who, text in ((CUSTOMER, "Er war unfreundlich, Qwertz-Bericht"), (jonas, "Qwertz-Helfer-Bericht")):
        relay.ask_report(w.uow(), who, b, now=clock())
        prompt = booking.waiting_for(w.uow(), who)
        assert prompt is not None
        relay.report(w.uow(), who, prompt, text, now=clock())
    w.schedule(b)
    w.pay(b, "card")
    clock.advance(hours=48)
    booking.check_in(w.uow(), jonas, b, now=clock())
    clock.advance(minutes=60)
    booking.check_out(w.uow(), jonas, b, now=clock(), policy=POLICY)
    booking.confirm_time(w.uow(), CUSTOMER, b, now=clock(), policy=POLICY, payments=w.payments)
    booking.rate(w.uow(), CUSTOMER, b, 5, now=clock(), policy=POLICY)
    booking.comment(
        w.uow(), CUSTOMER, booking.waiting_for(w.uow(), CUSTOMER), "Qwertz-Lob: super erklärt", now=clock()
    )  # type: ignore[arg-type]
    booking.rate(w.uow(), jonas, b, 4, now=clock(), policy=POLICY)
    with w.uow() as u:  # a message held until the person says which job it is for
        u.relay.ask(
            Prompt(CUSTOMER, PromptKind.ROUTE, b, json.dumps({"text": "Qwertz-gehalten"})), now=clock()
        )
        u.commit()
    for chat in (CUSTOMER, jonas):  # what the bot sent: logged as the bot logs it
        for reply in w.inbox(chat):
            text = " ".join(str(v) for v in reply.params.values())
            support.log_message(
                w.uow(),
                chat,
                incoming=False,
                kind="bot",
                text=text,
                now=clock(),
                booking_id=reply.booking_id or b,
            )
    support.log_message(w.uow(), CUSTOMER, incoming=True, kind="text", text="Hallo, Anna hier", now=clock())
    sam = staff.add_staff(w.uow(), "sam@support.test", Role.SUPPORT, "hash", now=clock())
    support.write(w.uow(), sam, w.customer, "Hallo Anna, Qwertz-Support hier", now=clock())
    return b


def w_slot():  # type: ignore[no-untyped-def]
    from datetime import time

    return time(9), time(17)


def texts_in_database(w: World) -> list[tuple[str, str]]:
    """Every text (and number with a fraction) in every table, with where it is."""
    found = []
    with w.uow() as u:
        assert isinstance(u, SqlUnitOfWork) and u._session is not None
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, THE_SCHEMA_TYPES)]
            for row in u._session.execute(select(*columns)).all() if columns else []:
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        found.append((f"{table.name}.{column.name}", str(value)))
    return found


def left(w: World, needles: set[str]) -> list[str]:
    return [
        f"{where}: {needle!r}" for where, text in texts_in_database(w) for needle in needles if needle in text
    ]


def customer_of(w: World, telegram_id: int) -> int:
    with w.uow() as u:
        customer = u.customers.by_telegram_id(TelegramUserId(telegram_id))
        assert customer is not None
        return int(customer.id)


def test_every_text_and_coordinate_column_is_known_to_be_personal_or_not() -> None:
    covered = set(NOT_PERSONAL)
    for place in PLACES:
        name = place.table.__tablename__
        erased = place.columns if place.erase is None or place.rewrite else tuple(place.erase)
        covered |= {f"{name}.{c}" for c in erased}
    schema = {
        f"{t.name}.{c.name}"
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if isinstance(c.type, THE_SCHEMA_TYPES)
    }
    assert sorted(schema - covered) == [], "classify these columns in storage/personal_data.py"
    assert sorted(set(NOT_PERSONAL) - schema) == [], "NOT_PERSONAL names columns that do not exist"


def test_a_customer_with_a_whole_booking_history_leaves_no_personal_text(world: World) -> None:
    w = world
    b = whole_history(w)
    assert not set(JONAS) - {n for n in JONAS if left(w, {n})}, "the set-up leaves every trace"
    before = left(w, ANNA)
    exported = json.dumps(privacy.export(w.uow(), w.customer), ensure_ascii=False)
    assert {n for n in ANNA if n not in exported} == set(), "/mydata shows all that erasure removes"
    assert before

    privacy.erase(w.uow(), w.customer, now=w.clock())

    assert left(w, ANNA) == []
    with w.uow() as u:
        request = u.requests.get(w.request)
        assert request is not None and request.lat is None and request.district is None
        assert u.bookings.get(b).amount is not None  # accounting keeps the booking, without the person
    assert left(w, {"Bin gleich da, Qwertz-Helfer"}) == []  # the whole conversation is gone


def test_a_helper_with_a_whole_booking_history_leaves_no_personal_data(world: World) -> None:
    w = world
    whole_history(w)
    helper_id = w.helpers[0].id
    exported = json.dumps(privacy.export(w.uow(), customer_of(w, w.tg(0))), ensure_ascii=False)
    assert {n for n in JONAS if n not in exported} == set(), "/mydata shows all that erasure removes"

    privacy.erase(w.uow(), customer_of(w, w.tg(0)), now=w.clock())

    assert left(w, JONAS) == []
    with w.uow() as u:
        assert isinstance(u, SqlUnitOfWork) and u._session is not None
        row = u._session.get_one(helper_rows.HelperRow, helper_id)
        assert (row.home_lat, row.home_lon, row.districts, row.stripe_account) == (0.0, 0.0, "", None)
        assert json.loads(row.availability)["slots"] == []
        for index in (helper_rows.MatchCellRow, helper_rows.MatchDistrictRow):
            assert u._session.scalars(select(index).where(index.helper_id == helper_id)).all() == []
    assert "Qwertz-Lob: super erklärt" not in str(texts_in_database(w))  # comments on their jobs too


def test_retention_erases_the_relayed_words_and_their_copies(world: World) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    relay.relay(w.uow(), Incoming(CUSTOMER, 11, MessageKind.TEXT, "Qwertz-alt"), now=w.clock())
    [copy] = [r for r in w.inbox(w.tg(0)) if r.key == "relay.from_customer"]
    support.log_message(
        w.uow(),
        w.tg(0),
        incoming=False,
        kind="relay",
        text=str(copy.params["text"]),
        now=w.clock(),
        booking_id=b,
    )
    with w.uow() as u:
        u.privacy.erase_relay(b)
        u.commit()
    assert left(w, {"Qwertz-alt"}) == []
