"""Administration, users tab: disabling and enabling accounts from the screen."""

from __future__ import annotations

import pytest

from kiosk.access import auth
from kiosk.store.models import Role


@pytest.fixture
def admin_window(qtbot, store):
    from kiosk.shell.app import create_application
    from kiosk.shell.window import MainWindow

    create_application()
    auth.create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    ada = auth.authenticate(store, "ada", "correct horse")
    auth.create_user(store, ada, "pat", "proctor pass", Role.PROCTOR, pin="2468")
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.context.state.actor = ada
    yield window
    window.close()


def _select(admin, qtbot, username: str) -> None:
    qtbot.waitUntil(lambda: admin.users.count() == 2, timeout=10_000)
    for i in range(admin.users.count()):
        if admin.users.item(i).text().startswith(f"{username} —"):
            admin.users.setCurrentRow(i)
            return
    raise AssertionError(f"{username} is not listed")


@pytest.mark.slow
def test_disable_and_enable_a_user(qtbot, admin_window, store, artefacts) -> None:
    admin = admin_window.open("admin")
    qtbot.waitUntil(lambda: admin.users.count() == 2, timeout=10_000)
    assert not admin.disable_user.isEnabled() and not admin.enable_user.isEnabled()
    assert admin.disable_user.toolTip() == "Select a user in the list first."

    _select(admin, qtbot, "pat")
    assert admin.disable_user.isEnabled() and not admin.enable_user.isEnabled()
    admin.disable_user.click()
    qtbot.waitUntil(lambda: admin.status.text() == "Disabled pat.", timeout=10_000)
    qtbot.waitUntil(
        lambda: any(
            admin.users.item(i).text() == "pat — proctor (disabled)"
            for i in range(admin.users.count())
        ),
        timeout=10_000,
    )
    with pytest.raises(auth.AuthError):
        auth.authenticate(store, "pat", "proctor pass")
    with pytest.raises(auth.AuthError):
        auth.verify_pin(store, "pat", "2468")
    # The selection survives the reload, so the other button is now the one to use.
    assert admin.enable_user.isEnabled() and not admin.disable_user.isEnabled()
    admin_window.grab().save(str(artefacts / "admin-user-disabled.png"))

    admin.enable_user.click()
    qtbot.waitUntil(lambda: admin.status.text() == "Enabled pat.", timeout=10_000)
    assert auth.authenticate(store, "pat", "proctor pass").username == "pat"


@pytest.mark.slow
def test_an_admin_is_told_they_cannot_disable_themselves(qtbot, admin_window, store) -> None:
    admin = admin_window.open("admin")
    _select(admin, qtbot, "ada")
    admin.disable_user.click()
    qtbot.waitUntil(lambda: admin.status.text().startswith("Not done"), timeout=10_000)
    assert admin.status.text() == "Not done: you cannot disable your own account"
    assert auth.authenticate(store, "ada", "correct horse").username == "ada"
