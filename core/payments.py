"""Money: the platform fee, the ledger entries every money movement writes, and the checks that
the books balance.

All amounts are integer cents in EUR. For a card booking the books balance when

    captured − refunded = helper share (payout) + platform fee

and a helper's cash balance is the sum of the fees they owe from cash jobs minus what was
settled against later card jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from core.errors import DomainError
from core.ids import BookingId, Cents, HelperId

#: The platform's share of every job, in percent (settings may change it).
DEFAULT_FEE_PERCENT: Final = 20
#: Stripe keeps a card hold about 7 days; we act a day before.
HOLD_DAYS: Final = 6


class PaymentState(StrEnum):
    """How a booking is paid (Booking.payment); the values are what the database holds."""

    HELD = "card"  # the card is authorised; the actual amount is captured after the job
    CHARGED = "charged"  # charged outright (a method that cannot hold); the rest refunded after
    CASH = "cash"

    @property
    def by_card(self) -> bool:
        return self is not PaymentState.CASH


class LedgerKind(StrEnum):
    AUTHORISED = "authorised"  # a hold was placed: no money moved yet
    CAPTURED = "captured"  # taken from the customer
    RELEASED = "released"  # the rest of a hold given back
    REFUNDED = "refunded"  # given back after it was taken
    FEE = "fee"  # the platform's share (negative: reversed by a refund)
    PAYOUT = "payout"  # the helper's share (negative: reversed by a refund)
    CASH = "cash"  # the customer paid the helper in cash
    BALANCE = "balance"  # what a helper owes the platform (+ a cash job's fee, − settled)


@dataclass(frozen=True)
class LedgerEntry:
    booking_id: BookingId
    helper_id: HelperId
    kind: LedgerKind
    amount: Cents
    at: datetime
    reference: str = ""  # the provider's object (PaymentIntent, refund…)
    note: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """A payment provider's webhook event, as much of it as we act on."""

    id: str
    type: str
    booking_id: int | None = None  # from the metadata we gave the provider
    reference: str | None = None  # the payment (PaymentIntent) it is about
    checkout: str | None = None  # the checkout session it is about
    purpose: str = "hold"  # "hold" (the booking's payment) or "extra" (more time, approved)
    account: str | None = None  # a connected account (account.updated)
    ready: bool = False  # the account can take charges and receive payouts


class RefundTooLarge(DomainError):
    key = "payments.refund_too_large"


def split(amount: Cents, fee_percent: int) -> tuple[Cents, Cents]:
    """(helper share, platform fee) of an amount; the fee is rounded to the cent."""
    fee = Cents((amount * fee_percent + 50) // 100)
    return Cents(amount - fee), fee


def capture_entries(
    booking_id: BookingId,
    helper_id: HelperId,
    *,
    amount: Cents,
    fee_percent: int,
    owed: Cents,
    at: datetime,
    reference: str,
) -> list[LedgerEntry]:
    """A capture: the platform keeps its fee plus what the helper owes from cash jobs (as far as
    their share reaches); the rest is paid out to the helper."""
    share, fee = split(amount, fee_percent)
    settled = Cents(min(max(owed, 0), share))
    entries = [
        LedgerEntry(booking_id, helper_id, LedgerKind.CAPTURED, amount, at, reference),
        LedgerEntry(booking_id, helper_id, LedgerKind.FEE, Cents(fee + settled), at, reference),
        LedgerEntry(booking_id, helper_id, LedgerKind.PAYOUT, Cents(share - settled), at, reference),
    ]
    if settled:
        note = "cash fees settled from this job"
        entries.append(
            LedgerEntry(booking_id, helper_id, LedgerKind.BALANCE, Cents(-settled), at, reference, note)
        )
    return entries


def application_fee(entries: Sequence[LedgerEntry]) -> Cents:
    """What the platform keeps of a capture (the Stripe application fee)."""
    return Cents(sum(e.amount for e in entries if e.kind is LedgerKind.FEE))


def refund_entries(
    booking_id: BookingId,
    helper_id: HelperId,
    books: Iterable[LedgerEntry],
    *,
    amount: Cents,
    at: datetime,
    reference: str,
    note: str = "",
) -> list[LedgerEntry]:
    """A refund reverses the fee and the helper's share in proportion (as Stripe does with
    refund_application_fee and reverse_transfer)."""
    totals = totals_of(books)
    refundable = totals[LedgerKind.CAPTURED] - totals[LedgerKind.REFUNDED]
    if not 0 < amount <= refundable:
        raise RefundTooLarge(amount=amount, refundable=refundable)
    fee_left, share_left = totals[LedgerKind.FEE], totals[LedgerKind.PAYOUT]
    fee_back = Cents((fee_left * amount + refundable // 2) // refundable)
    share_back = Cents(amount - fee_back)
    if share_back > share_left:  # rounding never takes more from the helper than they got
        share_back, fee_back = Cents(share_left), Cents(amount - share_left)
    return [
        LedgerEntry(booking_id, helper_id, LedgerKind.REFUNDED, amount, at, reference, note),
        LedgerEntry(booking_id, helper_id, LedgerKind.FEE, Cents(-fee_back), at, reference, note),
        LedgerEntry(booking_id, helper_id, LedgerKind.PAYOUT, Cents(-share_back), at, reference, note),
    ]


def cash_entries(
    booking_id: BookingId, helper_id: HelperId, *, amount: Cents, fee_percent: int, at: datetime
) -> list[LedgerEntry]:
    """A cash job: the helper got all of it and owes the platform its fee."""
    _, fee = split(amount, fee_percent)
    return [
        LedgerEntry(booking_id, helper_id, LedgerKind.CASH, amount, at),
        LedgerEntry(booking_id, helper_id, LedgerKind.BALANCE, fee, at, note="fee of a cash job"),
    ]


def totals_of(entries: Iterable[LedgerEntry]) -> dict[LedgerKind, int]:
    totals = dict.fromkeys(LedgerKind, 0)
    for entry in entries:
        totals[entry.kind] += entry.amount
    return totals


def unbalanced(entries: Iterable[LedgerEntry]) -> int:
    """captured − refunded − payout − fee for a booking's card entries: 0 when the books balance
    (fees settled from a cash balance count as fee: the platform received them)."""
    t = totals_of(entries)
    return t[LedgerKind.CAPTURED] - t[LedgerKind.REFUNDED] - t[LedgerKind.PAYOUT] - t[LedgerKind.FEE]
