"""Every message key used anywhere exists in German and English, with the same parameters."""

from __future__ import annotations

import re
import string
from pathlib import Path

import yaml

from core.categories import Category
from core.helpers import HelperStatus
from core.language import Language
from core.onboarding import EDITABLE, Field
from friends import wiring

ROOT = Path(__file__).resolve().parents[2]
CATALOG = wiring.catalog()
KEY = re.compile(
    r"""["']((?:intake|location|reply|input|error|start|help|language|button_press|button|category|match|time|helper|onboarding|profile|weekday)\.[a-z_]+)["']"""
)


def keys_used_in_code() -> set[str]:
    found: set[str] = set()
    for folder in ("core", "bot", "actions", "friends"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(KEY.findall(path.read_text("utf-8")))
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    for variants in domain["responses"].values():
        found |= {v["custom"]["key"] for v in variants}
    found |= {f"category.{c}" for c in Category} | {f"button.{c}" for c in Category if c is not Category.NONE}
    found |= {f"onboarding.ask_{f}" for f in Field} | {f"button.edit_{f}" for f in EDITABLE}
    found |= {f"profile.status_{s}" for s in HelperStatus} | {"profile.status_unverified"}
    found |= {f"weekday.d{d}" for d in range(7)} | {f"language.name_{lang}" for lang in Language}
    return found


def test_every_key_in_use_exists_in_both_languages() -> None:
    used = keys_used_in_code()
    assert len(used) > 30
    for lang in Language:
        missing = used - set(CATALOG.messages[lang])
        assert not missing, f"{lang}: {sorted(missing)}"


def test_both_catalogs_have_the_same_keys_and_placeholders() -> None:
    de, en = CATALOG.messages[Language.DE], CATALOG.messages[Language.EN]
    assert set(de) == set(en)
    for key in de:
        fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
        assert fields(de[key]) == fields(en[key]), key


def test_category_parameter_is_rendered_in_the_language() -> None:
    assert (
        CATALOG.render("intake.category_set", Language.DE, {"category": "tv"})
        == "Alles klar: Fernseher und Streaming."
    )
    assert (
        CATALOG.render("intake.category_set", Language.EN, {"category": "pc"}) == "OK: computer or printer."
    )
