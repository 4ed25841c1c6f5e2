"""The start of every update: one transaction claims it, reads what the chat is doing and,
for a message to the other side of a booking, relays it, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy import text as sql

from core.ids import TelegramUserId
from core.relay import Incoming, MessageKind, Prompt, PromptKind
from core.services import chat
from core.services.chat import Arrival, Mode, Relayable
from friends import wiring
from friends.bench.world import Pair, active_pairs
from storage.db import make_engine, session_factory
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
LEASE = timedelta(seconds=60)
_ids = itertools.count(1)


class Db:
    def __init__(self, url: str) -> None:
        wiring.uow_factory(url)  # migrated
        self.engine = make_engine(url)
        sessions = session_factory(self.engine)
        self.uow = lambda: SqlUnitOfWork(sessions)
        self.transactions = 0
        event.listen(self.engine, "begin", self._begin)

    def _begin(self, *_: object) -> None:
        self.transactions += 1

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sql(f"SELECT count(*) FROM {table}")).scalar_one())


def says(person: int, text: str, *, update_id: int | None = None) -> Arrival:
    n = update_id or next(_ids)
    return Arrival(
        "telegram:1",
        n,
        TelegramUserId(person),
        "Anna",
        "de",
        "text",
        text,
        Incoming(person, n, MessageKind.TEXT, text),
        Relayable.TEXT,
    )


@pytest.fixture
def db(database_url: str) -> Db:
    return Db(database_url)


@pytest.fixture
def pair(db: Db, places) -> Pair:  # type: ignore[no-untyped-def]
    [pair] = active_pairs(db.uow, places, 1, now=NOW)
    return pair


def test_a_relayed_text_is_one_transaction_and_comes_back_ready_to_send(db: Db, pair: Pair) -> None:
    db.transactions = 0
    state = chat.begin(db.uow(), says(pair.customer, "Ich bin um 10 da"), now=NOW, lease=LEASE)
    assert db.transactions == 1
    assert state.fresh and state.customer is not None and state.customer.telegram_id == pair.customer
    assert state.relayed is not None
    [item] = state.relayed
    assert item.telegram_id == pair.helper and item.reply.params["text"] == "Ich bin um 10 da"
    assert chat.mode(state) is Mode.RELAY
    with db.uow() as u:  # leased to us: a drainer does not send it a second time
        assert u.outbox.claim(now=NOW, limit=10, lease=LEASE) == []
        assert u.relay.transcript(pair.booking_id)[-1][2] == "Ich bin um 10 da"  # type: ignore[arg-type]


def test_a_repeated_update_is_not_relayed_again(db: Db, pair: Pair) -> None:
    first = chat.begin(db.uow(), says(pair.customer, "Hallo", update_id=77), now=NOW, lease=LEASE)
    again = chat.begin(db.uow(), says(pair.customer, "Hallo", update_id=77), now=NOW, lease=LEASE)
    assert first.relayed and not again.fresh and again.relayed is None
    assert db.count("relay_messages") == 1


def test_the_claim_commits_only_with_the_relay(db: Db, pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after the claim but before the relay committed must not lose the message."""
    from storage.repositories.chats import SqlChats

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("killed")

    with monkeypatch.context() as m:
        m.setattr(SqlChats, "relayed", crash)
        with pytest.raises(RuntimeError):
            chat.begin(db.uow(), says(pair.customer, "Bin unterwegs", update_id=91), now=NOW, lease=LEASE)
    assert db.count("processed_updates") == 0 and db.count("relay_messages") == 0
    again = chat.begin(db.uow(), says(pair.customer, "Bin unterwegs", update_id=91), now=NOW, lease=LEASE)
    assert again.relayed is not None and db.count("relay_messages") == 1


def test_the_mode_is_read_once_and_a_prompt_keeps_the_text_from_the_relay(db: Db, pair: Pair) -> None:
    with db.uow() as u:
        u.relay.ask(Prompt(pair.helper, PromptKind.PROPOSE_TIME, pair.booking_id), now=NOW)  # type: ignore[arg-type]
        u.commit()
    state = chat.begin(db.uow(), says(pair.helper, "morgen 10 Uhr"), now=NOW, lease=LEASE)
    assert state.relayed is None and not state.relay_tried
    assert state.prompt is not None and chat.mode(state) is Mode.PROMPT


def test_a_person_without_a_booking_is_in_intake_and_a_stranger_is_created_unconsented(db: Db) -> None:
    state = chat.begin(db.uow(), says(4_242_001, "Mein WLAN geht nicht"), now=NOW, lease=LEASE)
    assert state.customer is not None and not state.customer.consented
    assert not state.logged and state.relayed is None  # nothing kept before consent
    assert chat.mode(state) is Mode.INTAKE
