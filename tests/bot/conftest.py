"""The real PTB application (build_application) with the in-process Bot API and real Rasa."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable

import pytest

from bot.context import BotServices, FriendsApp
from friends import wiring
from friends.botapi import InProcessBotApi, TelegramUser
from friends.chat import start_app
from tests.conftest import NluStack, consented

_user_ids = itertools.count(5_000_001)


class Chat:
    """One person chatting with the bot; `seen()` is what their Telegram app shows."""

    def __init__(self, app: FriendsApp, api: InProcessBotApi, user: TelegramUser) -> None:
        self.app, self.api, self.user = app, api, user
        self._read = 0

    def seen(self) -> list[str]:
        """As the person reads them (the no-break space in "18 €" looks like a space)."""
        return [s.text.replace("\xa0", " ") for s in self.api.to(self.user.id)]

    def new(self) -> list[str]:
        """Texts sent since the last call."""
        texts = self.seen()[self._read :]
        self._read = len(self.seen())
        return texts

    def last(self):  # type: ignore[no-untyped-def]
        return self.api.to(self.user.id)[-1]


@pytest.fixture(scope="session")
def bot_services(nlu_stack: NluStack) -> BotServices:
    return wiring.bot_services(nlu_stack.settings)  # type: ignore[arg-type]


@pytest.fixture(scope="package")  # stopped before tests/e2e: its job queue would drain their outbox
async def bot_app(bot_services: BotServices) -> AsyncIterator[tuple[FriendsApp, InProcessBotApi]]:
    app, api = await start_app(bot_services)
    yield app, api
    await app.stop()
    await app.shutdown()


@pytest.fixture
def person(bot_app: tuple[FriendsApp, InProcessBotApi]) -> Callable[..., Chat]:
    app, api = bot_app

    def make(language_code: str | None = "de", first_name: str = "Anna", *, consent: bool = True) -> Chat:
        user = TelegramUser(app, next(_user_ids), first_name=first_name, language_code=language_code)
        if consent:
            consented(
                app.bot_data["services"].uow, user.id, first_name=first_name, language=language_code or "en"
            )
        return Chat(app, api, user)

    return make
