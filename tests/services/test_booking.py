"""A booking from the customer's pick to both ratings, with the unhappy paths, on real databases."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import time, timedelta

import pytest

from core.booking import (
    Actor,
    AlreadyDone,
    BookingPolicy,
    BookingState,
    NotNow,
    NotYours,
    StaleProposal,
    Step,
    TimerKind,
)
from core.categories import Category, category_of
from core.geo import PlaceIndex
from core.helpers import Availability, Helper, HelperStatus, WeeklySlot
from core.ids import BookingId, Cents, HelperId, RequestId, TelegramUserId
from core.intake import Problem, RequestStatus
from core.language import Language
from core.notices import Choice, Reply
from core.ports import UnitOfWork
from core.relay import Incoming, MessageKind, PromptKind
from core.services import booking, intake, relay
from core.services.booking import OfferPending
from gateways.offline_payments import OfflinePayments
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.conftest import FrozenClock

Uow = Callable[[], UnitOfWork]
ALWAYS = Availability(tuple(WeeklySlot(d, time(0), time(23, 59)) for d in range(7)))
CUSTOMER = TelegramUserId(31)
#: The events of a booking that runs from the offer to both ratings.
WHOLE_BOOKING = [
    "offered",
    "accept",
    "proposed",
    "agree_time",
    "address_given",
    "pay_card",
    "check_in",
    "check_out",
    "confirm",
    "rated",
    "rated",
    "reveal",
]
POLICY = BookingPolicy()


class World:
    """A customer in Prenzlauer Berg and three verified helpers nearby (best first)."""

    def __init__(
        self, uow: Uow, clock: FrozenClock, places: PlaceIndex, policy: BookingPolicy = POLICY
    ) -> None:
        self.uow, self.clock, self.policy, self.payments = uow, clock, policy, OfflinePayments()
        self.places = places
        place = places.by_postcode("10437")
        self.helpers: list[Helper] = []
        for n, rate in enumerate((1500, 1800, 2100)):
            with uow() as u:
                h = u.helpers.save(
                    Helper(
                        id=HelperId(0),
                        telegram_id=TelegramUserId(900 + n),
                        name=("Jonas", "Mira", "Kemal")[n],
                        skills=frozenset({Category.INTERNET, Category.PC}),
                        languages=frozenset({Language.DE, Language.EN}),
                        rate=Cents(rate),
                        home=place.location,
                        radius_km=5.0,
                        availability=ALWAYS,
                        status=HelperStatus.ACTIVE,
                        verified=True,
                    ),
                    now=clock(),
                )
                u.commit()
            intake.ensure_customer(uow(), h.telegram_id, name=h.name, language_code="de", now=clock())
            self.helpers.append(h)
        self.customer = intake.ensure_customer(
            uow(), CUSTOMER, name="Anna", language_code="de", now=clock()
        ).id
        problem = Problem("WLAN bricht ständig ab", "problem_internet", category_of("problem_internet"), 0.97)
        intake.describe_problem(uow(), self.customer, problem, now=clock())
        replies = intake.set_place(uow(), self.customer, place, now=clock())
        self.request = RequestId(replies[0].request_id or 0)
        self.cards = [r.helper_id for r in replies if r.helper_id]
        self.sent: dict[int, list[Reply]] = defaultdict(list)
        self.message_ids: dict[int, list[int]] = defaultdict(list)  # Telegram's ids, per chat

    def new_request(self, postcode: str = "10437") -> None:
        """The same customer describes a new problem (the last one is done)."""
        problem = Problem("Drucker druckt nicht", "problem_pc", category_of("problem_pc"), 0.95)
        intake.describe_problem(self.uow(), self.customer, problem, now=self.clock())
        replies = intake.set_place(
            self.uow(), self.customer, self.places.by_postcode(postcode), now=self.clock()
        )
        self.request = RequestId(replies[0].request_id or 0)

    def inbox(self, telegram_id: int) -> list[Reply]:
        """What arrived in a chat since the last look (the outbox, as the bot would send it)."""
        with self.uow() as u:
            for item in u.outbox.claim(now=self.clock(), limit=1000, lease=timedelta(seconds=60)):
                u.outbox.mark_sent(item.id, now=self.clock(), message_id=50_000 + item.id)
                self.sent[item.telegram_id].append(item.reply)
                self.message_ids[item.telegram_id].append(50_000 + item.id)
            u.commit()
        got, self.sent[telegram_id] = self.sent[telegram_id], []
        return got

    def keys(self, telegram_id: int) -> list[str]:
        return [r.key for r in self.inbox(telegram_id)]

    def tg(self, n: int) -> TelegramUserId:
        return self.helpers[n].telegram_id

    def pick(self, n: int = 0) -> BookingId:
        booking.offer(
            self.uow(), self.customer, self.request, self.helpers[n].id, now=self.clock(), policy=self.policy
        )
        return self.booking_of(n)

    def booking_of(self, n: int) -> BookingId:
        with self.uow() as u:
            return [b for b in u.bookings.for_request(self.request) if b.helper_id == self.helpers[n].id][
                -1
            ].id

    def get(self, booking_id: BookingId):  # type: ignore[no-untyped-def]
        with self.uow() as u:
            return u.bookings.get(booking_id)

    def accept(self, n: int, booking_id: BookingId, accept: bool = True) -> None:
        booking.answer_offer(
            self.uow(), self.tg(n), booking_id, accept=accept, now=self.clock(), policy=self.policy
        )

    def schedule(self, booking_id: BookingId, in_hours: float = 48, minutes: int = 90) -> None:
        start = self.clock() + timedelta(hours=in_hours)
        booking.propose(self.uow(), self.tg(0), booking_id, start=start, minutes=minutes, now=self.clock())
        b = self.get(booking_id)
        booking.answer_proposal(
            self.uow(), CUSTOMER, booking_id, b.proposal_no, agree=True, now=self.clock(), policy=self.policy
        )

    def give_address(self, text: str) -> bool:
        prompt = booking.waiting_for(self.uow(), CUSTOMER)
        assert prompt is not None and prompt.kind is PromptKind.ADDRESS
        return booking.give_address(
            self.uow(), CUSTOMER, prompt, text, now=self.clock(), places=self.places, policy=self.policy
        )

    def pay(self, booking_id: BookingId, method: str = "card") -> None:
        booking.pay(
            self.uow(),
            CUSTOMER,
            booking_id,
            by_card=method == "card",
            now=self.clock(),
            policy=self.policy,
            payments=self.payments,
        )

    def fire_due(self) -> int:
        fired = 0
        for timer_id in booking.due_timers(self.uow(), now=self.clock()):
            fired += booking.fire_timer(
                self.uow(), timer_id, now=self.clock(), policy=self.policy, payments=self.payments
            )
        return fired


@pytest.fixture
def world(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> World:
    return World(uow, clock, places)


def test_a_whole_booking_from_offer_to_both_ratings(
    database_url: str, clock: FrozenClock, places: PlaceIndex
) -> None:
    upgrade(database_url)
    sessions = session_factory(make_engine(database_url))
    w = World(lambda: SqlUnitOfWork(sessions), clock, places)
    assert w.cards[0] == w.helpers[0].id  # the cheapest of three equally near helpers is first
    b = w.pick(0)
    assert w.keys(CUSTOMER) == ["booking.asked"]
    [offer] = w.inbox(w.tg(0))
    assert offer.key == "booking.offer" and [c.step for c in offer.steps] == [Step.ACCEPT, Step.DECLINE]
    assert offer.params["description"] == "WLAN bricht ständig ab" and "postcode" not in offer.params

    w.accept(0, b)
    assert w.keys(CUSTOMER) == ["booking.accepted_customer"] and w.keys(w.tg(0)) == [
        "booking.accepted_helper"
    ]
    assert intake.latest_request(w.uow(), w.customer).status is RequestStatus.BOOKED  # type: ignore[union-attr]

    # the relay: both ways, the helper never learns the customer's Telegram id and vice versa
    assert relay.relay(
        w.uow(), Incoming(CUSTOMER, 11, MessageKind.TEXT, "Passt morgen Nachmittag?"), now=clock()
    )
    [to_helper] = w.inbox(w.tg(0))
    assert to_helper.key == "relay.from_customer" and to_helper.params["text"] == "Passt morgen Nachmittag?"
    assert str(CUSTOMER) not in str(to_helper.params.values())
    assert relay.relay(
        w.uow(), Incoming(w.tg(0), 12, MessageKind.PHOTO, "Router?", "photo-file"), now=clock()
    )
    [to_customer] = w.inbox(CUSTOMER)
    assert to_customer.key == "relay.from_helper" and to_customer.params["name"] == "Jonas"

    start = clock() + timedelta(days=2)
    booking.propose(w.uow(), w.tg(0), b, start=start, minutes=90, now=clock())
    [proposal] = w.inbox(CUSTOMER)
    assert proposal.key == "booking.proposal" and proposal.params["estimate"] == 2250  # 15 € × 1.5 h
    booking.answer_proposal(
        w.uow(), CUSTOMER, b, int(proposal.params["proposal"]), agree=True, now=clock(), policy=POLICY
    )
    [ask] = w.inbox(CUSTOMER)
    assert ask.key == "booking.ask_address" and ask.params["postcode"] == "10437"
    w.give_address("Schönhauser Allee 36, 3. OG, Klingel Meyer")
    [pay] = w.inbox(CUSTOMER)
    assert pay.key == "booking.address_saved_pay" and pay.params["hold"] == 2700  # + 20 % buffer
    [where] = [r for r in w.inbox(w.tg(0)) if r.key == "booking.address_helper"]
    assert where.params["address"] == "Schönhauser Allee 36, 10437 Berlin (3. OG, 🔔 Meyer)"
    w.pay(b, "card")
    assert w.keys(CUSTOMER) == ["booking.card_held_offline"]
    assert w.payments.calls == [("authorize", f"booking-{b}-checkout-1", 2700)]

    clock.advance(hours=47)  # the day-before reminder fired on the way, the hour-before one now
    assert w.fire_due() == 2
    assert w.keys(CUSTOMER) == ["booking.remind_24h_customer", "booking.remind_1h_customer"]
    clock.advance(hours=1)
    booking.check_in(w.uow(), w.tg(0), b, now=clock())
    clock.advance(minutes=71)  # 71 minutes are billed as 75
    booking.check_out(w.uow(), w.tg(0), b, now=clock(), policy=POLICY)
    [confirm] = w.inbox(CUSTOMER)[-1:]
    assert confirm.key == "booking.confirm_time" and confirm.params["billed"] == 75
    assert confirm.params["amount"] == 1875
    booking.confirm_time(w.uow(), CUSTOMER, b, now=clock(), policy=POLICY, payments=w.payments)
    assert ("capture", f"booking-{b}-capture", 1875) in w.payments.calls
    assert [r.key for r in w.inbox(CUSTOMER)] == ["booking.receipt", "rating.ask_customer"]

    booking.rate(w.uow(), CUSTOMER, b, 5, now=clock(), policy=POLICY)
    booking.comment(w.uow(), CUSTOMER, booking.waiting_for(w.uow(), CUSTOMER), "Super erklärt!", now=clock())  # type: ignore[arg-type]
    assert "rating.revealed_helper" not in w.keys(w.tg(0))  # hidden until both rated
    booking.rate(w.uow(), w.tg(0), b, 4, now=clock(), policy=POLICY)
    revealed = [r for r in w.inbox(w.tg(0)) if r.key == "rating.revealed_helper"]
    assert revealed[0].params["stars"] == 5 and revealed[0].params["comment"] == "Super erklärt!"
    assert w.get(b).state is BookingState.RATED
    with w.uow() as u:
        rated = u.helpers.get(w.helpers[0].id)
        assert rated is not None and (rated.rating_sum, rated.rating_count) == (5, 1)
        steps = [str(e.trigger) for e in u.bookings.events(b)]
    assert steps == WHOLE_BOOKING
    with pytest.raises(AlreadyDone):
        booking.rate(w.uow(), CUSTOMER, b, 1, now=clock(), policy=POLICY)


def test_repeated_and_stale_buttons_change_nothing(world: World, clock: FrozenClock) -> None:
    w = world
    b = w.pick(0)
    with pytest.raises(OfferPending):  # a second card tapped while the first helper decides
        booking.offer(w.uow(), w.customer, w.request, w.helpers[1].id, now=clock(), policy=POLICY)
    with pytest.raises(NotYours):  # another helper cannot accept this offer
        w.accept(1, b)
    w.accept(0, b)
    with pytest.raises(AlreadyDone):
        w.accept(0, b)
    with pytest.raises(NotNow):  # no check-in before a time is agreed
        booking.check_in(w.uow(), w.tg(0), b, now=clock(), early_ok=True)
    start = clock() + timedelta(days=1, hours=3)
    booking.propose(w.uow(), w.tg(0), b, start=start, minutes=60, now=clock())
    booking.propose(w.uow(), w.tg(0), b, start=start + timedelta(hours=1), minutes=60, now=clock())
    with pytest.raises(StaleProposal):  # the first proposal's button, after a newer one
        booking.answer_proposal(w.uow(), CUSTOMER, b, 1, agree=True, now=clock(), policy=POLICY)
    booking.answer_proposal(w.uow(), CUSTOMER, b, 2, agree=True, now=clock(), policy=POLICY)
    with pytest.raises(AlreadyDone):
        booking.answer_proposal(w.uow(), CUSTOMER, b, 2, agree=True, now=clock(), policy=POLICY)
    with w.uow() as u:
        assert [e.trigger for e in u.bookings.events(b)].count("agree_time") == 1
        assert w.get(b).start == start + timedelta(hours=1)


def test_a_decline_and_a_silent_helper_move_the_request_on_until_nobody_is_left(
    world: World, clock: FrozenClock
) -> None:
    w = world
    first = w.pick(0)
    w.inbox(CUSTOMER)
    w.accept(0, first, accept=False)
    [moved] = w.inbox(CUSTOMER)
    assert moved.key == "booking.declined_next" and moved.params["next"] == "Mira"
    second = w.booking_of(1)
    assert [r.key for r in w.inbox(w.tg(1))] == ["booking.offer"]

    clock.advance(minutes=16)  # Mira does not answer within 15 minutes
    assert w.fire_due() == 1
    assert w.fire_due() == 0  # fired once only
    assert w.get(second).state is BookingState.EXPIRED
    assert w.keys(w.tg(1)) == ["booking.offer_expired"]
    [moved] = w.inbox(CUSTOMER)
    assert moved.key == "booking.expired_next" and moved.params["next"] == "Kemal"

    w.accept(2, w.booking_of(2), accept=False)
    [last] = w.inbox(CUSTOMER)
    assert last.key == "booking.declined_nobody_left"
    assert last.choices == (Choice.NOTIFY_ME, Choice.CHANGE_REQUEST)
    with pytest.raises(NotNow):  # Mira comes back too late
        w.accept(1, second)


def test_broadcast_the_first_to_accept_gets_the_job(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> None:
    w = World(uow, clock, places, BookingPolicy(broadcast=3))
    b0 = w.pick(0)
    assert w.keys(CUSTOMER) == ["booking.asked_many"]
    b1, b2 = w.booking_of(1), w.booking_of(2)
    results: list[str] = []

    def accept(n: int, b: BookingId) -> None:
        try:
            w.accept(n, b)
            results.append("ok")
        except Exception as err:
            results.append(type(err).__name__)

    threads = [threading.Thread(target=accept, args=(n, b)) for n, b in ((1, b1), (2, b2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    states = sorted(str(w.get(b).state) for b in (b0, b1, b2))
    assert states.count("accepted") == 1 and states.count("withdrawn") == 2, (states, results)
    with pytest.raises(NotNow):
        w.accept(0, b0)
    assert "booking.accepted_customer" in w.keys(CUSTOMER)


def test_cancelling_late_costs_a_fee_and_a_helper_cancelling_finds_the_next(
    world: World, clock: FrozenClock
) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=30, minutes=60)  # 15 €
    w.pay(b, "card")
    booking.cancel(w.uow(), w.tg(0), b, now=clock(), policy=POLICY, payments=w.payments)
    assert w.get(b).fee == 0 and ("release", f"booking-{b}-release", 0) in w.payments.calls
    assert "booking.cancelled_next" in w.keys(CUSTOMER)  # Mira is asked automatically
    b2 = w.booking_of(1)
    w.accept(1, b2)
    booking.propose(w.uow(), w.tg(1), b2, start=clock() + timedelta(hours=5), minutes=60, now=clock())
    booking.answer_proposal(w.uow(), CUSTOMER, b2, 1, agree=True, now=clock(), policy=POLICY)
    w.pay(b2, "cash")
    w.inbox(CUSTOMER)
    booking.ask_cancel(w.uow(), CUSTOMER, b2, now=clock(), policy=POLICY)
    [ask] = w.inbox(CUSTOMER)
    assert ask.key == "booking.cancel_confirm_fee" and ask.params["fee"] == 900  # half of 18 €
    booking.cancel(w.uow(), CUSTOMER, b2, now=clock(), policy=POLICY, payments=w.payments)
    assert w.get(b2).state is BookingState.CANCELLED and w.get(b2).fee == 900
    assert w.keys(w.tg(1))[-1] == "booking.cancelled_by_customer"
    assert intake.latest_request(w.uow(), w.customer).status is RequestStatus.CANCELLED  # type: ignore[union-attr]
    assert not relay.relay(w.uow(), Incoming(CUSTOMER, 99, MessageKind.TEXT, "Hallo?"), now=clock())


def test_unconfirmed_time_settles_after_a_day_and_ratings_show_after_a_week(
    world: World, clock: FrozenClock
) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=2)
    w.pay(b, "cash")
    clock.advance(hours=2)
    booking.check_in(w.uow(), w.tg(0), b, now=clock(), early_ok=True)
    clock.advance(minutes=50)
    booking.check_out(w.uow(), w.tg(0), b, now=clock(), policy=POLICY)
    w.inbox(CUSTOMER)
    clock.advance(hours=24, minutes=1)
    assert w.fire_due() == 1
    assert [r.key for r in w.inbox(CUSTOMER)] == ["booking.receipt_auto", "rating.ask_customer"]
    assert w.get(b).state is BookingState.SETTLED and w.get(b).amount == 1500  # first hour whole
    booking.rate(w.uow(), w.tg(0), b, 4, now=clock(), policy=POLICY)
    clock.advance(days=1)
    w.fire_due()
    assert w.keys(CUSTOMER) == ["rating.reminder"]  # the helper rated: they are not reminded
    clock.advance(days=7)
    w.fire_due()
    assert w.get(b).state is BookingState.RATED
    assert "rating.revealed_customer" in w.keys(CUSTOMER)
    assert not relay.relay(w.uow(), Incoming(CUSTOMER, 5, MessageKind.TEXT, "Danke nochmal"), now=clock())


def test_a_helper_with_two_jobs_routes_by_reply_or_by_button(
    uow: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    w = World(uow, clock, places)
    b = w.pick(0)
    w.accept(0, b)
    # a second customer books the same helper
    other = TelegramUserId(32)
    cid = intake.ensure_customer(uow(), other, name="Ben", language_code="en", now=clock()).id
    problem = Problem("router blinks red", "problem_internet", category_of("problem_internet"), 0.9)
    intake.describe_problem(uow(), cid, problem, now=clock())
    req = RequestId(intake.set_place(uow(), cid, places.by_postcode("10437"), now=clock())[0].request_id or 0)
    booking.offer(uow(), cid, req, w.helpers[0].id, now=clock(), policy=POLICY)
    with uow() as u:
        b2 = u.bookings.for_request(req)[0].id
    w.accept(0, b2)
    w.inbox(w.tg(0)), w.inbox(CUSTOMER)
    relay.relay(uow(), Incoming(other, 7, MessageKind.TEXT, "Is 5pm ok?"), now=clock())
    [from_ben] = w.inbox(w.tg(0))
    sent_id = w.message_ids[w.tg(0)][-1]  # the id Telegram gave Ben's message in the helper's chat
    relay.relay(uow(), Incoming(w.tg(0), 40, MessageKind.TEXT, "Yes, 5pm", reply_to=sent_id), now=clock())
    assert [r.params["text"] for r in w.inbox(other) if r.key.startswith("relay.")] == ["Yes, 5pm"]
    relay.relay(uow(), Incoming(w.tg(0), 41, MessageKind.TEXT, "Which floor?"), now=clock())
    [which] = w.inbox(w.tg(0))
    assert which.key == "relay.which_job" and which.params["jobs"] == f"{b}:internet,{b2}:internet"
    assert w.inbox(CUSTOMER) == [] and w.inbox(other) == []
    relay.route_to(uow(), w.tg(0), b, 41, now=clock())
    assert [r.params["text"] for r in w.inbox(CUSTOMER)] == ["Which floor?"]
    with pytest.raises(AlreadyDone):
        relay.route_to(uow(), w.tg(0), b2, 41, now=clock())
    assert from_ben.key == "relay.from_customer"


def test_contact_details_are_flagged_and_blocking_ends_it(world: World, clock: FrozenClock) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.inbox(CUSTOMER)
    relay.relay(w.uow(), Incoming(CUSTOMER, 3, MessageKind.TEXT, "Ruf mich an: 0151 23456789"), now=clock())
    assert w.keys(CUSTOMER) == ["relay.leak_warning"]
    with w.uow() as u:
        assert u.relay.flags(b)[0][0] == "leak"
        assert u.relay.transcript(b) == [(Actor.CUSTOMER, "text", "Ruf mich an: 0151 23456789")]
    relay.block(w.uow(), CUSTOMER, b, now=clock(), policy=POLICY, payments=w.payments)
    assert w.get(b).state is BookingState.CANCELLED and w.get(b).fee == 0
    assert w.keys(w.tg(0))[-1] == "relay.ended_by_other"
    with w.uow() as u:
        request = u.requests.get(w.request)
        assert request is not None and request.status is RequestStatus.CANCELLED
        assert u.relay.blocked_helpers(w.customer) == {w.helpers[0].id}


def test_a_user_who_blocked_the_bot_is_reported_once(world: World, clock: FrozenClock) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.inbox(CUSTOMER)
    relay.relay(w.uow(), Incoming(CUSTOMER, 3, MessageKind.TEXT, "Hallo?"), now=clock())
    relay.relay(w.uow(), Incoming(CUSTOMER, 4, MessageKind.TEXT, "Noch da?"), now=clock())
    with w.uow() as u:
        items = u.outbox.claim(now=clock(), limit=10, lease=timedelta(seconds=60))
        u.commit()
    for item in items:
        relay.undeliverable(w.uow(), item, "Forbidden: bot was blocked by the user", now=clock())
    assert w.keys(CUSTOMER) == ["relay.unreachable"]
    with w.uow() as u:
        assert [k for k, _ in u.relay.flags(b)] == ["unreachable"]
        assert u.outbox.claim(now=clock() + timedelta(hours=1), limit=10, lease=timedelta(seconds=1)) == []


def test_a_timer_fires_once_even_when_two_processes_race(world: World, clock: FrozenClock) -> None:
    w = world
    b = w.pick(0)
    clock.advance(minutes=20)
    [timer_id] = booking.due_timers(w.uow(), now=clock())
    results: list[bool] = []

    def fire() -> None:
        try:
            results.append(
                booking.fire_timer(w.uow(), timer_id, now=clock(), policy=POLICY, payments=w.payments)
            )
        except Exception as err:
            results.append(type(err).__name__ == "OperationalError" and False)

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert w.get(b).state is BookingState.EXPIRED
    assert w.keys(CUSTOMER).count("booking.expired_next") == 1
    with w.uow() as u:
        assert [t.kind for t in u.timers.due(clock(), limit=10)] == []
        assert TimerKind.OFFER_DEADLINE not in {
            t.kind for t in u.timers.due(clock() + timedelta(days=1), limit=10) if t.booking_id == b
        }


def test_cancelling_the_request_withdraws_the_offer_and_cancel_points_to_the_booking(
    world: World, clock: FrozenClock
) -> None:
    w = world
    b = w.pick(0)
    w.inbox(w.tg(0))
    assert intake.cancel(w.uow(), w.customer, now=clock()).key == "intake.cancelled"
    assert w.keys(w.tg(0)) == ["booking.offer_gone"]
    with pytest.raises(NotNow):
        w.accept(0, b)
    clock.advance(minutes=20)
    assert w.fire_due() == 0  # the offer's deadline was cancelled with it


def test_cancel_during_a_booking_points_to_jobs(world: World, clock: FrozenClock) -> None:
    w = world
    w.accept(0, w.pick(0))
    assert intake.cancel(w.uow(), w.customer, now=clock()).key == "intake.cancel_booking_via_jobs"


def test_after_the_job_only_replies_go_to_the_helper(world: World, clock: FrozenClock) -> None:
    w = world
    b = w.pick(0)
    w.accept(0, b)
    w.schedule(b, in_hours=1)
    w.pay(b, "cash")
    booking.check_in(w.uow(), w.tg(0), b, now=clock(), early_ok=True)
    booking.check_out(w.uow(), w.tg(0), b, now=clock(), policy=POLICY)
    booking.confirm_time(w.uow(), CUSTOMER, b, now=clock(), policy=POLICY, payments=w.payments)
    w.inbox(CUSTOMER), w.inbox(w.tg(0))
    # a new problem typed afterwards is for the intake, not for the helper
    assert not relay.relay(
        w.uow(), Incoming(CUSTOMER, 70, MessageKind.TEXT, "Jetzt spinnt der Drucker"), now=clock()
    )
    assert not relay.relay(w.uow(), Incoming(w.tg(0), 71, MessageKind.TEXT, "Hallo?"), now=clock())
    with w.uow() as u:
        replied_to = max(i for i in w.message_ids[CUSTOMER] if u.outbox.booking_of_message(CUSTOMER, i) == b)
    assert relay.relay(
        w.uow(), Incoming(CUSTOMER, 72, MessageKind.TEXT, "Gerne!", reply_to=replied_to), now=clock()
    )
    assert [r.params["text"] for r in w.inbox(w.tg(0))] == ["Gerne!"]  # a reply to the receipt
