"""Battery files: which games a session plays, in which order, with which parameters.

A battery is a TOML file (see ``resources/batteries/standard.toml``)::

    [battery]
    name = "standard"
    version = "1.0"
    description = "..."
    expected_minutes = 50     # optional: how long a candidate is told it takes

    [[games]]
    id = "balloons"
    params = { n_balloons = 20 }

Each game's parameters are its defaults overridden by ``params`` and checked by the
game itself. Anything wrong — a TOML syntax error, an unknown key, an unknown game,
a bad parameter — is refused with a :class:`BatteryError` naming the file, the key
and what is allowed. Built-in batteries are found by name (``standard``, ``short``).

``expected_minutes`` is the whole sitting a candidate should expect, instructions
included (measure the play with ``python -m tools.battery_duration`` and add about
half a minute per game); the consent text states it. It is optional: without it
the candidate is told to ask the proctor how long it takes.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import kiosk_resources
from games.api import ConfigError
from games.catalog import GAME_IDS, registry

if TYPE_CHECKING:
    from kiosk.store import Store

__all__ = [
    "BATTERIES",
    "Battery",
    "BatteryError",
    "BatteryGame",
    "BatteryLength",
    "battery_from_definition",
    "load_battery",
    "scheduled_length",
]

BATTERIES: Path = kiosk_resources.path("batteries")
_BATTERY_KEYS = {"name", "version", "description", "expected_minutes"}
_GAME_KEYS = {"id", "params"}


class BatteryError(ValueError):
    """A battery file that cannot be used; the message says where and what to do."""


@dataclass(frozen=True)
class BatteryGame:
    position: int
    game_id: str
    display_name: str
    version: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Battery:
    name: str
    version: str
    description: str
    games: tuple[BatteryGame, ...]
    source: Path
    sha256: str
    expected_minutes: int | None = None

    def params_by_game(self) -> dict[str, Mapping[str, Any]]:
        """Each game's parameters, by game id."""
        return {game.game_id: game.params for game in self.games}

    def definition(self) -> dict[str, Any]:
        """A JSON-ready copy, stored with each session so it can be replayed later."""
        definition: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "description": self.description,
        }
        if self.expected_minutes is not None:
            definition["expected_minutes"] = self.expected_minutes
        definition["games"] = [
            {"id": g.game_id, "version": g.version, "params": _plain(g.params)} for g in self.games
        ]
        return definition


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BATTERIES.glob("*.toml"))


def resolve(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix != ".toml" and not path.exists():
        builtin = BATTERIES / f"{name_or_path}.toml"
        if builtin.exists():
            return builtin
        names = ", ".join(builtin_names())
        raise BatteryError(
            f"{name_or_path}: no such battery file or built-in battery; built-in: {names}"
        )
    return path


def load_battery(name_or_path: str | Path) -> Battery:
    path = resolve(name_or_path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BatteryError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BatteryError(f"{path}: not valid TOML ({exc})") from None
    return _parse(doc, path, hashlib.sha256(raw).hexdigest())


def battery_from_definition(definition: Mapping[str, Any], source: str = "store") -> Battery:
    """Rebuild a battery from the definition stored with a session (games re-check it)."""
    doc = {
        "battery": {
            k: definition[k]
            for k in ("name", "version", "description", "expected_minutes")
            if k in definition
        },
        "games": [{"id": g["id"], "params": g.get("params", {})} for g in definition["games"]],
    }
    return _parse(doc, Path(source), "")


def _parse(doc: Mapping[str, Any], path: Path, sha256: str) -> Battery:
    extra = set(doc) - {"battery", "games"}
    if extra:
        raise BatteryError(
            f"{path}: unknown top-level key {sorted(extra)[0]!r}; allowed: [battery], [[games]]"
        )
    head = doc.get("battery")
    if not isinstance(head, Mapping):
        raise BatteryError(f"{path}: missing [battery] table with name, version, description")
    unknown = set(head) - _BATTERY_KEYS
    if unknown:
        raise BatteryError(
            f"{path}: battery.{sorted(unknown)[0]} is not a known key; allowed: "
            f"{', '.join(sorted(_BATTERY_KEYS))}"
        )
    for key in ("name", "version"):
        if not isinstance(head.get(key), str) or not head[key]:
            raise BatteryError(f"{path}: battery.{key} must be a non-empty string")
    minutes = head.get("expected_minutes")
    if minutes is not None and (
        not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= 600
    ):
        raise BatteryError(
            f"{path}: battery.expected_minutes must be a whole number of minutes, 1 to 600"
        )
    entries = doc.get("games")
    if not isinstance(entries, list) or not entries:
        raise BatteryError(f"{path}: no [[games]] entries; a battery needs at least one game")
    games = registry()
    parsed: list[BatteryGame] = []
    for position, entry in enumerate(entries):
        where = f"{path}: games[{position}]"
        if not isinstance(entry, Mapping):
            raise BatteryError(f"{where} must be a table with id and params")
        unknown = set(entry) - _GAME_KEYS
        if unknown:
            raise BatteryError(
                f"{where}.{sorted(unknown)[0]} is not a known key; allowed: id, params"
            )
        game_id = entry.get("id")
        if not isinstance(game_id, str) or game_id not in games:
            raise BatteryError(
                f"{where}.id = {game_id!r} is not a game; allowed: {', '.join(GAME_IDS)}"
            )
        params = entry.get("params", {})
        if not isinstance(params, Mapping):
            raise BatteryError(f"{where}.params must be a table of parameter = value")
        game = games.get(game_id)
        try:
            full = game.validate_params(params)
        except ConfigError as exc:
            raise BatteryError(f"{where} ({game_id}).params: {exc}") from None
        parsed.append(BatteryGame(position, game_id, game.display_name, game.version, _plain(full)))
    return Battery(
        name=head["name"],
        version=head["version"],
        description=str(head.get("description", "")),
        games=tuple(parsed),
        source=path,
        sha256=sha256,
        expected_minutes=minutes,
    )


@dataclass(frozen=True)
class BatteryLength:
    """How much a candidate is asked to do: games, and minutes if the battery says."""

    games: int
    expected_minutes: int | None


def scheduled_length(store: Store, session_id: str) -> BatteryLength:
    """The length of the battery ``session_id`` was scheduled with, from the stored copy.

    Sessions scheduled before batteries stated ``expected_minutes`` have no minutes.
    """
    # Imported here: loading and checking battery files needs no store.
    from kiosk.store.models import AssessmentSession
    from kiosk.store.models import Battery as BatteryRow

    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        if session is None:
            raise ValueError(f"no session {session_id}")
        row = s.get(BatteryRow, session.battery_id) if session.battery_id is not None else None
        if row is None:
            raise ValueError(f"session {session_id} has no battery")
        definition = row.definition
    minutes = definition.get("expected_minutes")
    return BatteryLength(
        games=len(definition.get("games", [])),
        expected_minutes=minutes if isinstance(minutes, int) else None,
    )
