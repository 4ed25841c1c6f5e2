#!/usr/bin/env bash
# Runs every test: installs what is missing (also PostgreSQL and the Bot API emulator),
# then the architecture checks and the whole pytest suite, fast layers first.
source "$(dirname "$0")/scripts/setup.sh"

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  step "Installing PostgreSQL (Debian package) for the storage tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
  step "Installing Node.js (Debian package) for the Bot API emulator"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if ! command -v chromium >/dev/null 2>&1; then
  step "Installing Chromium (Debian package) for the browser tests of the staff console"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d tests/tg/node_modules/telegram-test-api ] || [ tests/tg/package-lock.json -nt tests/tg/node_modules ]; then
  step "Installing the Telegram Bot API emulator (npm ci in tests/tg)"
  npm ci --prefix tests/tg --silent --no-audit --no-fund
  touch tests/tg/node_modules
fi

step "Architecture and style: import-linter, ruff, mypy"
.venv/bin/lint-imports --no-cache
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

step "Tests: unit, services, storage (SQLite + PostgreSQL), console, actions, bot, browser, Rasa, end to end"
set +e
.venv/bin/pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests (exit 5) — nothing failed." >&2
  exit 0
fi
exit "$status"
