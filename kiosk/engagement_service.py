"""Invalid-responding flags of stored sessions, live and after the session.

The rules and the outlier score are pure (:mod:`scoring.engagement`); this module
reads a session's game runs from the store, turns their events into trial tables
(each game's ``trial_table``) and event traces, and asks the rules. Flags are
computed on demand from the events, never stored: the events are the ground truth.

* :func:`live_flags` – the flag codes of one session so far (``too_fast_responding``
  ...), for the station's sync heartbeat and anything else that needs them without
  a user; it reads only game runs that have ended (completed or interrupted), so a
  game's flags appear as soon as it ends.
* :func:`flags_for_sessions` – the proctor console's view: every live session's
  flags, for a user allowed to watch sessions.
* :func:`session_engagement` – a session's flags and, once the whole standard
  battery is played, its outlier score against the reference sample
  (``resources/engagement/reference-features.json``); the report shows both.

A game run that has ended never changes, so its flags are kept in a small cache
keyed by the run's id; the console's refresh every few seconds costs a query per
session, not a re-scoring.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

import kiosk_resources
from games.catalog import TaskGame
from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.events import events_for_run
from kiosk.store.models import AssessmentSession, GameRun, GameRunStatus
from kiosk.store.models import Battery as BatteryRow
from reports.model import QualityNote
from scoring.engagement import (
    EngagementFlag,
    EventTrace,
    OutlierModel,
    OutlierScore,
    features_from_rows,
    game_engagement,
    quality_features,
)
from scoring.metrics import GAME_IDS

__all__ = [
    "REFERENCE",
    "SessionEngagement",
    "flags_for_sessions",
    "live_flags",
    "outlier_model",
    "report_notes",
    "session_engagement",
]

REFERENCE: Path = kiosk_resources.path("engagement", "reference-features.json")

_ENDED = (GameRunStatus.COMPLETED.value, GameRunStatus.INTERRUPTED.value)
#: The battery the reference sample played; other designs get no outlier score.
REFERENCE_BATTERY = "standard"


@dataclass(frozen=True)
class SessionEngagement:
    """A session's engagement flags; ``outlier`` is None until every game is played."""

    session_id: str
    flags: tuple[EngagementFlag, ...]
    outlier: OutlierScore | None

    @property
    def codes(self) -> list[str]:
        """The distinct flag codes, in order of first appearance."""
        return list(dict.fromkeys(flag.code for flag in self.all_flags))

    @property
    def all_flags(self) -> tuple[EngagementFlag, ...]:
        """The games' flags plus ``atypical_session`` when the outlier score raises it."""
        extra = self.outlier.flag() if self.outlier is not None else None
        return self.flags + ((extra,) if extra is not None else ())


@functools.cache
def outlier_model(path: Path = REFERENCE) -> OutlierModel:
    """The isolation forest refitted from the stored reference sample (once per process)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    forest = document["forest"]
    return OutlierModel(
        features_from_rows(document["rows"]),
        n_estimators=int(forest["n_estimators"]),
        max_samples=int(forest["max_samples"]),
        random_state=int(forest["random_state"]),
    )


@dataclass(frozen=True)
class _RunResult:
    game_id: str
    table: dict[str, object]
    trace: EventTrace
    flags: tuple[EngagementFlag, ...]


_CACHE_SIZE = 256
_cache: OrderedDict[tuple[str, str], _RunResult] = OrderedDict()
_cache_lock = threading.Lock()


def _run_result(store: Store, run_id: str, game_id: str) -> _RunResult:
    key = (str(store.path), run_id)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    game = TaskGame(game_id)
    events = events_for_run(store, run_id)
    table = game.trial_table(events)
    trace = EventTrace.from_events(events)
    result = _RunResult(
        game_id, table, trace, game_engagement(game_id, table, trace, name=game.display_name)
    )
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def _ended_runs(store: Store, session_id: str) -> list[tuple[str, str]]:
    with store.reader() as s:
        return [
            (run_id, game_id)
            for run_id, game_id in s.execute(
                select(GameRun.id, GameRun.game_id)
                .where(GameRun.session_id == session_id, GameRun.status.in_(_ENDED))
                .order_by(GameRun.position)
            )
        ]


def session_engagement(store: Store, session_id: str) -> SessionEngagement:
    """The flags of every ended game of the session, and its outlier score when complete.

    The outlier score needs the reference sample's design (the standard battery,
    :data:`REFERENCE_BATTERY`) with every game (:data:`scoring.metrics.GAME_IDS`)
    played to its end; before that, or for another battery, ``outlier`` is None.
    """
    results = [
        _run_result(store, run_id, game_id) for run_id, game_id in _ended_runs(store, session_id)
    ]
    flags = tuple(flag for result in results for flag in result.flags)
    played = {r.game_id for r in results}
    outlier = None
    if played >= set(GAME_IDS) and _battery_name(store, session_id) == REFERENCE_BATTERY:
        tables = {r.game_id: r.table for r in results}
        traces = {r.game_id: r.trace for r in results}
        outlier = outlier_model().score(quality_features(tables, traces))
    return SessionEngagement(session_id, flags, outlier)


def _battery_name(store: Store, session_id: str) -> str:
    with store.reader() as s:
        name = s.scalar(
            select(BatteryRow.name)
            .join(AssessmentSession, AssessmentSession.battery_id == BatteryRow.id)
            .where(AssessmentSession.id == session_id)
        )
    return str(name or "")


def report_notes(store: Store, session_id: str) -> tuple[QualityNote, ...]:
    """The session's engagement flags as the report's plain notes."""
    return tuple(
        QualityNote(
            code=flag.code,
            game=TaskGame(flag.game).display_name if flag.game else "",
            message=flag.message,
        )
        for flag in session_engagement(store, session_id).all_flags
    )


def live_flags(store: Store, session_id: str) -> list[str]:
    """The engagement flag codes of a session so far, e.g. ``["too_fast_responding"]``.

    Station-internal (no user): for the sync heartbeat and the console. Reads only
    the game runs that have ended.
    """
    return session_engagement(store, session_id).codes


def flags_for_sessions(
    store: Store, actor: Actor, session_ids: Iterable[str]
) -> dict[str, tuple[EngagementFlag, ...]]:
    """Each session's engagement flags so far, for a user allowed to view sessions."""
    require(actor.role, Action.VIEW_SESSIONS)
    return {sid: session_engagement(store, sid).all_flags for sid in session_ids}
