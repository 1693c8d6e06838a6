"""Tamper evidence: `kiosk store check` reports any changed, deleted or inserted event."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.recorder import Recorder
from kiosk.store import open_store
from kiosk.store.audit import append_audit
from kiosk.store.check import check_store
from tests.helpers import new_session

N_EVENTS = 12
COLUMNS = ["t_ns", "trial_index", "kind", "payload", "prev_hash", "hash", "seq", "session_id"]


@pytest.fixture
def recorded(store_path: Path) -> tuple[Path, list[str]]:
    with open_store(store_path) as store:
        sessions = new_session(store, 2)
        rec = Recorder(store)
        for i in range(N_EVENTS):
            for sid in sessions:
                rec.emit(sid, "response", {"i": i, "key": "f"}, trial_index=i // 3)
        rec.close()
        with store.writer() as s, s.begin():
            for action in ("user_added", "session_scheduled", "session_voided"):
                append_audit(s, "admin", action, target="x", details={"why": "test"})
    return store_path, sessions


def tamper(path: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def problems(path: Path) -> dict[str, list[str]]:
    with open_store(path, create=False) as store:
        return dict(check_store(store).problems)


def kiosk_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "store", "check", "--store", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_untouched_store_passes(recorded) -> None:
    path, _ = recorded
    result = kiosk_check(path)
    assert result.returncode == 0, result.stdout
    assert "all holds" in result.stdout and f"{2 * N_EVENTS} events" in result.stdout


def _mutated(column: str, value: object) -> object:
    if column in ("t_ns", "trial_index", "seq"):
        return (value or 0) + 1000
    if column == "payload":
        return str(value).replace('"f"', '"j"')
    if column in ("prev_hash", "hash"):
        return ("f" if str(value)[0] != "f" else "e") + str(value)[1:]
    return f"{value}-x"


@pytest.mark.slow
@pytest.mark.parametrize("column", COLUMNS)
def test_changing_any_field_of_any_event_is_reported(recorded, column: str) -> None:
    path, (sid, _other) = recorded
    for seq in range(1, N_EVENTS + 1):
        backup = path.read_bytes()
        conn = sqlite3.connect(path)
        (value,) = conn.execute(
            f"SELECT {column} FROM events WHERE session_id = ? AND seq = ?", (sid, seq)
        ).fetchone()
        conn.close()
        if column == "session_id":
            # Moving an event to the other session breaks both chains.
            tamper(
                path,
                "UPDATE events SET session_id = ?, seq = seq + 1000 "
                "WHERE session_id = ? AND seq = ?",
                _other,
                sid,
                seq,
            )
        else:
            tamper(
                path,
                f"UPDATE events SET {column} = ? WHERE session_id = ? AND seq = ?",
                _mutated(column, value),
                sid,
                seq,
            )
        found = problems(path)
        assert f"session {sid}" in found, f"{column} of event {seq} changed unnoticed"
        Path(f"{path}-wal").unlink(missing_ok=True)
        path.write_bytes(backup)


@pytest.mark.slow
def test_deleting_any_event_is_reported(recorded) -> None:
    path, (sid, _) = recorded
    for seq in range(1, N_EVENTS + 1):
        backup = path.read_bytes()
        tamper(path, "DELETE FROM events WHERE session_id = ? AND seq = ?", sid, seq)
        found = problems(path)
        assert f"session {sid}" in found, f"deleting event {seq} went unnoticed"
        Path(f"{path}-wal").unlink(missing_ok=True)
        path.write_bytes(backup)


def test_inserting_an_event_is_reported(recorded) -> None:
    path, (sid, _) = recorded
    conn = sqlite3.connect(path)
    row = conn.execute(
        "SELECT t_ns, kind, payload, hash FROM events WHERE session_id = ? AND seq = ?",
        (sid, N_EVENTS),
    ).fetchone()
    conn.close()
    # Appended after the last event, linking to it properly: only the head shows it.
    tamper(
        path,
        "INSERT INTO events (session_id, seq, t_ns, kind, payload, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        sid,
        N_EVENTS + 1,
        row[0] + 1,
        row[1],
        row[2],
        row[3],
        "ab" * 32,
    )
    assert f"session {sid}" in problems(path)


def test_inserting_in_the_middle_is_reported(recorded) -> None:
    path, (sid, _) = recorded
    # Shift the tail one place up, from the top so seq stays unique, then fill the hole.
    conn = sqlite3.connect(path)
    for seq in range(N_EVENTS, 6, -1):
        conn.execute("UPDATE events SET seq = seq + 1 WHERE session_id = ? AND seq = ?", (sid, seq))
    conn.execute(
        "INSERT INTO events (session_id, seq, t_ns, kind, payload, prev_hash, hash) "
        "SELECT session_id, 7, t_ns, kind, payload, hash, hash FROM events "
        "WHERE session_id = ? AND seq = 6",
        (sid,),
    )
    conn.commit()
    conn.close()
    found = problems(path)
    assert any("seq 7" in m or "event 7" in m or "event 8" in m for m in found[f"session {sid}"])


@pytest.mark.slow
def test_cli_prints_each_problem_per_session_and_exits_1(recorded) -> None:
    path, (sid, other) = recorded
    tamper(path, "UPDATE events SET payload = '{}' WHERE session_id = ? AND seq = 3", sid)
    tamper(path, "DELETE FROM events WHERE session_id = ? AND seq = 5", other)
    result = kiosk_check(path)
    assert result.returncode == 1
    assert f"session {sid}: event 3 was changed after it was recorded" in result.stdout
    assert f"session {other}: events 5 are missing before seq 6" in result.stdout


@pytest.mark.slow
def test_audit_log_tampering_is_reported(recorded) -> None:
    path, _ = recorded
    tamper(path, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
    result = kiosk_check(path)
    assert result.returncode == 1
    assert "audit log: audit entry 2 was changed after it was written" in result.stdout


def test_sqlite_level_damage_is_reported(recorded) -> None:
    path, _ = recorded
    tamper(path, "PRAGMA foreign_keys = OFF")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE game_runs SET session_id = 'gone'")  # no rows: harmless
    conn.execute(
        "INSERT INTO scores (session_id, scope, name, flags, scoring_version, computed_at) "
        "VALUES ('gone', 'metric', 'x', '{}', '1', '2026-01-01')"
    )
    conn.commit()
    conn.close()
    assert any("refers to a missing row of sessions" in m for m in problems(path)["store"])


def test_another_database_in_the_same_process_is_neither_sealed_nor_audited(
    tmp_path: Path,
) -> None:
    """Sealing listens on the store's own session class only: a plain SQLAlchemy
    session on another database (a centre server beside a station, say) with tables of
    the same names commits as it would without kiosk loaded."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with Session(engine) as db:
        db.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)"))
        db.execute(text("INSERT INTO users (name) VALUES ('someone')"))
        db.commit()
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert tables == {"users"}
    engine.dispose()
