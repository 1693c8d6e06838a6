"""A completed session's outcome: scores, then the signed report — one pipeline.

:mod:`kiosk.outcome.pipeline` is Qt-free and used by the shell, the exports and the
CLI; :mod:`kiosk.outcome.queue` runs it for the shell off the GUI thread.
"""

from kiosk.outcome.pipeline import (
    SessionOutcome,
    default_report_folder,
    outcome_state,
    pending_sessions,
    produce,
    report_name,
)

__all__ = [
    "SessionOutcome",
    "default_report_folder",
    "outcome_state",
    "pending_sessions",
    "produce",
    "report_name",
]
