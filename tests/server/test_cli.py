"""``kiosk-server``: administration from a shell, and clear refusals."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.cli import main
from tests.server.helpers import enrol_request, new_key, token


def _run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    code = main(["--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_a_centre_from_the_command_line(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run(capsys, database_url, "migrate")[0] == 0
    code, out, _ = _run(capsys, database_url, "centre", "add", "North", "--personal-data")
    assert code == 0 and "North" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    code, out, _ = _run(
        capsys, database_url, "user", "add", "--centre", "North", "--role", "admin", "alice"
    )
    assert code == 0 and "alice is admin of North" in out
    code, out, err = _run(capsys, database_url, "enrol-code", "--centre", "North")
    assert code == 0 and "one use" in err
    enrolment = out.strip()

    with TestClient(create_app(database_url)) as client:
        assert token(client, "alice", "North", "a long password")
        _, pem = new_key()
        enrolled = client.post("/sync/v1/enrol", json=enrol_request(enrolment, pem))
        assert enrolled.status_code == 201
        assert enrolled.json()["personal_data"] is True
        station_id = enrolled.json()["station_id"]

    code, out, _ = _run(capsys, database_url, "station", "revoke", station_id)
    assert code == 0 and "revoked" in out


@pytest.mark.slow
def test_bad_input_is_refused_with_what_to_do(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run(capsys, database_url, "centre", "add", "North")[0] == 0
    code, _, err = _run(capsys, database_url, "centre", "add", "North")
    assert code == 1 and "exists already" in err
    code, _, err = _run(capsys, database_url, "enrol-code", "--centre", "Nowhere")
    assert code == 1 and "no centre named 'Nowhere'" in err
    code, _, err = _run(capsys, database_url, "station", "revoke", "no-such-station")
    assert code == 1 and "no station" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = _run(
        capsys, database_url, "user", "add", "--centre", "North", "--role", "proctor", "bob"
    )
    assert code == 1 and "at least 8 characters" in err
    with pytest.raises(SystemExit) as usage:
        main(
            [
                "--database-url",
                database_url,
                "user",
                "add",
                "--centre",
                "North",
                "--role",
                "owner",
                "bob",
            ]
        )
    assert usage.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_an_unreachable_database_is_said_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "postgresql://nobody:x@127.0.0.1:1/none", "migrate")
    assert code == 1
    assert "cannot reach the database" in err
    code, _, err = _run(capsys, "mysql://x@localhost/y", "migrate")
    assert code == 1
    assert "unsupported database" in err
