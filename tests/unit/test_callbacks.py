from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_BYTES, BadButton, PickCategory, PickLanguage
from core.categories import SERVICE_CATEGORIES, Category
from core.language import Language


@given(st.integers(min_value=1, max_value=10**12 - 1), st.sampled_from(SERVICE_CATEGORIES))
def test_category_button_round_trips_within_64_bytes(request_id: int, category: Category) -> None:
    data = PickCategory(request_id, category).encode()
    assert len(data.encode()) <= MAX_BYTES
    assert PickCategory.parse(data) == PickCategory(request_id, category)


@pytest.mark.parametrize("lang", list(Language))
def test_language_button_round_trips(lang: Language) -> None:
    assert PickLanguage.parse(PickLanguage(lang).encode()).language is lang


@pytest.mark.parametrize("data", ["cat:1:none", "cat:x:pc", "cat:1:pc:extra", "lang:fr", "", "cat:1:PHONE"])
def test_forged_buttons_are_refused(data: str) -> None:
    with pytest.raises(BadButton):
        (PickLanguage if data.startswith("lang") else PickCategory).parse(data)


@given(st.text(max_size=80))
def test_any_callback_data_parses_or_is_refused(data: str) -> None:
    with contextlib.suppress(BadButton):
        PickCategory.parse(data)


def test_two_areas_and_something_else_when_the_model_hesitated() -> None:
    from bot.keyboards import markup_for
    from core.notices import Choice, Reply
    from friends import wiring

    catalog = wiring.catalog()
    reply = Reply("intake.unsure_between", {"categories": "pc,phone"}, (Choice.CATEGORIES,), request_id=7)
    markup = markup_for(reply, Language.DE, catalog)
    assert markup is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]  # type: ignore[union-attr]
    assert rows == [
        [("💻 Computer / Drucker", "cat:7:pc"), ("📱 Handy / Tablet", "cat:7:phone")],
        [("🤷 Etwas anderes", "cat:7:all")],
    ]
    assert PickCategory.asks_all("cat:7:all") == 7 and PickCategory.asks_all("cat:7:pc") is None
    with pytest.raises(BadButton):
        PickCategory.parse("cat:7:all")  # not a category: the handler shows all four instead
