"""Updates are kept from arrival until handled: a process that fetched a batch and died
before handling it, or died in the middle of an update, leaves them to be handled after the
restart, once each."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import text as sql
from telegram import Update
from telegram.ext import CallbackContext

from bot import inbox
from friends.bench.relay import TOKEN, delivered, stack, text_update
from friends.bench.world import active_pairs
from friends.botapi import BOT_USER as BOT
from friends.wiring import place_index
from storage.db import make_engine


def unfinished(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(sql("SELECT count(*) FROM processed_updates WHERE done_at IS NULL")).scalar()
    engine.dispose()
    return int(found or 0)


async def test_a_batch_fetched_by_a_process_that_died_is_handled_after_the_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    dead = stack(url)
    [pair] = active_pairs(dead.uow, place_index(), 1, now=datetime.now(UTC))
    services = dead.app.bot_data["services"]
    dead.api.incoming = [
        text_update(dead.app.bot, pair.customer, "Nachricht inbox-1").to_dict(),
        text_update(dead.app.bot, pair.helper, "/help").to_dict(),
    ]
    dead.api.incoming[1]["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 5}]
    # The process polls: Telegram hands over the batch, the process stores it and dies before
    # handling it (its next getUpdates would have told Telegram the batch arrived).
    keeping = inbox.KeepingRequest(dead.api, partial(inbox.keep, services, inbox.source_of(TOKEN)))
    await keeping.do_request(f"https://api.telegram.org/bot{TOKEN}/getUpdates", "POST")
    assert unfinished(url) == 2
    assert delivered(dead.api, [pair], "inbox") == (0, 0)

    again = stack(url)  # the process started again
    await again.app.initialize()
    await again.app.start()
    await inbox.after_restart(CallbackContext(again.app))  # type: ignore[arg-type]
    for _ in range(100):
        if not unfinished(url):
            break
        await asyncio.sleep(0.05)
    await again.app.stop()
    await again.app.shutdown()
    assert unfinished(url) == 0
    assert delivered(again.api, [pair], "inbox") == (1, 0)  # relayed once
    assert any(m.chat_id == pair.helper and "/jobs" in m.text for m in again.api.sent)  # /help answered


async def test_a_handled_update_delivered_again_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    s = stack(url)
    [pair] = active_pairs(s.uow, place_index(), 1, now=datetime.now(UTC))
    update = text_update(s.app.bot, pair.customer, "Nachricht twice-1")
    await s.app.initialize()
    await s.app.process_update(update)
    await s.app.process_update(update)  # Telegram delivers it again
    assert delivered(s.api, [pair], "twice") == (1, 0)
    assert unfinished(url) == 0
    await s.app.shutdown()


async def test_an_update_refused_at_the_edge_is_done_and_not_handed_in_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    s = stack(url)
    blocked = {  # the person blocked the bot: nothing to answer
        "update_id": 9_000_001,
        "my_chat_member": {
            "chat": {"id": 4242, "type": "private", "first_name": "Ina"},
            "from": {"id": 4242, "is_bot": False, "first_name": "Ina"},
            "date": 1_764_000_000,
            "old_chat_member": {"status": "member", "user": BOT},
            "new_chat_member": {"status": "kicked", "user": BOT, "until_date": 0},
        },
    }
    services = s.app.bot_data["services"]
    await inbox.keep(services, inbox.source_of(TOKEN), [inbox.received(blocked)])  # type: ignore[list-item]
    await s.app.initialize()
    await s.app.process_update(Update.de_json(blocked, s.app.bot))
    assert unfinished(url) == 0
    await s.app.shutdown()
