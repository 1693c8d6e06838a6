"""The money-exchange games' shared screen: an amount selector, a Confirm button,
role announcements and the round's outcome.

:class:`AmountView` is the base of both exchange games' views. A round shows a
question, the amount with − and + buttons, a scale from 0 to the most allowed (a
click or tap on it picks that amount), a line saying what the amount means, and
Confirm. Keys: Left/Down and Right/Up (or − and +) change the amount by one, Enter
confirms. The amount starts at 0 in every round. Before each role's block a screen
says what the candidate does in it; after a decision the outcome shows until the
next round.

Every change of the amount is recorded as an ``amount_changed`` event (``amount``,
``via``: ``"key"``, ``"key_repeat"``, ``"button"`` or ``"scale"``) with the input's
stamp; the decision itself is the task's ``response``. Holding an amount key moves the
amount on, as in any number field: its auto-repeats count, as ``via`` ``"key_repeat"``.
An auto-repeated Enter (or any other key) is ignored, so a held Enter cannot confirm
the next round (see the table in :mod:`games.engine.qt.view`).

A game supplies :meth:`submit_amount`, :meth:`role_message`, :meth:`paint_decision`
and :meth:`paint_outcome`; its task (an :class:`AmountTask`) offers ``role``,
``amount_limit`` (the most the candidate may choose, see
:class:`~games.engine.trial.RoleTask`), ``trial_running``, ``finished``,
``current_trial``, ``last_outcome`` and ``schedule``.
"""

from __future__ import annotations

from typing import Protocol, TypeVar, Unpack

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from games.api import EventSink, GameConfig, GameTask
from games.engine import palette
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, GameView, Stage, TrialOutcome, ViewOptions

__all__ = ["AmountTask", "AmountView"]

LESS_KEYS = {int(Qt.Key.Key_Left), int(Qt.Key.Key_Down), int(Qt.Key.Key_Minus)}
MORE_KEYS = {int(Qt.Key.Key_Right), int(Qt.Key.Key_Up), int(Qt.Key.Key_Plus)}
CONFIRM_KEYS = {int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter)}


class AmountTask(GameTask, Protocol):
    """What :class:`AmountView` needs of its task (a :class:`~games.engine.trial.RoleTask`)."""

    @property
    def role(self) -> str | None: ...

    @property
    def amount_limit(self) -> int: ...

    @property
    def last_outcome(self) -> TrialOutcome | None: ...


AmountTaskT = TypeVar("AmountTaskT", bound=AmountTask, covariant=True)


class AmountView(GameView[AmountTaskT]):
    """Base of a view where the candidate chooses an amount and confirms it."""

    iti_ms = 2000

    def __init__(
        self,
        config: GameConfig,
        sink: EventSink,
        parent: QWidget | None = None,
        **options: Unpack[ViewOptions],
    ):
        super().__init__(config, sink, parent, **options)
        self.amount = 0  # the amount the selector shows
        self._announced: str | None = None  # the role whose block was last announced
        self._ended_ns: int | None = None  # first frame after the last round ended

    # -- hooks for the game ------------------------------------------------------------

    def amount_limit(self) -> int:
        """The most the candidate may choose in this round: the task's ``amount_limit``."""
        return self.task.amount_limit

    def submit_amount(self, t_ns: int) -> bool:
        """Hand the chosen amount to the task; True when it was taken."""
        raise NotImplementedError

    def role_message(self, role: str) -> str:
        """What the candidate does in ``role``'s block."""
        raise NotImplementedError

    def paint_decision(self, painter: QPainter, area: QRectF) -> None:
        raise NotImplementedError

    def paint_outcome(self, painter: QPainter, area: QRectF) -> None:
        raise NotImplementedError

    # -- flow ---------------------------------------------------------------------------

    def current_is_practice(self) -> bool:
        task = self.task
        if not task.trial_running and task.last_outcome is not None:
            return task.schedule[task.last_outcome.trial_index].practice
        return super().current_is_practice()

    def trial_started(self, t_ns: int) -> None:
        self.amount = 0
        self._ended_ns = None
        super().trial_started(t_ns)

    def trial_frame(self, t_ns: int) -> None:
        """Between rounds: before a role's block, say what the role is (after feedback)."""
        task = self.task
        role = task.role
        if task.trial_running or task.finished or role is None or role == self._announced:
            return
        if self._ended_ns is None:
            self._ended_ns = t_ns
        # The outcome stays up for most of the interval; the announcement must come
        # before the interval ends, when the next round would start.
        feedback_ns = self.iti_ms * 750_000
        if task.last_outcome is not None and t_ns - self._ended_ns < feedback_ns:
            return
        self._announced = role
        self._ended_ns = None
        self._message = self.role_message(role)
        self.stage = Stage.MESSAGE

    # -- geometry shared by painting and clicking --------------------------------------

    def _layout(self, rect: QRectF) -> dict[str, QRectF]:
        u = self.unit(rect)
        top = rect.top() + max(0.0, (rect.height() - 40 * u) / 2)
        cx = rect.center().x()
        side, value_w = 3.6 * u, 8.0 * u
        row_y = top + 13.0 * u
        scale_w = min(28.0 * u, rect.width() - 6 * u)
        return {
            "prompt": QRectF(cx - 18 * u, top + 4.0 * u, 36 * u, 7.0 * u),
            "minus": QRectF(cx - value_w / 2 - u - side, row_y, side, side),
            "value": QRectF(cx - value_w / 2, row_y, value_w, side),
            "plus": QRectF(cx + value_w / 2 + u, row_y, side, side),
            # The scale's click area is taller than the bar drawn in its middle.
            "scale": QRectF(cx - scale_w / 2, top + 18.4 * u, scale_w, 3.0 * u),
            "preview": QRectF(cx - 18 * u, top + 23.6 * u, 36 * u, 4.0 * u),
            "confirm": QRectF(cx - 6 * u, top + 28.4 * u, 12 * u, 3.2 * u),
        }

    def _scale_x(self, scale: QRectF, amount: int) -> float:
        return scale.left() + scale.width() * amount / max(1, self.amount_limit())

    def amount_input_for(self, amount: int) -> BotAction:
        """The click that moves the selector one step towards ``amount``, or confirms."""
        boxes = self._layout(QRectF(self.canvas.rect()))
        if self.amount < amount:
            return ("click", boxes["plus"].center())
        if self.amount > amount:
            return ("click", boxes["minus"].center())
        return ("click", boxes["confirm"].center())

    # -- input -------------------------------------------------------------------------

    def accepts_auto_repeat(self, event: StampedInput) -> bool:
        """A held amount key keeps moving the amount; nothing else repeats."""
        return (event.key or 0) in LESS_KEYS | MORE_KEYS

    def trial_input(self, event: StampedInput) -> bool:
        if event.device == "key":
            key = event.key or 0
            via = "key_repeat" if event.auto_repeat else "key"
            if key in LESS_KEYS:
                return self._set_amount(self.amount - 1, via, event.t_ns)
            if key in MORE_KEYS:
                return self._set_amount(self.amount + 1, via, event.t_ns)
            if key in CONFIRM_KEYS:
                return self.submit_amount(event.t_ns)
            return False
        if event.x is None or event.y is None:
            return False
        boxes = self._layout(QRectF(self.canvas.rect()))
        point = QPointF(event.x, event.y)
        if boxes["minus"].contains(point):
            return self._set_amount(self.amount - 1, "button", event.t_ns)
        if boxes["plus"].contains(point):
            return self._set_amount(self.amount + 1, "button", event.t_ns)
        scale = boxes["scale"]
        if scale.contains(point):
            picked = round((point.x() - scale.left()) / scale.width() * self.amount_limit())
            return self._set_amount(picked, "scale", event.t_ns)
        if boxes["confirm"].contains(point):
            return self.submit_amount(event.t_ns)
        return False

    def _set_amount(self, amount: int, via: str, t_ns: int) -> bool:
        amount = max(0, min(self.amount_limit(), amount))
        if amount == self.amount:
            return False
        self.amount = amount
        trial = self.task.current_trial
        self.sink.emit(
            "amount_changed",
            {"amount": amount, "via": via},
            trial_index=trial.index if trial is not None else None,
            t_ns=t_ns,
        )
        return True

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        if self.task.trial_running:
            self.paint_decision(painter, area)
        elif self.task.last_outcome is not None:
            self.paint_outcome(painter, area)

    def _inset(self, area: QRectF, box: QRectF) -> QRectF:
        """``box`` narrowed to the window with a margin (narrow windows)."""
        u = self.unit(area)
        left = max(box.left(), area.left() + 2 * u)
        right = min(box.right(), area.right() - 2 * u)
        return QRectF(left, box.top(), right - left, box.height())

    def _paint_prompt(self, painter: QPainter, area: QRectF, box: QRectF, text: str) -> None:
        painter.setPen(QColor(palette.INK))
        painter.setFont(self.make_font(area, 1.3, bold=True))
        painter.drawText(
            self._inset(area, box),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap,
            text,
        )

    def _paint_note(self, painter: QPainter, area: QRectF, box: QRectF, text: str) -> None:
        painter.setPen(QColor(palette.MUTED))
        painter.setFont(self.make_font(area, 1.1))
        painter.drawText(
            self._inset(area, box),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            text,
        )

    def _paint_selector(self, painter: QPainter, area: QRectF, boxes: dict[str, QRectF]) -> None:
        u = self.unit(area)
        limit = self.amount_limit()
        for name, sign in (("minus", "−"), ("plus", "+")):
            enabled = (self.amount > 0) if name == "minus" else (self.amount < limit)
            self._paint_button(
                painter,
                area,
                boxes[name],
                sign,
                palette.ACCENT_SOFT,
                size=2.0,
                enabled=enabled,
            )
        value = boxes["value"]
        painter.setBrush(QColor(palette.WHITE))
        painter.setPen(QPen(QColor(palette.MUTED), max(1.0, 0.08 * u)))
        painter.drawRoundedRect(value, 0.6 * u, 0.6 * u)
        painter.setPen(QColor(palette.INK))
        painter.setFont(self.make_font(area, 2.2, bold=True))
        painter.drawText(value, Qt.AlignmentFlag.AlignCenter, str(self.amount))
        # The scale: a track from 0 to the limit, filled up to the amount, with a knob.
        scale = boxes["scale"]
        bar_h = 1.0 * u
        track = QRectF(scale.left(), scale.center().y() - bar_h / 2, scale.width(), bar_h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.ACCENT_SOFT))
        painter.drawRoundedRect(track, bar_h / 2, bar_h / 2)
        knob_x = self._scale_x(scale, self.amount)
        if self.amount > 0:
            painter.setBrush(QColor(palette.ACCENT))
            filled = QRectF(track.left(), track.top(), knob_x - track.left(), bar_h)
            painter.drawRoundedRect(filled, bar_h / 2, bar_h / 2)
        painter.setBrush(QColor(palette.WHITE))
        painter.setPen(QPen(QColor(palette.ACCENT), max(1.5, 0.2 * u)))
        painter.drawEllipse(QPointF(knob_x, track.center().y()), 0.9 * u, 0.9 * u)
        painter.setPen(QColor(palette.MUTED))
        painter.setFont(self.make_font(area, 0.9, bold=True))
        for amount in (0, limit):
            x = self._scale_x(scale, amount)
            painter.drawText(
                QRectF(x - 3 * u, scale.bottom(), 6 * u, 1.6 * u),
                Qt.AlignmentFlag.AlignCenter,
                str(amount),
            )

    def _paint_button(
        self,
        painter: QPainter,
        area: QRectF,
        box: QRectF,
        label: str,
        colour: str,
        *,
        size: float = 1.1,
        enabled: bool = True,
    ) -> None:
        u = self.unit(area)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(box, 0.6 * u, 0.6 * u)
        ink = QColor(palette.WHITE if colour == palette.ACCENT else palette.INK)
        if not enabled:
            ink = QColor(palette.MUTED)
        painter.setPen(ink)
        painter.setFont(self.make_font(area, size, bold=True))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_rows(
        self, painter: QPainter, area: QRectF, rows: list[tuple[str, float, str, bool]]
    ) -> None:
        """Lines of text (text, size, colour, bold), wrapped, as a block centred on screen."""
        u = self.unit(area)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        width = min(area.width() - 4 * u, 36 * u)
        left = area.center().x() - width / 2
        blocks = []
        for text, size, colour, bold in rows:
            font = self.make_font(area, size, bold=bold)
            painter.setFont(font)
            height = painter.boundingRect(QRectF(left, 0, width, 1e6), flags, text).height()
            blocks.append((text, font, colour, height))
        gap = 1.0 * u
        y = area.center().y() - (sum(b[3] for b in blocks) + gap * (len(blocks) - 1)) / 2
        for text, font, colour, height in blocks:
            painter.setFont(font)
            painter.setPen(QColor(colour))
            painter.drawText(QRectF(left, y, width, height), flags, text)
            y += height + gap
