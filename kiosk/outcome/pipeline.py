"""One pipeline from a completed session to its outcome: score it, then its signed report.

:func:`produce` is what every caller runs — the station after each session, the
retry at start-up, the admin's and the CLI's report exports — so a session's scores
and report are made one way. Each step is idempotent: scoring again under the same
scoring and norm versions replaces that version's rows in one transaction, and a
report is written to a temporary name and renamed before its hash is stored. A
process killed part-way leaves either nothing or a whole step, and
:func:`pending_sessions` finds what is left to do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kiosk.scoring_service import norms_for_session, score_stored_session
from kiosk.services import outcome_of
from kiosk.store import Store
from kiosk.store.models import AssessmentSession, Candidate, Report, Score, SessionStatus
from scoring.norms import NormTable
from scoring.session import SessionScores

__all__ = [
    "SessionOutcome",
    "default_report_folder",
    "outcome_state",
    "pending_sessions",
    "produce",
    "report_name",
    "report_path",
    "safe_name_part",
]


@dataclass(frozen=True)
class SessionOutcome:
    scores: SessionScores
    reports: tuple[Path, ...] = ()


def default_report_folder(store: Store) -> Path:
    """Where the station writes its reports: ``reports/`` beside the store file."""
    return Path(store.path).parent / "reports"


# Windows refuses these as file names, with or without an extension.
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{dev}{n}" for dev in ("COM", "LPT") for n in "123456789"]
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
NAME_PART_MAX = 64


def safe_name_part(text: str, fallback: str) -> str:
    """``text`` as a plain file-name part: ASCII letters, digits, ``-`` and ``_`` only.

    Accented letters keep their base letter (``Zoë`` gives ``Zoe``); every other run
    of characters (separators, dots, NUL, anything a file system might read) becomes
    one ``_``. The part starts and ends with a letter or digit, is at most
    :data:`NAME_PART_MAX` characters, and is never a Windows device name; ``fallback``
    stands in when nothing is left. Text that is already safe comes back unchanged.
    """
    letters = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    part = _UNSAFE.sub("_", letters).strip("_-")[:NAME_PART_MAX].rstrip("_-")
    if not part:
        return fallback
    if part.upper() in _RESERVED:
        part += "_"
    return part


def report_name(store: Store, session_id: str) -> str:
    """``<pseudonym>-<session id prefix>.pdf``, safe whatever the pseudonym holds.

    A pseudonym made only of letters, digits, ``-`` and ``_`` (as
    :func:`kiosk.services.new_pseudonym` makes them) appears whole; any other is
    reduced by :func:`safe_name_part`, so the name is always one plain path component.
    """
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        candidate = s.get(Candidate, session.candidate_id) if session else None
    who = safe_name_part(candidate.pseudonym, "candidate") if candidate else "session"
    return f"{who}-{safe_name_part(session_id[:8], 'session')}.pdf"


def report_path(report_dir: Path, name: str) -> Path:
    """``report_dir / name``, or :class:`ValueError` if it resolves anywhere else.

    Defence in depth behind :func:`report_name`: the resolved path (symbolic links
    followed) must be directly inside the resolved folder.
    """
    folder = report_dir.resolve()
    path = report_dir / name
    if not name or Path(name).name != name or path.resolve().parent != folder:
        raise ValueError(f"report name {name!r} would put the report outside {report_dir}")
    return path


def produce(
    store: Store,
    session_id: str,
    *,
    report_dir: Path | None,
    language: str = "en",
    norms: NormTable | None = None,
) -> SessionOutcome:
    """Score a session from its stored events; with ``report_dir``, sign its report there.

    A session whose evidence does not hold is refused before anything is written
    (:class:`~kiosk.trust.evidence.UntrustedSession`).
    """
    from kiosk.report_service import write_report  # signing stack: loaded when needed

    if report_dir is not None:
        from kiosk.trust.evidence import session_evidence

        session_evidence(store, session_id)
    norms = norms or norms_for_session(store, session_id)
    scores = score_stored_session(store, session_id, norms)
    if report_dir is None:
        return SessionOutcome(scores)
    path = write_report(
        store,
        session_id,
        scores,
        norms,
        report_path(report_dir, report_name(store, session_id)),
        language=language,
    )
    return SessionOutcome(scores, (path,))


def outcome_state(store: Store, session_id: str) -> str:
    """``reported``, ``scored`` or ``pending`` (nothing made yet) for one session."""
    with store.reader() as s:
        return outcome_of(s, session_id)


def pending_sessions(store: Store, *, want_report: bool) -> list[str]:
    """Completed sessions whose after-session work is not done (oldest first)."""
    done = Report.session_id if want_report else Score.session_id
    with store.reader() as s:
        return list(
            s.scalars(
                select(AssessmentSession.id)
                .where(
                    AssessmentSession.status == SessionStatus.COMPLETED.value,
                    AssessmentSession.id.not_in(select(done)),
                )
                .order_by(AssessmentSession.ended_at)
            )
        )
