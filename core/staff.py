"""Support staff: roles, what each role may do, and the audit trail of what they did."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from core.errors import DomainError


class Role(StrEnum):
    SUPPORT = "support"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"  # every page
    ANSWER = "answer"  # write into a conversation, take over, hand back
    FLAG = "flag"  # resolve flagged messages
    VERIFY = "verify"  # verify helpers
    REFUND = "refund"
    SUSPEND = "suspend"  # suspend and unsuspend helpers, block customers
    MANAGE_STAFF = "manage_staff"
    DELETE_DATA = "delete_data"  # export and erase a person's data


SUPPORT_MAY: Final = frozenset({Permission.READ, Permission.ANSWER, Permission.FLAG, Permission.VERIFY})
PERMISSIONS: Final[dict[Role, frozenset[Permission]]] = {
    Role.SUPPORT: SUPPORT_MAY,
    Role.ADMIN: frozenset(Permission),
}
EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD: Final = 12


class NotAllowed(DomainError):
    key = "staff.not_allowed"


class BadEmail(DomainError):
    key = "staff.bad_email"


class WeakPassword(DomainError):
    key = "staff.weak_password"


class StaffExists(DomainError):
    key = "staff.exists"


class UnknownStaff(DomainError):
    key = "staff.unknown"


@dataclass(frozen=True)
class StaffMember:
    id: int
    email: str
    role: Role
    disabled: bool = False

    def may(self, permission: Permission) -> bool:
        return not self.disabled and permission in PERMISSIONS[self.role]


@dataclass(frozen=True)
class AuditEntry:
    """One staff action: who, what, on which object, before and after, when."""

    staff_id: int | None  # None: the CLI (a person with shell access to the server)
    action: str
    object_type: str
    object_id: str
    before: str
    after: str
    at: datetime
    address: str = ""


def checked_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise BadEmail(email=email)
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or password.strip() != password or len(set(password)) < 5:
        raise WeakPassword(minimum=MIN_PASSWORD)
