"""Booking steps are typed: every step has a button code, a label in both languages, a use case,
and the steps offered follow the booking's state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_BYTES, BadButton, BookingButton
from bot.keyboards import booking_markup
from core.booking import (
    DURATION_CHOICES,
    STAR_CHOICES,
    Actor,
    Booking,
    BookingState,
    Step,
    StepChoice,
    steps_for,
)
from core.categories import Category
from core.ids import BookingId, Cents, CustomerId, HelperId, RequestId
from core.language import Language
from core.notices import Reply
from core.services.buttons import PRESSES
from friends import wiring

BOOKING = Booking(
    id=BookingId(12),
    request_id=RequestId(3),
    customer_id=CustomerId(4),
    helper_id=HelperId(5),
    state=BookingState.OFFERED,
    category=Category.INTERNET,
    rate=Cents(1500),
    km=1.2,
    offered_at=datetime(2026, 11, 25, 9, tzinfo=UTC),
    deadline=datetime(2026, 11, 25, 9, 15, tzinfo=UTC),
)


@given(st.sampled_from(list(Step)), st.integers(1, 10**12 - 1), st.none() | st.integers(0, 10**12 - 1))
def test_every_step_button_round_trips_within_64_bytes(step: Step, booking_id: int, arg: int | None) -> None:
    button = BookingButton(step, booking_id, arg)
    assert len(button.encode().encode()) <= MAX_BYTES
    assert BookingButton.parse(button.encode()) == button


@pytest.mark.parametrize(
    ("data", "step", "arg"), [("bk:r5:12", Step.RATE, 5), ("bk:d90:12", Step.DURATION, 90)]
)
def test_buttons_sent_before_steps_were_typed_still_work(data: str, step: Step, arg: int) -> None:
    assert BookingButton.parse(data) == BookingButton(step, 12, arg)


@pytest.mark.parametrize("data", ["bk:zz:12", "bk:acc:x", "bk:acc:12:3:4", "bk::12", "bk:r:12:5:"])
def test_unknown_step_codes_are_refused(data: str) -> None:
    with pytest.raises(BadButton):
        BookingButton.parse(data)


def test_every_step_has_a_use_case() -> None:
    assert set(PRESSES) == set(Step)


def test_every_offered_step_has_a_label_in_both_languages() -> None:
    catalog = wiring.catalog()
    offered = [StepChoice(s) for s in Step if s not in (Step.DURATION, Step.RATE, Step.ROUTE)]
    for lang in Language:
        for choice in [*offered, *DURATION_CHOICES, *STAR_CHOICES]:
            key = f"button.bk_{choice.step}{choice.arg if choice.arg is not None else ''}"
            assert key in catalog.messages[lang], (lang, key)


def test_stars_share_one_row_and_other_steps_go_two_to_a_row() -> None:
    catalog = wiring.catalog()
    stars = booking_markup(Reply("rating.reminder", steps=STAR_CHOICES, booking_id=12), Language.DE, catalog)
    assert stars is not None and [len(row) for row in stars.inline_keyboard] == [5]
    assert [b.text for b in stars.inline_keyboard[0]] == ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]
    paid = replace(BOOKING, state=BookingState.PAID)
    markup = booking_markup(
        Reply("booking.card_helper", steps=steps_for(paid, Actor.HELPER), booking_id=12), Language.EN, catalog
    )
    assert markup is not None and [len(row) for row in markup.inline_keyboard] == [2, 2, 1]  # + block


@pytest.mark.parametrize(
    ("state", "role", "expected"),
    [
        (BookingState.OFFERED, Actor.HELPER, [Step.ACCEPT, Step.DECLINE]),
        (BookingState.OFFERED, Actor.CUSTOMER, []),
        (
            BookingState.SCHEDULED,
            Actor.CUSTOMER,
            [Step.PAY_CARD, Step.PAY_CASH, Step.ADDRESS, Step.RESCHEDULE, Step.CANCEL],
        ),
        (BookingState.PAID, Actor.HELPER, [Step.CHECK_IN, Step.PROPOSE, Step.CANCEL, Step.REPORT]),
        (BookingState.IN_PROGRESS, Actor.HELPER, [Step.CHECK_OUT, Step.REPORT]),
        (BookingState.DONE, Actor.CUSTOMER, [Step.CONFIRM_TIME, Step.DISPUTE]),
        (BookingState.SETTLED, Actor.CUSTOMER, []),
    ],
)
def test_steps_follow_the_state(state: BookingState, role: Actor, expected: list[Step]) -> None:
    closed = replace(BOOKING, state=state, relay_closed_at=BOOKING.offered_at)
    assert [c.step for c in steps_for(closed, role)] == expected


def test_blocking_is_offered_while_the_relay_is_open() -> None:
    open_relay = replace(BOOKING, state=BookingState.ACCEPTED)
    assert [c.step for c in steps_for(open_relay, Actor.CUSTOMER)] == [Step.CANCEL, Step.REPORT, Step.BLOCK]


def test_steps_survive_the_trip_through_the_outbox() -> None:
    reply = Reply(
        "relay.which_job", {"jobs": "7:pc"}, steps=(StepChoice(Step.ROUTE, 345, 7),), booking_id=None
    )
    assert Reply.from_payload(reply.as_payload()) == reply
