"""Staff accounts, sessions, failed logins and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.staff import AuditEntry, Role, StaffMember
from storage.rows.staff import AuditRow, LoginFailureRow, StaffRow, StaffSessionRow


def _member(row: StaffRow) -> StaffMember:
    return StaffMember(row.id, row.email, Role(row.role), bool(row.disabled))


class SqlStaff:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, email: str, password_hash: str, role: Role, *, now: datetime) -> StaffMember:
        row = StaffRow(
            email=email, password_hash=password_hash, role=str(role), disabled=False, created_at=now
        )
        self.session.add(row)
        self.session.flush()
        return _member(row)

    def by_email(self, email: str) -> tuple[StaffMember, str] | None:
        row = self.session.scalar(select(StaffRow).where(StaffRow.email == email))
        return None if row is None else (_member(row), row.password_hash)

    def get(self, staff_id: int) -> StaffMember | None:
        row = self.session.get(StaffRow, staff_id)
        return None if row is None else _member(row)

    def all(self) -> list[StaffMember]:
        return [_member(r) for r in self.session.scalars(select(StaffRow).order_by(StaffRow.email))]

    def set_disabled(self, staff_id: int, disabled: bool) -> None:
        self.session.get_one(StaffRow, staff_id).disabled = disabled

    def set_password_hash(self, staff_id: int, password_hash: str) -> None:
        self.session.get_one(StaffRow, staff_id).password_hash = password_hash

    def start_session(
        self, token_hash: str, staff_id: int, csrf: str, *, now: datetime, expires: datetime
    ) -> None:
        self.session.add(
            StaffSessionRow(
                token_hash=token_hash, staff_id=staff_id, csrf=csrf, created_at=now, expires_at=expires
            )
        )
        self.session.flush()

    def session_of(self, token_hash: str, *, now: datetime) -> tuple[StaffMember, str] | None:
        row = self.session.get(StaffSessionRow, token_hash)
        if row is None or row.expires_at <= now:
            return None
        member = self.get(row.staff_id)
        return None if member is None or member.disabled else (member, row.csrf)

    def end_session(self, token_hash: str) -> None:
        self.session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash))

    def end_sessions_of(self, staff_id: int) -> None:
        self.session.execute(delete(StaffSessionRow).where(StaffSessionRow.staff_id == staff_id))

    def claim_attempt(
        self, key: str, *, now: datetime, wait: Callable[[int, datetime], timedelta]
    ) -> timedelta:
        """Counts one more login attempt under `key` unless `wait(count, last attempt)` says to
        wait; then nothing is counted and the wait is returned. Atomic across processes: the
        count is compared and set in one statement (a parallel attempt makes it retry)."""
        for _ in range(50):
            found = self.session.execute(
                select(LoginFailureRow.count, LoginFailureRow.last_at).where(LoginFailureRow.key == key)
            ).first()
            if found is None:
                if self._insert_first(key, now):
                    return timedelta(0)
                continue
            count, last = found
            remaining = wait(count, last if last.tzinfo else last.replace(tzinfo=UTC))
            if remaining > timedelta(0):
                return remaining
            claimed = self.session.execute(
                update(LoginFailureRow)
                .where(LoginFailureRow.key == key, LoginFailureRow.count == count)
                .values(count=count + 1, last_at=now)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                return timedelta(seconds=0)
        return timedelta(seconds=1)  # fifty others got in between: this one waits

    def _insert_first(self, key: str, now: datetime) -> bool:
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = (
            insert(LoginFailureRow)
            .values(key=key, count=1, last_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(LoginFailureRow.key)
        )
        return self.session.execute(stmt).scalar() is not None

    def give_back_attempt(self, key: str) -> None:
        self.session.execute(
            update(LoginFailureRow)
            .where(LoginFailureRow.key == key, LoginFailureRow.count > 0)
            .values(count=LoginFailureRow.count - 1)
        )

    def forget_attempts(self, key: str) -> None:
        self.session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))


class SqlAudit:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: AuditEntry) -> None:
        self.session.add(
            AuditRow(
                staff_id=entry.staff_id,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                before=entry.before,
                after=entry.after,
                at=entry.at,
                address=entry.address[:64],
            )
        )
        self.session.flush()

    def recent(
        self, *, limit: int = 200, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntry]:
        stmt = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if object_type:
            stmt = stmt.where(AuditRow.object_type == object_type)
        if object_id:
            stmt = stmt.where(AuditRow.object_id == object_id)
        return [
            AuditEntry(r.staff_id, r.action, r.object_type, r.object_id, r.before, r.after, r.at, r.address)
            for r in self.session.scalars(stmt)
        ]
