"""First run: creating the first administrator, with the keyboard alone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.access import auth


def _fill(first_run) -> None:
    first_run.username.setText("ada")
    first_run.display.setText("Ada Lovelace")
    first_run.password.setText("correct horse")
    first_run.confirm.setText("correct horse")
    first_run.pin.setText("1234")


@pytest.mark.slow
@pytest.mark.parametrize("field", ["username", "display", "password", "confirm", "pin"])
def test_enter_in_any_field_creates_the_administrator(window, qtbot, store, field) -> None:
    first_run = window.open("first_run")
    _fill(first_run)
    qtbot.keyClick(getattr(first_run, field), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_screen().name == "console", timeout=10_000)
    assert auth.has_admin(store)
    assert window.context.state.actor is not None
    assert window.context.state.actor.username == "ada"


@pytest.mark.slow
def test_enter_with_differing_passwords_explains_and_creates_nobody(window, qtbot, store) -> None:
    first_run = window.open("first_run")
    _fill(first_run)
    first_run.confirm.setText("correct horsE")
    qtbot.keyClick(first_run.username, Qt.Key.Key_Enter)
    assert first_run.card.message.text() == "The two passwords differ."
    assert not auth.has_admin(store)
