"""The check-in screen: display choices that fit, reset for each candidate, translated errors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from kiosk.shell.texts import shell_text


def _settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(10)
    QApplication.processEvents()


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1024, 720), (800, 600)])
@pytest.mark.parametrize("language", ["en", "de"])
def test_larger_text_does_not_clip_the_display_choices(
    window, qtbot, artefacts, size, language
) -> None:
    checkin = window.open("checkin")
    checkin.language.setCurrentIndex(checkin.language.findData(language))
    checkin.larger.setChecked(True)
    checkin.contrast.setChecked(True)
    window.resize(*size)
    _settle(qtbot)
    assert checkin.larger.font().pixelSize() == 21  # the larger text is applied
    card = checkin.card.rect()
    for box in (checkin.larger, checkin.contrast, checkin.language, checkin.language_label):
        hint, shown = box.sizeHint(), box.geometry().size()
        assert hint.width() <= shown.width() and hint.height() <= shown.height(), box
        corner = box.mapTo(checkin.card, box.rect().topLeft())
        assert card.contains(QRect(corner, shown)), box
    assert window.rect().contains(checkin.card.geometry())
    window.grab().save(str(artefacts / f"checkin-large-{language}-{size[0]}x{size[1]}.png"))


@pytest.mark.slow
def test_the_next_candidate_starts_from_the_default_display(window, qtbot) -> None:
    state = window.context.state
    checkin = window.open("checkin")
    checkin.language.setCurrentIndex(checkin.language.findData("de"))
    checkin.larger.setChecked(True)
    checkin.contrast.setChecked(True)
    checkin.code.setText("ABC")
    assert (state.language, state.large_text, state.high_contrast) == ("de", True, True)
    assert "font-size: 21px" in window.styleSheet()

    # Returning to the screen as it was (a cancelled unlock) keeps the choices.
    window.open("home")
    window.reveal("checkin")
    assert (state.language, state.large_text, state.high_contrast) == ("de", True, True)

    # The station opens check-in again for the next candidate (after "complete").
    window.open("checkin")
    assert (state.language, state.large_text, state.high_contrast) == ("en", False, False)
    assert checkin.language.currentData() == "en"
    assert not checkin.larger.isChecked() and not checkin.contrast.isChecked()
    assert checkin.code.text() == ""
    assert checkin.card.title.text() == shell_text("en", "checkin_title")
    assert "font-size: 21px" not in window.styleSheet()
    assert checkin.larger.font().pixelSize() == 15


def test_reset_for_next_candidate_can_be_called_directly(window) -> None:
    state = window.context.state
    checkin = window.open("checkin")
    checkin.larger.setChecked(True)
    checkin.language.setCurrentIndex(checkin.language.findData("de"))
    checkin.reset_for_next_candidate()
    assert (state.language, state.large_text, state.high_contrast) == ("en", False, False)
    assert checkin.larger.text() == shell_text("en", "larger_text")


def test_an_error_follows_a_change_of_language(window, qtbot) -> None:
    checkin = window.open("checkin")
    checkin.code.setText("NOPE42")
    checkin.go.click()
    qtbot.waitUntil(lambda: checkin.card.message.isVisible(), timeout=10_000)
    assert checkin.card.message.text() == shell_text("en", "bad_code")

    checkin.language.setCurrentIndex(checkin.language.findData("de"))
    assert checkin.card.message.text() == shell_text("de", "bad_code")
    assert checkin.card.message.text() != shell_text("en", "bad_code")
    checkin.language.setCurrentIndex(checkin.language.findData("en"))
    assert checkin.card.message.text() == shell_text("en", "bad_code")
