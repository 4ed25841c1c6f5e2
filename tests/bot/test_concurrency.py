"""Many chats at once, each chat in order; a slow Rasa holds up only its own customer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, TypeHandler

from bot.processor import PerChatUpdateProcessor
from core.booking import BookingState
from core.ids import BookingId
from friends.bench.relay import _ended, _SlowRasa, delivered, stack, text_update
from friends.bench.world import active_pairs
from friends.botapi import InProcessBotApi
from friends.wiring import place_index


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
