"""What the bot measures for Prometheus (served at /metrics by friends/ops.py)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram
from telegram import Update

UPDATE_SECONDS = Histogram(
    "friends_update_seconds",
    "Time to handle one Telegram update, by kind",
    ["kind"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RASA_SECONDS = Histogram(
    "friends_rasa_seconds",
    "Time Rasa took to answer a customer's text (timeouts included)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 6, 10, 30),
)
TELEGRAM_429 = Counter("friends_telegram_429_total", "Telegram answered 429 Too Many Requests")


def kind(update: object) -> str:
    """A short, bounded label: text, command, location, photo, media, button, edit, other."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "button"
    if update.edited_message is not None:
        return "edit"
    message = update.message
    if message is None:
        return "other"
    if message.text:
        return "command" if message.text.startswith("/") else "text"
    if message.location is not None:
        return "location"
    return "photo" if message.photo else "media"
