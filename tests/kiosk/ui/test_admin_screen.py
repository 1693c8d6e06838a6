"""Administration: users, batteries, station name and exports with a progress dialog."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.access import auth
from kiosk.store.models import Role
from tests.helpers import record_simulated_session


@pytest.fixture
def admin_window(qtbot, store):
    from kiosk.shell.app import create_application
    from kiosk.shell.window import MainWindow

    create_application()
    auth.create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.context.state.actor = auth.authenticate(store, "ada", "correct horse")
    yield window
    window.close()


@pytest.mark.slow
def test_exports_write_signed_reports_and_data_with_progress(
    qtbot, admin_window, store, tmp_path: Path, artefacts
) -> None:
    sids = [record_simulated_session(store, "short", seed=i) for i in range(2)]
    admin = admin_window.open("admin")
    admin.tabs.setCurrentIndex(3)
    admin.export_folder.setText(str(tmp_path / "reports"))
    admin.export_reports.click()
    qtbot.waitUntil(lambda: admin.export_result.text().startswith("Wrote"), timeout=60_000)
    assert "Wrote 2 signed report(s)" in admin.export_result.text()
    assert not admin.progress_dialog.isVisible()
    assert sorted(p.name[-12:-4] for p in (tmp_path / "reports").glob("*.pdf")) == sorted(
        s[:8] for s in sids
    )
    admin_window.grab().save(str(artefacts / "shell" / "09-admin-exports.png"))
    admin.export_folder.setText(str(tmp_path / "data"))
    admin.export_data.click()
    qtbot.waitUntil(lambda: "files to" in admin.export_result.text(), timeout=60_000)
    assert (tmp_path / "data" / "data_dictionary.json").exists()


@pytest.mark.slow
def test_users_and_station_settings(qtbot, admin_window, store) -> None:
    admin = admin_window.open("admin")
    admin.new_username.setText("pat")
    admin.new_role.setCurrentText("proctor")
    admin.new_password.setText("proctor pass")
    admin.new_pin.setText("2468")
    admin.add_user.click()
    qtbot.waitUntil(
        lambda: any(
            "pat — proctor" in admin.users.item(i).text() for i in range(admin.users.count())
        ),
        timeout=10_000,
    )
    admin.station_name.setText("Room 3, station 2")
    admin.save_station.click()
    qtbot.waitUntil(lambda: admin.status.text() == "Station saved.", timeout=10_000)
    assert store.station().name == "Room 3, station 2"
    admin.battery_path.setText("/no/such/battery.toml")
    admin.check_battery.click()
    qtbot.waitUntil(lambda: admin.battery_result.text() != "", timeout=10_000)
    assert admin.battery_result.text().startswith("Not usable: /no/such/battery.toml")
