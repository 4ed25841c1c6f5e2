"""Intake use cases on a real (SQLite) database: what the customer is told, what is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.categories import Category
from core.errors import NoOpenRequest, RequestClosed
from core.geo import PlaceIndex
from core.ids import CustomerId, TelegramUserId
from core.intake import Problem, RequestStatus, Urgency
from core.language import Language
from core.notices import Choice
from core.ports import UnitOfWork
from core.services import intake
from tests.conftest import FrozenClock

Uow = Callable[[], UnitOfWork]


def customer(uow: Uow, clock: FrozenClock, telegram_id: int = 42, lang: str = "de") -> CustomerId:
    return intake.ensure_customer(
        uow(), TelegramUserId(telegram_id), name="Anna", language_code=lang, now=clock()
    ).id


def problem(text: str, intent: str, confidence: float = 0.9, urgent: bool = False) -> Problem:
    from core.categories import category_of

    return Problem(
        text,
        intent,
        category_of(intent),
        confidence,
        device="WLAN",
        brand="FritzBox",
        urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
    )


def test_first_contact_creates_the_customer_once_in_telegrams_language(uow: Uow, clock: FrozenClock) -> None:
    first = intake.ensure_customer(uow(), TelegramUserId(7), name="Sam", language_code="en-GB", now=clock())
    again = intake.ensure_customer(uow(), TelegramUserId(7), name="Sam", language_code="de", now=clock())
    assert first == again and first.language is Language.EN


def test_problem_is_stored_and_the_place_asked_for(uow: Uow, clock: FrozenClock) -> None:
    anna = customer(uow, clock)
    replies = intake.describe_problem(
        uow(), anna, problem("WLAN weg, dringend", "problem_internet", urgent=True), now=clock()
    )
    assert [r.key for r in replies] == ["intake.understood", "intake.noted_urgent", "intake.ask_location"]
    assert replies[0].params == {"category": "internet"} and replies[0].choices == (Choice.CATEGORIES,)
    assert replies[-1].choices == (Choice.SHARE_LOCATION,)
    request = intake.open_request(uow(), anna)
    assert request is not None and request.status is RequestStatus.AWAITING_LOCATION
    assert (request.category, request.device, request.brand, request.urgency) == (
        Category.INTERNET,
        "WLAN",
        "FritzBox",
        Urgency.URGENT,
    )
    assert request.created_at == clock()


def test_vague_message_asks_for_the_category_and_keeps_the_text(uow: Uow, clock: FrozenClock) -> None:
    anna = customer(uow, clock)
    [reply] = intake.describe_problem(uow(), anna, problem("hilfe bitte", "vague_problem"), now=clock())
    assert reply.key == "intake.ask_problem" and reply.choices == (Choice.CATEGORIES,)
    [unsure] = intake.describe_problem(uow(), anna, problem("dings kaputt", "nlu_fallback", 0.2), now=clock())
    assert unsure.key == "intake.unsure"
    request = intake.open_request(uow(), anna)
    assert (
        request is not None
        and request.status is RequestStatus.AWAITING_CATEGORY
        and request.description == "dings kaputt"
    )


def test_a_follow_up_refines_the_request_the_customer_is_describing(uow: Uow, clock: FrozenClock) -> None:
    anna = customer(uow, clock)
    [ask] = intake.describe_problem(uow(), anna, problem("hilfe", "vague_problem"), now=clock())
    assert intake.said_so_far(uow(), anna, now=clock()) == "hilfe"
    clock.advance(minutes=2)
    [understood, _] = intake.describe_problem(
        uow(), anna, problem("hilfe Drucker druckt nicht", "problem_pc"), now=clock()
    )
    assert understood.key == "intake.understood" and understood.request_id == ask.request_id
    request = intake.open_request(uow(), anna)
    assert request is not None and request.category is Category.PC
    assert request.description == "hilfe Drucker druckt nicht"
    assert request.status is RequestStatus.AWAITING_LOCATION
    intake.cancel(uow(), anna, now=clock())
    assert intake.open_request(uow(), anna) is None


def test_a_reading_that_names_another_area_is_a_new_problem(uow: Uow, clock: FrozenClock) -> None:
    anna = customer(uow, clock)
    [wifi, *_] = intake.describe_problem(uow(), anna, problem("WLAN weg", "problem_internet"), now=clock())
    [tv, *_] = intake.describe_problem(
        uow(), anna, problem("WLAN weg. Fernseher kein Bild", "problem_tv"), now=clock()
    )
    assert tv.request_id != wifi.request_id
    request = intake.open_request(uow(), anna)
    assert request is not None and request.category is Category.TV


def test_an_old_draft_is_replaced_not_refined(uow: Uow, clock: FrozenClock) -> None:
    anna = customer(uow, clock)
    [first, *_] = intake.describe_problem(uow(), anna, problem("TV kein Bild", "problem_tv"), now=clock())
    clock.advance(hours=7)
    assert intake.said_so_far(uow(), anna, now=clock()) is None
    [second, *_] = intake.describe_problem(uow(), anna, problem("Handy kaputt", "problem_phone"), now=clock())
    assert second.request_id != first.request_id
    request = intake.open_request(uow(), anna)
    assert request is not None and (request.category, request.description) == (Category.PHONE, "Handy kaputt")


def test_a_category_picked_with_a_button_wins_over_later_messages(uow: Uow, clock: FrozenClock) -> None:
    anna = customer(uow, clock)
    [understood, *_] = intake.describe_problem(
        uow(), anna, problem("Laptop geht nicht", "problem_pc"), now=clock()
    )
    assert understood.request_id is not None
    intake.choose_category(uow(), anna, understood.request_id, Category.PHONE, now=clock())
    [again, *_] = intake.describe_problem(
        uow(), anna, problem("Laptop geht nicht, Fernseher auch nicht", "problem_tv"), now=clock()
    )
    assert again.params == {"category": "phone"}
    request = intake.open_request(uow(), anna)
    assert request is not None and (request.category, request.picked_category) == (Category.PHONE,) * 2


def test_place_given_before_the_details_completes_when_the_area_becomes_clear(
    uow: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    anna = customer(uow, clock)
    intake.describe_problem(uow(), anna, problem("hilfe", "vague_problem"), now=clock())
    intake.set_place(uow(), anna, places.by_postcode("10437"), now=clock())
    replies = intake.describe_problem(
        uow(), anna, problem("hilfe, der Router blinkt", "problem_internet"), now=clock()
    )
    assert [r.key for r in replies] == ["intake.category_set", "intake.request_stored", "match.none"]


def test_when_the_model_hesitates_between_two_areas_the_customer_gets_those_two(
    uow: Uow, clock: FrozenClock
) -> None:
    anna = customer(uow, clock)
    hesitant = Problem(
        "Outlook auf dem Handy oder Laptop",
        "problem_pc",
        Category.PC,
        0.55,
        runner_up=Category.PHONE,
        runner_up_confidence=0.4,
    )
    [ask] = intake.describe_problem(uow(), anna, hesitant, now=clock())
    assert ask.key == "intake.unsure_between" and ask.choices == (Choice.CATEGORIES,)
    assert ask.params == {"category": "pc", "category2": "phone", "categories": "pc,phone"}
    request = intake.open_request(uow(), anna)
    assert request is not None and request.status is RequestStatus.AWAITING_CATEGORY
    assert (request.intent, request.runner_up, request.picked_category) == (
        "problem_pc",
        Category.PHONE,
        None,
    )
    assert ask.request_id is not None
    intake.choose_category(uow(), anna, ask.request_id, Category.PHONE, now=clock())
    picked = intake.open_request(uow(), anna)
    assert picked is not None and picked.picked_category is Category.PHONE
    assert picked.status is RequestStatus.AWAITING_LOCATION


def test_a_clear_lead_or_an_unsure_guess_without_a_second_area_asks_as_before(
    uow: Uow, clock: FrozenClock
) -> None:
    anna = customer(uow, clock)
    clear = Problem("x", "problem_pc", Category.PC, 0.9, runner_up=Category.PHONE, runner_up_confidence=0.3)
    assert intake.describe_problem(uow(), anna, clear, now=clock())[0].key == "intake.understood"
    unsure = Problem("dings", "nlu_fallback", Category.NONE, 0.25, guess=Category.TV)
    [ask] = intake.describe_problem(uow(), customer(uow, clock, 43), unsure, now=clock())
    assert ask.key == "intake.unsure" and "categories" not in ask.params


def test_unsure_fallback_between_two_areas_asks_between_them(uow: Uow, clock: FrozenClock) -> None:
    unsure = Problem(
        "dings",
        "nlu_fallback",
        Category.NONE,
        0.28,
        guess=Category.TV,
        runner_up=Category.INTERNET,
        runner_up_confidence=0.27,
    )
    [ask] = intake.describe_problem(uow(), customer(uow, clock), unsure, now=clock())
    assert ask.key == "intake.unsure_between" and ask.params["categories"] == "tv,internet"


def test_picking_a_category_then_a_place_completes_the_request(
    uow: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    anna = customer(uow, clock)
    [ask] = intake.describe_problem(uow(), anna, problem("hilfe", "vague_problem"), now=clock())
    assert ask.request_id is not None
    replies = intake.choose_category(uow(), anna, ask.request_id, Category.TV, now=clock())
    assert [r.key for r in replies] == ["intake.category_set", "intake.ask_location"]
    assert intake.awaits_place(uow(), anna)
    done = intake.set_place(uow(), anna, places.by_postcode("10437"), now=clock())
    assert [r.key for r in done] == ["intake.request_stored", "match.none"]  # no helpers in this database
    assert done[0].params == {"category": "tv", "place": "10437 (Pankow)"}
    request = intake.latest_request(uow(), anna)
    assert request is not None and request.status is RequestStatus.SEARCHING
    assert (request.postcode, request.district) == ("10437", "Pankow")


def test_place_before_category_asks_for_the_category_then_completes(
    uow: Uow, clock: FrozenClock, places: PlaceIndex
) -> None:
    anna = customer(uow, clock)
    intake.describe_problem(uow(), anna, problem("hilfe", "vague_problem"), now=clock())
    [pick] = intake.set_place(uow(), anna, places.by_postcode("12047"), now=clock())
    assert pick.key == "intake.pick_category_first" and pick.request_id is not None
    replies = intake.choose_category(uow(), anna, pick.request_id, Category.PC, now=clock())
    assert [r.key for r in replies] == [
        "intake.category_set",
        "intake.request_stored",
        "match.none",
    ]


def test_place_without_a_problem_is_refused(uow: Uow, clock: FrozenClock, places: PlaceIndex) -> None:
    with pytest.raises(NoOpenRequest):
        intake.set_place(uow(), customer(uow, clock), places.by_postcode("10115"), now=clock())


def test_someone_elses_or_a_closed_request_cannot_be_changed(uow: Uow, clock: FrozenClock) -> None:
    anna, ben = customer(uow, clock, 1), customer(uow, clock, 2)
    [reply, *_] = intake.describe_problem(uow(), anna, problem("Handy kaputt", "problem_phone"), now=clock())
    assert reply.request_id is not None
    with pytest.raises(RequestClosed):
        intake.choose_category(uow(), ben, reply.request_id, Category.TV, now=clock())
    intake.cancel(uow(), anna, now=clock())
    with pytest.raises(RequestClosed):
        intake.choose_category(uow(), anna, reply.request_id, Category.TV, now=clock())


def test_cancel_says_whether_there_was_anything(uow: Uow, clock: FrozenClock) -> None:
    anna = customer(uow, clock)
    assert intake.cancel(uow(), anna, now=clock()).key == "intake.nothing_to_cancel"
    intake.describe_problem(uow(), anna, problem("TV kein Bild", "problem_tv"), now=clock())
    assert intake.cancel(uow(), anna, now=clock()).key == "intake.cancelled"
    request = intake.latest_request(uow(), anna)
    assert request is not None and request.status is RequestStatus.CANCELLED


def test_language_switch_is_stored(uow: Uow, clock: FrozenClock) -> None:
    anna = customer(uow, clock)
    assert intake.set_language(uow(), anna, Language.EN).key == "language.changed"
    assert (
        intake.ensure_customer(uow(), TelegramUserId(42), name="", language_code="de", now=clock()).language
        is Language.EN
    )


def test_the_conversation_follows_the_language_written_unless_one_was_chosen(
    uow: Uow, clock: FrozenClock
) -> None:
    sam = customer(uow, clock, lang="en")
    assert intake.follow_language(uow(), sam, Language.DE).language is Language.DE
    assert intake.describe_problem(uow(), sam, problem("WLAN weg", "problem_internet"), now=clock())
    request = intake.open_request(uow(), sam)
    assert request is not None and request.language is Language.DE  # matching prefers German helpers
    intake.set_language(uow(), sam, Language.EN)
    chosen = intake.follow_language(uow(), sam, Language.DE)
    assert chosen.language is Language.EN and chosen.language_chosen
