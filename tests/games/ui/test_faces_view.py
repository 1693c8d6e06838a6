"""Faces through the real widget: procedural faces, seven clickable labels, keys 1 to 7."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest

from games.engine import palette
from games.engine.qt.view import Stage
from games.faces import task
from games.faces.bot import Bot, BotParams
from games.faces.view import FacesView, expression_for, paint_face
from tests.games.ui.screens import go_on
from tests.games.ui.test_view_contract import FAST
from tests.games.ui.timed_games import (
    assert_frame_stamped,
    first_frame_at_or_after,
    make_view,
    of_kind,
    play,
    shoot_when,
)

SHORT = FAST["faces"].params
SPEED = 0.4  # choices after about 400-600 ms


def bot(seed: int = 1) -> Bot:
    return Bot(BotParams(recognition=6.0), np.random.default_rng(seed))


@pytest.mark.slow
def test_bot_clicks_labels_to_the_end(qtbot, artefacts) -> None:
    view, sink = make_view(qtbot, FacesView, task, SHORT, seed=9)
    shots = shoot_when(
        view,
        sink,
        artefacts / "games" / "faces.png",
        lambda e: e.kind == "stimulus_onset" and e.trial_index == 2,
    )
    summary = play(qtbot, view, bot(), speed=SPEED)
    events = sink.events
    assert summary.trials_done == 8
    assert shots
    table = task.trial_table(events)
    assert table["practice"].tolist() == [True] + [False] * 7
    # Every choice came from a click on a label; RTs from the stamped click.
    assert set(table["choice"]) <= set(task.options_for(SHORT))
    rts = table["rt_ms"][~table["timeout"]]
    assert rts.size >= 7 and np.all(rts > 150) and np.all(rts < 10_000)
    assert table["correct"].sum() >= 4  # a good recogniser at intensity 0.6
    # Only the practice trial has feedback.
    assert [f.trial_index for f in of_kind(events, "feedback")] == [0]
    assert np.all(np.isnan(table["face_shown_ms"]))  # stimulus_ms = 0: the face stayed


@pytest.mark.slow
def test_face_leaves_after_stimulus_ms_and_labels_stay(qtbot) -> None:
    params = {
        "n_practice": 0,
        "emotions": ["happiness"],
        "intensities": [1.0],
        "repeats": 1,
        "n_neutral": 1,
        "fixation_ms": 200,
        "stimulus_ms": 200,
        "iti_ms": 200,
    }
    view, sink = make_view(qtbot, FacesView, task, params)
    summary = play(qtbot, view, bot(), speed=1.0)
    assert summary.completed
    table = task.trial_table(sink.events)
    refresh_ns = view.frames.refresh_ns
    assert np.all(table["face_shown_ms"] >= 200 - 1)
    assert np.all(table["face_shown_ms"] <= 200 + 3 * refresh_ns / 1e6)
    assert_frame_stamped(sink.events, ("stimulus_offset",))
    for onset, offset in zip(
        of_kind(sink.events, "stimulus_onset"), of_kind(sink.events, "stimulus_offset"), strict=True
    ):
        assert first_frame_at_or_after(
            view.frames.presented_ns, refresh_ns, offset.t_ns, onset.t_ns + 200_000_000
        )


@pytest.mark.slow
def test_number_keys_choose_labels_in_screen_order(qtbot) -> None:
    view, sink = make_view(qtbot, FacesView, task, {**SHORT, "n_practice": 0})
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.RESPONSE, timeout=5000)
    QTest.keyClick(view.canvas, Qt.Key.Key_4)
    assert of_kind(sink.events, "response")[0].payload["choice"] == view.task.options[3]
    # Seven labels, inside the window, not overlapping.
    boxes = view.option_boxes(QRectF(view.canvas.rect()))
    assert len(boxes) == 7
    for k, box in enumerate(boxes):
        assert QRectF(view.canvas.rect()).contains(box)
        assert not any(box.intersects(other) for other in boxes[k + 1 :])


def test_expressions_grow_with_intensity_and_a_sheet_for_people(artefacts, qapp) -> None:
    assert expression_for("neutral", 1.0) == expression_for("happiness", 0.0)
    smile = [expression_for("happiness", i).mouth_curve for i in (0.33, 0.67, 1.0)]
    assert smile == sorted(smile) and smile[0] > 0
    assert expression_for("surprise", 1.0).mouth_open > expression_for("fear", 1.0).mouth_open
    assert expression_for("anger", 1.0).brow_inner < 0 < expression_for("sadness", 1.0).brow_inner
    # A sheet of every emotion at every default intensity, for people to look at.
    emotions = ("neutral", *task.EMOTIONS)
    cell = 200
    image = QImage(cell * len(emotions), cell * 3, QImage.Format.Format_ARGB32)
    image.fill(QColor(palette.BACKGROUND))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for col, emotion in enumerate(emotions):
        for row, intensity in enumerate(task.DEFAULT_PARAMS["intensities"]):
            paint_face(
                painter,
                QPointF((col + 0.5) * cell, (row + 0.5) * cell),
                80,
                emotion,
                intensity,
                identity=(col + row) % 4,
            )
    painter.end()
    (artefacts / "games").mkdir(exist_ok=True)
    assert image.save(str(artefacts / "games" / "faces-expressions.png"))


def test_same_seed_same_schedule(qtbot) -> None:
    first, _ = make_view(qtbot, FacesView, task, SHORT, seed=3)
    again, _ = make_view(qtbot, FacesView, task, SHORT, seed=3)
    assert first.task.schedule == again.task.schedule


@pytest.mark.slow
def test_pause_swallows_inputs_and_resume_continues(qtbot) -> None:
    view, sink = make_view(qtbot, FacesView, task, {**SHORT, "n_practice": 0})
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.RESPONSE, timeout=5000)
    view.pause()
    assert view.stage is Stage.PAUSED
    how, where = view.input_for("anger")
    QTest.mouseClick(
        view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where.toPoint()
    )
    assert not of_kind(sink.events, "response") and view.task.trial_running
    view.resume()
    QTest.mouseClick(
        view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where.toPoint()
    )
    assert how == "click" and of_kind(sink.events, "response")[0].payload["choice"] == "anger"
