"""The terminal demo plays both sides: a button number shown in either chat is pressed by the
person whose chat it is in, before and after /as helper and /as customer."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from bot.context import BotServices
from core.ids import TelegramUserId
from friends.chat import play_line, show, switch
from tests.bot.conftest import Chat

pytestmark = pytest.mark.rasa


def consented(services: BotServices, chat: Chat) -> bool:
    with services.uow() as u:
        customer = u.customers.by_telegram_id(TelegramUserId(chat.user.id))
        return customer is not None and customer.consented


async def test_numbers_of_both_chats_work_after_switching_sides(
    person: Callable[..., Chat], bot_services: BotServices
) -> None:
    eva, ole = person("de", "Eva", consent=False), person("de", "Ole", consent=False)
    start = len(eva.api.shown)
    await eva.user.says("/start")
    await ole.user.says("/start")
    people = {eva.user.id: eva.user, ole.user.id: ole.user}
    out = io.StringIO()
    buttons = show(eva.api.shown[start:], {ole.user.id: "Ole (helper)"}, out=out)
    assert "[Ole (helper)'s chat]" in out.getvalue()
    eva_yes, ole_yes = (str(n + 1) for n, (sent, data) in enumerate(buttons) if data.endswith("yes"))

    me = switch("/as helper", eva.user, people)
    assert me is ole.user
    await play_line(me, buttons, eva_yes, people)  # a number in the customer's chat, typed as helper
    assert consented(bot_services, eva) and not consented(bot_services, ole)

    me = switch("/as customer", eva.user, people)
    assert me is eva.user
    await play_line(me, buttons, ole_yes, people)  # a number in the helper's chat, typed as customer
    assert consented(bot_services, ole)
    assert switch("/as Customer", eva.user, people) is eva.user
