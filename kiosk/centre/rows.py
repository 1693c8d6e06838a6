"""What the centre console's table says about each station, cell by cell.

:func:`station_row` turns a :class:`~kiosk.centre.model.StationStatus`, its heartbeat
age, whether it is stale, whether the console is connected and the commands still
pending for it into one :class:`Cell` per column of :data:`COLUMNS`: the text, and a
``look`` the window maps to colours (``muted`` while disconnected, ``warn`` and
``warn-state`` for a stale or revoked station, ``flag`` for quality flags). Every
state is said in words; colour only repeats it. No Qt here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.centre.model import PendingCommand, StationStatus

__all__ = [
    "COLUMNS",
    "CONNECTION_LOST",
    "SLOW_COMMAND_S",
    "STALE",
    "Cell",
    "ago",
    "duration",
    "station_row",
    "words",
]

COLUMNS = (
    "Station",
    "State",
    "Command",
    "Candidate",
    "Game",
    "Progress",
    "Elapsed",
    "Heartbeat",
    "Incidents",
    "Quality",
    "Sync",
)
CONNECTION_LOST = "connection lost — reconnecting"
STALE = "STALE — no heartbeat"
SLOW_COMMAND_S = 30.0  # a command still not reflected after this says so


@dataclass(frozen=True)
class Cell:
    text: str
    look: str = ""


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def ago(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    return f"{seconds / 60:.0f} min ago"


def words(name: str) -> str:
    return name.replace("_", " ")


def station_row(
    status: StationStatus,
    *,
    age: float | None,
    stale: bool,
    connected: bool,
    pending: Sequence[PendingCommand] = (),
    now_mono: float = 0.0,
) -> dict[str, Cell]:
    """One station's cells, keyed by column name."""
    live = status.live
    if not connected:
        state = CONNECTION_LOST
    elif status.revoked:
        state = "revoked"
    elif stale:
        state = STALE
    else:
        state = words(live.status) if live else "idle"
    if live is not None:
        progress = (
            f"game {live.game_index} of {live.games_total}"
            if live.game_index is not None and live.games_total
            else "–"
        )
        session = [
            live.pseudonym,
            words(live.game or "–"),
            progress,
            duration(live.elapsed_s),
            str(live.incidents),
            ", ".join(words(f) for f in live.quality_flags) or "–",
        ]
    else:
        session = ["–"] * 6
    lag = f" · lag {duration(status.sync_lag_s)}" if status.sync_lag_s else ""
    commands = []
    for command in pending:
        waited = now_mono - command.issued_mono
        slow = " (not applied yet)" if waited > SLOW_COMMAND_S else ""
        commands.append(f"{command.kind} pending… {waited:.0f} s{slow}")
    texts = {
        "Station": status.name,
        "State": state,
        "Command": "; ".join(commands),
        "Candidate": session[0],
        "Game": session[1],
        "Progress": session[2],
        "Elapsed": session[3],
        "Heartbeat": ago(age),
        "Incidents": session[4],
        "Quality": session[5],
        "Sync": f"outbox {status.outbox_pending} · acked {status.acked_through}{lag}",
    }
    warn = connected and (stale or status.revoked)
    cells = {}
    for name, text in texts.items():
        if not connected:
            look = "muted"
        elif warn:
            look = "warn-state" if name == "State" else "warn"
        elif name == "Quality" and live is not None and live.quality_flags:
            look = "flag"
        else:
            look = ""
        cells[name] = Cell(text, look)
    return cells
