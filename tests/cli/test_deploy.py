"""deploy/ stays honest: every `friends` command it runs exists, with the options it passes,
and every variable it sets is a setting the product reads."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import typer
import yaml

from friends.cli import app
from friends.settings import Settings
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
#: Variables that belong to the images we build on, not to the product.
NOT_OURS = {
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "UV_COMPILE_BYTECODE",
    "UV_LINK_MODE",
    "PATH",
}


def commands() -> list[list[str]]:
    """Every `friends …` command line in the Dockerfile, the compose file and the units."""
    found: list[list[str]] = []
    compose = yaml.safe_load((DEPLOY / "compose.yml").read_text())
    found += [s["command"] for s in compose["services"].values() if "command" in s]
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith(("ExecStart=", "ExecStartPre=")):
                found.append(shlex.split(line.split("=", 1)[1]))
    docker = (DEPLOY / "Dockerfile").read_text()
    found += [shlex.split(m) for m in re.findall(r"\.venv/bin/(friends [^\\&\n]+)", docker)]
    found += [yaml.safe_load(m) for m in re.findall(r"^CMD (\[.*\])$", docker, re.M)]
    friends = [argv[argv.index(a) :] for argv in found for a in argv if Path(a).name == "friends"]
    assert len(friends) >= 8, friends
    return [[Path(argv[0]).name, *argv[1:]] for argv in friends]


def variables() -> set[str]:
    names: set[str] = set()
    compose = yaml.safe_load((DEPLOY / "compose.yml").read_text())
    for name, service in compose["services"].items():
        if name != "db":
            names |= set((service.get("environment") or {}).keys())
    for line in (DEPLOY / "friends.env.example").read_text().splitlines():
        if m := re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line):
            names.add(m.group(1))
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("Environment="):
                names |= {pair.split("=")[0] for pair in shlex.split(line.split("=", 1)[1])}
    names |= set(re.findall(r"^ENV ([A-Z_]+)=", (DEPLOY / "Dockerfile").read_text(), re.M))
    return names - NOT_OURS


def test_every_command_the_recipes_run_exists_with_its_options() -> None:
    cli = typer.main.get_command(app)
    for argv in commands():
        command: Any = cli
        words = argv[1:]
        while hasattr(command, "commands") and words and not words[0].startswith("-"):
            assert words[0] in command.commands, f"deploy/ runs `{' '.join(argv)}`: no such command"
            command, words = command.commands[words[0]], words[1:]
        assert not hasattr(command, "commands"), f"`{' '.join(argv)}` names a group, not a command"
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        for word in words:
            if word.startswith("-"):
                assert word in options, f"`{' '.join(argv)}`: {word} is not an option"


def test_every_variable_the_recipes_set_is_a_setting() -> None:
    known = {name.upper() for name in Settings.model_fields}
    unknown = variables() - known
    assert not unknown, f"deploy/ sets variables the product does not read: {sorted(unknown)}"
    assert {"TELEGRAM_WEBHOOK_URL", "DATABASE_URL", "LOG_FILE"} <= variables()
