"""What the centre console knows about each station, parsed from the server's messages.

The server's live feed (``/console/v1/ws``, see ``server/PROTOCOL.md``) sends a
``snapshot`` of every station, then one ``station`` message per change, and a ``ping``
every 5 s (or an ``error``, before it closes the connection). :func:`parse_message`
turns each text frame into a frozen dataclass (:class:`Snapshot`,
:class:`StationChanged`, :class:`Ping`, :class:`ServerError`, or :class:`Unknown` for
a type this console does not know yet) or raises :class:`ProtocolError`.

Staleness is decided here too, not only trusted from the server: a station is stale
when the server says so, or when its heartbeat is older than ``STALE_HEARTBEATS`` ×
``heartbeat_s`` on this machine's clock (:func:`heartbeat_age_s`). The age counts from
when the heartbeat *reached the console* on the monotonic clock, so a server clock set
differently from this machine's cannot make every station look stale or fresh; only a
station's first appearance (a snapshot, after a reconnect) takes its age from the wall
clocks, clamped at zero.

:class:`Board` holds the stations the console shows and the commands a proctor sent
that the stations have not yet shown to be applied (:func:`command_reflected`).
Nothing here imports Qt or does I/O.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "COMMAND_KINDS",
    "DEFAULT_HEARTBEAT_S",
    "STALE_HEARTBEATS",
    "Board",
    "LiveSession",
    "Message",
    "PendingCommand",
    "Ping",
    "ProtocolError",
    "ServerError",
    "Snapshot",
    "StationChanged",
    "StationStatus",
    "Unknown",
    "command_reflected",
    "heartbeat_age_s",
    "is_stale",
    "parse_message",
    "parse_station",
]

DEFAULT_HEARTBEAT_S = 2.0
STALE_HEARTBEATS = 3  # a heartbeat older than this many periods makes a station stale
COMMAND_KINDS = ("pause", "resume", "void", "note")


class ProtocolError(ValueError):
    """A message from the server that does not follow the protocol."""


@dataclass(frozen=True)
class LiveSession:
    """The session open on a station, as of its last heartbeat."""

    session_id: str
    status: str
    pseudonym: str
    game: str | None
    game_index: int | None
    games_total: int | None
    elapsed_s: float | None
    incidents: int
    quality_flags: tuple[str, ...]


@dataclass(frozen=True)
class StationStatus:
    """One station as the server reports it."""

    station_id: str
    name: str
    last_heartbeat: datetime | None
    stale: bool  # the server's verdict; see is_stale for the console's own
    live: LiveSession | None
    acked_through: int
    outbox_pending: int
    sync_lag_s: float | None
    revoked: bool
    heartbeat_s: float = DEFAULT_HEARTBEAT_S


@dataclass(frozen=True)
class Snapshot:
    stations: tuple[StationStatus, ...]


@dataclass(frozen=True)
class StationChanged:
    station: StationStatus


@dataclass(frozen=True)
class Ping:
    pass


@dataclass(frozen=True)
class ServerError:
    """The server's ``{"type": "error", "error": {"code", "message"}}`` (e.g. a token it
    does not accept, before it closes the connection); a busy server adds
    ``retry_after_s``, the seconds to wait before connecting again."""

    code: str
    message: str
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Unknown:
    """A message type this console does not know (a newer server); ignored."""

    type: str


Message = Snapshot | StationChanged | Ping | ServerError | Unknown


def _field(data: Mapping[str, Any], name: str, kinds: type | tuple[type, ...], default: Any) -> Any:
    value = data.get(name, default)
    if value is None or value is default:
        return value
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise ProtocolError(f"{name} is {value!r}, not a number")
    if not isinstance(value, kinds):
        raise ProtocolError(f"{name} is {value!r}, of the wrong type")
    return value


def _time(text: object, name: str) -> datetime | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ProtocolError(f"{name} is {text!r}, not an ISO-8601 time")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ProtocolError(f"{name} is {text!r}, not an ISO-8601 time") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _live(data: object) -> LiveSession | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise ProtocolError(f"live is {data!r}, not an object or null")
    flags = _field(data, "quality_flags", list, [])
    if not all(isinstance(flag, str) for flag in flags):
        raise ProtocolError(f"quality_flags is {flags!r}, not a list of names")
    elapsed = _field(data, "elapsed_s", (int, float), None)
    return LiveSession(
        session_id=str(_field(data, "session_id", str, "")),
        status=str(_field(data, "status", str, "")),
        pseudonym=str(_field(data, "pseudonym", str, "")),
        game=_field(data, "game", str, None),
        game_index=_field(data, "game_index", int, None),
        games_total=_field(data, "games_total", int, None),
        elapsed_s=None if elapsed is None else float(elapsed),
        incidents=int(_field(data, "incidents", int, 0)),
        quality_flags=tuple(flags),
    )


def parse_station(data: object) -> StationStatus:
    """A station status object (``server/PROTOCOL.md``) as a :class:`StationStatus`."""
    if not isinstance(data, Mapping):
        raise ProtocolError(f"a station status is an object, not {data!r}")
    station_id = data.get("station_id")
    if not isinstance(station_id, str) or not station_id:
        raise ProtocolError(f"a station status needs a station_id, not {station_id!r}")
    lag = _field(data, "sync_lag_s", (int, float), None)
    heartbeat_s = _field(data, "heartbeat_s", (int, float), None)
    return StationStatus(
        station_id=station_id,
        name=str(_field(data, "name", str, "") or station_id[:8]),
        last_heartbeat=_time(data.get("last_heartbeat"), "last_heartbeat"),
        stale=bool(_field(data, "stale", bool, False)),
        live=_live(data.get("live")),
        acked_through=int(_field(data, "acked_through", int, 0) or 0),
        outbox_pending=int(_field(data, "outbox_pending", int, 0) or 0),
        sync_lag_s=None if lag is None else float(lag),
        revoked=bool(_field(data, "revoked", bool, False)),
        heartbeat_s=float(heartbeat_s) if heartbeat_s and heartbeat_s > 0 else DEFAULT_HEARTBEAT_S,
    )


def parse_message(text: str | bytes) -> Message:
    """One text frame of the live feed; :class:`ProtocolError` when it is malformed."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("type"), str):
        raise ProtocolError("a message is an object with a type")
    kind = data["type"]
    if kind == "ping":
        return Ping()
    if kind == "station":
        return StationChanged(parse_station(data.get("station")))
    if kind == "snapshot":
        stations = data.get("stations")
        if not isinstance(stations, list):
            raise ProtocolError("a snapshot's stations is a list")
        return Snapshot(tuple(parse_station(item) for item in stations))
    if kind == "error":
        error = data.get("error")
        if not isinstance(error, Mapping):
            raise ProtocolError("an error message carries an error object")
        wait = data.get("retry_after_s")
        retry_after = float(wait) if isinstance(wait, (int, float)) and wait > 0 else None
        return ServerError(str(error.get("code", "")), str(error.get("message", "")), retry_after)
    return Unknown(kind)


# -- staleness ---------------------------------------------------------------------------


def heartbeat_age_s(
    status: StationStatus, seen_at: float | None, now_mono: float, now_wall: datetime
) -> float | None:
    """Seconds since the station's last heartbeat, on this machine's clock.

    ``seen_at`` is the monotonic time the console received that heartbeat (None when
    this heartbeat came in a snapshot, whose age is then read from the wall clocks).
    None: the station never sent one.
    """
    if status.last_heartbeat is None:
        return None
    if seen_at is not None:
        return max(0.0, now_mono - seen_at)
    return max(0.0, (now_wall - status.last_heartbeat).total_seconds())


def is_stale(status: StationStatus, age_s: float | None) -> bool:
    """The server says so, or the last heartbeat is older than STALE_HEARTBEATS periods
    (or never came)."""
    if status.stale or age_s is None:
        return True
    return age_s > STALE_HEARTBEATS * status.heartbeat_s


# -- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCommand:
    """A command the server accepted; pending until the station's status shows it."""

    command_id: str
    station_id: str
    kind: str
    session_id: str
    issued_mono: float
    incidents_before: int = 0  # a note shows as one more incident


def command_reflected(command: PendingCommand, status: StationStatus) -> bool:
    """Whether ``status`` shows ``command`` applied (or made moot: the session is gone)."""
    live = status.live
    if live is None or live.session_id != command.session_id:
        return True  # the session closed or another began: nothing left to wait for
    if command.kind == "pause":
        return live.status == "paused"
    if command.kind == "resume":
        return live.status == "in_progress"
    if command.kind == "void":
        return live.status == "voided"
    return live.incidents > command.incidents_before


HISTORY = 150  # heartbeat intervals kept per station (five minutes at 2 s)


@dataclass
class _Entry:
    status: StationStatus
    seen_at: float | None  # monotonic time its current heartbeat arrived (None: snapshot)
    # (arrival on the monotonic clock, seconds since the heartbeat before it)
    intervals: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=HISTORY))


@dataclass
class Board:
    """The stations on the console, keyed by id, and the commands still pending."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    pending: dict[str, PendingCommand] = field(default_factory=dict)

    def apply(self, message: Message, now_mono: float) -> list[PendingCommand]:
        """Take in a message; returns the pending commands it showed applied."""
        if isinstance(message, Snapshot):
            old = self.entries
            self.entries = {}
            for status in message.stations:
                self._put(status, now_mono, old.get(status.station_id), first=True)
            return self._settle(message.stations)
        if isinstance(message, StationChanged):
            status = message.station
            self._put(status, now_mono, self.entries.get(status.station_id), first=False)
            return self._settle((status,))
        return []

    def _put(self, status: StationStatus, now_mono: float, old: _Entry | None, first: bool) -> None:
        if old is not None and old.status.last_heartbeat == status.last_heartbeat:
            seen_at = old.seen_at  # the same heartbeat: its age keeps counting
        elif first:
            seen_at = None  # in a snapshot it may be old news: age from the wall clocks
        else:
            seen_at = now_mono
        entry = _Entry(status, seen_at)
        if old is not None:
            entry.intervals = old.intervals
            before, now = old.status.last_heartbeat, status.last_heartbeat
            if before is not None and now is not None and now > before:
                # The station's own spacing, on the server's clock (not the network's).
                entry.intervals.append((now_mono, (now - before).total_seconds()))
        self.entries[status.station_id] = entry

    def intervals(self, station_id: str) -> list[tuple[float, float]]:
        """(arrival, seconds since the previous heartbeat) of a station's recent heartbeats."""
        entry = self.entries.get(station_id)
        return [] if entry is None else list(entry.intervals)

    def _settle(self, statuses: Sequence[StationStatus]) -> list[PendingCommand]:
        done = []
        for status in statuses:
            for command in list(self.pending.values()):
                if command.station_id == status.station_id and command_reflected(command, status):
                    done.append(self.pending.pop(command.command_id))
        return done

    def stations(self) -> list[StationStatus]:
        """Every station, by name."""
        return sorted(
            (e.status for e in self.entries.values()), key=lambda s: (s.name, s.station_id)
        )

    def station(self, station_id: str) -> StationStatus | None:
        entry = self.entries.get(station_id)
        return None if entry is None else entry.status

    def age_s(self, station_id: str, now_mono: float, now_wall: datetime) -> float | None:
        entry = self.entries[station_id]
        return heartbeat_age_s(entry.status, entry.seen_at, now_mono, now_wall)

    def stale(self, station_id: str, now_mono: float, now_wall: datetime) -> bool:
        entry = self.entries[station_id]
        return is_stale(
            entry.status, heartbeat_age_s(entry.status, entry.seen_at, now_mono, now_wall)
        )

    def add_pending(self, command: PendingCommand) -> bool:
        """Wait for ``command`` to show; False when the station already shows it (its
        status can overtake the server's answer to the request)."""
        status = self.station(command.station_id)
        if status is not None and command_reflected(command, status):
            return False
        self.pending[command.command_id] = command
        return True

    def incidents(self, station_id: str) -> int:
        status = self.station(station_id)
        return 0 if status is None or status.live is None else status.live.incidents

    def pending_for(self, station_id: str) -> list[PendingCommand]:
        return [c for c in self.pending.values() if c.station_id == station_id]
