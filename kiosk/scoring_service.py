"""Scoring sessions from the store, and keeping the scores with their versions.

A session's completed game runs are read back as events, turned into trial tables
by each game's own ``trial_table`` and scored by the pure library
(:func:`scoring.session.score_session`) against a norm table. Every stored score
row carries the scoring version and the norm table's version; rescoring against a
newer table adds rows under the new version and keeps the old ones, so both can be
compared. Rescoring under the same versions replaces that version's rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from games.catalog import TaskGame
from kiosk.store import Store
from kiosk.store.events import events_for_run
from kiosk.store.models import GameRun, Score
from kiosk.store.seals import touch
from scoring.norms import NormTable, load_norms
from scoring.session import SessionScores, score_session

__all__ = [
    "NORMS",
    "default_norms",
    "load_norms_file",
    "score_stored_session",
    "session_tables",
]

NORMS = Path(__file__).resolve().parents[1] / "resources" / "norms"


def load_norms_file(path: Path) -> NormTable:
    try:
        return load_norms(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the norm table ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a norm table ({exc})") from None


def default_norms() -> NormTable:
    """The newest norm table shipped in ``resources/norms``."""
    files = sorted(NORMS.glob("*.json"))
    if not files:
        raise ValueError(f"no norm tables in {NORMS}")
    return load_norms_file(files[-1])


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
    """Score a session from its stored events and store the result; returns it."""
    norms = norms or default_norms()
    tables = session_tables(store, session_id)
    if not tables:
        raise ValueError(f"session {session_id} has no completed games to score")
    result = score_session(tables, norms, bootstrap=bootstrap, seed=0)
    run_ids = _run_ids(store, session_id)
    rows: list[Score] = []
    for game_id, game in result.games.items():
        for name, metric in game.metrics.items():
            norm = norms.metric(game_id, name)
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
                    percentile=metric_percentile(metric.value, norm),
                    flags={"flags": list(metric.flags), "primary": name == game.primary},
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
                flags={"flags": list(trait.flags)},
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
    """The percentile of ``value`` under a metric's norm (normal), or None if unknown."""
    if norm is None or not math.isfinite(value):
        return None
    mean, sd = float(norm.mean), float(norm.sd)
    if not (math.isfinite(mean) and math.isfinite(sd)) or sd <= 0:
        return None
    return 100.0 * 0.5 * (1.0 + math.erf((value - mean) / (sd * math.sqrt(2.0))))
