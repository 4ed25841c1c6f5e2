"""A tracker store that keeps nothing: Rasa holds no customer's words after answering.

Every rule of our dialogue looks at one message (intent → action), so a fresh tracker per
message answers the same. With nothing kept there is nothing to erase, export or expire.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


class ForgetfulTrackerStore(TrackerStore):
    """save() forgets; retrieve() never finds a conversation."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        kwargs.pop("host", None)
        super().__init__(domain, event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        return None

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return None

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return None

    async def keys(self) -> Iterable[str]:
        return []
