"""Checking a game's parameters: the checks every timed game's ``validate_params`` shares.

Each function raises :class:`games.api.ConfigError` with a message that names the game,
the key and what is allowed, as battery files need. Qt-free, like the tasks using it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from games.api import ConfigError

__all__ = ["check_choices", "check_floats", "check_ints", "check_keys", "merge_params"]


def merge_params(
    game_id: str, defaults: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """``params`` over ``defaults``; an unknown key is refused, naming the allowed ones."""
    if not isinstance(params, Mapping):
        raise ConfigError(f"{game_id}: parameters must be a mapping, got {type(params).__name__}")
    merged = dict(defaults)
    for key, value in params.items():
        if key not in defaults:
            allowed = ", ".join(sorted(defaults))
            raise ConfigError(f"{game_id}: unknown parameter {key!r}; allowed keys: {allowed}")
        merged[key] = value
    return merged


def check_ints(
    game_id: str, merged: Mapping[str, Any], ranges: Mapping[str, tuple[int, int]]
) -> None:
    for key, (low, high) in ranges.items():
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(
                f"{game_id}: parameter {key!r} must be an integer in {low}..{high}, got {value!r}"
            )


def check_floats(
    game_id: str, merged: dict[str, Any], ranges: Mapping[str, tuple[float, float]]
) -> None:
    """Numbers in range; each is stored back as a float."""
    for key, (low, high) in ranges.items():
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{game_id}: parameter {key!r} must be a number, got {value!r}")
        if not low <= value <= high:
            raise ConfigError(
                f"{game_id}: parameter {key!r} must be in {low}..{high}, got {value!r}"
            )
        merged[key] = float(value)


def check_choices(
    game_id: str, merged: Mapping[str, Any], choices: Mapping[str, Iterable[str]]
) -> None:
    for key, options in choices.items():
        options = tuple(options)
        if merged[key] not in options:
            raise ConfigError(
                f"{game_id}: parameter {key!r} must be one of {', '.join(options)}, "
                f"got {merged[key]!r}"
            )


def check_keys(game_id: str, merged: Mapping[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        value = merged[key]
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{game_id}: parameter {key!r} must be a non-empty key name")
