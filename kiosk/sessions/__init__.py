"""Sessions: the one state machine, their milestones, resume, and start-up recovery.

- :mod:`kiosk.sessions.machine` — statuses, named moves, who may make them; every
  status change of a session goes through :func:`~kiosk.sessions.machine.apply`.
- :mod:`kiosk.sessions.lifecycle` — starting and ending sessions and game runs, with
  clock anchors and durable flushes.
- :mod:`kiosk.sessions.resume` — where a session stands, so play can start or
  continue after any number of crashes.
- :mod:`kiosk.sessions.recovery` — what a station process does with sessions a dead
  process left behind.

No Qt here: the shell, the CLI and the demo all call these.
"""

from kiosk.sessions.machine import (
    CANDIDATE,
    RULES,
    WAYS_OUT,
    Move,
    Transition,
    TransitionError,
    apply,
    moves_from,
    status_of,
)

__all__ = [
    "CANDIDATE",
    "RULES",
    "WAYS_OUT",
    "Move",
    "Transition",
    "TransitionError",
    "apply",
    "moves_from",
    "status_of",
]
