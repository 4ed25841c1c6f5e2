"""Privacy (GDPR): consent at first contact, a person's data as an export, and erasing it.
(Relay transcripts are erased by the booking's retention timer, core.services.booking.)

Erasing keeps what accounting law needs (bookings, amounts, the ledger) without the person:
names, texts, photos, comments and the Telegram id are removed or pseudonymised.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from core.helpers import HelperStatus
from core.ids import CustomerId, TelegramUserId
from core.ports import UnitOfWork
from core.services.steps import audit
from core.staff import NotAllowed, Permission, StaffMember

#: What replaces erased text.
ERASED: Final = "[erased]"


def consent(uow: UnitOfWork, telegram_id: TelegramUserId, *, now: datetime) -> None:
    with uow:
        customer = uow.customers.by_telegram_id(telegram_id)
        if customer is not None and not customer.consented:
            uow.customers.set_consented(customer.id, now)
            uow.commit()


def consented_as_helper(uow: UnitOfWork, telegram_id: TelegramUserId, *, now: datetime) -> bool:
    """A helper accepted the terms (and the privacy notice in them) when registering: that
    counts as consent for their chat too."""
    with uow:
        helper = uow.helpers.by_telegram_id(telegram_id)
        customer = uow.customers.by_telegram_id(telegram_id)
        if helper is None or not helper.terms_accepted or customer is None:
            return False
        uow.customers.set_consented(customer.id, now)
        uow.commit()
        return True


def export(uow: UnitOfWork, customer_id: int) -> dict[str, Any]:
    """Everything we keep about a person, as plain data (sent as JSON)."""
    with uow:
        return uow.privacy.export(CustomerId(customer_id))


def erase(uow: UnitOfWork, customer_id: int, *, now: datetime, member: StaffMember | None = None) -> None:
    """Erase a person: every place their data lives (storage.personal_data) erased or
    pseudonymised; bookings and the ledger stay, without personal data. `member`: an admin in
    the console (None: the person themselves)."""
    if member is not None and not member.may(Permission.DELETE_DATA):
        raise NotAllowed(permission=str(Permission.DELETE_DATA))
    with uow:
        customer = uow.customers.get(CustomerId(customer_id))
        helper = uow.helpers.by_telegram_id(customer.telegram_id)
        if helper is not None:  # out of matching for good (the index forgets their home too)
            uow.helpers.save(replace(helper, status=HelperStatus.SUSPENDED), now=now)
        uow.privacy.erase(customer.id, customer.telegram_id, helper.id if helper else None)
        if member is not None:
            audit(uow, member, "erase_person", "customer", str(customer_id), "personal data", ERASED, now=now)
        uow.commit()
