"""PTB's JobQueue (APScheduler) as a ticker: fire the booking timers that are due."""

from __future__ import annotations

import logging

from telegram.ext import CallbackContext

from bot.context import BotServices, run_db
from bot.outbox import drain
from core.errors import Conflict
from core.services import booking

log = logging.getLogger(__name__)


async def fire_timers(context: CallbackContext) -> None:  # type: ignore[type-arg]
    """Each due timer fires in its own transaction (claim + effect + messages), once only."""
    services: BotServices = context.application.bot_data["services"]
    due = await run_db(services, booking.due_timers, services.uow(), now=services.now())
    fired = 0
    for timer_id in due:
        try:
            fired += await run_db(
                services,
                booking.fire_timer,
                services.uow(),
                timer_id,
                now=services.now(),
                policy=services.policy,
                payments=services.payments,
            )
        except Conflict:  # the booking changed meanwhile: the timer stays due for the next tick
            log.info("timer %s met a concurrent change; retried next tick", timer_id)
        except Exception as err:  # e.g. the payment provider refused a capture: support looks, retry later
            log.exception("timer %s failed; retried in %s", timer_id, booking.TIMER_RETRY)
            await run_db(
                services,
                booking.timer_failed,
                services.uow(),
                timer_id,
                f"{type(err).__name__}: {err}",
                now=services.now(),
            )
    if fired:
        await drain(context.bot, services)
