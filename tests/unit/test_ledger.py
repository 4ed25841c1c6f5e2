"""The books balance for any sequence of captures, refunds and cash jobs (property-based)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ids import BookingId, Cents, HelperId
from core.payments import (
    LedgerKind,
    RefundTooLarge,
    application_fee,
    capture_entries,
    cash_entries,
    refund_entries,
    split,
    totals_of,
    unbalanced,
)

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
B, H = BookingId(1), HelperId(7)


def test_the_fee_is_a_fifth_rounded_to_the_cent() -> None:
    assert split(Cents(2250), 20) == (1800, 450)
    assert split(Cents(1875), 20) == (1500, 375)
    assert split(Cents(1), 20) == (1, 0)
    assert split(Cents(3), 20) == (2, 1)


def test_a_cash_fee_owed_is_settled_from_the_next_card_job() -> None:
    cash = cash_entries(BookingId(1), H, amount=Cents(3000), fee_percent=20, at=AT)
    owed = Cents(totals_of(cash)[LedgerKind.BALANCE])
    assert owed == 600
    card = capture_entries(
        BookingId(2), H, amount=Cents(1500), fee_percent=20, owed=owed, at=AT, reference="pi"
    )
    t = totals_of(card)
    assert (t[LedgerKind.FEE], t[LedgerKind.PAYOUT], t[LedgerKind.BALANCE]) == (900, 600, -600)
    assert application_fee(card) == 900 and unbalanced(card) == 0
    assert totals_of(cash + card)[LedgerKind.BALANCE] == 0


def test_a_refund_larger_than_what_is_left_is_refused() -> None:
    books = capture_entries(B, H, amount=Cents(2000), fee_percent=20, owed=Cents(0), at=AT, reference="pi")
    books += refund_entries(B, H, books, amount=Cents(1500), at=AT, reference="re_1")
    with pytest.raises(RefundTooLarge):
        refund_entries(B, H, books, amount=Cents(501), at=AT, reference="re_2")


@given(
    amount=st.integers(1, 100_000),
    fee_percent=st.integers(0, 50),
    owed=st.integers(0, 20_000),
    refunds=st.lists(st.integers(1, 100_000), max_size=6),
)
def test_captured_minus_refunded_is_always_payout_plus_fee(
    amount: int, fee_percent: int, owed: int, refunds: list[int]
) -> None:
    books = capture_entries(
        B, H, amount=Cents(amount), fee_percent=fee_percent, owed=Cents(owed), at=AT, reference="pi"
    )
    for n, wanted in enumerate(refunds):
        left = totals_of(books)[LedgerKind.CAPTURED] - totals_of(books)[LedgerKind.REFUNDED]
        if left == 0:
            break
        books += refund_entries(B, H, books, amount=Cents(min(wanted, left)), at=AT, reference=f"re_{n}")
        t = totals_of(books)
        assert unbalanced(books) == 0
        assert t[LedgerKind.PAYOUT] >= 0 and t[LedgerKind.FEE] >= 0
        assert t[LedgerKind.REFUNDED] <= t[LedgerKind.CAPTURED]
    assert unbalanced(books) == 0
    t = totals_of(books)
    if t[LedgerKind.REFUNDED] == t[LedgerKind.CAPTURED]:  # all given back: nobody keeps anything
        assert t[LedgerKind.FEE] == 0 and t[LedgerKind.PAYOUT] == 0
