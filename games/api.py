"""The contract between the kiosk and its games.

A game is a sub-package of :mod:`games` with three modules:

- ``task.py``: pure rules, the seeded schedule, payoffs, and ``trial_table(events)``
  which turns stored events into columns (numpy arrays); it defines the names of
  :data:`TASK_EXPORTS`. No Qt.
- ``view.py``: the Qt widget that presents the task.
- ``bot.py``: a simulated player with documented behavioural parameters.

A game talks to the world only through the :class:`EventSink` it is handed. It never
imports :mod:`kiosk`, SQLAlchemy or another game; across games only this module is
shared. This module is Qt-free so that bots, scoring and simulations run headless.

Event conventions (every game follows them, scoring relies on them):

=================  ===========================================================
kind               meaning
=================  ===========================================================
``trial_start``    a trial begins; payload holds the trial's scheduled design
``stimulus_onset`` a stimulus became visible; payload names it, plus the
                   stamping ``method`` and ``refresh_ns``
``response``       an input was accepted; ``t_ns`` is the input's own stamp
``feedback``       feedback shown to the candidate
``trial_end``      the trial is over; payload holds its outcome
=================  ===========================================================

Games may add kinds of their own (``pump``, ``tap``, ``choice`` ...); they document
them in their ``task.py``. Conventions shared by several games:

- ``stimulus_onset`` may occur more than once in a trial (each digit of a span, each
  attempt at a tower), told apart by a payload field;
- ``feedback`` and ``trial_end`` carry the stamp of the input (or deadline) that
  decided the trial;
- ``ignored_input`` (payload ``reason``) records an input the game did not use, e.g.
  one that came before the stimulus was on screen (``before_onset``) or too late;
- ``pause``/``resume``, ``game_interrupted`` and ``frame_stats`` come from the shared
  game view, not from a task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Self, TypeVar, runtime_checkable

__all__ = [
    "TASK_EXPORTS",
    "BotInput",
    "BotParamsLike",
    "BotPolicy",
    "ConfigError",
    "EventRecord",
    "EventSink",
    "Game",
    "GameConfig",
    "GameRegistry",
    "GameSummary",
    "GameTask",
    "ListSink",
    "ScheduledTrial",
    "completed_trials",
    "events_of",
]


TASK_EXPORTS: tuple[str, ...] = (
    "COLUMNS",
    "DEFAULT_PARAMS",
    "DISPLAY_NAME",
    "GAME_ID",
    "VERSION",
    "make_schedule",
    "trial_table",
    "validate_params",
)
"""The names every game's ``task.py`` defines and lists in its ``__all__``.

The catalog, scoring and the exports read them: ``GAME_ID``, ``DISPLAY_NAME`` and
``VERSION``; ``DEFAULT_PARAMS`` and ``validate_params(params)``, which merges a
battery file's ``params`` over the defaults and checks every value, returning the
full set or raising :class:`ConfigError` naming the key and what is allowed;
``make_schedule(params, seed)``, the seeded trials; ``trial_table(events)``, one row
per completed trial, and ``COLUMNS``, each column's description.
"""


class ConfigError(ValueError):
    """A game configuration names an unknown key or a value out of range."""


@runtime_checkable
class EventSink(Protocol):
    """Where a game sends its events.

    ``emit`` must be cheap: the kiosk's sink only stamps and enqueues. ``t_ns`` is a
    ``time.perf_counter_ns()`` stamp; when omitted the sink stamps the call itself.
    Pass the input's own stamp for responses. ``flush`` returns once every event
    emitted so far is committed; a game calls it at each trial end, and with
    ``durable=True`` at its end.
    """

    def emit(
        self,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        trial_index: int | None = None,
        t_ns: int | None = None,
    ) -> None: ...

    def flush(self, durable: bool = False) -> None: ...


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One stored event as a game's ``trial_table`` receives it."""

    seq: int
    t_ns: int
    kind: str
    trial_index: int | None
    payload: Mapping[str, Any]


@dataclass
class ListSink:
    """An in-memory sink for simulations and tests: events become :class:`EventRecord`."""

    events: list[EventRecord] = field(default_factory=list)
    clock: Callable[[], int] | None = None
    flushes: int = 0

    def emit(
        self,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        trial_index: int | None = None,
        t_ns: int | None = None,
    ) -> None:
        if t_ns is None:
            if self.clock is None:
                import time

                t_ns = time.perf_counter_ns()
            else:
                t_ns = self.clock()
        self.events.append(
            EventRecord(len(self.events) + 1, t_ns, kind, trial_index, dict(payload or {}))
        )

    def flush(self, durable: bool = False) -> None:
        self.flushes += 1


@dataclass(frozen=True, slots=True)
class GameConfig:
    """A game's configuration: defaults merged with a battery file's overrides.

    ``seed`` fixes the schedule: the same seed and parameters give the same trials.
    ``text_scale`` enlarges the game's text for a candidate who chose larger text
    (1.0: the standard size); it changes how things look, never the schedule.
    """

    game_id: str
    seed: int
    params: Mapping[str, Any]
    language: str = "en"
    text_scale: float = 1.0

    def get(self, key: str) -> Any:
        return self.params[key]


@dataclass(frozen=True, slots=True)
class GameSummary:
    """What a game hands back when it finishes (or is interrupted)."""

    game_id: str
    completed: bool
    trials_done: int
    trials_planned: int
    extra: Mapping[str, Any] = field(default_factory=dict)


class Game(Protocol):
    """What the kiosk needs to know about a game."""

    @property
    def id(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def default_params(self) -> Mapping[str, Any]: ...

    def validate_params(self, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return the full parameter set or raise :class:`ConfigError`."""
        ...

    def create_widget(self, config: GameConfig, sink: EventSink, parent: Any = None) -> Any:
        """Return the game's Qt widget (typed ``Any`` so this module stays Qt-free)."""
        ...


class ScheduledTrial(Protocol):
    """What the shared view reads of a scheduled trial: its index and practice flag."""

    @property
    def index(self) -> int: ...

    @property
    def practice(self) -> bool: ...


class GameTask(Protocol):
    """A game's rules as its view, the shared game view and the bot see them.

    A task never reads a clock: every call carries the stamp of the frame or input
    it reports. Read-only state is exposed as properties; ``start_trial`` begins the
    next scheduled trial; ``stimulus_shown`` reports the frame that showed the
    stimulus (``False`` when the task was not waiting for it).
    """

    @property
    def params(self) -> Mapping[str, Any]: ...

    @property
    def schedule(self) -> Sequence[ScheduledTrial]: ...

    @property
    def current_trial(self) -> ScheduledTrial | None: ...

    @property
    def trial_running(self) -> bool: ...

    @property
    def finished(self) -> bool: ...

    @property
    def trials_done(self) -> int: ...

    @property
    def trials_planned(self) -> int: ...

    @property
    def last_feedback(self) -> Mapping[str, Any] | None: ...

    def start_trial(self, t_ns: int) -> object: ...

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool: ...

    def summary(self) -> GameSummary: ...


@dataclass(frozen=True, slots=True)
class BotInput:
    """A simulated player's next input and its delay (s) after the screen it answers.

    ``action`` is what the game's view performs: a key name (``"f"``, ``"space"``)
    for the keyed games, or ``(kind, value)`` for the games played by clicking
    (``("choose", "A")``, ``("digit", 7)``, ``("respond", True)``).
    """

    action: str | tuple[str, Any]
    delay_s: float

    @property
    def key(self) -> str:
        """The key name of a keyed input."""
        if not isinstance(self.action, str):
            raise TypeError(f"not a key input: {self.action!r}")
        return self.action

    @property
    def kind(self) -> str:
        """``"key"`` for a key input, else the kind of a ``(kind, value)`` input."""
        return "key" if isinstance(self.action, str) else self.action[0]

    @property
    def value(self) -> Any:
        """The value of a ``(kind, value)`` input (the option, deck or digit)."""
        if isinstance(self.action, str):
            raise TypeError(f"not a (kind, value) input: {self.action!r}")
        return self.action[1]


TaskT_contra = TypeVar("TaskT_contra", contravariant=True)


class BotPolicy(Protocol[TaskT_contra]):
    """A simulated player: reads the task's observable state, returns its next input.

    ``None`` means nothing to do now (or no response at all on this trial).
    """

    def next_input(self, task: TaskT_contra) -> BotInput | None: ...


class BotParamsLike(Protocol):
    """Behavioural parameters of a simulated player, with a population sampler."""

    @classmethod
    def sample(cls, rng: Any) -> Self: ...


class GameRegistry:
    """Games by id; refuses a second game with an id already taken."""

    def __init__(self) -> None:
        self._games: dict[str, Game] = {}

    def register(self, game: Game) -> Game:
        if game.id in self._games:
            raise ValueError(f"a game with id {game.id!r} is already registered")
        self._games[game.id] = game
        return game

    def get(self, game_id: str) -> Game:
        try:
            return self._games[game_id]
        except KeyError:
            known = ", ".join(sorted(self._games)) or "none"
            raise KeyError(f"unknown game {game_id!r}; known games: {known}") from None

    def ids(self) -> list[str]:
        return list(self._games)

    def __contains__(self, game_id: object) -> bool:
        return game_id in self._games

    def __iter__(self) -> Iterator[Game]:
        return iter(self._games.values())

    def __len__(self) -> int:
        return len(self._games)


def events_of(events: Sequence[EventRecord], kind: str) -> list[EventRecord]:
    """The events of one kind, in stored order."""
    return [e for e in events if e.kind == kind]


def completed_trials(events: Sequence[EventRecord]) -> list[list[EventRecord]]:
    """Each completed trial's events, from its last ``trial_start`` to its ``trial_end``.

    A trial that started again (after an interruption) keeps only its last start; a
    trial without ``trial_end`` (the game stopped during it) is left out.
    """
    open_trials: dict[int, list[EventRecord]] = {}
    done: list[list[EventRecord]] = []
    for event in sorted(events, key=lambda e: e.seq):
        index = event.trial_index
        if index is None:
            continue
        if event.kind == "trial_start":
            open_trials[index] = [event]
        elif index in open_trials:
            open_trials[index].append(event)
            if event.kind == "trial_end":
                done.append(open_trials.pop(index))
    return done
