"""Settings: read once from the environment or .env, at the edge, and handed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.booking import BookingPolicy

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDERS = {"", "changeme", "your-token-here", "123456:ABC-DEF"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    #: Telegram bot token from @BotFather; without one, `friends run` starts the terminal demo.
    telegram_bot_token: SecretStr | None = None
    #: Start with a real bot token although the database holds demo helpers (a test bot).
    allow_demo_helpers: bool = False
    #: Bot API server; set only to point the bot at a local emulator.
    telegram_api_url: str | None = None
    #: Production: Telegram posts updates to the web server at this public HTTPS base URL
    #: (setWebhook at start) instead of the bot polling. Unset: polling (local use, the demo).
    telegram_webhook_url: str | None = None
    #: How many connections Telegram may open to the webhook at once (1–100).
    telegram_webhook_max_connections: int = 40
    #: Messages per second the bot sends to different chats: Telegram's limit for one bot
    #: (bulk messages, "about 30 a second"). The bot's worker processes share it; 0 turns the
    #: bot's own limit off (a stand-in Telegram without limits, in benchmarks).
    telegram_messages_per_s: float = 30
    #: Worker processes of the web server sharing the webhook (`friends web --workers N` sets
    #: it for them).
    web_workers: int = 1
    database_url: str = f"sqlite:///{ROOT / 'var' / 'friends.db'}"
    rasa_url: str = "http://127.0.0.1:5005"
    #: Token for Rasa's HTTP API; generated for each run when unset.
    rasa_token: SecretStr | None = None
    action_server_port: int = 5055
    log_level: str = "INFO"
    #: One JSON object per log line (for a log collector) instead of plain text.
    log_json: bool = False
    #: Log to this file, rotated at 10 MB with 5 old files kept (default: standard error).
    log_file: Path | None = None
    #: Seconds a message being sent is leased to its sender; after a crash the drain sends it
    #: once this has passed (longer than a send can take, 429 waits included).
    outbox_lease_s: float = 60
    #: An update a process claimed is taken over by another after this long (that process died).
    update_lease_s: float = 30
    #: The polling bot's /healthz, /readyz and /metrics (127.0.0.1); the web server has its own.
    bot_ops_port: int = 8081
    #: Booking rules (core.booking.BookingPolicy): how long a helper has to accept, how many
    #: helpers are asked at once (first to accept wins), when cancelling starts to cost.
    offer_minutes: float = 15
    offer_broadcast: int = 1
    free_cancel_hours: int = 24
    late_cancel_percent: int = 50
    #: The platform's share of every job, in percent.
    platform_fee_percent: int = 20
    #: Relay transcripts and photos are erased this many days after a booking settled.
    retention_days: int = 90
    #: Stripe (test or live) secret key; without it payments use the labelled offline provider.
    stripe_api_key: SecretStr | None = None
    #: The signing secret of the webhook endpoint (POST /stripe/webhook of the web server).
    stripe_webhook_secret: SecretStr | None = None
    #: Where Stripe's pages send people back (the bot's t.me link is a good choice).
    payment_return_url: str = "https://t.me/"
    #: The app's web server (Stripe webhooks and the staff console), on 127.0.0.1.
    web_port: int = 8080
    #: Where staff reach the console over HTTPS (a reverse proxy in front of WEB_PORT), e.g.
    #: https://console.example.org. Without it `friends run` serves it for this machine only.
    console_public_url: str | None = None
    #: Secure cookies and HSTS (the console is served over HTTPS). Set false only for plain HTTP
    #: on one's own machine; `friends run` does that itself when CONSOLE_PUBLIC_URL is unset.
    console_secure_cookies: bool = True

    @field_validator("telegram_bot_token")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip() in PLACEHOLDERS:
            return None
        return value

    @property
    def booking_policy(self) -> BookingPolicy:
        return BookingPolicy(
            offer_minutes=self.offer_minutes,
            broadcast=self.offer_broadcast,
            free_cancel_hours=self.free_cancel_hours,
            late_cancel_percent=self.late_cancel_percent,
            fee_percent=self.platform_fee_percent,
            retention_days=self.retention_days,
        )

    @property
    def var_dir(self) -> Path:
        return ROOT / "var"

    @property
    def action_server_url(self) -> str:
        return f"http://127.0.0.1:{self.action_server_port}/webhook"

    @property
    def rasa_port(self) -> int:
        return int(self.rasa_url.rsplit(":", 1)[1].split("/")[0])
