"""Use cases of a booking, by phase of its lifecycle; each public function is one transaction,
functions named `…_in` run inside the caller's.

    offers        the customer picks a helper: offer, accept/decline, expiry, re-matching, withdrawal
    visit         agreeing a time (proposal, duration, reschedule)
    address       where the helper rings: asked once a time is agreed, shown to the helper
    onsite        check-in (early ones confirmed, far ones noted) and check-out
    money         paying: card hold through the provider, capture, release, refund; cash
    settlement    the worked time confirmed or disputed, the receipt, support's resolution
    cancellation  what cancelling costs now, and cancelling by either side or support
    ratings       stars and comments from both sides, revealed double-blind
    timers        what each timer kind does when due (a table), retries of failed effects
    overview      /jobs and support's history of a booking

Everything a use case has to say goes into the outbox in the same transaction as the state
change: a crash loses both or neither, and the bot sends it. The buttons people press are mapped
to these use cases in `core.services.buttons`.
"""

from core.services.booking.address import ask_address, give_address
from core.services.booking.cancellation import ask_cancel, cancel, cancel_in
from core.services.booking.money import CardNotAvailable, pay
from core.services.booking.offers import (
    OfferPending,
    answer_offer,
    expire_offer,
    offer,
    rematch_in,
    withdraw_in,
    withdraw_offers,
)
from core.services.booking.onsite import PayFirst, arrived, check_in, check_out
from core.services.booking.overview import history, jobs
from core.services.booking.ratings import CannotRate, comment, rate, skip_comment
from core.services.booking.settlement import confirm_time, dispute, resolve, settle_in
from core.services.booking.timers import due_timers, fire_timer, timer_failed
from core.services.booking.visit import (
    answer_proposal,
    ask_proposal,
    ask_reschedule,
    duration_chosen,
    duration_typed,
    not_a_time,
    propose,
    waiting_for,
)

__all__ = [
    "CannotRate",
    "CardNotAvailable",
    "OfferPending",
    "PayFirst",
    "answer_offer",
    "answer_proposal",
    "arrived",
    "ask_address",
    "ask_cancel",
    "ask_proposal",
    "ask_reschedule",
    "cancel",
    "cancel_in",
    "check_in",
    "check_out",
    "comment",
    "confirm_time",
    "dispute",
    "due_timers",
    "duration_chosen",
    "duration_typed",
    "expire_offer",
    "fire_timer",
    "give_address",
    "history",
    "jobs",
    "not_a_time",
    "offer",
    "pay",
    "propose",
    "rate",
    "rematch_in",
    "resolve",
    "settle_in",
    "skip_comment",
    "timer_failed",
    "waiting_for",
    "withdraw_in",
    "withdraw_offers",
]
