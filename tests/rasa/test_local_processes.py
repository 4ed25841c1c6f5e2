"""Rasa on this machine, as another local user would attack it: the token is on no command
line and in no health-check address, the REST channel refuses posts without the shared secret,
and Rasa keeps no customer's words (nothing to erase, export or expire there)."""

from __future__ import annotations

import subprocess

import httpx
import psutil
import pytest

from core.intake import conversation_id
from friends.model import RASA, rasa_env
from friends.processes import rasa_process
from tests.conftest import ROOT, NluStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


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


def test_the_rest_channel_refuses_anyone_without_the_shared_secret(stack: NluStack) -> None:
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"  # type: ignore[attr-defined]
    body = {"sender": conversation_id(1), "message": "mein Handy ist kaputt"}
    assert httpx.post(url, json=body, timeout=30).status_code == 401
    wrong = httpx.post(url, json=body, headers={"X-Friends-Token": "guess"}, timeout=30)
    assert wrong.status_code == 401
    right = httpx.post(
        url, json={**body, "sender": "probe"}, headers={"X-Friends-Token": stack.token}, timeout=30
    )
    assert right.status_code == 200


def test_rasa_keeps_no_conversation_after_answering(stack: NluStack) -> None:
    base, sender = stack.settings.rasa_url, conversation_id(424242)  # type: ignore[attr-defined]
    said = "Mein Router blinkt rot seit gestern Abend"
    res = httpx.post(
        f"{base}/webhooks/rest/webhook",
        json={"sender": sender, "message": said},
        headers={"X-Friends-Token": stack.token},
        timeout=30,
    )
    assert res.status_code == 200
    tracker = httpx.get(f"{base}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30)
    assert tracker.status_code == 200
    assert said not in tracker.text
    assert not [e for e in tracker.json().get("events", []) if e.get("event") == "user"]


def test_a_missing_variable_in_rasa_s_configuration_is_an_error_not_a_file_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
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
    channel = "from rasa_addons.channels import GuardedRestInput; GuardedRestInput.from_credentials(None)"
    result = subprocess.run(
        [str(RASA.with_name("python")), "-c", channel],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "FRIENDS_RASA_TOKEN" in result.stderr
    assert not list(ROOT.glob("$*")), "a file named after an unexpanded variable"


@pytest.fixture
def stack(nlu_stack: NluStack) -> NluStack:
    return nlu_stack
