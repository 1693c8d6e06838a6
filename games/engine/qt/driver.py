"""Bots playing the real widgets through real input events.

A :class:`BotDriver` watches a :class:`~games.engine.qt.view.GameView` on a short timer.
On a continue screen it presses Space once the screen takes presses
(:meth:`~games.engine.qt.view.GameView.continue_ready`). While a trial is in play it
asks the game's bot policy (``bot.next_input(task)``) for its next action and delay,
waits that delay
(scaled by ``speed``), and performs the action as a real key press or mouse click on
the canvas via ``QTest``. The events pass through the application's input stamper
like a person's would, so the stored events come from the same path.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest

from games.api import BotPolicy, GameTask
from games.engine.qt.view import CONTINUE_STAGES, GameView, Stage

__all__ = ["BotDriver"]


class BotDriver(QObject):
    """Plays ``view`` with ``bot``; ``speed`` scales the bot's delays (0.05 = 20× faster)."""

    def __init__(
        self,
        view: GameView[GameTask],
        bot: BotPolicy[Any],
        *,
        speed: float = 0.05,
        tick_ms: int = 2,
    ):
        super().__init__(view)
        self.view = view
        self.bot = bot
        self.speed = speed
        self.actions = 0
        self._busy = False
        self._pending: QTimer | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(tick_ms)
        view.finished.connect(lambda _summary: self._timer.stop())

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        if self._busy:
            # A bot may change its mind when the screen changes (a stop signal): drop
            # the input it planned and ask it again.
            revise = getattr(self.bot, "wants_to_revise", None)
            if (
                self._pending is not None
                and callable(revise)
                and self.view.stage is Stage.RUNNING
                and revise(self.view.task)
            ):
                self._pending.stop()
                self._pending = None
                self._busy = False
            else:
                return
        stage = self.view.stage
        if stage in CONTINUE_STAGES:
            # Like a person, a bot reads the screen before it goes on: it presses only
            # once the screen takes presses (it has been on long enough).
            if self.view.continue_ready():
                self._later(0.05, ("key", Qt.Key.Key_Space))
            return
        if stage is not Stage.RUNNING or not self.view.trial_in_play():
            return
        if self.view.awaiting_onset:
            return
        move = self.bot.next_input(self.view.task)
        if move is None:
            return
        # What the view performs: a key name, or ``(kind, value)`` for the clicked games.
        self._later(move.delay_s, self.view.input_for(move.action))

    def _later(self, delay_s: float, action: tuple[str, Any]) -> None:
        self._busy = True
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._do(action, timer))
        self._pending = timer
        timer.start(max(0, round(delay_s * self.speed * 1000)))

    def _do(self, action: tuple[str, Any], timer: QTimer | None = None) -> None:
        if timer is not None and timer is not self._pending:
            return  # cancelled: the bot revised its plan
        self._pending = None
        self._busy = False
        if self.view.stage is Stage.DONE:
            return
        how, what = action
        canvas = self.view.canvas
        if how == "key":
            QTest.keyClick(canvas, what)
        elif how == "click":
            point = what.toPoint() if isinstance(what, QPointF) else QPoint(*what)
            QTest.mouseClick(
                canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
            )
        elif how == "none":
            pass
        else:
            raise ValueError(f"unknown bot action kind {how!r}")
        self.actions += 1
