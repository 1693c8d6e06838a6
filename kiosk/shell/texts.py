"""The shell's candidate-facing texts and consent, per language, from ``resources/``."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import kiosk_resources
from games.engine.texts import LANGUAGES

__all__ = ["LANGUAGES", "consent", "consent_text", "shell_text"]

RESOURCES: Path = kiosk_resources.path()


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
    """The consent texts in ``language``: ``version``, ``title``, ``text``, buttons.

    ``text`` is a template: :func:`consent_text` fills in the battery's length.
    """
    path = RESOURCES / "consent" / f"{language}.toml"
    if not path.exists():
        path = RESOURCES / "consent" / "en.toml"
    return {k: str(v) for k, v in _load(path).items()}


def consent_text(texts: dict[str, str], *, games: int, expected_minutes: int | None) -> str:
    """The consent text for a battery of ``games`` games taking ``expected_minutes``.

    The version names the wording and the session's stored battery the numbers put
    into it, so what a candidate agreed to can be shown again exactly.
    """
    played = texts["games_one"] if games == 1 else texts["games_many"].format(count=games)
    duration = (
        texts["duration_unknown"]
        if expected_minutes is None
        else texts["duration"].format(minutes=expected_minutes)
    )
    return texts["text"].format(games=played, duration=duration)
