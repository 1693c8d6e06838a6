"""Faces on screen: a schematic face drawn from its emotion and intensity, seven labels.

After a fixation cross the face appears on the first frame presented ``fixation_ms``
or more after the cross's frame; that frame is the stimulus onset. With
``stimulus_ms`` > 0 the face goes on the first frame at or after that duration from
its onset (stamped to ``task.stimulus_hidden``); the labels stay. The candidate
clicks a label or presses its number (1 to 7, in the labels' order). Practice trials
show feedback for ``feedback_ms``.

The faces are drawn procedurally (:func:`paint_face`). Each emotion moves a few
features from the neutral face - brows (height, inner corners), eye opening, mouth
corners, mouth opening and width, and, for single emotions, a cheek raise
(happiness), a brow furrow (anger), a wrinkled nose and raised upper lip (disgust) -
after the action units that define the expressions (Ekman & Friesen's FACS:
happiness AU6+12, sadness AU1+4+15, anger AU4+5+7+23, fear AU1+2+4+5+20+26,
surprise AU1+2+5+26, disgust AU9+10+15). ``intensity`` scales every movement
linearly from neutral (0) to the full expression (1), like a morph. ``identity``
varies the face shape, skin tone and hair, so no label is tied to one drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath

from games.api import EventSink, GameConfig
from games.engine import palette
from games.engine.qt.timed import TimedView, draw_fixation, draw_line, key_name, pen
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, BotMove
from games.faces.task import FacesTask, Phase

# The task's option labels -> the keys of their words in resources/i18n.
LABEL_KEYS = {
    "anger": "angry",
    "disgust": "disgusted",
    "fear": "fearful",
    "happiness": "happy",
    "sadness": "sad",
    "surprise": "surprised",
    "neutral": "neutral",
}
FIXATION, FACE, GONE = "fixation", "face", "gone"


@dataclass(frozen=True, slots=True)
class Expression:
    """Feature movements from the neutral face, in units of the head's radius."""

    brow_raise: float = 0.0  # whole brow up (+) or down (-)
    brow_inner: float = 0.0  # inner brow corners up (+, sad/fear) or down (-, anger)
    eye_open: float = 1.0  # eye opening, x neutral
    cheek: float = 0.0  # cheeks raised, lower lids pushed up (happiness)
    mouth_curve: float = 0.0  # mouth corners up (+) or down (-)
    mouth_open: float = 0.0  # lips apart, 0..1
    mouth_width: float = 1.0  # x neutral
    lip_raise: float = 0.0  # upper lip raised on one side (disgust)
    nose_wrinkle: float = 0.0  # disgust
    furrow: float = 0.0  # lowered, drawn-together brows (anger)

    def towards(self, full: Expression, intensity: float) -> Expression:
        """The expression ``intensity`` of the way from this one to ``full``."""
        k = min(1.0, max(0.0, intensity))
        return Expression(
            *(a + k * (b - a) for a, b in zip(_values(self), _values(full), strict=True))
        )


def _values(expression: Expression) -> tuple[float, ...]:
    return tuple(getattr(expression, name) for name in Expression.__slots__)


NEUTRAL = Expression()
FULL = {
    "happiness": Expression(
        brow_raise=0.02,
        eye_open=0.78,
        cheek=1.0,
        mouth_curve=1.0,
        mouth_open=0.45,
        mouth_width=1.25,
    ),
    "sadness": Expression(
        brow_inner=0.16, brow_raise=-0.03, eye_open=0.78, mouth_curve=-0.85, mouth_width=0.9
    ),
    "anger": Expression(
        brow_raise=-0.08,
        brow_inner=-0.13,
        eye_open=0.72,
        mouth_curve=-0.3,
        mouth_width=0.8,
        furrow=1.0,
    ),
    "fear": Expression(
        brow_raise=0.07,
        brow_inner=0.09,
        eye_open=1.5,
        mouth_curve=-0.35,
        mouth_open=0.45,
        mouth_width=1.2,
    ),
    "surprise": Expression(
        brow_raise=0.15, brow_inner=0.02, eye_open=1.55, mouth_open=1.0, mouth_width=0.62
    ),
    "disgust": Expression(
        brow_raise=-0.05,
        brow_inner=-0.05,
        eye_open=0.68,
        mouth_curve=-0.5,
        mouth_open=0.12,
        mouth_width=0.95,
        lip_raise=1.0,
        nose_wrinkle=1.0,
    ),
}

SKIN = ("#f6e2cf", "#eccba9", "#ddb48f", "#c99a74")
HAIR = ("#3a2e28", "#6b4d36", "#8a8a8a", "#1f1f1f", "#a3703f")


def expression_for(emotion: str, intensity: float) -> Expression:
    """The face's features for ``emotion`` at ``intensity`` (0 neutral .. 1 full)."""
    full = FULL.get(emotion)
    return NEUTRAL if full is None else NEUTRAL.towards(full, intensity)


def paint_face(
    painter: QPainter,
    centre: QPointF,
    radius: float,
    emotion: str,
    intensity: float,
    identity: int,
) -> None:
    """Draw the schematic face of ``identity`` showing ``emotion`` at ``intensity``."""
    e = expression_for(emotion, intensity)
    r = radius
    aspect = (0.80, 0.86, 0.83, 0.89)[identity % 4]
    eye_dx = (0.34, 0.37, 0.35, 0.39, 0.36)[identity % 5] * r
    skin = QColor(SKIN[(identity * 3) % len(SKIN)])
    hair = QColor(HAIR[(identity * 2 + identity // 5) % len(HAIR)])
    line = max(1.5, 0.035 * r)
    head = QRectF(centre.x() - aspect * r, centre.y() - r, 2 * aspect * r, 2 * r)

    # Ears, head, hair.
    painter.setPen(pen(palette.INK, line))
    painter.setBrush(skin)
    for sign in (-1, 1):
        painter.drawEllipse(centre + QPointF(sign * aspect * r, 0.02 * r), 0.12 * r, 0.2 * r)
    painter.drawEllipse(head)
    outline = QPainterPath()
    outline.addEllipse(head)
    hairline = QPainterPath()
    tilt = (-0.12, 0.0, 0.12, 0.06)[identity % 4] * r
    top = centre.y() - (0.58, 0.62, 0.54)[identity % 3] * r
    hairline.moveTo(head.left() - r, top + tilt)
    hairline.lineTo(head.right() + r, top - tilt)
    hairline.lineTo(head.right() + r, head.top() - r)
    hairline.lineTo(head.left() - r, head.top() - r)
    hairline.closeSubpath()
    painter.setBrush(hair)
    painter.drawPath(outline.intersected(hairline))

    # Eyes: white, iris clipped by the lids, lids drawn on top.
    eye_y = centre.y() - 0.12 * r
    eye_w = 0.13 * r
    eye_h = 0.07 * r * e.eye_open
    for sign in (-1, 1):
        eye = QRectF(centre.x() + sign * eye_dx - eye_w, eye_y - eye_h, 2 * eye_w, 2 * eye_h)
        shape = QPainterPath()
        shape.addEllipse(eye)
        if e.cheek > 0:  # raised cheeks push the lower lid up
            cheek = QPainterPath()
            cheek.addEllipse(
                QRectF(
                    eye.left() - eye_w, eye.bottom() - e.cheek * 0.45 * eye_h, 4 * eye_w, 3 * eye_h
                )
            )
            shape = shape.subtracted(cheek)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.WHITE))
        painter.drawPath(shape)
        painter.save()
        painter.setClipPath(shape)
        painter.setBrush(QColor("#4a3a2e"))
        painter.drawEllipse(eye.center(), 0.06 * r, 0.06 * r)
        painter.setBrush(QColor(palette.INK))
        painter.drawEllipse(eye.center(), 0.028 * r, 0.028 * r)
        painter.restore()
        painter.setPen(pen(palette.INK, line * 0.9))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(shape)
        if e.cheek > 0.2:  # the crease under a smiling eye
            painter.setPen(pen(palette.INK, line * 0.6))
            crease = QPainterPath()
            crease.moveTo(eye.left(), eye.bottom() + 0.05 * r)
            crease.quadTo(
                eye.center().x(),
                eye.bottom() + 0.05 * r - 0.06 * r * e.cheek,
                eye.right(),
                eye.bottom() + 0.05 * r,
            )
            painter.drawPath(crease)

    # Brows: outer ends follow the brow's height, inner ends move on their own.
    brow_y = eye_y - 0.17 * r - e.brow_raise * r
    painter.setPen(pen(palette.INK, 0.055 * r))
    for sign in (-1, 1):
        inner = QPointF(centre.x() + sign * (eye_dx - 0.16 * r), brow_y - e.brow_inner * r)
        outer = QPointF(centre.x() + sign * (eye_dx + 0.17 * r), brow_y + 0.02 * r)
        # A moving inner corner straightens the brow's arch.
        arch = QPointF(
            (inner.x() + outer.x()) / 2,
            (inner.y() + outer.y()) / 2 - 0.05 * r * max(0.0, 1 - abs(e.brow_inner) * 8),
        )
        brow = QPainterPath(inner)
        brow.quadTo(arch, outer)
        painter.drawPath(brow)
    if e.furrow > 0.05:  # vertical lines between lowered brows
        painter.setPen(pen(palette.INK, line * 0.6))
        for sign in (-1, 1):
            x = centre.x() + sign * 0.045 * r
            painter.drawLine(
                QPointF(x, brow_y - 0.02 * r), QPointF(x, brow_y + 0.09 * r * e.furrow)
            )

    # Nose, with wrinkles across its bridge for disgust.
    painter.setPen(pen(palette.INK, line * 0.9))
    nose = QPainterPath(QPointF(centre.x() + 0.01 * r, centre.y() - 0.02 * r))
    nose.quadTo(
        QPointF(centre.x() + 0.07 * r, centre.y() + 0.14 * r),
        QPointF(centre.x() + 0.06 * r, centre.y() + 0.18 * r),
    )
    nose.quadTo(
        QPointF(centre.x(), centre.y() + 0.22 * r),
        QPointF(centre.x() - 0.06 * r, centre.y() + 0.18 * r),
    )
    painter.drawPath(nose)
    if e.nose_wrinkle > 0.05:  # short creases either side of the bridge
        painter.setPen(pen(palette.INK, line * 0.6))
        for sign in (-1, 1):
            for k in range(2):
                y = centre.y() - 0.03 * r + k * 0.06 * r
                start = QPointF(centre.x() + sign * 0.07 * r, y)
                end = QPointF(
                    centre.x() + sign * (0.07 + 0.07 * e.nose_wrinkle) * r,
                    y - 0.03 * r * e.nose_wrinkle,
                )
                painter.drawLine(start, end)

    _paint_mouth(painter, centre, r, e, line)


def _paint_mouth(painter: QPainter, centre: QPointF, r: float, e: Expression, line: float) -> None:
    """Lips as two curves between the corners; an open mouth is filled between them."""
    y0 = centre.y() + 0.46 * r
    half = 0.25 * r * e.mouth_width
    lift = 0.11 * r * e.mouth_curve  # corners up for a smile, down for a frown
    gap = 0.2 * r * e.mouth_open
    sneer = 0.07 * r * e.lip_raise  # the upper lip pulled up on the left
    left = QPointF(centre.x() - half, y0 - lift - sneer * 0.5)
    right = QPointF(centre.x() + half, y0 - lift)
    upper = QPainterPath(left)
    upper.cubicTo(
        QPointF(centre.x() - half / 3, y0 + lift - gap - sneer),
        QPointF(centre.x() + half / 3, y0 + lift - gap - sneer * 0.2),
        right,
    )
    lower = QPainterPath(right)
    lower.cubicTo(
        QPointF(centre.x() + half / 3, y0 + lift + gap),
        QPointF(centre.x() - half / 3, y0 + lift + gap),
        left,
    )
    if gap > 0.01 * r:
        opening = QPainterPath(upper)
        opening.connectPath(lower)
        opening.closeSubpath()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#5a2a2a"))
        painter.drawPath(opening)
        if e.mouth_curve > 0.3:  # a smile shows the upper teeth
            painter.save()
            painter.setClipPath(opening)
            painter.setBrush(QColor(palette.WHITE))
            painter.drawRect(QRectF(left.x(), y0 - lift - gap, 2 * half, gap * 0.8 + lift))
            painter.restore()
    painter.setPen(pen(palette.INK, line * 1.1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(upper)
    painter.drawPath(lower)
    if e.lip_raise > 0.3:  # the fold from the nose wing towards the raised corner (AU10)
        painter.setPen(pen(palette.INK, line * 0.4 + line * 0.4 * e.lip_raise))
        start = QPointF(centre.x() - 0.11 * r, centre.y() + 0.14 * r)
        end = QPointF(left.x() - 0.04 * r, left.y() + 0.02 * r)
        reach = 0.3 + 0.7 * e.lip_raise
        fold = QPainterPath(start)
        fold.quadTo(
            QPointF(start.x() - 0.1 * r, start.y() + 0.08 * r), start + (end - start) * reach
        )
        painter.drawPath(fold)


class FacesView(TimedView[FacesTask]):
    game_id = "faces"

    def make_task(self, config: GameConfig, sink: EventSink) -> FacesTask:
        self._screen = FIXATION
        return FacesTask(config.params, config.seed, sink)

    def label(self, option: str) -> str:
        return self.texts.get("faces", LABEL_KEYS[option])

    def instruction_values(self) -> dict[str, object]:
        return {"n": len(self.task.options)}

    # -- geometry shared by painting and clicking --------------------------------------

    def option_boxes(self, rect: QRectF) -> list[QRectF]:
        """The options' buttons: one row if the window is wide enough, else balanced rows."""
        u = self.unit(rect)
        n = len(self.task.options)
        gap, height = 0.8 * u, 3.0 * u
        max_cols = max(1, int((rect.width() - 2 * u + gap) // (9 * u + gap)))
        rows = math.ceil(n / min(n, max_cols))
        cols = math.ceil(n / rows)
        width = min(12 * u, (rect.width() - 2 * u - (cols - 1) * gap) / cols)
        boxes = []
        top = rect.bottom() - 2.5 * u - rows * height - (rows - 1) * gap
        for k in range(n):
            row, col = divmod(k, cols)
            in_row = min(cols, n - row * cols)
            left = rect.center().x() - (in_row * width + (in_row - 1) * gap) / 2
            boxes.append(
                QRectF(left + col * (width + gap), top + row * (height + gap), width, height)
            )
        return boxes

    def input_for(self, action: BotMove) -> BotAction:
        boxes = self.option_boxes(QRectF(self.canvas.rect()))
        return ("click", boxes[self.task.options.index(str(action))].center())

    # -- frames ------------------------------------------------------------------------

    def start_screens(self, t_ns: int) -> None:
        self._screen = FIXATION
        self.stamp_screen(FIXATION)

    def trial_frame(self, t_ns: int) -> None:
        task = self.task
        p = task.params
        fixation = self.screens.get(FIXATION)
        onset = task.stimulus_onset_ns
        if fixation is not None:
            self.change_at(FACE, fixation + int(p["fixation_ms"]) * 1_000_000, self._show_face)
        duration_ms = int(p["stimulus_ms"])
        if onset is not None and duration_ms > 0 and task.phase is Phase.RESPONSE:
            self.change_at(GONE, onset + duration_ms * 1_000_000, self._hide_face)
        self.check_deadline(t_ns)

    def _show_face(self) -> None:
        self._screen = FACE
        self.show_stimulus(self.task.stimulus_shown)

    def _hide_face(self) -> None:
        self._screen = GONE
        self.on_next_frame(self.task.stimulus_hidden)

    # -- input -------------------------------------------------------------------------

    def respond_to(self, event: StampedInput) -> bool:
        task = self.task
        if not task.trial_running:
            return False
        choice = None
        if event.device == "key":
            name = key_name(event.key)
            if name.isdigit() and 1 <= int(name) <= len(task.options):
                choice = task.options[int(name) - 1]
        elif event.x is not None and event.y is not None:
            point = QPointF(event.x, event.y)
            for option, box in zip(
                task.options, self.option_boxes(QRectF(self.canvas.rect())), strict=True
            ):
                if box.contains(point):
                    choice = option
        if choice is None:
            return False
        return bool(task.respond(choice, event.t_ns))

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        boxes = self.option_boxes(area)
        # The face sits in the middle of the space above the labels.
        space_top, space_bottom = area.top() + 3 * u, boxes[0].top() - 1.5 * u
        radius = min(8 * u, (space_bottom - space_top) / 2.2)
        centre = QPointF(area.center().x(), (space_top + space_bottom) / 2)
        trial = task.current_trial
        running = bool(task.trial_running)
        if running and trial is not None:
            if self._screen == FIXATION:
                draw_fixation(painter, centre, u)
            elif self._screen == FACE:
                paint_face(painter, centre, radius, trial.emotion, trial.intensity, trial.identity)
        elif self.showing_feedback() and task.last_feedback is not None:
            feedback = task.last_feedback
            message = str(feedback["message"])
            text = self.texts.get("faces", message, answer=self.label(str(feedback["answer"])))
            draw_line(
                painter,
                area,
                centre.y() - 2 * u,
                4 * u,
                text,
                self.make_font(area, 1.6, bold=True),
                palette.ACCENT if message == "correct" else palette.VERMILLION,
            )
        self._paint_options(painter, area, boxes, active=running)

    def _paint_options(
        self, painter: QPainter, area: QRectF, boxes: list[QRectF], *, active: bool
    ) -> None:
        u = self.unit(area)
        label_font = self.make_font(area, 1.05, bold=True)
        number_font = self.make_font(area, 0.8, bold=True)
        ink = QColor(palette.INK if active else palette.MUTED)
        for k, (option, box) in enumerate(zip(self.task.options, boxes, strict=True)):
            painter.setPen(pen(palette.INK if active else palette.MUTED, 0.08 * u))
            painter.setBrush(QColor(palette.WHITE))
            painter.drawRoundedRect(box, 0.6 * u, 0.6 * u)
            badge = QRectF(box.left() + 0.5 * u, box.center().y() - 0.8 * u, 1.6 * u, 1.6 * u)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(palette.ACCENT_SOFT))
            painter.drawRoundedRect(badge, 0.3 * u, 0.3 * u)
            painter.setPen(ink)
            painter.setFont(number_font)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(k + 1))
            painter.setFont(label_font)
            text_box = QRectF(
                badge.right() + 0.3 * u,
                box.top(),
                box.right() - badge.right() - 0.8 * u,
                box.height(),
            )
            painter.drawText(text_box, Qt.AlignmentFlag.AlignCenter, self.label(option))
