"""Incoming updates are kept until handled and handled once, on both engines: a process that
dies while handling one leaves it to be handed in again; one that is done clears it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text as sql

from core.language import Language
from core.notices import Reply
from core.ports import Received
from core.services import outbox, updates
from friends import wiring
from storage.db import make_engine

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
BOT = "telegram:42"


def update(n: int, chat: int = 7) -> Received:
    return Received(n, chat, json.dumps({"update_id": n, "message": {"text": f"Nachricht {n}"}}))


def test_an_update_is_handled_by_one_process_and_again_only_when_that_one_died(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    assert updates.claim(uow(), BOT, 1, now=T0, lease=30 * S)
    assert not updates.claim(uow(), BOT, 1, now=T0 + 5 * S)  # another process: it is being handled
    assert updates.claim(uow(), "telegram:43", 1, now=T0)  # another bot's update 1
    assert updates.claim(uow(), BOT, 1, now=T0 + 31 * S)  # the first process died: taken over
    updates.finish(uow(), BOT, [1], now=T0 + 32 * S)
    assert not updates.claim(uow(), BOT, 1, now=T0 + 99 * S)  # done: a repeat stops here


def test_what_a_killed_process_left_is_handed_in_again_in_order(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    updates.receive(uow(), BOT, [update(1), update(2), update(3)], now=T0)
    updates.receive(uow(), BOT, [update(2)], now=T0 + S)  # Telegram delivered 2 again: kept once
    assert updates.unfinished(uow(), BOT, now=T0 + 10 * S) == []  # still in the queue of its process
    assert updates.claim(uow(), BOT, 1, now=T0 + 2 * S)  # 1 is being handled (lease 30 s)
    updates.finish(uow(), BOT, [3], now=T0 + 2 * S)  # 3 is done
    later = updates.unfinished(uow(), BOT, now=T0 + 31 * S)
    assert later == [update(2)]  # never claimed: handed in again, as Telegram sent it
    assert [u.update_id for u in updates.unfinished(uow(), BOT, now=T0 + 33 * S)] == [
        1,
        2,
    ]  # 1's lease ran out


def test_an_update_that_kills_its_process_every_time_is_given_up_and_cleared(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    updates.receive(uow(), BOT, [update(5)], now=T0)
    at = T0
    for _ in range(updates.TRIES):
        at += 60 * S
        assert [u.update_id for u in updates.unfinished(uow(), BOT, now=at)] == [5]
        assert updates.claim(uow(), BOT, 5, now=at)  # … and the process dies again
    at += 60 * S
    assert updates.unfinished(uow(), BOT, now=at) == []
    assert not updates.claim(uow(), BOT, 5, now=at)
    with uow() as u:
        assert u.updates.unfinished(BOT, now=at + 99 * S, grace=S, tries=99, limit=9) == []  # cleared


def test_a_finished_update_keeps_no_text(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    updates.receive(uow(), BOT, [update(8)], now=T0)
    assert updates.claim(uow(), BOT, 8, now=T0)
    updates.finish(uow(), BOT, [8], now=T0 + S)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        payload, done = conn.execute(sql("SELECT payload, done_at FROM processed_updates")).one()
        assert payload is None and done is not None
    engine.dispose()


def test_the_only_process_restarted_frees_what_it_held_when_it_died(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    updates.receive(uow(), BOT, [update(1), update(2)], now=T0)
    assert updates.claim(uow(), BOT, 1, now=T0, lease=30 * S)  # the process dies handling 1
    with uow() as u:
        u.outbox.hand_over(60 * S)  # … and sending a message (leased to it for a minute)
        u.outbox.add(7, Language.DE, Reply("relay.from_customer", {"text": "x"}), now=T0)
        u.commit()
    assert updates.restart(uow(), BOT, now=T0 + 3 * S) == 2  # started again 3 s later
    again = updates.unfinished(uow(), BOT, now=T0 + 3 * S, grace=timedelta(0))
    assert [u.update_id for u in again] == [1, 2]
    assert [o.telegram_id for o in outbox.claim(uow(), now=T0 + 3 * S, limit=5)] == [7]


def test_done_updates_are_forgotten_after_a_week_unfinished_ones_are_not(database_url: str) -> None:
    uow = wiring.uow_factory(database_url)
    updates.receive(uow(), BOT, [update(1), update(2)], now=T0)
    assert updates.claim(uow(), BOT, 1, now=T0)
    updates.finish(uow(), BOT, [1], now=T0)
    later = T0 + updates.KEPT + S
    assert [u.update_id for u in updates.unfinished(uow(), BOT, now=later)] == [2]  # 1 is forgotten …
    assert updates.claim(uow(), BOT, 2, now=later)  # (2 is handled at last)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(sql("SELECT update_id FROM processed_updates")).scalars().all() == [2]
    engine.dispose()
