"""The station home: station name, store path and health, and an honest sign-in entry."""

from __future__ import annotations

import pytest

from kiosk.shell.screens import SCREENS, Screen, screen
from kiosk.store import schema_head


@pytest.mark.slow
def test_home_shows_station_store_and_health(window, qtbot, store, artefacts) -> None:
    home = window.open("home")
    qtbot.waitUntil(lambda: home.health_label.property("state") != "pending", timeout=5000)
    assert home.health_label.property("state") == "ok"
    assert home.health_label.text().startswith(f"Healthy · schema {schema_head()} · 0 sessions")
    assert home.station_label.text() == store.station().name
    assert home.store_label.text() == str(store.path)
    assert window.windowTitle() == "Kiosk — Station"
    assert home.signin_button.isEnabled()
    window.grab().save(str(artefacts / "home.png"))


@pytest.mark.slow
def test_home_reports_damage_found_by_quick_check(window, qtbot, store, monkeypatch) -> None:
    from kiosk.shell.screens import home as home_module
    from kiosk.store.health import StoreHealth
    from kiosk.store.info import store_info

    monkeypatch.setattr(
        home_module,
        "store_health",
        lambda s: StoreHealth(store_info(s), ["*** in database main *** Page 7: btreeInitPage"]),
    )
    home = window.open("home")
    qtbot.waitUntil(lambda: home.health_label.property("state") != "pending", timeout=5000)
    assert home.health_label.property("state") == "problem"
    assert "kiosk store check" in home.health_label.text()


@pytest.mark.slow
def test_health_is_read_off_the_gui_thread(window, qtbot, store, monkeypatch) -> None:
    import threading

    from kiosk.shell.screens import home as home_module

    threads: list[str] = []
    real = home_module.store_health

    def spy(s):
        threads.append(threading.current_thread().name)
        return real(s)

    monkeypatch.setattr(home_module, "store_health", spy)
    home = window.open("home")
    qtbot.waitUntil(lambda: home.health_label.property("state") == "ok", timeout=5000)
    assert threads and threads[0].startswith("kiosk-db")


@pytest.mark.slow
def test_unknown_screen_name_is_a_clear_error(window) -> None:
    with pytest.raises(KeyError, match="no screen named 'nowhere'"):
        window.open("nowhere")


def test_screen_names_are_unique_and_every_module_registers_its_screen() -> None:
    from kiosk.shell.screens import SCREEN_MODULES, load_all

    load_all()
    assert set(SCREEN_MODULES) <= set(SCREENS)
    with pytest.raises(ValueError, match="already registered"):

        @screen
        class Duplicate(Screen):
            name = "home"
            title = "again"

    assert SCREENS["home"].__name__ == "HomeScreen"


@pytest.mark.slow
def test_counts_show_on_home(window, qtbot, store) -> None:
    from tests.helpers import new_session

    new_session(store, 2)
    home = window.open("home")
    qtbot.waitUntil(lambda: home.health_label.property("state") == "ok", timeout=5000)
    assert "2 sessions" in home.health_label.text()
