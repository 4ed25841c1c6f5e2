"""Message catalogs (locales/*.toml): render(key, lang, **params) in the person's language."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from core.categories import Category
from core.language import Language

#: Parameters whose values are themselves keys of the catalog ({category} → "category.pc").
TRANSLATED_PARAMS = {"category": "category"}


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = str(value)
    return flat


class Catalog:
    def __init__(self, messages: Mapping[Language, Mapping[str, str]]) -> None:
        self.messages = messages

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        return cls(
            {lang: _flatten(tomllib.loads((folder / f"{lang}.toml").read_text("utf-8"))) for lang in Language}
        )

    def render(self, key: str, lang: Language, params: Mapping[str, object] | None = None) -> str:
        table = self.messages[lang]
        text = table.get(key) or self.messages[Language.EN].get(key) or table["error.generic"]
        values = {name: self._param(name, value, lang) for name, value in (params or {}).items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError):
            return text

    def category(self, category: Category, lang: Language) -> str:
        return self.render(f"category.{category}", lang)

    def _param(self, name: str, value: object, lang: Language) -> object:
        prefix = TRANSLATED_PARAMS.get(name)
        return self.render(f"{prefix}.{value}", lang) if prefix else value
