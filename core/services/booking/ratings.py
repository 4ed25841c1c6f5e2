"""Ratings: 1–5 stars and an optional comment from each side, revealed double-blind (when both
rated, or when the rating window closes); the customer's stars feed the helper's matching score."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.booking import (
    Actor,
    AlreadyDone,
    Booking,
    BookingPolicy,
    BookingState,
    Rating,
    Step,
    TimerKind,
    Trigger,
)
from core.errors import DomainError
from core.ids import TelegramUserId
from core.notices import Reply
from core.ports import UnitOfWork
from core.relay import Prompt, PromptKind
from core.services import steps


class CannotRate(DomainError):
    key = "rating.not_now"


def rate(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    booking_id: int,
    stars: int,
    *,
    now: datetime,
    policy: BookingPolicy,
) -> None:
    """1–5 stars from one side, once; then an optional comment. Both rated: revealed."""
    with uow:
        booking = steps.booking(uow, booking_id)
        role = steps.role(uow, booking, telegram_id)
        if (
            booking.state not in {BookingState.SETTLED, BookingState.RATED, BookingState.RESOLVED}
            or not 1 <= stars <= 5
        ):
            raise CannotRate()
        if not uow.ratings.add(Rating(booking.id, role, stars), now=now):
            raise AlreadyDone(state=str(booking.state))
        steps.note(uow, booking, "rated", role, now, str(stars))
        uow.relay.ask(Prompt(telegram_id, PromptKind.COMMENT, booking.id), now=now)
        steps.tell(
            uow,
            booking,
            role,
            steps.reply("rating.thanks_ask_comment", {"stars": stars}, booking, Step.SKIP_COMMENT),
            now,
        )
        if len(uow.ratings.of_booking(booking.id)) == 2:
            reveal_in(uow, booking, now=now)
        uow.commit()


def comment(
    uow: UnitOfWork, telegram_id: TelegramUserId, prompt: Prompt, text: str, *, now: datetime
) -> None:
    with uow:
        booking = steps.booking(uow, prompt.booking_id)
        role = steps.role(uow, booking, telegram_id)
        uow.relay.answered(telegram_id)
        uow.ratings.comment(booking.id, role, text.strip())
        steps.tell(uow, booking, role, Reply("rating.comment_saved"), now)
        uow.commit()


def skip_comment(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    with uow:
        prompt = uow.relay.prompt(telegram_id)
        if prompt is None or prompt.kind is not PromptKind.COMMENT or prompt.booking_id != booking_id:
            raise AlreadyDone(state="")
        uow.relay.answered(telegram_id)
        booking = steps.booking(uow, booking_id)
        steps.tell(uow, booking, steps.role(uow, booking, telegram_id), Reply("rating.comment_skipped"), now)
        uow.commit()


def reveal_in(uow: UnitOfWork, booking: Booking, *, now: datetime) -> None:
    """Both ratings are shown (or the one given, after the window); the helper's counts feed
    matching. Double-blind: nobody sees the other's stars before rating themselves."""
    if booking.state is BookingState.SETTLED:
        booking = steps.move(uow, booking, Trigger.REVEAL, Actor.SYSTEM, now=now)
    uow.timers.cancel(booking.id, [TimerKind.RATING_REMINDER, TimerKind.RATING_REVEAL])
    ratings = {r.by: r for r in uow.ratings.of_booking(booking.id)}
    of_helper = ratings.get(Actor.CUSTOMER)
    if of_helper is not None:
        helper = uow.helpers.get(booking.helper_id)
        assert helper is not None
        uow.helpers.save(
            replace(
                helper, rating_sum=helper.rating_sum + of_helper.stars, rating_count=helper.rating_count + 1
            ),
            now=now,
        )
    for side in (Actor.CUSTOMER, Actor.HELPER):
        got = ratings.get(steps.other(side))
        if got is None:
            continue
        params: dict[str, str | int] = {"stars": got.stars, "comment": got.comment or "–", "id": booking.id}
        steps.tell(uow, booking, side, Reply(f"rating.revealed_{side}", params), now)
