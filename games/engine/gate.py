"""Which inputs may advance a "continue" screen.

A continue screen (a game's instructions, an interstitial, its end screen, the break
between games) goes on at Space, Enter or a click. Inputs aimed at the screen before
it, though, arrive there too: Space presses left over from pumping a balloon, a key
held down across the change of screen and repeating. A :class:`ContinueGate` lets an
input advance its screen only when all of these hold:

1. the screen has been on for at least ``min_shown_ms`` (:data:`MIN_SHOWN_MS`),
   counted from the presentation stamp of the first frame that showed it - not from
   when it was asked for, and never from a timer;
2. for a key, the press is not an auto-repeat of a held key;
3. for a key, the key was not already down when the screen appeared: a press that
   began before the screen must be released, and the key pressed again.

Every input the gate turns away is described by a :class:`GatedInput`, whose
:meth:`~GatedInput.payload` is what the owner records as an ``input_gated`` event
(``reason``: ``too_soon``, ``auto_repeat`` or ``held_from_before``; ``device``;
``key``; ``ms_since_shown``, ``None`` while no frame has shown the screen yet).

The gate's life follows the screen's: :meth:`~ContinueGate.arm` when the screen is
asked for, :meth:`~ContinueGate.painted` when a frame draws it, and
:meth:`~ContinueGate.presented` with that frame's stamp. Only a frame painted after
``arm`` opens the clock, so a frame already drawn before the change cannot.

The gate is Qt-free: it reads inputs through the small :class:`GateInput` protocol
(the input stamper's :class:`~games.engine.qt.timing.StampedInput` satisfies it) and
stamps as ``time.perf_counter_ns()`` integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "AUTO_REPEAT",
    "HELD_FROM_BEFORE",
    "MIN_SHOWN_MS",
    "TOO_SOON",
    "ContinueGate",
    "GateInput",
    "GatedInput",
]

MIN_SHOWN_MS = 700
"""How long a continue screen is on before an input may advance it.

Long enough to outlast a burst of presses meant for the previous screen (people
pumping a balloon press Space every 150-300 ms, and a reaction to a new screen takes
at least 200-300 ms), short enough that nobody who has read the screen waits for it.
"""

TOO_SOON = "too_soon"
AUTO_REPEAT = "auto_repeat"
HELD_FROM_BEFORE = "held_from_before"


class GateInput(Protocol):
    """What the gate reads from an input (``StampedInput`` has these fields)."""

    @property
    def t_ns(self) -> int: ...

    @property
    def device(self) -> str: ...

    @property
    def key(self) -> int | None: ...

    @property
    def auto_repeat(self) -> bool: ...

    @property
    def held_since_ns(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class GatedInput:
    """An input the gate did not let through, and why."""

    t_ns: int
    reason: str
    device: str
    key: int | None
    ms_since_shown: float | None

    def payload(self) -> dict[str, Any]:
        """The payload of the ``input_gated`` event that records it."""
        return {
            "reason": self.reason,
            "device": self.device,
            "key": self.key,
            "ms_since_shown": self.ms_since_shown,
        }


class ContinueGate:
    """Decides whether an input may advance one continue screen (see the module doc)."""

    def __init__(self, min_shown_ms: int = MIN_SHOWN_MS) -> None:
        if min_shown_ms < 0:
            raise ValueError("min_shown_ms must not be negative")
        self.min_shown_ns = min_shown_ms * 1_000_000
        self.shown_ns: int | None = None  # stamp of the first frame that showed the screen
        self._armed = False  # a screen was asked for and no frame has drawn it yet
        self._painted = False  # a frame drew it and has not been presented yet

    def arm(self) -> None:
        """A new screen was asked for: forget the last one, wait for its first frame."""
        self.shown_ns = None
        self._armed = True
        self._painted = False

    def painted(self) -> None:
        """A frame drew the armed screen; its presentation will start the clock."""
        if self._armed:
            self._painted = True

    def presented(self, t_ns: int) -> None:
        """A frame was presented at ``t_ns``; if it showed the armed screen, it is on."""
        if self._painted:
            self.shown_ns = t_ns
            self._armed = self._painted = False

    def ready(self, now_ns: int) -> bool:
        """Whether an input stamped at ``now_ns`` would be early no longer."""
        return self.shown_ns is not None and now_ns - self.shown_ns >= self.min_shown_ns

    def ms_since_shown(self, t_ns: int) -> float | None:
        if self.shown_ns is None:
            return None
        return (t_ns - self.shown_ns) / 1e6

    def check(self, event: GateInput) -> GatedInput | None:
        """``None`` when ``event`` may advance the screen, else why it may not."""
        reason: str | None = None
        began = event.held_since_ns
        if event.device == "key" and (
            event.auto_repeat or (began is not None and began < event.t_ns)
        ):
            # The key was already down: since before the screen, or since a press on it.
            if began is None or self.shown_ns is None or began < self.shown_ns:
                reason = HELD_FROM_BEFORE
            else:
                reason = AUTO_REPEAT
        if reason is None and not self.ready(event.t_ns):
            reason = TOO_SOON
        if reason is None:
            return None
        return GatedInput(
            t_ns=event.t_ns,
            reason=reason,
            device=event.device,
            key=event.key,
            ms_since_shown=self.ms_since_shown(event.t_ns),
        )
