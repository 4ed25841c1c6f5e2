"""Many chats at once, each chat in order; a slow Rasa holds up only its own customer."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import ApplicationBuilder, TypeHandler

from bot import context
from bot.processor import PerChatUpdateProcessor
from core.booking import BookingState
from core.ids import BookingId
from friends.bench.relay import _ended, _SlowRasa, delivered, stack, text_update
from friends.bench.world import active_pairs
from friends.botapi import InProcessBotApi
from friends.wiring import place_index
from storage.db import make_engine
from storage.rows.customers import ChatMessageRow


async def test_other_chats_go_on_while_one_chat_waits_and_one_chat_stays_in_order() -> None:
    api = InProcessBotApi()
    processor = PerChatUpdateProcessor(16)
    app = ApplicationBuilder().token("1:x").request(api).get_updates_request(api)
    app = app.concurrent_updates(processor).build()
    release = asyncio.Event()
    finished: list[str] = []

    async def handle(update: Update, _: Any) -> None:
        assert update.effective_message is not None
        text = update.effective_message.text or ""
        if text == "a1":
            await release.wait()  # a slow step: a Rasa call, a slow database
        finished.append(text)

    app.add_handler(TypeHandler(Update, handle))
    async with app:
        await app.start()
        for chat, text in ((1, "a1"), (1, "a2"), (2, "b1"), (1, "a3")):
            await app.update_queue.put(text_update(app.bot, chat, text))
        for _ in range(100):
            if finished == ["b1"]:
                break
            await asyncio.sleep(0.01)
        assert finished == ["b1"]  # chat 2 did not wait for chat 1; a2 did not overtake a1
        release.set()
        await app.update_queue.join()
        await app.stop()
    assert finished == ["b1", "a1", "a2", "a3"]
    assert processor.busy_chats == 0  # idle chats leave no lock behind


async def test_a_slow_rasa_delays_only_its_customer_who_is_told_to_try_again(tmp_path: Any) -> None:
    s = stack(f"sqlite:///{tmp_path / 'hol.db'}", _SlowRasa(30))
    s.app.bot_data["services"].rasa_patience_s = 1.0
    pair, waiting = active_pairs(s.uow, place_index(), 2, now=datetime.now(UTC))
    with s.uow() as u:  # the second customer's booking is over: their text goes to Rasa
        u.bookings.save(_ended(u.bookings.get(BookingId(waiting.booking_id))))
        u.commit()
    async with s.app:
        await s.app.start()
        await s.app.update_queue.put(text_update(s.app.bot, waiting.customer, "Mein Drucker druckt nicht"))
        await asyncio.sleep(0.05)
        await s.app.update_queue.put(text_update(s.app.bot, pair.customer, "Nachricht hol-1"))
        try:
            for _ in range(50):
                if delivered(s.api, [pair], "hol")[0]:
                    break
                await asyncio.sleep(0.01)
            assert delivered(s.api, [pair], "hol") == (1, 0)  # within half a second, Rasa still busy
            assert s.api.to(waiting.customer) == []
            await s.app.update_queue.join()
        finally:
            await s.app.stop()
    actions = [p for name, p in s.api.calls if name == "sendChatAction"]
    assert [(int(a["chat_id"]), a["action"]) for a in actions] == [(waiting.customer, "typing")]
    [answer] = s.api.to(waiting.customer)
    assert "dauert gerade zu lange" in answer.text
    with s.uow() as u:
        assert u.bookings.get(BookingId(pair.booking_id)).state is BookingState.ACCEPTED


async def test_messages_relayed_at_once_are_marked_sent_together_and_all_before_the_bot_stops(
    tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(context, "MARK_WITHIN_S", 0.5)  # the bot stops while marks still wait
    s = stack(f"sqlite:///{tmp_path / 'marks.db'}")
    pairs = active_pairs(s.uow, place_index(), 4, now=datetime.now(UTC))
    async with s.app:
        await s.app.start()
        s.counter.reset()
        for i in range(40):
            pair = pairs[i % 4]
            await s.app.update_queue.put(text_update(s.app.bot, pair.customer, f"Nachricht mark-{i}"))
        await s.app.update_queue.join()
        await s.app.stop()  # waits for the marks
        _, transactions = s.counter.reset()
        with s.uow() as u:
            assert u.outbox.backlog(datetime.now(UTC))[0] == 0  # every message sent is marked sent
    assert delivered(s.api, pairs, "mark") == (40, 0)
    with Session(make_engine(f"sqlite:///{tmp_path / 'marks.db'}")) as session:
        sent = session.scalars(  # and kept in the helpers' chat log, as sent to them, once
            select(ChatMessageRow.text).where(
                ChatMessageRow.telegram_id.in_({p.helper for p in pairs}), ChatMessageRow.incoming.is_(False)
            )
        )
        marks = [m for text in sent for m in re.findall(r"mark-\d+", text)]
        assert sorted(marks) == sorted(f"mark-{i}" for i in range(40))
    assert transactions < 40 * 2  # one for each relayed message, and far fewer for the marks
