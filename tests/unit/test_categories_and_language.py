from __future__ import annotations

import pytest

from core.categories import Category, category_of, parse_category
from core.intake import clip_description, has_words
from core.language import Language, from_telegram


@pytest.mark.parametrize(
    ("intent", "category"),
    [
        ("problem_phone", Category.PHONE),
        ("problem_internet", Category.INTERNET),
        ("problem_tv", Category.TV),
        ("problem_pc", Category.PC),
        ("out_of_scope_operator", Category.NONE),
        ("greet", Category.NONE),
        ("nlu_fallback", Category.NONE),
        (None, Category.NONE),
        ("something_new", Category.NONE),
    ],
)
def test_only_problem_intents_have_a_category(intent: str | None, category: Category) -> None:
    assert category_of(intent) is category


def test_none_is_not_a_category_a_customer_can_pick() -> None:
    assert parse_category("tv") is Category.TV
    with pytest.raises(ValueError):
        parse_category("none")


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("DE-ch", "de"),
        ("en", "en"),
        ("en-GB", "en"),
        ("tr", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_language_from_telegram(code: str | None, lang: str) -> None:
    assert from_telegram(code) is Language(lang)


@pytest.mark.parametrize(
    ("text", "words"),
    [("😭😭", False), ("?!", False), ("   ", False), ("ok", True), ("WLAN 😭", True), ("10115", True)],
)
def test_has_words(text: str, words: bool) -> None:
    assert has_words(text) is words


def test_description_keeps_a_whole_telegram_message() -> None:
    assert clip_description("  a \n\n b  ") == "a b"
    assert len(clip_description("x" * 4096)) == 4096
    assert clip_description("x" * 5000).endswith("…")
