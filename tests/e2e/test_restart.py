"""The bot process is killed (SIGKILL) after every step of a booking and started again: the
booking completes with no message, transition or timer lost or doubled."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text as sql

from core.booking import BookingState, TimerKind
from friends import wiring
from storage.db import make_engine
from tests.conftest import ROOT, NluStack, consented
from tests.e2e.test_booking_over_telegram import button, text
from tests.services.test_booking import WHOLE_BOOKING
from tests.tg.adapter import TgClient

pytestmark = [pytest.mark.e2e, pytest.mark.rasa, pytest.mark.slow]


class BotProcess:
    def __init__(self, token: str, base: str, env: dict[str, str], log: Path) -> None:
        self.token, self.base, self.env, self.log = token, base, env, log
        self.proc: subprocess.Popen[str] | None = None
        self.starts = 0

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.bot_process", self.token, self.base],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=self.log.open("a"),
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", "the bot process did not start"
        self.starts += 1

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()  # SIGKILL: no shutdown, no cleanup
        self.proc.wait(10)


def quiet(database_url: str, within_s: float = 20) -> None:
    """Wait until the bot sent everything it queued and marked its updates done (the step is
    complete; after kills: what the killed processes left is handled and sent)."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + within_s
    while True:
        with engine.connect() as conn:
            waiting = conn.execute(
                sql(
                    "SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL AND error IS NULL)"
                    " + (SELECT count(*) FROM processed_updates WHERE done_at IS NULL)"
                )
            ).scalar()
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    engine.dispose()


async def test_the_bot_killed_between_every_step_loses_and_doubles_nothing(
    emulator: str,
    nlu_stack: NluStack,
    helper_at,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    settings: Any = nlu_stack.settings
    token = "4242:restart-test"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "RASA_URL": settings.rasa_url,
        "RASA_TOKEN": nlu_stack.token,
    }
    bot = BotProcess(token, emulator, env, tmp_path / "bot.log")
    customer = TgClient(emulator, token, 880_001, "de")
    slow, quick = TgClient(emulator, token, 880_002, "de"), TgClient(emulator, token, 880_003, "de")
    for client in (customer, slow, quick):
        consented(
            wiring.uow_factory(settings.database_url, migrate=False),
            client.chat_id,
            first_name=f"User{client.chat_id}",
        )
    paul_id = helper_at(slow.chat_id, "Paul", "10999", "de", rate=700).id
    helper_at(quick.chat_id, "Rosa", "10999", "de", rate=750)
    got: dict[int, list[str]] = {c.chat_id: [] for c in (customer, slow, quick)}
    last: dict[int, dict[str, Any]] = {}

    async def expect(client: TgClient, n: int) -> list[dict[str, Any]]:
        messages = await client.replies(n)
        got[client.chat_id] += [text(m) for m in messages]
        for m in messages:
            if m["message"].get("reply_markup", {}).get("inline_keyboard"):
                last[client.chat_id] = m
        return messages

    async def press(client: TgClient, label: str, message: dict[str, Any] | None = None) -> None:
        m = message or last[client.chat_id]
        await client.press(m, button(m, label))

    steps: list[tuple[str, Callable[[], Awaitable[None]]]] = []

    def step(name: str):  # type: ignore[no-untyped-def]
        def add(fn: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
            steps.append((name, fn))
            return fn

        return add

    @step("problem")
    async def _() -> None:
        await customer.send_text("Mein Internet geht seit heute früh nicht mehr")
        messages = await customer.until("Wo brauchst du Hilfe?")  # (an urgency note may come between)
        got[customer.chat_id] += [text(m) for m in messages]

    @step("place")
    async def _() -> None:
        await customer.send_text("10999")
        messages = await customer.until("– oder:")
        got[customer.chat_id] += [text(m) for m in messages]
        first_card = next(m for m in messages if text(m).startswith("👤"))
        last[customer.chat_id] = first_card
        assert text(first_card).startswith("👤 Paul")

    @step("choose Paul")
    async def _() -> None:
        await press(customer, "✅ Paul")
        await expect(customer, 1)
        await expect(slow, 1)

    @step("Paul does not answer; the timer fires after the restart")
    async def _() -> None:
        bot.kill()
        # 15 minutes pass while the bot is down: the offer's deadline is now behind us
        uow = wiring.uow_factory(settings.database_url, migrate=False)
        with uow() as u:
            [paul] = u.bookings.of_helper(paul_id, [BookingState.OFFERED])
            u.timers.set(paul.id, TimerKind.OFFER_DEADLINE, datetime.now(UTC) - timedelta(seconds=1))
            u.commit()
        bot.start()
        [expired] = await expect(slow, 1)
        assert "geht an jemand anderen" in text(expired)
        [moved] = await expect(customer, 1)
        assert "Ich habe stattdessen Rosa gefragt" in text(moved)
        await expect(quick, 1)

    @step("Rosa accepts")
    async def _() -> None:
        await press(quick, "✅ Annehmen")
        await expect(quick, 1)
        await expect(customer, 1)

    @step("customer writes")
    async def _() -> None:
        await customer.send_text("Hallo Rosa! Wann könntest du kommen?")
        [m] = await expect(quick, 1)
        assert text(m).endswith("Hallo Rosa! Wann könntest du kommen?")

    @step("Rosa sends a photo")
    async def _() -> None:
        await quick.send_photo("Ist das dein Router?")
        await expect(customer, 1)

    @step("Rosa asks to propose")
    async def _() -> None:
        await press(quick, "📅 Termin")
        await expect(quick, 1)

    @step("Rosa types the time")
    async def _() -> None:
        await quick.send_text("übermorgen 11 Uhr, 1 Stunde")
        await expect(quick, 1)
        await expect(customer, 1)

    @step("customer agrees")
    async def _() -> None:
        await press(customer, "✅ Passt")
        await expect(customer, 1)
        await expect(quick, 1)

    @step("customer gives the address")
    async def _() -> None:
        await customer.send_text("Kastanienallee 12, Klingel Schulz")
        await expect(customer, 1)
        await expect(quick, 1)

    @step("customer pays by card")
    async def _() -> None:
        await press(customer, "💳 Karte")
        await expect(customer, 1)
        await expect(quick, 1)

    @step("Rosa's jobs")
    async def _() -> None:
        await quick.send_command("/jobs")
        await expect(quick, 1)

    @step("check in, two days early")
    async def _() -> None:
        await press(quick, "📍 Bin da")
        await expect(quick, 1)

    @step("start now after all")
    async def _() -> None:
        await press(quick, "▶️ Ja, jetzt anfangen")
        await expect(quick, 1)
        await expect(customer, 1)

    @step("check out")
    async def _() -> None:
        await press(quick, "🏁 Fertig")
        await expect(quick, 1)
        await expect(customer, 1)

    @step("customer confirms")
    async def _() -> None:
        await press(customer, "✅ Stimmt")
        await expect(customer, 2)
        await expect(quick, 2)

    @step("customer rates")
    async def _() -> None:
        await press(customer, "5⭐")
        await expect(customer, 1)

    @step("Rosa rates")
    async def _() -> None:
        await press(quick, "5⭐")
        await expect(quick, 2)
        await expect(customer, 1)

    bot.start()
    try:
        for name, run in steps:
            try:
                await run()
            except AssertionError as err:
                log = (tmp_path / "bot.log").read_text()[-3000:]
                raise AssertionError(f"step {name!r}: {err}\n--- bot log ---\n{log}") from err
            quiet(settings.database_url)
            bot.kill()
            bot.start()
        await asyncio.sleep(2)  # anything doubled would arrive now
        for client in (customer, slow, quick):
            res = await client.http.post("/getUpdates", json={"token": token, "chatId": client.chat_id})
            assert res.json().get("result", []) == [], f"extra messages for {client.chat_id}"
    finally:
        bot.kill()
        for client in (customer, slow, quick):
            await client.aclose()

    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        [(booking_id, state)] = conn.execute(
            sql(
                "SELECT b.id, b.state FROM bookings b JOIN helpers h ON h.id = b.helper_id WHERE h.telegram_id = :t"
            ),
            {"t": quick.chat_id},
        ).all()
        triggers = [
            r[0]
            for r in conn.execute(
                sql("SELECT trigger FROM booking_events WHERE booking_id = :b ORDER BY id"), {"b": booking_id}
            )
        ]
        fired = conn.execute(
            sql(
                "SELECT t.kind, t.fired_at IS NOT NULL FROM timers t JOIN bookings b ON b.id = t.booking_id "
                "JOIN helpers h ON h.id = b.helper_id WHERE h.telegram_id = :t AND t.kind = 'offer_deadline'"
            ),
            {"t": slow.chat_id},
        ).all()
        sent = {
            chat: n
            for chat, n in conn.execute(
                sql(
                    "SELECT telegram_id, count(*) FROM outbox WHERE sent_at IS NOT NULL "
                    "AND telegram_id IN (:a, :b, :c) GROUP BY telegram_id"
                ),
                {"a": customer.chat_id, "b": slow.chat_id, "c": quick.chat_id},
            )
        }
    engine.dispose()
    assert state == "rated"
    assert triggers == WHOLE_BOOKING
    assert fired == [("offer_deadline", True)]
    assert len(got[slow.chat_id]) == 2 and len(got[quick.chat_id]) == 16
    assert sent[quick.chat_id] == len(got[quick.chat_id])  # every message the outbox sent arrived once
    print(
        f"\nrestart test: {bot.starts - 1} restarts (SIGKILL) over {len(steps)} steps; "
        f"messages received customer {len(got[customer.chat_id])}, helpers {len(got[slow.chat_id])} + "
        f"{len(got[quick.chat_id])}; transitions {len(triggers)}; duplicates 0"
    )
