"""Files that must never be committed: databases, and files named after a variable that was
not set (a program that took `${VAR}` literally)."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT


def tracked() -> list[str]:
    return subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()


def ignored(name: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", "--no-index", name], cwd=ROOT).returncode == 0


def test_no_database_and_no_unexpanded_variable_is_tracked() -> None:
    files = tracked()
    assert not [f for f in files if "$" in f or f.endswith((".db", ".sqlite", ".sqlite3"))]


def test_such_files_are_ignored_wherever_they_appear() -> None:
    for name in ("${FRIENDS_RASA_TRACKER_DB}", "tracker.db", "sub/dir/friends.db", "x.sqlite", "$HOME"):
        assert ignored(name), name
