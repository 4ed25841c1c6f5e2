"""Cookies are Secure and HTTPS is pinned (HSTS) unless plain-HTTP local use is said explicitly;
`friends run` without a public URL says so for the demo."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from console.app import WebServices, create_app
from friends.processes import local_console_env
from friends.settings import Settings
from tests.console.conftest import SUPPORT, login
from tests.services.test_booking import World


def test_cookies_are_secure_and_https_is_pinned_by_default(client: TestClient) -> None:
    form = client.get("/login")
    assert "Secure" in form.headers["set-cookie"]
    assert form.headers["strict-transport-security"].startswith("max-age=31536000")
    session = login(client, SUPPORT)
    assert "sf_session=" in session.headers["set-cookie"] and "Secure" in session.headers["set-cookie"]


def test_plain_http_on_ones_own_machine_is_an_explicit_setting(console: tuple[WebServices, World]) -> None:
    services, _ = console
    local = TestClient(create_app(replace(services, secure_cookies=False)), follow_redirects=False)
    form = local.get("/login")
    assert "Secure" not in form.headers["set-cookie"] and "strict-transport-security" not in form.headers
    assert login(local, SUPPORT).status_code == 303 and local.get("/").status_code == 200


def test_the_settings_default_to_https_and_the_run_command_without_a_public_url_to_plain_http(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    for name in ("CONSOLE_SECURE_COOKIES", "CONSOLE_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.console_secure_cookies is True
    assert local_console_env(defaults) == {"CONSOLE_SECURE_COOKIES": "false"}  # ./run.sh, the demo
    public = Settings(_env_file=None, console_public_url="https://console.example.org")  # type: ignore[call-arg]
    assert local_console_env(public) == {}
    monkeypatch.setenv("CONSOLE_SECURE_COOKIES", "true")
    assert local_console_env(Settings(_env_file=None)) == {}  # type: ignore[call-arg]  # said explicitly
    monkeypatch.setenv("CONSOLE_SECURE_COOKIES", "false")
    assert Settings(_env_file=None).console_secure_cookies is False  # type: ignore[call-arg]
