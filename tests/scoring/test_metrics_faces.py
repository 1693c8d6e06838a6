"""Faces metrics, and Wagner's unbiased hit rate against a hand-computed matrix.

Reference: Wagner (1993), J. Nonverbal Behav. 17:3–28.  The unbiased hit rate of
category i is Hu_i = a_i² / (b_i · c_i), with a_i the hits, b_i the number of
stimuli of category i presented (row total) and c_i the number of times response i
was used (column total).

Hand-computed matrix (rows shown, columns chosen; "none" = time-out):

============  =====  =========  =======  ====
shown         anger  happiness  neutral  none
============  =====  =========  =======  ====
anger         2      1          0        1
happiness     0      4          0        0
neutral       1      1          2        0
============  =====  =========  =======  ====

Column totals: anger 3, happiness 6, neutral 2.  Hu: anger 2²/(4·3) = 1/3,
happiness 4²/(4·6) = 2/3, neutral 2²/(4·2) = 1/2; mean (1/3 + 2/3 + 1/2)/3 = 1/2.
Accuracy: anger 2/4, happiness 4/4, neutral 2/4, overall 8/12.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.metrics import faces
from scoring.metrics.faces import confusion_matrix, unbiased_hit_rates

SHOWN = ["anger"] * 4 + ["happiness"] * 4 + ["neutral"] * 4
CHOSEN = (
    ["anger", "anger", "happiness", ""]
    + ["happiness"] * 4
    + ["neutral", "neutral", "happiness", "anger"]
)


def _table() -> dict[str, np.ndarray]:
    shown, chosen = np.array(SHOWN), np.array(CHOSEN)
    return {
        "practice": np.zeros(12, dtype=bool),
        "emotion": shown,
        "intensity": np.where(shown == "neutral", 0.0, 1.0),
        "choice": chosen,
        "correct": shown == chosen,
        "timeout": chosen == "",
        "rt_ms": np.where(chosen == "", np.nan, 900.0 + np.arange(12) * 10),
    }


def test_wagner_unbiased_hit_rates_by_hand() -> None:
    categories = ("anger", "happiness", "neutral")
    matrix = confusion_matrix(np.array(SHOWN), np.array([c or "none" for c in CHOSEN]), categories)
    np.testing.assert_array_equal(matrix, [[2, 1, 0, 1], [0, 4, 0, 0], [1, 1, 2, 0]])
    np.testing.assert_allclose(unbiased_hit_rates(matrix), [1 / 3, 2 / 3, 1 / 2])


def test_game_metrics_and_confusion_matrix() -> None:
    scores = faces.score(_table(), bootstrap=False)
    assert scores.value("unbiased_hit_rate") == pytest.approx(0.5)
    assert scores.value("unbiased_hit_rate_anger") == pytest.approx(1 / 3)
    assert scores.value("unbiased_hit_rate_happiness") == pytest.approx(2 / 3)
    assert scores.value("unbiased_hit_rate_neutral") == pytest.approx(1 / 2)
    assert scores.value("accuracy") == pytest.approx(8 / 12)
    assert scores.value("accuracy_anger") == 0.5
    assert math.isnan(scores.value("accuracy_fear"))
    assert scores.metrics["accuracy_fear"].flags == ("emotion_not_shown",)
    confusion = scores.matrices["confusion"]
    assert confusion.columns[-1] == "none"
    assert confusion.cell("anger", "none") == 1.0
    assert confusion.cell("neutral", "anger") == 1.0
    assert confusion.cell("happiness", "happiness") == 4.0


def test_never_using_a_label_gives_zero_hu_not_nan() -> None:
    table = _table()
    table["choice"] = np.where(table["emotion"] == "neutral", "happiness", table["choice"])
    scores = faces.score(table, bootstrap=False)
    assert scores.value("unbiased_hit_rate_neutral") == 0.0


def test_answering_one_label_everywhere_is_flagged() -> None:
    table = _table()
    table["choice"] = np.array(["happiness"] * 12)
    table["correct"] = table["emotion"] == "happiness"
    table["timeout"] = np.zeros(12, dtype=bool)
    scores = faces.score(table, bootstrap=False)
    assert "same_choice" in scores.flags
    assert scores.value("unbiased_hit_rate_happiness") == pytest.approx(16 / (4 * 12))
