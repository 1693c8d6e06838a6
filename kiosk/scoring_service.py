"""Scoring sessions from the store, and keeping the scores with their versions.

A session's completed game runs are read back as events, turned into trial tables
by each game's own ``trial_table`` and scored by the pure library
(:func:`scoring.session.score_session`) against a norm table. Every stored score
row carries the scoring version and the norm table's version; rescoring against a
newer table adds rows under the new version and keeps the old ones, so both can be
compared. Rescoring under the same versions replaces that version's rows.

Norms carry their design. :func:`battery_design` fingerprints a battery (each
game's task version and full parameter set); :func:`norms_for_session` picks the
newest shipped table built on the session's design (the short battery has its
own) and falls back to the standard table, in which case the scores carry
``norms_other_design`` flags and the report says so. A metric's stored percentile
is the one scoring computed (mid-rank in the norm sample), ``None`` when withheld.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

import kiosk_resources
from games.catalog import TaskGame
from kiosk.battery import Battery, battery_from_definition
from kiosk.store import Store
from kiosk.store.events import events_for_run
from kiosk.store.models import AssessmentSession, GameRun, Score
from kiosk.store.models import Battery as BatteryRow
from kiosk.store.seals import touch
from scoring.metrics.types import FrozenMapping
from scoring.norms import NormDesign, NormTable, load_norms, select_norms
from scoring.session import SessionScores, score_session

__all__ = [
    "NORMS",
    "battery_design",
    "default_norms",
    "load_norms_file",
    "norms_for_session",
    "score_stored_session",
    "session_design",
    "session_tables",
    "shipped_norms",
]

NORMS: Path = kiosk_resources.path("norms")


def load_norms_file(path: Path) -> NormTable:
    try:
        return load_norms(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the norm table ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a norm table ({exc})") from None


def _version_key(table: NormTable) -> tuple[tuple[int, ...], str]:
    number = table.version.split("-", 1)[0]
    parts = tuple(int(p) for p in number.split(".") if p.isdigit())
    return parts, table.created


def shipped_norms() -> list[NormTable]:
    """Every norm table in ``resources/norms``, oldest version first."""
    files = sorted(NORMS.glob("*.json"))
    if not files:
        raise ValueError(f"no norm tables in {NORMS}")
    return sorted((load_norms_file(f) for f in files), key=_version_key)


def default_norms() -> NormTable:
    """The newest shipped norm table of the standard battery (or of no recorded design)."""
    tables = shipped_norms()
    standard = [t for t in tables if t.design is None or t.design.battery == "standard"]
    return (standard or tables)[-1]


def battery_design(battery: Battery) -> NormDesign:
    """The design fingerprint of ``battery``: per game, its task version and parameters.

    Parameters are completed with the game's defaults (``validate_params``), so two
    batteries that spell the same design differently get the same fingerprint.
    """
    games: dict[str, str] = {}
    for game in battery.games:
        params = TaskGame(game.game_id).validate_params(game.params)
        blob = json.dumps(
            {"game": game.game_id, "version": game.version, "params": params},
            sort_keys=True,
            default=str,
        )
        games[game.game_id] = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
    return NormDesign(battery.name, battery.version, FrozenMapping(sorted(games.items())))


def session_design(store: Store, session_id: str) -> NormDesign | None:
    """The design of the battery a session was played on (``None`` if unrecorded)."""
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        row = s.get(BatteryRow, session.battery_id) if session and session.battery_id else None
        definition = dict(row.definition) if row is not None else None
    if definition is None:
        return None
    return battery_design(battery_from_definition(definition))


def norms_for_session(store: Store, session_id: str) -> NormTable:
    """The newest shipped table nearest the session's design, else :func:`default_norms`.

    Nearest: fewest games of another design (:func:`scoring.norms.select_norms`); those
    games are flagged when the session is scored against it.
    """
    chosen = select_norms(shipped_norms(), session_design(store, session_id))
    return chosen or default_norms()


def session_tables(store: Store, session_id: str) -> dict[str, Mapping[str, Any]]:
    """Trial tables of a session's completed game runs, by game id."""
    with store.reader() as s:
        runs = s.scalars(
            select(GameRun)
            .where(GameRun.session_id == session_id, GameRun.status == "completed")
            .order_by(GameRun.position)
        ).all()
        found = [(r.id, r.game_id) for r in runs]
    return {
        game_id: TaskGame(game_id).trial_table(events_for_run(store, run_id))
        for run_id, game_id in found
    }


def _number(value: float) -> float | None:
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def score_stored_session(
    store: Store, session_id: str, norms: NormTable | None = None, *, bootstrap: bool = True
) -> SessionScores:
    """Score a session from its stored events and store the result; returns it.

    Without ``norms`` the table matching the session's design is used
    (:func:`norms_for_session`).
    """
    norms = norms or norms_for_session(store, session_id)
    tables = session_tables(store, session_id)
    if not tables:
        raise ValueError(f"session {session_id} has no completed games to score")
    design = session_design(store, session_id)
    # No split halves: they serve norm building only, and no Score row keeps them.
    result = score_session(tables, norms, bootstrap=bootstrap, seed=0, design=design, halves=False)
    run_ids = _run_ids(store, session_id)
    rows: list[Score] = []
    for game_id, game in result.games.items():
        for name, metric in game.metrics.items():
            rows.append(
                Score(
                    session_id=session_id,
                    game_run_id=run_ids.get(game_id),
                    scope="metric",
                    name=f"{game_id}.{name}",
                    value=_number(metric.value),
                    ci_low=_number(metric.ci_low),
                    ci_high=_number(metric.ci_high),
                    n=metric.n,
                    percentile=_number(metric.percentile),
                    flags={
                        "flags": list(metric.flags),
                        "primary": name == game.primary,
                        "percentile_withheld": metric.percentile_withheld or None,
                        "pinned": metric.pinned,
                    },
                    scoring_version=result.scoring_version,
                    norm_version=result.norm_version,
                )
            )
    for name, trait in result.traits.traits.items():
        rows.append(
            Score(
                session_id=session_id,
                scope="trait",
                name=name,
                value=_number(trait.z),
                ci_low=_number(trait.ci_low),
                ci_high=_number(trait.ci_high),
                n=trait.n_metrics,
                percentile=_number(trait.percentile),
                flags={"flags": list(trait.flags), "kind": trait.kind},
                scoring_version=result.scoring_version,
                norm_version=result.norm_version,
            )
        )
    with store.writer() as s, s.begin():
        s.execute(
            delete(Score).where(
                Score.session_id == session_id,
                Score.scoring_version == result.scoring_version,
                Score.norm_version == result.norm_version,
            )
        )
        s.add_all(rows)
        touch(s, "scores", session_id)  # sealed even when the bulk delete left none
    return result


def _run_ids(store: Store, session_id: str) -> dict[str, str]:
    with store.reader() as s:
        return {
            game_id: run_id
            for run_id, game_id in s.execute(
                select(GameRun.id, GameRun.game_id).where(
                    GameRun.session_id == session_id, GameRun.status == "completed"
                )
            )
        }


def metric_percentile(value: float, norm: Any) -> float | None:
    """The mid-rank percentile rank of ``value`` in a metric's norm sample, or None.

    Scoring attaches this to every metric already (``Metric.percentile``, withheld
    for pinned and low-data metrics); use that.  This stays for callers that hold
    only a value and a :class:`~scoring.norms.MetricNorm`.
    """
    if norm is None or not math.isfinite(value):
        return None
    percentile = float(norm.percentile(value))
    return percentile if math.isfinite(percentile) else None
