#!/usr/bin/env bash
# Runs the product: installs what is missing, then starts every process.
# Without TELEGRAM_BOT_TOKEN (environment or .env) it opens the demo chat in this terminal.
source "$(dirname "$0")/scripts/setup.sh"
step "Starting Service Friends"
exec .venv/bin/friends run "$@"
