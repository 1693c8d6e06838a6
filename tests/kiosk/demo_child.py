"""A real ``kiosk demo`` run, in-process, that stops at a named point so a test can kill it.

Usage (from the repository root)::

    python -m tests.kiosk.demo_child [--kill-at POINT[@N]] [--hold POINT[@N]] [--trace]
        [--wait-go] -- demo --store S --battery FILE ...

Everything after ``--`` is handed to :func:`kiosk.cli.main`, so the child is the real
command. Before it runs, the functions named in :data:`HOOKS` are wrapped. When a
hooked point is reached:

- with ``--trace``, the child prints ``AT <point> <n>`` (n: how many times this
  process reached it) and goes on;
- at the ``--kill-at`` point (its N-th occurrence, default the first) it prints
  ``AT <point> <n>`` and blocks for ever, waiting for the parent's SIGKILL;
- at the ``--hold`` point it prints ``HOLD <point> <n>`` and blocks until a line
  arrives on stdin, then goes on (to keep a process still while another one runs).

With ``--wait-go`` the child imports everything and installs its hooks, prints
``READY`` and waits for a line ``go [POINT[@N]]`` on stdin (the point: where to
block for the kill) before it runs the command: the crash soak boots the next run
while the current one plays, so the one-to-two-second start-up does not count twice.

Lines are flushed at once; the parent reads stdout line by line from the pipe.

The hook table lives here only, so product code needs no test hooks. The session
logic is being restructured: when a function is renamed or moved, update
:data:`HOOKS` (a hook whose target cannot be found makes the child exit with
status 97 and says which).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXIT_NO_HOOK = 97


@dataclass(frozen=True)
class Hook:
    """``where`` is ``module:attribute`` or ``module:Class.method``, or several of them:
    the first that exists is hooked (the layout before and after the session work);
    ``when`` says whether the point is reached just ``before`` the call or just
    ``after`` it returned."""

    where: str | tuple[str, ...]
    when: str
    means: str

    @property
    def places(self) -> tuple[str, ...]:
        return (self.where,) if isinstance(self.where, str) else self.where


LIFECYCLE = "kiosk.sessions.lifecycle"


def _lifecycle(name: str) -> str:
    return f"{LIFECYCLE}:{name}"


HOOKS: dict[str, Hook] = {
    "checked_in": Hook(
        "kiosk.services:check_in", "after", "the code is accepted: session checked in"
    ),
    "consent": Hook(
        "kiosk.services:record_consent",
        "before",
        "the candidate accepts consent (not yet stored); session checked in",
    ),
    "session_start": Hook(
        _lifecycle("start_session"),
        "before",
        "after consent and questions, before the session is started",
    ),
    "game_start": Hook(
        _lifecycle("start_game_run"),
        "after",
        "a game run is created and anchored; its widget is not shown yet",
    ),
    "game_resume": Hook(
        _lifecycle("reopen_game_run"),
        "after",
        "a crashed game run is reopened; its replay has not run yet",
    ),
    "game_end": Hook(
        _lifecycle("end_game_run"),
        "after",
        "a game run is durably ended; the break screen is not shown yet",
    ),
    "break": Hook(
        # Patched on the class, which the host imports from kiosk.shell.break_screen.
        "kiosk.shell.battery_host:BreakScreen.show_break",
        "after",
        "the break screen between two games is showing",
    ),
    "games_done": Hook(
        _lifecycle("end_session"),
        "before",
        "every game is played; the session is not marked completed yet",
    ),
    "session_end": Hook(
        _lifecycle("end_session"),
        "after",
        "the session is completed; after-session work has not started",
    ),
    "scoring": Hook(
        "kiosk.scoring_service:score_stored_session",
        "before",
        "after-session work: scoring of a completed session begins",
    ),
    "scored": Hook(
        "kiosk.scoring_service:score_stored_session",
        "after",
        "after-session work: the scores are stored (a report may follow)",
    ),
}

# Modules imported before hooking, so that every `from x import f` copy is found.
_PRELOAD = (
    "kiosk.cli",
    "kiosk.demo",
    "kiosk.shell.window",
    "kiosk.services",
    "kiosk.shell.battery_host",
    LIFECYCLE,
    "kiosk.scoring_service",
    "kiosk.outcome.pipeline",
    "kiosk.outcome.queue",
)
_OURS = ("kiosk", "games", "scoring", "reports")

_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _parse(spec: str | None) -> tuple[str, int] | None:
    if spec is None:
        return None
    name, _, nth = spec.partition("@")
    if name not in HOOKS:
        raise SystemExit(f"demo_child: unknown point {name!r}; known: {sorted(HOOKS)}")
    return name, int(nth or 1)


class Points:
    """Counts each point and decides what to do there."""

    def __init__(
        self, kill_at: tuple[str, int] | None, hold: tuple[str, int] | None, trace: bool
    ) -> None:
        self.kill_at, self.hold, self.trace = kill_at, hold, trace
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def reached(self, point: str) -> None:
        with self._lock:
            n = self.counts[point] = self.counts.get(point, 0) + 1
        if self.kill_at == (point, n):
            say(f"AT {point} {n}")
            while True:  # the parent SIGKILLs us here
                time.sleep(3600)
        if self.hold == (point, n):
            say(f"HOLD {point} {n}")
            sys.stdin.readline()
            say(f"GO {point} {n}")
        elif self.trace:
            say(f"AT {point} {n}")


def _wrap(original: Callable[..., Any], before: list[str], after: list[str], points: Points):
    @functools.wraps(original)
    def hooked(*args: Any, **kwargs: Any) -> Any:
        for point in before:
            points.reached(point)
        result = original(*args, **kwargs)
        for point in after:
            points.reached(point)
        return result

    hooked.__demo_child_hooked__ = True  # type: ignore[attr-defined]
    return hooked


def _resolve(where: str) -> tuple[Any, str, bool] | None:
    """(owner, attribute name, is a method) for ``module:path``, or None if absent."""
    module_name, _, path = where.partition(":")
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError:
        return None
    *parents, name = path.split(".")
    for part in parents:
        owner = getattr(owner, part, None)
    if owner is None or not hasattr(owner, name):
        return None
    return owner, name, bool(parents)


def install(points: Points) -> None:
    for module in _PRELOAD:
        with contextlib.suppress(ImportError):  # a module of the other layout
            importlib.import_module(module)
    by_target: dict[str, tuple[list[str], list[str]]] = {}
    for point, hook in HOOKS.items():
        where = next((w for w in hook.places if _resolve(w) is not None), None)
        if where is None:
            print(f"demo_child: cannot hook {point}: none of {hook.places}", file=sys.stderr)
            raise SystemExit(EXIT_NO_HOOK)
        before, after = by_target.setdefault(where, ([], []))
        (before if hook.when == "before" else after).append(point)
    for where, (before, after) in by_target.items():
        resolved = _resolve(where)
        assert resolved is not None
        owner, name, is_method = resolved
        original = getattr(owner, name)
        hooked = _wrap(original, before, after, points)
        setattr(owner, name, hooked)
        if is_method:
            continue  # patched on its class: every caller sees it
        # A function: also replace each `from module import name` copy already made.
        for loaded in list(sys.modules.values()):
            if loaded is None or not loaded.__name__.startswith(_OURS):
                continue
            for attr, value in list(vars(loaded).items()):
                if value is original:
                    setattr(loaded, attr, hooked)


def main(argv: list[str]) -> int:
    if "--" not in argv:
        raise SystemExit("usage: demo_child [--kill-at P[@N]] [--hold P[@N]] [--trace] -- ARGS")
    split = argv.index("--")
    ours, kiosk_args = argv[:split], argv[split + 1 :]
    kill_at = hold = None
    trace = wait_go = False
    i = 0
    while i < len(ours):
        if ours[i] == "--kill-at":
            kill_at, i = _parse(ours[i + 1]), i + 2
        elif ours[i] == "--hold":
            hold, i = _parse(ours[i + 1]), i + 2
        elif ours[i] == "--trace":
            trace, i = True, i + 1
        elif ours[i] == "--wait-go":
            wait_go, i = True, i + 1
        else:
            raise SystemExit(f"demo_child: unknown option {ours[i]!r}")
    points = Points(kill_at, hold, trace)
    install(points)
    if wait_go:
        # Booted (every module imported, hooks in place): wait for "go [POINT[@N]]".
        say("READY")
        words = sys.stdin.readline().split()
        if not words:
            return 0  # the parent went away
        if len(words) > 1:
            points.kill_at = _parse(words[1])
    say("BOOT")
    from kiosk.cli import main as kiosk_main

    return kiosk_main(kiosk_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
