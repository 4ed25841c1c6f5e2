"""The hot path of every update in plain SQL: what a chat is doing (one query), the bookings a
message can go to with both sides (one query), and the rows a relayed message writes.

Measured with `friends bench relay` (SQLite and PostgreSQL); the ORM repositories stay the
way everything else reads and writes the same tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.booking import RELAY_STATES, Actor, BookingState
from core.chat import ChatFacts, Claim, RelayTarget
from core.helpers import HelperStatus
from core.ids import BookingId, CustomerId, HelperId, TelegramUserId
from core.intake import OPEN_STATUSES, Customer, RequestStatus
from core.language import Language
from core.relay import Prompt, PromptKind
from storage.plain import PlainSql, together
from storage.repositories.updates import CLAIM_SQL, claim_row

_OPEN = ",".join(f"'{s}'" for s in sorted(str(s) for s in OPEN_STATUSES))
_RELAYING = ",".join(f"'{s}'" for s in sorted(str(s) for s in RELAY_STATES))

FACTS = PlainSql(f"""
SELECT c.id, c.name, c.language, c.taken_over_by, c.consented_at, c.blocked_at,
       h.id, h.status, h.editing, p.kind, p.booking_id, p.data,
       (SELECT r.status FROM requests r WHERE r.customer_id = c.id AND r.status IN ({_OPEN})
        ORDER BY r.id DESC LIMIT 1)
FROM (SELECT CAST(:tg AS BIGINT) AS tg) me
LEFT JOIN customers c ON c.telegram_id = me.tg
LEFT JOIN helpers h ON h.telegram_id = me.tg
LEFT JOIN prompts p ON p.telegram_id = me.tg
""")  # the IN lists are the code's own constants

TARGETS = PlainSql(f"""
SELECT b.id, b.state, b.customer_id, b.helper_id, b.category, b.rate_cents, b.km, b.start, b.minutes,
       c.telegram_id, c.language, h.telegram_id, hc.language, h.languages, h.name, r.district
FROM bookings b
JOIN customers c ON c.id = b.customer_id
JOIN helpers h ON h.id = b.helper_id
LEFT JOIN customers hc ON hc.telegram_id = h.telegram_id
LEFT JOIN requests r ON r.id = b.request_id
WHERE (b.customer_id = (SELECT id FROM customers WHERE telegram_id = :tg)
       OR b.helper_id = (SELECT id FROM helpers WHERE telegram_id = :tg))
  AND b.state IN ({_RELAYING}) AND b.relay_closed_at IS NULL
ORDER BY b.id
""")


RELAYED = PlainSql(
    "INSERT INTO relay_messages (booking_id, sender, kind, text, file_id, leaks, created_at)"
    " VALUES (:booking_id, :sender, :kind, :text, :file_id, :leaks, :created_at)",
    deferrable=True,
)
LOGGED = PlainSql(
    "INSERT INTO chat_messages (telegram_id, incoming, kind, text, at, booking_id, helper_id)"
    " VALUES (:telegram_id, :incoming, :kind, :text, :at, :booking_id, :helper_id)",
    deferrable=True,
)


class SqlChats:
    def __init__(self, session: Session) -> None:
        self.session = session

    def arrive(self, claim: Claim, *, targets: bool = False) -> ChatFacts | None:
        assert claim.chat_id is not None
        telegram_id = TelegramUserId(claim.chat_id)
        reads = [(FACTS, {"tg": telegram_id})] + ([(TARGETS, {"tg": telegram_id})] if targets else [])
        [claimed, [row], *found] = together(self.session, (CLAIM_SQL, claim_row(claim)), *reads)
        if not claimed:
            return None
        customer = None
        if row[0] is not None:
            customer = Customer(
                CustomerId(row[0]),
                telegram_id,
                row[1],
                Language(row[2]),
                taken_over_by=row[3],
                consented=row[4] is not None,
                blocked=row[5] is not None,
            )
        prompt = None
        if row[9] is not None:
            prompt = Prompt(telegram_id, PromptKind(row[9]), BookingId(row[10]), row[11])
        return ChatFacts(
            customer=customer,
            helper_id=HelperId(row[6]) if row[6] is not None else None,
            filling_in=row[6] is not None and (row[7] == HelperStatus.REGISTERING or row[8] is not None),
            prompt=prompt,
            request_status=RequestStatus(row[12]) if row[12] is not None else None,
            targets=tuple(_target(r) for rows in found for r in rows),
        )

    def relayed(
        self,
        booking_id: BookingId,
        sender: Actor,
        *,
        kind: str,
        text: str,
        file_id: str | None,
        now: datetime,
    ) -> None:
        RELAYED.rows(
            self.session,
            {
                "booking_id": booking_id,
                "sender": str(sender),
                "kind": kind,
                "text": text,
                "file_id": file_id,
                "leaks": "",
                "created_at": now,
            },
        )

    def log(
        self,
        telegram_id: int,
        *,
        kind: str,
        text: str,
        now: datetime,
        incoming: bool = True,
        booking_id: int | None = None,
        helper_id: int | None = None,
    ) -> None:
        """A line of the chat log (a line the bot sent names the booking or helper it is about)."""
        line = {
            "telegram_id": telegram_id,
            "incoming": incoming,
            "kind": kind,
            "text": text[:4096],
            "at": now,
        }
        LOGGED.rows(self.session, {**line, "booking_id": booking_id, "helper_id": helper_id})


def _target(r: Any) -> RelayTarget:
    customer_language = Language(r[10])
    spoken = {Language(code) for code in (r[13] or "").split(",") if code}
    helper_language = (
        Language(r[12])
        if r[12] is not None
        else customer_language
        if customer_language in spoken
        else next(iter(sorted(spoken)), Language.DE)
    )
    state = BookingState(r[1])
    params: dict[str, Any] = {
        "id": r[0],
        "name": r[14],
        "category": r[4],
        "district": r[15] or "",
        "rate": r[5],
        "km": f"{r[6]:.1f}",
        "state": str(state),
    }
    if r[7] is not None:
        start = r[7] if isinstance(r[7], datetime) else datetime.fromisoformat(str(r[7]))
        params["when"] = (start if start.tzinfo else start.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if r[8] is not None:
        params["duration"] = r[8]
    return RelayTarget(
        BookingId(r[0]),
        state,
        CustomerId(r[2]),
        HelperId(r[3]),
        (int(r[9]), customer_language),
        (int(r[11]), helper_language),
        params,
    )
