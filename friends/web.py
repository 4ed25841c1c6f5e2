"""The web server: the staff console and Stripe webhooks (console/), and in webhook mode the
Telegram webhook (bot/webhook.py) with the bot's application running in this process."""

from __future__ import annotations

from fastapi import FastAPI

from friends.settings import Settings


def web_app(settings: Settings) -> FastAPI:
    from console.app import create_app
    from friends.wiring import web_services

    app = create_app(web_services(settings))
    if settings.telegram_webhook_url and settings.telegram_bot_token:
        with_telegram_webhook(app, settings)
    return app


def with_telegram_webhook(app: FastAPI, settings: Settings) -> None:
    from bot import webhook
    from bot.app import BotConfig, build_application
    from friends.wiring import bot_services

    assert settings.telegram_webhook_url and settings.telegram_bot_token
    token = settings.telegram_bot_token.get_secret_value()
    hook = webhook.Webhook.for_token(
        settings.telegram_webhook_url, token, max_connections=settings.telegram_webhook_max_connections
    )
    config = BotConfig(token=token, base_url=settings.telegram_api_url, polling=False)
    application = build_application(config, bot_services(settings))
    app.include_router(webhook.router(application, hook))
    app.router.lifespan_context = webhook.lifespan(application, hook)
