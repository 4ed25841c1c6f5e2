"""Rasa custom actions (rasa-sdk): a thin adapter from Rasa's tracker to core use cases."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from actions.base import ActionServices
from actions.intake import ACTIONS


def executor(services: ActionServices) -> ActionExecutor:
    """The action executor with every action constructed with its services."""
    executor = ActionExecutor()
    for action in ACTIONS:
        executor.register_action(action(services))
    return executor
