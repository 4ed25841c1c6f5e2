"""Rasa on this machine, as another local user would attack it: the token is on no command
line and in no health-check address, no input channel lets anyone post as a customer (the bot
talks to Rasa's authenticated API only), and Rasa keeps no customer's words (nothing to erase,
export or expire there)."""

from __future__ import annotations

import asyncio
import subprocess

import httpx
import psutil
import pytest

from core.intake import conversation_id
from friends.model import RASA, rasa_env
from friends.processes import rasa_process
from gateways.rasa_client import RasaClient
from tests.conftest import ROOT, NluStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture
def stack(nlu_stack: NluStack) -> NluStack:
    return nlu_stack


def rasa_pid(stack: NluStack) -> int:
    return int((stack.var / "run" / "rasa.pid").read_text())


def test_the_rasa_token_is_on_no_command_line_and_in_no_health_check_address(stack: NluStack) -> None:
    rasa = psutil.Process(rasa_pid(stack))
    for process in [rasa, *rasa.children(recursive=True)]:
        assert stack.token not in " ".join(process.cmdline())
    process = rasa_process(stack.settings, stack.token, stack.var)  # type: ignore[arg-type]
    assert stack.token not in " ".join(process.argv)
    assert process.health_url is not None and stack.token not in process.health_url
    assert process.healthy()


def test_no_one_else_on_the_machine_can_post_as_a_customer(stack: NluStack) -> None:
    base = stack.settings.rasa_url  # type: ignore[attr-defined]
    body = {"sender": conversation_id(1), "message": "mein Handy ist kaputt"}
    assert httpx.post(f"{base}/webhooks/rest/webhook", json=body, timeout=30).status_code == 404
    trigger = f"{base}/conversations/{conversation_id(1)}/trigger_intent"
    assert httpx.post(trigger, json={"name": "problem_phone"}, timeout=30).status_code == 401


def test_rasa_keeps_no_conversation_after_answering(stack: NluStack) -> None:
    base, sender = stack.settings.rasa_url, conversation_id(424242)  # type: ignore[attr-defined]
    said = "Mein Router blinkt rot seit gestern Abend"

    async def converse() -> list[object]:
        client = RasaClient(base, stack.token)
        try:
            return list(await client.trigger(sender, await client.parse(said)))
        finally:
            await client.aclose()

    asyncio.run(converse())  # Rasa ran the dialogue (an error status would raise)
    tracker = httpx.get(f"{base}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30)
    assert tracker.status_code == 200
    assert said not in tracker.text
    assert not [e for e in tracker.json().get("events", []) if e.get("event") == "user"]


def test_a_missing_variable_in_rasa_s_configuration_is_an_error_not_a_file_name() -> None:
    env = {k: v for k, v in rasa_env().items() if not k.startswith("FRIENDS_")}
    code = "from rasa.core.utils import read_endpoints_from_path; read_endpoints_from_path('endpoints.yml')"
    result = subprocess.run(
        [str(RASA.with_name("python")), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "FRIENDS_ACTION_URL" in result.stderr
    assert not list(ROOT.glob("$*")), "a file named after an unexpanded variable"
