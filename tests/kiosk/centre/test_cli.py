"""``kiosk console``: a bad address or a server that is not there ends before any window."""

from __future__ import annotations

import socket

import pytest

from kiosk.cli import main
from tests.kiosk.centre.fake_centre import FakeCentre


def test_an_address_that_is_not_a_url_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["console", "--server", "centre.local:8000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kiosk: --server 'centre.local:8000' is not a server address")
    assert "http://HOST:PORT" in err


@pytest.mark.slow
def test_a_server_that_is_not_there_is_an_environment_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["console", "--server", f"http://127.0.0.1:{port}"]) == 3
    err = capsys.readouterr().err
    assert f"cannot reach the centre server at http://127.0.0.1:{port}" in err
    assert "check the address and that the server is running" in err


@pytest.mark.slow
def test_no_display_is_said_after_the_server_answered(
    centre: FakeCentre, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main(["console", "--server", centre.url, "--user", "grace"]) == 3
    assert "no display found" in capsys.readouterr().err


def test_cancelling_the_sign_in_exits_1(
    centre: FakeCentre, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[tuple[str, str, str]] = []

    def sign_in_cancelled(url: str, user: str, centre_name: str) -> int:
        opened.append((url, user, centre_name))
        return 1

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr("kiosk.shell.centre_console.run_centre_console", sign_in_cancelled)
    code = main(["console", "--server", centre.url + "/", "--user", "grace", "--centre", "North"])
    assert code == 1
    assert opened == [(centre.url, "grace", "North")]
    assert "not signed in" in capsys.readouterr().err
