"""The shell's candidate-facing texts and consent, per language, from ``resources/``."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from games.engine.texts import LANGUAGES

__all__ = ["LANGUAGES", "consent", "shell_text"]

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@cache
def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def shell_text(language: str, key: str) -> str:
    for lang in (language, "en"):
        value = _load(RESOURCES / "i18n" / f"shell-{lang}.toml").get(key)
        if isinstance(value, str):
            return value
    raise KeyError(f"no shell text {key!r} in resources/i18n/shell-en.toml")


def consent(language: str) -> dict[str, str]:
    """The consent text in ``language``: ``version``, ``title``, ``text``, buttons."""
    path = RESOURCES / "consent" / f"{language}.toml"
    if not path.exists():
        path = RESOURCES / "consent" / "en.toml"
    return {k: str(v) for k, v in _load(path).items()}
