"""Exports: signed reports (one or many) and research data as tidy CSV.

``export_data`` writes, into one folder:

- ``sessions.csv``: one row per session (pseudonym, status, battery, dates, chain head);
- ``events.csv``: every stored event (session, seq, t_ns, game run, trial, kind,
  payload as JSON, hash);
- ``trials_<game>.csv``: each game's trial tables, one row per completed trial, with
  ``session_id`` and ``game_run_id`` first;
- ``scores.csv``: every stored score with its scoring and norm versions;
- ``data_dictionary.json``: every file's columns, their meaning and unit.

Personal data (names, external references, demographics) is never exported here.
Files load directly with ``pandas.read_csv`` or R's ``read.csv``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from games.catalog import TaskGame
from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.events import events_for_run
from kiosk.store.models import AssessmentSession, Candidate, Event, GameRun, Score

if TYPE_CHECKING:
    from scoring.norms import NormTable

__all__ = [
    "ExportFailure",
    "export_data",
    "export_data_as",
    "export_reports",
    "export_reports_as",
    "sessions_since",
]

SESSION_COLUMNS = {
    "session_id": "session identifier (UUID)",
    "pseudonym": "the candidate's random pseudonym",
    "status": "scheduled, checked_in, in_progress, paused, completed, voided or interrupted",
    "battery_id": "row id of the battery definition used",
    "consent_version": "version of the consent text the candidate agreed to",
    "created_at": "when the session was scheduled (UTC, ISO 8601)",
    "started_at": "when the candidate started (UTC, ISO 8601)",
    "ended_at": "when the session ended (UTC, ISO 8601)",
    "event_count": "events recorded (the chain length)",
    "chain_head_hash": "SHA-256 of the last event in the session's hash chain (hex)",
}
EVENT_COLUMNS = {
    "session_id": "session identifier",
    "seq": "position in the session's event chain (1, 2, ...)",
    "t_ns": "monotonic time.perf_counter_ns() stamp (ns); only differences are meaningful",
    "game_run_id": "game run identifier, empty for session-level events",
    "trial_index": "0-based trial index within the game run, empty outside trials",
    "kind": "event kind (trial_start, stimulus_onset, response, ...; see games/api.py)",
    "payload": "event details as JSON",
    "hash": "SHA-256 chain hash of this event (hex)",
}
SCORE_COLUMNS = {
    "session_id": "session identifier",
    "scope": "metric or trait",
    "name": "game_id.metric for metrics, the trait's name for traits",
    "value": "the metric's value in its unit, or the trait's z-score",
    "ci_low": "lower end of the 95% confidence interval (same unit)",
    "ci_high": "upper end of the 95% confidence interval (same unit)",
    "n": "trials (or metrics, for traits) the value rests on",
    "percentile": "percentile against the norm table (0-100)",
    "flags": "quality flags, JSON",
    "scoring_version": "version of the scoring rules",
    "norm_version": "version of the norm table",
}


@dataclass(frozen=True)
class ExportFailure:
    session_id: str
    error: str


def sessions_since(
    store: Store, since: datetime | None, *, completed_only: bool = True
) -> list[str]:
    with store.reader() as s:
        query = select(AssessmentSession.id).order_by(AssessmentSession.created_at)
        if completed_only:
            query = query.where(AssessmentSession.status == "completed")
        if since is not None:
            query = query.where(AssessmentSession.created_at >= since)
        return list(s.scalars(query))


def _cell(value: Any) -> Any:
    if isinstance(value, (np.bool_, bool)):
        return int(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None:
        return ""
    return value


def _write(path: Path, header: list[str], rows: Iterator[list[Any]] | list[list[Any]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
    return count


def export_data(
    store: Store, out_dir: Path, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Write the research export; returns row counts per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    dictionary: dict[str, Any] = {
        "format": "kiosk-data-export/1",
        "notes": "Personal data is not included. Missing values are empty cells. Booleans are 0/1.",
        "files": {},
    }
    with store.reader() as s:
        sessions = s.execute(
            select(AssessmentSession, Candidate.pseudonym)
            .join(Candidate, Candidate.id == AssessmentSession.candidate_id)
            .order_by(AssessmentSession.created_at)
        ).all()
        session_rows = [
            [
                x.id,
                pseudonym,
                x.status,
                x.battery_id,
                x.consent_version,
                x.created_at,
                x.started_at,
                x.ended_at,
                x.chain_head_seq,
                x.chain_head_hash,
            ]
            for x, pseudonym in sessions
        ]
        runs = [
            (r.id, r.session_id, r.game_id)
            for r in s.scalars(
                select(GameRun)
                .where(GameRun.status == "completed")
                .order_by(GameRun.session_id, GameRun.position)
            )
        ]
    counts["sessions.csv"] = _write(out_dir / "sessions.csv", list(SESSION_COLUMNS), session_rows)
    dictionary["files"]["sessions.csv"] = SESSION_COLUMNS

    def event_rows() -> Iterator[list[Any]]:
        e = Event.__table__.c
        with store.engine.execution_options(kiosk_read=True).connect() as conn:
            result = conn.execute(
                select(
                    e.session_id,
                    e.seq,
                    e.t_ns,
                    e.game_run_id,
                    e.trial_index,
                    e.kind,
                    e.payload,
                    e.hash,
                ).order_by(e.session_id, e.seq)
            )
            for row in result:
                yield list(row)

    counts["events.csv"] = _write(out_dir / "events.csv", list(EVENT_COLUMNS), event_rows())
    dictionary["files"]["events.csv"] = EVENT_COLUMNS

    by_game: dict[str, list[tuple[str, str]]] = {}
    for run_id, session_id, game_id in runs:
        by_game.setdefault(game_id, []).append((run_id, session_id))
    done = 0
    for game_id, game_runs in sorted(by_game.items()):
        game = TaskGame(game_id)
        columns: list[str] = list(game.task.COLUMNS)
        rows: list[list[Any]] = []
        for run_id, session_id in game_runs:
            table = game.trial_table(events_for_run(store, run_id))
            n = len(next(iter(table.values()))) if table else 0
            rows.extend([session_id, run_id, *[table[c][i] for c in columns]] for i in range(n))
            done += 1
            if progress:
                progress(done, len(runs))
        name = f"trials_{game_id}.csv"
        counts[name] = _write(out_dir / name, ["session_id", "game_run_id", *columns], rows)
        dictionary["files"][name] = {
            "session_id": "session identifier",
            "game_run_id": "game run identifier",
            **{c: str(desc) for c, desc in game.task.COLUMNS.items()},
        }

    with store.reader() as s:
        score_rows = [
            [
                x.session_id,
                x.scope,
                x.name,
                x.value,
                x.ci_low,
                x.ci_high,
                x.n,
                x.percentile,
                json.dumps(x.flags),
                x.scoring_version,
                x.norm_version,
            ]
            for x in s.scalars(select(Score).order_by(Score.session_id, Score.scope, Score.name))
        ]
    counts["scores.csv"] = _write(out_dir / "scores.csv", list(SCORE_COLUMNS), score_rows)
    dictionary["files"]["scores.csv"] = SCORE_COLUMNS
    (out_dir / "data_dictionary.json").write_text(json.dumps(dictionary, indent=2))
    return counts


def export_reports(
    store: Store,
    out_dir: Path,
    *,
    since: datetime | None = None,
    language: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, list[tuple[str, str]]]:
    """Signed reports of completed sessions; one failure is reported, the rest go on.

    Returns how many were written and ``(session_id, error)`` for each failure.
    """
    from kiosk.outcome.pipeline import produce
    from kiosk.scoring_service import default_norms

    norms = default_norms()
    ids = sessions_since(store, since)
    failures: list[tuple[str, str]] = []
    written = 0
    for done, sid in enumerate(ids, start=1):
        try:
            produce(store, sid, report_dir=out_dir, language=language, norms=norms)
            written += 1
        except Exception as exc:  # a batch goes on past one broken session, and says so
            failures.append((sid, f"{type(exc).__name__}: {exc}"))
        if progress:
            progress(done, len(ids))
    return written, failures


def _audit_export(store: Store, actor: Actor, what: str, out_dir: Path, detail: Any) -> None:
    with store.writer() as s, s.begin():
        append_audit(
            s, actor.username, f"exported_{what}", target=str(out_dir), details={"result": detail}
        )


def export_data_as(
    actor: Actor,
    store: Store,
    out_dir: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """:func:`export_data` for a signed-in admin: permission checked, export audited."""
    require(actor.role, Action.EXPORT_DATA)
    counts = export_data(store, out_dir, progress=progress)
    _audit_export(store, actor, "data", out_dir, counts)
    return counts


def export_reports_as(
    actor: Actor,
    store: Store,
    out_dir: Path,
    *,
    since: datetime | None = None,
    language: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, list[tuple[str, str]]]:
    """:func:`export_reports` for a signed-in admin: permission checked, export audited."""
    require(actor.role, Action.EXPORT_REPORTS)
    written, failed = export_reports(
        store, out_dir, since=since, language=language, progress=progress
    )
    _audit_export(store, actor, "reports", out_dir, {"written": written, "failed": len(failed)})
    return written, failed


def _pseudonym(store: Store, session_id: str) -> str:
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        candidate = s.get(Candidate, session.candidate_id) if session else None
    if candidate is None:
        raise ValueError(f"no session {session_id} in {store.path}")
    return candidate.pseudonym


def export_report_as(
    actor: Actor,
    store: Store,
    session_id: str,
    norms: NormTable,
    out: Path,
    *,
    language: str = "en",
) -> Path:
    """One session's report, scored again and signed, to ``out``; permission and audit.

    ``out`` is a folder (the report gets the station's name for it there) or a file
    name that contains the candidate's pseudonym: ``kiosk verify`` calls a report
    whose name does not name its candidate renamed.
    """
    from kiosk.outcome.pipeline import report_name, report_path
    from kiosk.report_service import write_report
    from kiosk.scoring_service import score_stored_session
    from kiosk.trust.evidence import session_evidence

    require(actor.role, Action.EXPORT_REPORTS)
    session_evidence(store, session_id)  # refused before anything is written
    name = report_name(store, session_id)
    if out.is_dir():
        out = report_path(out, name)
    elif _pseudonym(store, session_id) not in out.name:
        raise ValueError(
            f"the report's file name must contain the candidate's pseudonym "
            f"({_pseudonym(store, session_id)}), or pass a folder for the station's own "
            f"name ({name}): a report whose name does not name its candidate counts as renamed"
        )
    scores = score_stored_session(store, session_id, norms)
    path = write_report(store, session_id, scores, norms, out, language=language)
    _audit_export(store, actor, "report", out, {"session": session_id})
    return path
