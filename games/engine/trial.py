"""The frame every trial-based task shares: schedule, phase, bookkeeping, trial table.

:class:`TrialTask` holds what the rules of a trial-based game have in common - the
validated parameters, the seeded schedule, the phase (a game's own ``StrEnum`` with
at least ``"idle"`` and ``"finished"``), which trial runs, the last outcome and
feedback - and emits the events that begin and close a trial. A game's task adds
its own calls (``respond``, ``choose`` ...) and decides each outcome. A game whose
trial is one screen that stays until an input ends it can use :class:`OpenPhase` and
the default :meth:`TrialTask.stimulus_shown`. An adaptive task, whose next trial
depends on the answers so far, overrides :meth:`TrialTask._upcoming` (and
:attr:`TrialTask.trials_planned`); the trial it returns carries the index it will
be given. A game played in rounds against a simulated partner, the candidate in one
role a round, builds on :class:`RoleTask`.

:class:`TableBuilder` collects a trial table's rows and turns them into columns. The
columns are declared as data in ``table.toml`` next to a game's ``task.py`` and read
into a :class:`TableSchema`: one TOML table a column, in column order, with

- ``dtype``: ``"int"``, ``"float"``, ``"bool"``, ``"str"`` or a fixed-width text type
  such as ``"<U8"``;
- ``description``: what the column holds, ending with its unit and type in brackets
  (the game's ``COLUMNS``, which the exports' data dictionary prints);
- ``source`` (optional): where :meth:`TableBuilder.add_trial` finds the value when the
  game's ``trial_table`` does not compute it - ``"index"`` (the trial's index),
  ``"design"`` (the field of the column's name in the ``trial_start`` payload) or
  ``"outcome"`` (that field in the ``trial_end`` payload), converted to the dtype.

Qt-free, like every ``task.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from games.api import EventRecord, EventSink, GameSummary
from games.engine.params import game_data

__all__ = [
    "Column",
    "DesignedTrial",
    "OpenPhase",
    "RoleOutcome",
    "RoleTask",
    "RoleTrial",
    "TableBuilder",
    "TableSchema",
    "TrialTask",
    "events_within",
    "first_event",
    "ms_between",
]


class DesignedTrial(Protocol):
    """A scheduled trial: its index, practice flag and ``trial_start`` payload."""

    @property
    def index(self) -> int: ...

    @property
    def practice(self) -> bool: ...

    def design(self) -> dict[str, Any]: ...


class OpenPhase(StrEnum):
    """The phases of a game whose trial is one screen that stays until an input ends it."""

    IDLE = "idle"  # between trials (or before the first)
    OPEN = "open"  # a trial's screen is up and takes inputs
    FINISHED = "finished"


TrialT = TypeVar("TrialT", bound=DesignedTrial)
PhaseT = TypeVar("PhaseT", bound=StrEnum)
OutcomeT = TypeVar("OutcomeT")


class TrialTask(Generic[TrialT, PhaseT, OutcomeT]):
    """Schedule, phase and trial bookkeeping of a trial-based task.

    Read-only state: :attr:`params`, :attr:`schedule`, :attr:`phase`,
    :attr:`trial_running`, :attr:`current_trial`, :attr:`last_outcome`,
    :attr:`last_feedback`, :attr:`finished`, :attr:`trials_done`,
    :attr:`trials_planned` (practice included).
    """

    game_id: ClassVar[str]
    window_param: ClassVar[str | None] = None
    """The parameter (ms) of the response window that the ``"response"`` phase has."""
    stimulus: ClassVar[str] = "stimulus"
    """The ``stimulus`` named by the default :meth:`stimulus_shown`'s onsets."""

    def __init__(
        self,
        params: Mapping[str, Any],
        schedule: Sequence[TrialT],
        sink: EventSink,
        phases: type[PhaseT],
    ) -> None:
        self._params = dict(params)
        self._schedule = tuple(schedule)
        self._sink = sink
        self._idle = phases("idle")
        self._done = phases("finished")
        self._phase = self._idle if self._schedule else self._done
        self._next = 0
        self._started: TrialT | None = None
        self._last: OutcomeT | None = None
        self._feedback: Mapping[str, Any] | None = None
        self._onset: int | None = None

    # ---- read-only state -----------------------------------------------------------
    @property
    def params(self) -> Mapping[str, Any]:
        return MappingProxyType(self._params)

    @property
    def schedule(self) -> tuple[TrialT, ...]:
        return self._schedule

    @property
    def phase(self) -> PhaseT:
        return self._phase

    @property
    def trial_running(self) -> bool:
        """A trial has started and has not ended yet."""
        return self._phase not in (self._idle, self._done)

    @property
    def current_trial(self) -> TrialT | None:
        """The trial in progress, else the next one to start, else ``None`` (finished)."""
        if self.trial_running:
            return self._running
        return None if self.finished else self._upcoming()

    @property
    def stimulus_onset_ns(self) -> int | None:
        """Stamp of the stimulus frame in the current trial."""
        return self._onset

    @property
    def current_deadline_ns(self) -> int | None:
        """Time-out, ns after the stimulus onset, while a response is awaited."""
        window_ms = self._window_ms()
        return None if window_ms is None else window_ms * 1_000_000

    @property
    def deadline_at_ns(self) -> int | None:
        """Absolute stamp at which the view should call the game's ``timeout``."""
        rel = self.current_deadline_ns
        return None if rel is None or self._onset is None else self._onset + rel

    @property
    def last_outcome(self) -> OutcomeT | None:
        return self._last

    @property
    def last_feedback(self) -> Mapping[str, Any] | None:
        """The feedback of the last ended trial, or ``None`` if none is shown."""
        return self._feedback

    @property
    def finished(self) -> bool:
        return self._phase is self._done

    @property
    def trials_done(self) -> int:
        return self._next - 1 if self.trial_running else self._next

    @property
    def trials_planned(self) -> int:
        return len(self._schedule)

    # ---- bookkeeping for the game's calls ------------------------------------------
    def _upcoming(self) -> TrialT | None:
        """The next trial to start, ``None`` when none is left (by default: the schedule's)."""
        return self._schedule[self._next] if self._next < len(self._schedule) else None

    @property
    def _running(self) -> TrialT:
        """The trial in progress (only while one runs)."""
        if self._started is None:
            return self._schedule[self._next - 1]
        return self._started

    def _begin(self, t_ns: int, phase: PhaseT, extra: Mapping[str, Any]) -> TrialT:
        """Start the next trial in ``phase``; emits ``trial_start`` (design + ``extra``)."""
        if self._phase is not self._idle:
            raise RuntimeError(f"start_trial: not allowed in phase {self._phase.value!r}")
        trial = self._upcoming()
        assert trial is not None  # idle: a trial is left
        self._started = trial
        self._next += 1
        self._phase = phase
        self._feedback = None
        self._onset = None
        payload = trial.design()
        payload.update(extra)
        self._sink.emit("trial_start", payload, trial_index=trial.index, t_ns=t_ns)
        return trial

    def _emit(self, kind: str, payload: Mapping[str, Any], t_ns: int) -> None:
        """An event of the trial in progress."""
        self._sink.emit(kind, payload, trial_index=self._running.index, t_ns=t_ns)

    def _emit_onset(
        self, kind: str, t_ns: int, method: str, refresh_ns: int, **fields: Any
    ) -> None:
        """An onset of the trial in progress: ``fields`` plus the stamping method."""
        self._emit(kind, {**fields, "method": method, "refresh_ns": refresh_ns}, t_ns)

    def _input_problem(
        self, known: bool, t_ns: int, window_ms: int, unknown: str = "unknown_key"
    ) -> str | None:
        """Why a key stamped ``t_ns`` is no response (``None``: it is one).

        ``"unknown_key"`` (not a response key), ``"before_onset"`` (no stimulus yet)
        or ``"late"`` (after the response window of ``window_ms``).
        """
        if not known:
            return unknown
        if self._onset is None or t_ns < self._onset:
            return "before_onset"
        if t_ns - self._onset > window_ms * 1_000_000:
            return "late"
        return None

    def _response_rt(
        self, known: bool, t_ns: int, ignored: Mapping[str, Any], unknown: str = "unknown_key"
    ) -> float | None:
        """The RT (ms after the onset) of an input stamped ``t_ns`` that is the response.

        For a trial that takes one response within the window of :attr:`window_param`.
        ``None`` when no trial runs or the input is no response (see
        :meth:`_input_problem`): then it is recorded as ``ignored_input`` (``ignored``
        and the ``reason``), and one that came after the window ends the trial as a
        time-out (:meth:`timeout`).
        """
        if not self.trial_running:
            return None
        assert self.window_param is not None
        window_ms = int(self._params[self.window_param])
        reason = self._input_problem(known, t_ns, window_ms, unknown)
        if reason is not None:
            self._emit("ignored_input", {**ignored, "reason": reason}, t_ns)
            if reason == "late":
                self.timeout(t_ns)
            return None
        assert self._onset is not None
        return (t_ns - self._onset) / 1e6

    def _end_unanswered(self, trial: TrialT, t_ns: int) -> None:
        """End ``trial`` at its time-out, without a response (see :meth:`timeout`)."""
        raise NotImplementedError

    def _window_ms(self) -> int | None:
        """The current phase's time limit (ms after the onset), ``None`` when it has none.

        The default: :attr:`window_param` in the ``"response"`` phase. A game whose
        phases have other limits (or a limit per trial) overrides it.
        """
        if self.window_param is not None and self._phase.value == "response":
            return int(self._params[self.window_param])
        return None

    def _give_feedback(self, trial: TrialT, t_ns: int, payload: Mapping[str, Any]) -> None:
        self._feedback = MappingProxyType(dict(payload))
        self._sink.emit("feedback", self._feedback, trial_index=trial.index, t_ns=t_ns)

    def _close(
        self,
        trial: TrialT,
        t_ns: int,
        payload: Mapping[str, Any],
        outcome: OutcomeT,
        *,
        end_game: bool = False,
    ) -> None:
        """Emit ``trial_end``, keep ``outcome``, go idle (or finish) and flush.

        The game finishes after the last scheduled trial, or after this one when
        ``end_game`` (a game that stops early, e.g. at a time limit).
        """
        self._sink.emit("trial_end", payload, trial_index=trial.index, t_ns=t_ns)
        self._last = outcome
        self._phase = self._idle
        self._sink.flush()
        if end_game or self._upcoming() is None:
            self._phase = self._done
            self._sink.flush(durable=True)

    def _close_on_input(
        self,
        t_ns: int,
        response: Mapping[str, Any],
        shown: Mapping[str, Any],
        end: Mapping[str, Any],
        outcome: OutcomeT,
    ) -> None:
        """Close the running trial on the input stamped ``t_ns`` that decided it.

        Emits ``response``, then ``feedback`` (``shown``), then ``trial_end`` (``shown``
        and ``end``), and closes as :meth:`_close` does.
        """
        trial = self._running
        self._emit("response", response, t_ns)
        self._give_feedback(trial, t_ns, shown)
        self._close(trial, t_ns, {**shown, **end}, outcome)

    # ---- calls from the view -------------------------------------------------------
    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the trial's screen was presented at ``t_ns``.

        The default, for a screen that stays for the whole trial: every frame reported
        while a trial runs gives a ``stimulus_onset`` naming :attr:`stimulus` (the
        first one's stamp is :attr:`stimulus_onset_ns`); between trials it is ignored
        (``False``). A game with a stimulus phase overrides it.
        """
        if not self.trial_running:
            return False
        if self._onset is None:
            self._onset = t_ns
        self._emit_onset("stimulus_onset", t_ns, method, refresh_ns, stimulus=self.stimulus)
        return True

    def timeout(self, t_ns: int) -> bool:
        """The response window has passed at ``t_ns`` without a response.

        The default: in the ``"response"`` phase the trial ends unanswered
        (:meth:`_end_unanswered`, ``True``); otherwise nothing happens (``False``). A
        game whose phases have other limits overrides it.
        """
        if self._phase.value != "response":
            return False
        self._end_unanswered(self._running, t_ns)
        return True

    def summary_extra(self) -> Mapping[str, Any]:
        """What the game adds to its :class:`GameSummary`."""
        return {}

    def summary(self) -> GameSummary:
        return GameSummary(
            game_id=self.game_id,
            completed=self.finished,
            trials_done=self.trials_done,
            trials_planned=self.trials_planned,
            extra=dict(self.summary_extra()),
        )


class RoleTrial(DesignedTrial, Protocol):
    """A scheduled round in which the candidate plays ``role``."""

    @property
    def role(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RoleOutcome:
    """How a round ended: the candidate's role and both players' payoffs.

    A game's outcome adds what was decided (an offer, the transfers).
    """

    trial_index: int
    role: str
    payoff_self: int
    payoff_partner: int


RoleTrialT = TypeVar("RoleTrialT", bound=RoleTrial)
RoleOutcomeT = TypeVar("RoleOutcomeT", bound=RoleOutcome)


class RoleTask(TrialTask[RoleTrialT, OpenPhase, RoleOutcomeT]):
    """A game played in rounds against a simulated partner, the candidate in a role.

    Each round is one decision screen (:class:`OpenPhase`; its onsets name the
    ``"decision"``) and ends in :meth:`_end_round`; the candidate's payoffs over the
    main rounds add up to :attr:`earnings`, which the summary reports.
    """

    stimulus = "decision"

    def __init__(
        self, params: Mapping[str, Any], schedule: Sequence[RoleTrialT], sink: EventSink
    ) -> None:
        super().__init__(params, schedule, sink, OpenPhase)
        self._earnings = 0

    @property
    def role(self) -> str | None:
        """The candidate's role in the current (or next) round."""
        trial = self.current_trial
        return None if trial is None else trial.role

    @property
    def earnings(self) -> int:
        """The candidate's payoffs, summed over the main rounds ended so far."""
        return self._earnings

    @property
    def amount_limit(self) -> int:
        """The most the candidate may enter in the current round (0 up to it)."""
        raise NotImplementedError

    def _begin_round(self, t_ns: int, extra: Mapping[str, Any]) -> RoleTrialT:
        """Start the next round on its decision screen (see :meth:`TrialTask._begin`)."""
        return self._begin(t_ns, OpenPhase.OPEN, extra)

    def _check_amount(self, call: str, amount: int) -> None:
        """An amount the candidate enters must be a whole number in 0..:attr:`amount_limit`."""
        most = self.amount_limit
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= most:
            raise ValueError(f"{call}: amount must be an integer in 0..{most}, got {amount!r}")

    def _running_as(self, role: str) -> RoleTrialT | None:
        """The round in progress if the candidate plays ``role`` in it."""
        if not self.trial_running or self._running.role != role:
            return None
        return self._running

    def _end_round(
        self,
        trial: RoleTrialT,
        t_ns: int,
        shown: Mapping[str, Any],
        end: Mapping[str, Any],
        outcome: RoleOutcomeT,
    ) -> None:
        """Close ``trial`` on the decision stamped ``t_ns``.

        Feedback ``shown``, then ``trial_end`` with the role, ``end`` and the practice
        flag; a main round adds the candidate's payoff to :attr:`earnings`.
        """
        self._give_feedback(trial, t_ns, shown)
        if not trial.practice:
            self._earnings += outcome.payoff_self
        self._close(trial, t_ns, {"role": trial.role, **end, "practice": trial.practice}, outcome)

    def summary_extra(self) -> Mapping[str, Any]:
        return {"earnings": self._earnings}


def first_event(trial: Sequence[EventRecord], kind: str, **match: Any) -> EventRecord | None:
    """A trial's first event of ``kind`` whose payload holds ``match``, or ``None``."""
    return next(
        (
            e
            for e in trial
            if e.kind == kind and all(e.payload.get(k) == v for k, v in match.items())
        ),
        None,
    )


def events_within(
    trial: Sequence[EventRecord], kind: str, onset: EventRecord | None, window_ms: int
) -> list[EventRecord]:
    """A trial's events of ``kind`` stamped from ``onset`` to ``window_ms`` after it.

    Both ends count; without an onset there are none.
    """
    if onset is None:
        return []
    end_ns = onset.t_ns + window_ms * 1_000_000
    return [e for e in trial if e.kind == kind and onset.t_ns <= e.t_ns <= end_ns]


def ms_between(earlier: EventRecord | None, later: EventRecord | None) -> float:
    """Milliseconds from one event's stamp to another's (NaN when either is missing)."""
    if earlier is None or later is None:
        return float("nan")
    return (later.t_ns - earlier.t_ns) / 1e6


_DTYPES: Mapping[str, Any] = MappingProxyType(
    {"int": np.int64, "float": np.float64, "bool": np.bool_, "str": np.str_}
)
_CASTS: Mapping[str, Any] = MappingProxyType({"i": int, "f": float, "b": bool, "U": str})
_SOURCES = ("index", "design", "outcome")


def _dtype(name: str) -> Any:
    """The numpy type a ``table.toml`` dtype names."""
    if name in _DTYPES:
        return _DTYPES[name]
    if name.startswith("<U") and name[2:].isdigit():
        return np.dtype(name)
    raise ValueError(f"unknown column dtype {name!r}: int, float, bool, str or <U<width>")


@dataclass(frozen=True, slots=True)
class Column:
    """One declared trial-table column (see the module docstring)."""

    name: str
    dtype: Any
    description: str
    source: str | None = None

    def value(self, start: EventRecord, end: EventRecord) -> Any:
        """The value its ``source`` gives in the trial from ``start`` to ``end``."""
        if self.source == "index":
            return start.trial_index
        payload = start.payload if self.source == "design" else end.payload
        return _CASTS[np.dtype(self.dtype).kind](payload[self.name])


class TableSchema:
    """A game's declared trial-table columns: names, numpy types, meanings, sources."""

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns = tuple(columns)
        for column in self.columns:
            if column.source is not None and column.source not in _SOURCES:
                raise ValueError(f"column {column.name!r}: unknown source {column.source!r}")

    @classmethod
    def load(cls, game_id: str) -> TableSchema:
        """The columns declared in ``table.toml`` of the game ``games.<game_id>``."""
        columns = []
        for name, entry in game_data(game_id, "table.toml").items():
            unknown = set(entry) - {"dtype", "description", "source"}
            if unknown or not entry.get("description"):
                raise ValueError(f"{game_id}: column {name!r} needs a description, no {unknown}")
            columns.append(
                Column(name, _dtype(entry["dtype"]), entry["description"], entry.get("source"))
            )
        return cls(columns)

    @property
    def descriptions(self) -> Mapping[str, str]:
        """Each column's description, in column order (a game's ``COLUMNS``)."""
        return MappingProxyType({c.name: c.description for c in self.columns})

    @property
    def dtypes(self) -> Mapping[str, Any]:
        """Each column's numpy type, in column order."""
        return MappingProxyType({c.name: c.dtype for c in self.columns})

    def builder(self) -> TableBuilder:
        """An empty table of these columns."""
        return TableBuilder(self)


class TableBuilder:
    """A trial table's rows, turned into columns (numpy arrays) by :meth:`columns`.

    Every row names every column of ``schema``, either given to :meth:`add` or, with
    :meth:`add_trial`, taken from the trial's events as the column's ``source`` says.
    """

    def __init__(self, schema: TableSchema) -> None:
        self._schema = schema
        self._names = tuple(c.name for c in schema.columns)
        self._rows: dict[str, list[Any]] = {name: [] for name in self._names}

    def add(self, **row: Any) -> None:
        if set(row) != set(self._names):
            missing = sorted(set(self._names) - set(row))
            extra = sorted(set(row) - set(self._names))
            raise KeyError(f"a row needs every column: missing {missing}, unknown {extra}")
        for name in self._names:
            self._rows[name].append(row[name])

    def add_trial(self, trial: Sequence[EventRecord], **computed: Any) -> None:
        """A row for ``trial`` (its events, ``trial_start`` to ``trial_end``).

        The columns with a ``source`` come from the trial's index, design or outcome;
        ``computed`` gives the others.
        """
        start, end = trial[0], trial[-1]
        sourced = {c.name: c.value(start, end) for c in self._schema.columns if c.source}
        clash = sorted(set(sourced) & set(computed))
        if clash:
            raise KeyError(f"columns taken from the events are not computed: {clash}")
        self.add(**sourced, **computed)

    def columns(self) -> dict[str, NDArray[Any]]:
        dtypes = self._schema.dtypes
        return {name: np.asarray(values, dtype=dtypes[name]) for name, values in self._rows.items()}
