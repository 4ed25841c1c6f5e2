"""The bot as a process of its own against the Bot API emulator (the restart test kills it).

python -m tests.e2e.bot_process TOKEN EMULATOR_URL   (settings from the environment)
"""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram import Update

from bot.app import BotConfig, build_application
from friends import wiring
from friends.settings import Settings
from tests.tg.adapter import EmulatorRequest


async def main(token: str, base: str) -> None:
    config = BotConfig(
        token=token,
        base_url=base,
        request=EmulatorRequest(),
        get_updates_request=EmulatorRequest(),
        outbox_interval_s=0.5,
        timer_interval_s=0.5,
    )
    app = build_application(config, wiring.bot_services(Settings()))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.05, timeout=0, allowed_updates=Update.ALL_TYPES)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
