"""Candidate-facing texts, per language, from ``resources/i18n/<lang>.toml``.

Each file has a ``[common]`` table and one table per game. A key missing in a
language falls back to English, so a partial translation still shows every screen.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

__all__ = ["LANGUAGES", "Texts", "texts_for"]

# The games' wording is package data of the shared resources, read by name: games
# import nothing of the station (kiosk) and need no code of the resources package.
I18N: Traversable = files("kiosk_resources") / "i18n"
LANGUAGES = {"en": "English", "de": "Deutsch"}


@cache
def _load(language: str) -> dict[str, dict[str, Any]]:
    path = I18N / f"{language}.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class Texts:
    language: str

    def get(self, section: str, key: str, **values: Any) -> str:
        for language in (self.language, "en"):
            text = _load(language).get(section, {}).get(key)
            if isinstance(text, str):
                return text.format(**values) if values else text
        raise KeyError(f"no text {section}.{key} in resources/i18n/en.toml")


def texts_for(language: str) -> Texts:
    if language not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"unknown language {language!r}; choose one of: {known}")
    return Texts(language)
