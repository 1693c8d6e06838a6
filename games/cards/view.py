"""Cards on screen: four face-down decks in a row, the money at the top.

Keys 1 to 4, or a click (tap) on a deck, take its top card. The decks look alike; only
their letters A-D tell them apart, so nothing but experience favours one. After a pick
the decks dim, the chosen card lies face up with what it won and what it cost, and the
money updates; the next pick starts when the decks come back. Practice picks show
their win and leave the money untouched (see :mod:`games.cards.task`).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from games.api import EventSink, GameConfig
from games.cards.task import DECKS, CardsTask
from games.engine import palette
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, BotMove, GameView, kind_and_value

DECK_KEYS = {int(Qt.Key.Key_1) + i: deck for i, deck in enumerate(DECKS)}


def _amount(value: int, language: str) -> str:
    """``2,000`` in English, ``2.000`` in German; a real minus sign."""
    text = f"{abs(value):,}"
    if language == "de":
        text = text.replace(",", ".")
    return f"−{text}" if value < 0 else text


class CardsView(GameView[CardsTask]):
    game_id = "cards"
    iti_ms = 1500  # the face-up card stays this long before the decks come back

    def make_task(self, config: GameConfig, sink: EventSink) -> CardsTask:
        return CardsTask(config.params, config.seed, sink)

    # -- flow ---------------------------------------------------------------------------

    def next_is_practice(self) -> bool:
        trial = self.task.current_trial
        return bool(trial is not None and trial.practice)

    def current_is_practice(self) -> bool:
        task = self.task
        if not task.trial_running and task.last_outcome is not None:
            return task.last_outcome.practice  # the feedback on screen is this pick's
        return super().current_is_practice()

    # -- geometry shared by painting and clicking --------------------------------------

    def _decks(self, rect: QRectF) -> list[QRectF]:
        u = self.unit(rect)
        w, h, gap = 7.0 * u, 10.0 * u, 2.0 * u
        left = rect.center().x() - (len(DECKS) * w + (len(DECKS) - 1) * gap) / 2
        top = rect.top() + rect.height() * 0.46 - h / 2
        return [QRectF(left + i * (w + gap), top, w, h) for i in range(len(DECKS))]

    def input_for(self, action: BotMove) -> BotAction:
        kind, deck = kind_and_value(action)
        if kind != "choose":
            raise ValueError(f"cards: no input for action {action!r}")
        return ("click", self._decks(QRectF(self.canvas.rect()))[DECKS.index(deck)].center())

    # -- input -------------------------------------------------------------------------

    def trial_input(self, event: StampedInput) -> bool:
        task = self.task
        if event.device == "key":
            deck = DECK_KEYS.get(event.key or 0)
            return task.choose(deck, event.t_ns) if deck is not None else False
        if event.x is None or event.y is None:
            return False
        point = QPointF(event.x, event.y)
        for deck, box in zip(DECKS, self._decks(QRectF(self.canvas.rect())), strict=True):
            if box.contains(point):
                return task.choose(deck, event.t_ns)
        return False

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        t = self.texts
        language = self.config.language
        painter.setPen(QColor(palette.INK))
        painter.setFont(self.make_font(area, 1.2, bold=True))
        header = QRectF(area.left(), area.top() + 1.5 * u, area.width(), 2.5 * u)
        painter.drawText(
            header,
            Qt.AlignmentFlag.AlignCenter,
            t.get("cards", "bank", amount=_amount(task.bank, language)),
        )
        decks = self._decks(area)
        below = QRectF(area.left(), decks[0].bottom() + 3.0 * u, area.width(), 2.5 * u)
        if task.trial_running:
            for deck, box in zip(DECKS, decks, strict=True):
                self._paint_back(painter, area, box, deck, dim=False)
            painter.setPen(QColor(palette.MUTED))
            painter.setFont(self.make_font(area, 1.1))
            painter.drawText(below, Qt.AlignmentFlag.AlignCenter, t.get("cards", "choose"))
            return
        outcome = task.last_outcome
        if outcome is None:
            return  # before the first pick: the decks' first appearance is the onset
        for deck, box in zip(DECKS, decks, strict=True):
            if deck == outcome.deck:
                self._paint_face(painter, area, box, deck, outcome.win, outcome.loss)
            else:
                self._paint_back(painter, area, box, deck, dim=True)
        painter.setFont(self.make_font(area, 1.4, bold=True))
        painter.setPen(QColor(palette.ACCENT))
        painter.drawText(
            below,
            Qt.AlignmentFlag.AlignCenter,
            t.get("cards", "win", amount=_amount(outcome.win, language)),
        )
        if outcome.loss:
            painter.setPen(QColor(palette.VERMILLION))
            painter.drawText(
                below.translated(0, 2.6 * u),
                Qt.AlignmentFlag.AlignCenter,
                t.get("cards", "loss", amount=_amount(outcome.loss, language)),
            )

    def _paint_back(
        self, painter: QPainter, area: QRectF, box: QRectF, deck: str, *, dim: bool
    ) -> None:
        u = self.unit(area)
        fill = QColor(palette.ACCENT_SOFT if dim else palette.ACCENT)
        ink = QColor(palette.ACCENT if dim else palette.WHITE)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 0.8 * u, 0.8 * u)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(ink, max(1.0, 0.15 * u)))
        inner = box.adjusted(0.6 * u, 0.6 * u, -0.6 * u, -0.6 * u)
        painter.drawRoundedRect(inner, 0.5 * u, 0.5 * u)
        painter.setFont(self.make_font(area, 3.6, bold=True))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, deck)
        self._paint_key(painter, area, box, deck)

    def _paint_key(self, painter: QPainter, area: QRectF, box: QRectF, deck: str) -> None:
        """The key that takes this deck, under it."""
        u = self.unit(area)
        painter.setPen(QColor(palette.MUTED))
        painter.setFont(self.make_font(area, 1.0, bold=True))
        key_box = QRectF(box.left(), box.bottom() + 0.4 * u, box.width(), 1.8 * u)
        painter.drawText(key_box, Qt.AlignmentFlag.AlignCenter, str(DECKS.index(deck) + 1))

    def _paint_face(
        self, painter: QPainter, area: QRectF, box: QRectF, deck: str, win: int, loss: int
    ) -> None:
        u = self.unit(area)
        language = self.config.language
        painter.setBrush(QColor(palette.WHITE))
        painter.setPen(QPen(QColor(palette.INK), max(1.0, 0.15 * u)))
        painter.drawRoundedRect(box, 0.8 * u, 0.8 * u)
        painter.setFont(self.make_font(area, 1.3, bold=True))
        corner = QRectF(box.left() + 0.7 * u, box.top() + 0.5 * u, 3 * u, 2 * u)
        painter.drawText(corner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, deck)
        rows = [(f"+{_amount(win, language)}", palette.ACCENT)]
        if loss:
            rows.append((f"−{_amount(loss, language)}", palette.VERMILLION))
        # As large as fits: amounts are configurable and may have many digits.
        size = 1.6
        font = self.make_font(area, size, bold=True)
        while (
            size > 0.8
            and max(QFontMetricsF(font).horizontalAdvance(text) for text, _ in rows)
            > box.width() - 1.2 * u
        ):
            size -= 0.1
            font = self.make_font(area, size, bold=True)
        painter.setFont(font)
        row_h = 2.6 * u
        top = box.center().y() - row_h * len(rows) / 2 + 0.5 * u
        for k, (text, colour) in enumerate(rows):
            painter.setPen(QColor(colour))
            painter.drawText(
                QRectF(box.left(), top + k * row_h, box.width(), row_h),
                Qt.AlignmentFlag.AlignCenter,
                text,
            )
        self._paint_key(painter, area, box, deck)
