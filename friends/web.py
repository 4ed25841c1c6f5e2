"""The web server: the staff console and Stripe webhooks (console/), and in webhook mode the
Telegram webhook (bot/webhook.py) with the bot's application running in this process."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import FastAPI

from friends import ops
from friends.settings import Settings

if TYPE_CHECKING:
    from bot.app import BotConfig


def web_app(settings: Settings) -> FastAPI:
    from console.app import create_app
    from friends.wiring import web_services

    services = web_services(settings)
    app = create_app(services)
    bot_running: list[Callable[[], bool]] = []
    if settings.telegram_webhook_url and settings.telegram_bot_token:
        bot_running.append(with_telegram_webhook(app, settings))
    ops.watch_backlog(services.uow, services.now)

    def ready() -> bool:
        return all(running() for running in bot_running) and ops.database_ready(services.uow, services.now)

    app.include_router(ops.router(ready))
    return app


def app_from_env() -> FastAPI:
    """For uvicorn's workers: each builds its own app (and bot) from the environment."""
    return web_app(Settings())


def webhook_config(settings: Settings) -> BotConfig:
    """The bot of one web worker: updates by webhook, its share of Telegram's limit."""
    from bot.app import BotConfig

    assert settings.telegram_bot_token
    return BotConfig(
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_url,
        polling=False,
        messages_per_s=settings.telegram_messages_per_s / max(settings.web_workers, 1),
    )


def with_telegram_webhook(app: FastAPI, settings: Settings) -> Callable[[], bool]:
    from bot import webhook
    from bot.app import build_application
    from friends.wiring import bot_services

    assert settings.telegram_webhook_url and settings.telegram_bot_token
    token = settings.telegram_bot_token.get_secret_value()
    hook = webhook.Webhook.for_token(
        settings.telegram_webhook_url, token, max_connections=settings.telegram_webhook_max_connections
    )
    application = build_application(webhook_config(settings), bot_services(settings))
    app.include_router(webhook.router(application, hook))
    app.router.lifespan_context = webhook.lifespan(application, hook)
    return lambda: application.running
