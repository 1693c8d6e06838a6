"""An attacker with the store file: edit rows with plain sqlite3, recompute every documented
hash with hashlib, and try to get past ``kiosk store check`` and to a VALID signed report.

Each attack works on its own copy of one recorded, scored and reported store, and of the
station's key folder (as the station itself would have it); ``kiosk`` runs as a separate
process on the copy. Every attack must end with ``store check`` exit 1 and, where a
report is involved, no signed report.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.access import auth
from kiosk.store import open_store
from kiosk.store.models import Role
from tests.helpers import ADMIN_PASSWORD, as_admin, ensure_admin, record_simulated_session

GENESIS = "0" * 64


# --- what an attacker writes: the documented formulas, nothing from kiosk -------------


def event_hash(prev: str, sid: str, seq: int, t_ns: int, run, trial, kind: str, payload: str):
    body = json.dumps(
        [sid, seq, t_ns, run, trial, kind, payload], separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(bytes.fromhex(prev) + body.encode()).hexdigest()


def audit_hash(prev: str, seq: int, at: int, actor: str, action: str, target, details: str):
    body = json.dumps(
        [seq, at, actor, action, target, details], separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(bytes.fromhex(prev) + body.encode()).hexdigest()


def rechain_session(db: sqlite3.Connection, sid: str) -> None:
    """Recompute a session's whole event chain and its recorded head."""
    prev, seq = GENESIS, 0
    rows = db.execute(
        "SELECT id, seq, t_ns, game_run_id, trial_index, kind, payload FROM events "
        "WHERE session_id = ? ORDER BY seq",
        (sid,),
    ).fetchall()
    for new_seq, (rowid, _old, t_ns, run, trial, kind, payload) in enumerate(rows, start=1):
        digest = event_hash(prev, sid, new_seq, t_ns, run, trial, kind, payload)
        db.execute(
            "UPDATE events SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (new_seq, prev, digest, rowid),
        )
        prev, seq = digest, new_seq
    db.execute(
        "UPDATE sessions SET chain_head_seq = ?, chain_head_hash = ? WHERE id = ?", (seq, prev, sid)
    )


def forge_audit(db: sqlite3.Connection, actor: str, action: str, target, details: dict) -> None:
    """Append an audit entry with a correct hash (the attacker has no key to sign it)."""
    seq, prev = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    text = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = audit_hash(prev, seq + 1, 1, actor, action, target, text)
    db.execute(
        "INSERT INTO audit_log (seq, at_utc_ns, actor, action, target, details, prev_hash, hash)"
        " VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
        (seq + 1, actor, action, target, text, prev, digest),
    )


# --- the stage -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def station(tmp_path_factory) -> tuple[Path, str]:
    """A store with one completed, scored and reported session; the station's keys."""
    folder = tmp_path_factory.mktemp("station")
    path = folder / "data" / "kiosk.db"
    with open_store(path) as store:
        sid = record_simulated_session(store, "short", seed=11)
        ensure_admin(store)
        auth.create_user(
            store, auth.SYSTEM, "pat", "a proctor's password", Role.PROCTOR, pin="1357"
        )
    result = kiosk(
        path,
        Path(os.environ["KIOSK_KEY_DIR"]),
        "export",
        "report",
        "--session",
        sid,
        "--out",
        str(folder),
    )
    assert result.returncode == 0, result.stderr
    return path, sid


def kiosk(
    store: Path, keys: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``kiosk ARGS --store STORE`` with the station's key folder ``keys``. Exports sign
    in as the test admin unless ``stdin`` is given (then the arguments are as given)."""
    if stdin is None and args[0] == "export":
        argv, password = as_admin(*args)
    else:
        argv, password = list(args), stdin or ""
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *argv, "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=180,
        input=password,
        env={**os.environ, "KIOSK_KEY_DIR": str(keys)},
    )


def copy_of(station: tuple[Path, str], tmp_path: Path) -> tuple[Path, Path]:
    """The store and the station's key folder, copied as they stand."""
    path, _ = station
    (tmp_path / "data").mkdir()
    for suffix in ("", "-wal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copy2(f"{path}{suffix}", f"{tmp_path / 'data' / 'kiosk.db'}{suffix}")
    shutil.copytree(os.environ["KIOSK_KEY_DIR"], tmp_path / "keys")
    return tmp_path / "data" / "kiosk.db", tmp_path / "keys"


def attack(station, tmp_path: Path, edit: Callable[[sqlite3.Connection, str], None]):
    store, keys = copy_of(station, tmp_path)
    db = sqlite3.connect(store)
    edit(db, station[1])
    db.commit()
    db.close()
    return store, keys


def assert_caught(store: Path, keys: Path, sid: str | None, expect: str) -> None:
    check = kiosk(store, keys, "store", "check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert expect in check.stdout, check.stdout
    if sid is not None:
        out = store.parent / "forged"
        out.mkdir()
        export = kiosk(store, keys, "export", "report", "--session", sid, "--out", str(out))
        assert export.returncode != 0 and not list(out.iterdir()), export.stdout + export.stderr
        assert "refusing to sign" in export.stderr


# --- the attacks ---------------------------------------------------------------------


@pytest.mark.slow
def test_the_untouched_copy_holds(station, tmp_path: Path) -> None:
    store, keys = copy_of(station, tmp_path)
    check = kiosk(store, keys, "store", "check")
    assert check.returncode == 0 and "all holds" in check.stdout, check.stdout


@pytest.mark.slow
def test_a_rewritten_event_with_a_recomputed_chain_is_caught(station, tmp_path: Path) -> None:
    def edit(db, sid):
        rowid, payload = db.execute(
            "SELECT id, payload FROM events WHERE session_id = ? AND kind = 'response' "
            "ORDER BY seq LIMIT 1",
            (sid,),
        ).fetchone()
        forged = json.dumps(
            {**json.loads(payload), "rt_ms": 1}, sort_keys=True, separators=(",", ":")
        )
        db.execute("UPDATE events SET payload = ? WHERE id = ?", (forged, rowid))
        rechain_session(db, sid)

    store, keys = attack(station, tmp_path, edit)
    assert_caught(store, keys, station[1], "not the one the station sealed")


@pytest.mark.slow
def test_an_invented_session_is_caught(station, tmp_path: Path) -> None:
    fake = str(uuid.uuid4())

    def edit(db, sid):
        db.execute(
            "INSERT INTO candidates (pseudonym, created_at) VALUES ('C-FAKE-0001', "
            "'2026-12-01 10:00:00')"
        )
        cid = db.execute("SELECT id FROM candidates WHERE pseudonym = 'C-FAKE-0001'").fetchone()
        cols = "candidate_id, battery_id, station_id, status, created_at, started_at, ended_at"
        db.execute(
            f"INSERT INTO sessions (id, {cols}, chain_head_seq, chain_head_hash) "
            f"SELECT ?, ?, battery_id, station_id, 'completed', created_at, started_at, "
            f"ended_at, 0, ? FROM sessions WHERE id = ?",
            (fake, cid[0], GENESIS, sid),
        )
        run_ids = {}
        for (run,) in db.execute("SELECT id FROM game_runs WHERE session_id = ?", (sid,)):
            run_ids[run] = str(uuid.uuid4())
            db.execute(
                "INSERT INTO game_runs (id, session_id, position, game_id, game_version, seed, "
                "config, status, started_at, ended_at) SELECT ?, ?, position, game_id, "
                "game_version, seed, config, status, started_at, ended_at FROM game_runs "
                "WHERE id = ?",
                (run_ids[run], fake, run),
            )
        db.execute(
            "INSERT INTO events (session_id, seq, t_ns, game_run_id, trial_index, kind, payload,"
            " prev_hash, hash) SELECT ?, seq, t_ns, game_run_id, trial_index, kind, payload, "
            "'', '' FROM events WHERE session_id = ?",
            (fake, sid),
        )
        for old, new in run_ids.items():
            db.execute(
                "UPDATE events SET game_run_id = ? WHERE session_id = ? AND game_run_id = ?",
                (new, fake, old),
            )
        rechain_session(db, fake)

    store, keys = attack(station, tmp_path, edit)
    assert_caught(store, keys, fake, "written outside kiosk")


@pytest.mark.slow
def test_a_broken_chain_is_never_signed(station, tmp_path: Path) -> None:
    def edit(db, sid):
        db.execute("UPDATE events SET payload = '{}' WHERE session_id = ? AND seq = 5", (sid,))

    store, keys = attack(station, tmp_path, edit)
    assert_caught(store, keys, station[1], "hash mismatch")


@pytest.mark.slow
def test_a_truncated_session_with_a_fixed_head_is_caught(station, tmp_path: Path) -> None:
    def edit(db, sid):
        (last,) = db.execute("SELECT MAX(seq) FROM events WHERE session_id = ?", (sid,)).fetchone()
        db.execute("DELETE FROM events WHERE session_id = ? AND seq > ?", (sid, last - 40))
        rechain_session(db, sid)

    store, keys = attack(station, tmp_path, edit)
    assert_caught(store, keys, station[1], "not the one the station sealed")


@pytest.mark.slow
def test_deleting_the_newest_audit_entry_is_caught(station, tmp_path: Path) -> None:
    def edit(db, _sid):
        db.execute("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")

    store, keys = attack(station, tmp_path, edit)
    assert_caught(store, keys, None, "the station recorded entry")


@pytest.mark.parametrize(
    ("what", "sql", "expect"),
    [
        (
            "score",
            "UPDATE scores SET value = COALESCE(value, 0) * 1.5 + 1 "
            "WHERE id = (SELECT MIN(id) FROM scores)",
            "the scores of session",
        ),
        ("role", "UPDATE users SET role = 'admin' WHERE username = 'pat'", "users row"),
        (
            "password",
            "UPDATE users SET password_hash = '$argon2id$v=19$m=65536,t=3,p=4$x$y'",
            "users row",
        ),
        ("voided", "UPDATE sessions SET status = 'voided'", "sessions"),
        ("game run", "UPDATE game_runs SET seed = seed + 1 WHERE position = 0", "game runs"),
        ("report hash", "UPDATE reports SET sha256 = '00'", "report records"),
        (
            "signing settings",
            "UPDATE stations SET settings = json_set(settings, '$.signing.subject', 'rogue')",
            "stations row",
        ),
        (
            "personal",
            "INSERT INTO candidate_personal (candidate_id, full_name, updated_at) "
            "SELECT id, 'Someone Else', '2026-12-01' FROM candidates",
            "candidate_personal",
        ),
        (
            "incident",
            "INSERT INTO incident_notes (session_id, author, at, text) SELECT id, "
            "'ada', '2026-12-01', 'made up' FROM sessions",
            "incident notes",
        ),
    ],
)
@pytest.mark.slow
def test_rows_edited_outside_kiosk_are_caught(station, tmp_path, what, sql, expect) -> None:
    store, keys = attack(station, tmp_path, lambda db, _sid: db.execute(sql))
    assert_caught(store, keys, None, expect)


@pytest.mark.slow
def test_a_forged_seal_entry_without_the_key_is_caught(station, tmp_path: Path) -> None:
    """Editing a row and appending a 'sealed' entry for it, hash and all: no signature."""

    def edit(db, _sid):
        db.execute("UPDATE users SET role = 'proctor'")
        forge_audit(db, "system", "sealed", None, {"seals": [["users", "1", "00" * 32]]})

    store, keys = attack(station, tmp_path, edit)
    assert_caught(store, keys, None, "not signed by the station")


@pytest.mark.slow
def test_a_copy_of_the_data_folder_carries_no_usable_key(station, tmp_path: Path) -> None:
    path, sid = station
    folder = tmp_path / "copy"
    shutil.copytree(path.parent, folder)
    assert not list(folder.glob("*.keypass"))
    settings = json.loads(
        sqlite3.connect(folder / path.name).execute("SELECT settings FROM stations").fetchone()[0]
    )
    assert "ca_key" not in settings["signing"]  # no authority key on a station at all
    assert "ENCRYPTED PRIVATE KEY" in settings["signing"]["key"]
    elsewhere = tmp_path / "other-machine-keys"
    out = tmp_path / "lifted"
    out.mkdir()
    export = kiosk(
        folder / path.name, elsewhere, "export", "report", "--session", sid, "--out", str(out)
    )
    assert export.returncode != 0 and not list(out.iterdir())
    assert "locked" in export.stderr, export.stderr
    check = kiosk(folder / path.name, elsewhere, "store", "check")
    assert check.returncode == 1 and "cannot tell" in check.stdout, check.stdout


@pytest.mark.slow
def test_export_needs_a_signed_in_admin(station, tmp_path: Path) -> None:
    store, keys = copy_of(station, tmp_path)
    out = tmp_path / "out"
    out.mkdir()

    def export(*extra: str, password: str) -> subprocess.CompletedProcess[str]:
        return kiosk(
            store,
            keys,
            "export",
            "report",
            "--session",
            station[1],
            "--out",
            str(out),
            *extra,
            stdin=password,
        )

    bare = export(password="")
    assert bare.returncode == 2 and "needs a signed-in user" in bare.stderr
    wrong = export("--user", "ada", password=ADMIN_PASSWORD + "x\n")
    assert wrong.returncode == 2 and "refused" in wrong.stderr and not list(out.iterdir())
    ok = export("--user", "ada", password=ADMIN_PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr
    db = sqlite3.connect(store)
    actors = {a for (a,) in db.execute("SELECT actor FROM audit_log WHERE action LIKE 'exported%'")}
    assert actors == {"ada"}


def genuine_report(station) -> Path:
    (report,) = station[0].parent.parent.glob("*.pdf")
    return report


@pytest.mark.slow
def test_the_genuine_report_is_tied_to_its_session(station, tmp_path: Path) -> None:
    store, keys = copy_of(station, tmp_path)
    verdict = kiosk(store, keys, "verify", str(genuine_report(station)))
    assert verdict.returncode == 0 and verdict.stdout.startswith("VALID"), verdict.stdout
    assert f"session {station[1]}" in verdict.stdout
    assert genuine_report(station).stat().st_mode & 0o777 == 0o600  # another OS user reads none


@pytest.mark.slow
def test_a_renamed_report_is_invalid(station, tmp_path: Path) -> None:
    store, keys = copy_of(station, tmp_path)
    renamed = tmp_path / "C-OTHER-0001.pdf"
    shutil.copy(genuine_report(station), renamed)
    verdict = kiosk(store, keys, "verify", str(renamed))
    assert verdict.returncode == 1 and "renamed" in verdict.stdout, verdict.stdout


@pytest.mark.slow
def test_a_report_the_store_does_not_hold_is_invalid(station, tmp_path: Path) -> None:
    store, keys = attack(station, tmp_path, lambda db, _sid: db.execute("DELETE FROM reports"))
    verdict = kiosk(store, keys, "verify", str(genuine_report(station)))
    assert verdict.returncode == 1 and "no record of this report" in verdict.stdout, verdict.stdout


@pytest.mark.slow
def test_the_demo_refuses_a_store_with_real_people(station, tmp_path: Path) -> None:
    store, keys = copy_of(station, tmp_path)
    demo = kiosk(store, keys, "demo", "--candidates", "1")
    assert demo.returncode == 2 and "holds real users or candidates" in demo.stderr
    assert "--allow-real-store" in demo.stderr


@pytest.mark.slow
def test_store_check_reports_a_damaged_wal_and_keeps_it(station, tmp_path: Path) -> None:
    store, keys = copy_of(station, tmp_path)
    db = sqlite3.connect(store)
    db.execute("PRAGMA wal_autocheckpoint = 0")
    for i in range(3):
        db.execute(
            "INSERT INTO incident_notes (session_id, author, at, text) SELECT id, 'x', "
            "'2026-12-01', ? FROM sessions",
            (f"note {i}",),
        )
        db.commit()
    wal = Path(f"{store}-wal")
    shutil.copy(wal, tmp_path / "wal")  # what the closing connection would checkpoint away
    db.close()
    data = bytearray((tmp_path / "wal").read_bytes())
    data[32 + 24 + 100] ^= 0xFF  # a byte in the first frame's page
    wal.write_bytes(bytes(data))
    before = (store.read_bytes(), wal.read_bytes())
    check = kiosk(store, keys, "store", "check")
    assert check.returncode == 1 and "damaged" in check.stdout, check.stdout
    assert (store.read_bytes(), wal.read_bytes()) == before


@pytest.mark.slow
def test_an_imported_identity_keeps_earlier_reports_valid(station, tmp_path: Path) -> None:
    from reports.pki import create_centre_authority, issue_station_certificate

    store, keys = copy_of(station, tmp_path)
    org = create_centre_authority("Org Authority", organisation="Org")
    p12 = tmp_path / "org.p12"
    p12.write_bytes(issue_station_certificate(org, "org-station").to_pkcs12(b"p12 pass"))

    def run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
        return kiosk(store, keys, *args, stdin=stdin)

    refused = run("signing", "import", str(p12), stdin="p12 pass\n")
    assert refused.returncode == 2 and "needs a signed-in user" in refused.stderr
    done = run(
        "signing", "import", str(p12), "--user", "ada", stdin=f"{ADMIN_PASSWORD}\np12 pass\n"
    )
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(store)
    (actor,) = db.execute(
        "SELECT actor FROM audit_log WHERE action = 'signing_identity_imported'"
    ).fetchone()
    assert actor == "ada"
    verdict = kiosk(store, keys, "verify", str(genuine_report(station)))
    assert verdict.returncode == 0 and verdict.stdout.startswith("VALID"), verdict.stdout
    assert kiosk(store, keys, "store", "check").returncode == 0
