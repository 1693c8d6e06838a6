"""Continuing a game after a crash: replaying the task's logged calls.

Every call a view makes on its task (``start_trial``, ``stimulus_shown``, ``respond``,
``timeout`` ...) is logged as a ``task_call`` event before it runs. Tasks are
deterministic given their seed and these calls (they never read a clock or draw
unseeded randomness), so replaying the calls logged up to the last committed
``trial_end`` on a fresh task rebuilds its exact state — adaptive staircases, banks,
spans and all — with no per-game restore code. The replay's own events go nowhere;
the continued game then emits into the real sink from the first trial that was not
committed.

A run may be continued any number of times. Each continuation (an *attempt*) begins
with a ``game_resume`` clock anchor and a ``resume_gap`` event, and starts from the
state after the previous attempts' last committed trial; the calls a dead attempt
made after its last committed ``trial_end`` were never part of any continued state.
So the replay keeps, per attempt, only the calls up to a committed ``trial_end``,
and drops an attempt's trailing calls when the next attempt begins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from games.api import EventRecord, EventSink

__all__ = ["LoggedTask", "SwitchSink", "committed_calls", "last_committed_trial", "replay"]

TASK_CALL = "task_call"
# Calls that only read; logging them would add noise and replaying them is pointless.
_READ_ONLY = frozenset({"summary", "key_for", "trial_table"})


class SwitchSink:
    """A sink whose target can change: a black hole during replay, then the recorder."""

    def __init__(self, target: EventSink | None = None) -> None:
        self.target = target

    def emit(
        self,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        trial_index: int | None = None,
        t_ns: int | None = None,
    ) -> None:
        if self.target is not None:
            self.target.emit(kind, payload, trial_index=trial_index, t_ns=t_ns)

    def flush(self, durable: bool = False) -> None:
        if self.target is not None:
            self.target.flush(durable)


class LoggedTask:
    """Wraps a task: every public method call is logged as a ``task_call`` first."""

    def __init__(self, task: Any, sink: EventSink) -> None:
        object.__setattr__(self, "_task", task)
        object.__setattr__(self, "_sink", sink)

    @property
    def wrapped(self) -> Any:
        return self._task

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._task, name)
        if name.startswith("_") or name in _READ_ONLY or not callable(value):
            return value

        def logged(*args: Any, **kwargs: Any) -> Any:
            self._sink.emit(TASK_CALL, {"method": name, "args": list(args), "kwargs": kwargs})
            return value(*args, **kwargs)

        return logged


def last_committed_trial(events: Sequence[EventRecord]) -> EventRecord | None:
    """The last ``trial_end`` of a run's stored events, or None."""
    ends = [e for e in events if e.kind == "trial_end"]
    return max(ends, key=lambda e: e.seq) if ends else None


def _starts_attempt(event: EventRecord) -> bool:
    """Whether ``event`` marks the start of a continuation of the run."""
    if event.kind == "resume_gap":
        return True
    return event.kind == "clock_anchor" and event.payload.get("reason") == "game_resume"


def committed_calls(events: Sequence[EventRecord], until_seq: int) -> list[EventRecord]:
    """The ``task_call`` events with ``seq < until_seq`` that built committed state.

    Calls are taken attempt by attempt: those up to each committed ``trial_end``
    count; those an attempt made after its last ``trial_end`` are dropped when the
    next attempt starts (that attempt continued from the committed state, without
    them).
    """
    kept: list[EventRecord] = []
    pending: list[EventRecord] = []
    for event in sorted(events, key=lambda e: e.seq):
        if event.seq >= until_seq:
            break
        if event.kind == TASK_CALL:
            pending.append(event)
        elif event.kind == "trial_end":
            kept.extend(pending)
            pending = []
        elif _starts_attempt(event):
            pending = []
    return kept + pending


def replay(task: Any, events: Sequence[EventRecord], until_seq: int) -> int:
    """Replay the committed calls with ``seq < until_seq`` on ``task``; returns how many."""
    calls = committed_calls(events, until_seq)
    for event in calls:
        method: Callable[..., Any] = getattr(task, str(event.payload["method"]))
        method(*event.payload.get("args", []), **event.payload.get("kwargs", {}))
    return len(calls)
