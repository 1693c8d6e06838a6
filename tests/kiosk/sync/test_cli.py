"""``kiosk sync enrol / status / push`` against the in-memory centre served over real HTTP."""

from __future__ import annotations

import io
import re
import socket
import sys

import pytest

from kiosk.cli import main
from kiosk.sync.enrolment import sync_settings
from kiosk.sync.outbox import outbox_status
from tests.helpers import ADMIN_PASSWORD, as_admin, ensure_admin
from tests.kiosk.sync.conftest import open_session, play_game, stored_events
from tests.kiosk.sync.fake_server import CODE


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # nobody listens once closed


def kiosk(monkeypatch, store_path, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main([*args, "--store", str(store_path)])


def enrol_args(url: str, code: str = CODE) -> tuple[list[str], str]:
    return as_admin("sync", "enrol", url, code)


def enrol_by_cli(store, store_path, url: str, monkeypatch) -> None:
    ensure_admin(store)
    args, password = enrol_args(url)
    assert kiosk(monkeypatch, store_path, *args, stdin=password) == 0


@pytest.mark.slow
def test_enrol_status_and_push(store, store_path, centre, recorder, monkeypatch, capsys) -> None:
    server, url = centre
    ensure_admin(store)
    args, password = enrol_args(url, CODE.lower())  # typed in lower case: still the code
    assert kiosk(monkeypatch, store_path, *args, stdin=password) == 0
    out = capsys.readouterr().out
    assert "enrolled with" in out and "North Centre" in out
    assert sync_settings(store).station_id == server.station_id
    sid = open_session(store, recorder)
    play_game(store, recorder, sid, 0, trials=6)
    assert kiosk(monkeypatch, store_path, "sync", "push") == 0
    out = capsys.readouterr().out
    assert "built batch 1" in out and "acknowledged through 1" in out
    assert [(e["session_id"], e["seq"], e["hash"]) for e in server.events] == stored_events(store)
    assert kiosk(monkeypatch, store_path, "sync", "status") == 0
    out = capsys.readouterr().out
    assert re.search(rf"enrolled:\s+yes, with {re.escape(url)}", out)
    assert re.search(r"acked through:\s+batch 1\n", out)
    assert re.search(r"pending:\s+0 batch\(es\)", out)


@pytest.mark.slow
def test_push_with_the_server_down_loses_nothing(
    store, store_path, centre, recorder, monkeypatch, capsys
) -> None:
    server, url = centre
    enrol_by_cli(store, store_path, url, monkeypatch)
    sid = open_session(store, recorder)
    play_game(store, recorder, sid, 0, trials=4)
    server.down = True
    assert kiosk(monkeypatch, store_path, "sync", "push") == 3
    err = capsys.readouterr().err
    assert "stay in the outbox, nothing is lost" in err and url in err
    assert outbox_status(store).pending == 1
    server.down = False
    assert kiosk(monkeypatch, store_path, "sync", "push") == 0
    assert outbox_status(store).pending == 0
    assert [(e["session_id"], e["seq"], e["hash"]) for e in server.events] == stored_events(store)


@pytest.mark.parametrize(
    ("url", "code", "exit_code", "says"),
    [
        ("centre.example.org", CODE, 2, "is not a server address"),
        ("ftp://centre.example.org", CODE, 2, "is not a server address"),
        (None, "!!", 2, "not an enrolment code"),
        (None, "AAAA-BBBB-CCCC", 2, "refused the code"),
    ],
)
@pytest.mark.slow
def test_enrol_says_what_was_wrong(
    store, store_path, centre, monkeypatch, capsys, url, code, exit_code, says
) -> None:
    _server, served = centre
    ensure_admin(store)
    args, password = enrol_args(url or served, code)
    assert kiosk(monkeypatch, store_path, *args, stdin=password) == exit_code
    err = capsys.readouterr().err
    assert says in err
    assert sync_settings(store) is None


@pytest.mark.slow
def test_enrol_with_no_server_there(store, store_path, monkeypatch, capsys) -> None:
    ensure_admin(store)
    url = closed_port()
    args, password = enrol_args(url)
    assert kiosk(monkeypatch, store_path, *args, stdin=password) == 3
    err = capsys.readouterr().err
    assert f"cannot reach {url}" in err and "check the address and the network" in err
    assert sync_settings(store) is None


@pytest.mark.slow
def test_enrol_needs_an_admin(store, store_path, centre, monkeypatch, capsys) -> None:
    _server, url = centre
    ensure_admin(store)
    assert kiosk(monkeypatch, store_path, "sync", "enrol", url, CODE) == 2
    assert "needs a signed-in user" in capsys.readouterr().err
    args, _ = enrol_args(url)
    assert kiosk(monkeypatch, store_path, *args, stdin="wrong password\n") == 2
    assert sync_settings(store) is None


@pytest.mark.slow
def test_enrolling_again_needs_replace_and_starts_afresh(
    store, store_path, centre, monkeypatch, capsys
) -> None:
    server, url = centre
    enrol_by_cli(store, store_path, url, monkeypatch)
    assert kiosk(monkeypatch, store_path, "sync", "push") == 0
    first = server.station_id
    server.codes.add("NEW0-CODE-2345")
    args, password = enrol_args(url, "NEW0-CODE-2345")
    assert kiosk(monkeypatch, store_path, *args, stdin=password) == 2
    assert "already enrolled" in capsys.readouterr().err
    assert kiosk(monkeypatch, store_path, *args, "--replace", stdin=password) == 0
    assert server.station_id != first
    status = outbox_status(store)
    assert (status.built_through, status.acked_through) == (0, 0)


@pytest.mark.slow
def test_status_and_push_before_enrolment(store, store_path, monkeypatch, capsys) -> None:
    assert kiosk(monkeypatch, store_path, "sync", "status") == 0
    assert re.search(r"enrolled:\s+no", capsys.readouterr().out)
    assert kiosk(monkeypatch, store_path, "sync", "push") == 2
    assert "not enrolled" in capsys.readouterr().err


@pytest.mark.slow
def test_the_admin_password_is_never_sent(store, store_path, centre, monkeypatch) -> None:
    server, url = centre
    enrol_by_cli(store, store_path, url, monkeypatch)
    assert kiosk(monkeypatch, store_path, "sync", "push") == 0
    assert all(ADMIN_PASSWORD.encode() not in body for _d, body in server.kept.values())


@pytest.mark.slow
def test_a_revoked_station_is_told_and_stays_stopped(
    store, store_path, centre, monkeypatch, capsys
) -> None:
    server, url = centre
    enrol_by_cli(store, store_path, url, monkeypatch)
    server.revoked = True
    assert kiosk(monkeypatch, store_path, "sync", "push") == 1
    assert "refuses this station" in capsys.readouterr().err
    assert kiosk(monkeypatch, store_path, "sync", "status") == 1
    assert re.search(r"STOPPED:\s+revoked", capsys.readouterr().out)
    server.revoked = False  # the stop is the station's own record, not a guess each time
    requests = server.requests
    assert kiosk(monkeypatch, store_path, "sync", "push") == 1
    assert "syncing has stopped (revoked)" in capsys.readouterr().err
    assert server.requests == requests
