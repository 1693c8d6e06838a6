"""Erasing personal data: the bytes are gone from the store, its WAL and its backups;
behaviour stays; retention purges only what is old; only admins erase."""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select

from kiosk import privacy, services
from kiosk.access.auth import Actor
from kiosk.access.permissions import PermissionDenied
from kiosk.battery import load_battery
from kiosk.cli import candidates as cli
from kiosk.privacy import (
    candidates_on_record,
    erase_personal,
    purge_due,
    purge_expired,
    retention_days,
    set_retention_days,
)
from kiosk.recorder import Recorder
from kiosk.store import Store, open_store
from kiosk.store.models import (
    AssessmentSession,
    AuditEntry,
    Candidate,
    CandidatePersonal,
    Event,
    Role,
)

ADMIN = Actor(None, "ada", Role.ADMIN)
PROCTOR = Actor(None, "pat", Role.PROCTOR)

NAME = "Zebulon Quixtrapple"
REF = "EXT-88123-QQ"
MARKER = "marker-77341"
SECRETS = (NAME, REF, MARKER)
BYSTANDER = "Ottoline Vexworthy"


@pytest.fixture(autouse=True)
def deleted_bytes_stay_unless_scrubbed() -> Iterator[None]:
    """Run the store as SQLite builds do that keep deleted content by default.

    Some builds (Debian's) zero deleted content on every connection; others do not. The
    tests take the second case, where a copy the scrub misses is there to be found.
    """

    def keep_deleted_bytes(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    event.listen(Engine, "connect", keep_deleted_bytes)
    yield
    event.remove(Engine, "connect", keep_deleted_bytes)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "k.db")
    try:
        yield opened
    finally:
        opened.close()


def raw_bytes(db: Path) -> dict[str, bytes]:
    """Every file that may hold the store's data: the db, its WAL, backups and theirs."""
    files = [db, *db.parent.glob(f"{db.name}.before-*.bak")]
    found = {}
    for path in files:
        for side in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
            if side.exists():
                found[side.name] = side.read_bytes()
    return found


def holding(db: Path, text: str) -> list[str]:
    return [name for name, data in raw_bytes(db).items() if text.encode() in data]


def checked_in_candidate(store: Store) -> tuple[str, str]:
    """A candidate with personal data through the real services, and 5 events recorded.

    Another candidate is created in between, as at any centre: the first version of our
    candidate's row is then left in the page's free space when demographics are added.
    """
    candidate = services.create_candidate(store, ADMIN, external_ref=REF, full_name=NAME)
    services.create_candidate(store, ADMIN, external_ref="EXT-00001", full_name=BYSTANDER)
    session_id = services.schedule_session(store, ADMIN, candidate.id, load_battery("short"))
    with store.reader() as s:
        code = s.scalar(
            select(AssessmentSession.checkin_code).where(AssessmentSession.id == session_id)
        )
    assert code is not None
    services.check_in(store, code)
    services.record_demographics(store, session_id, {"age_band": "35-44", "note": MARKER})
    recorder = Recorder(store)
    for i in range(5):
        recorder.emit(session_id, "response", {"i": i})
    recorder.close()
    return candidate.pseudonym, session_id


def count(store: Store, model: type) -> int:
    with store.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def more_candidates(store: Store, n: int) -> None:
    """Enough personal rows that their table's first page splits, leaving old copies."""
    with store.writer() as s, s.begin():
        for i in range(n):
            candidate = Candidate(pseudonym=f"C-MORE-{i:04}")
            s.add(candidate)
            s.flush()
            s.add(
                CandidatePersonal(
                    candidate_id=candidate.id,
                    full_name=f"{BYSTANDER} {i}",
                    external_ref=f"EXT-{i:05}",
                )
            )


def test_erasure_leaves_no_byte_of_the_personal_data(store: Store) -> None:
    pseudonym, session_id = checked_in_candidate(store)
    more_candidates(store, 60)
    for secret in SECRETS:
        assert holding(store.path, secret), f"{secret!r} should be on disk before erasure"
    events = count(store, Event)

    result = erase_personal(store, ADMIN, pseudonym)

    assert result.erased == (pseudonym,) and result.complete
    assert result.vacuumed and result.wal_truncated
    for secret in SECRETS:
        assert holding(store.path, secret) == [], f"{secret!r} survived the erasure"
    with store.reader() as s:
        candidate = s.scalar(select(Candidate).where(Candidate.pseudonym == pseudonym))
        assert candidate is not None and candidate.personal is None
        assert s.get(AssessmentSession, session_id) is not None
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "personal_data_erased"))
        audit_text = " ".join(f"{e.target} {e.details}" for e in s.scalars(select(AuditEntry)))
    assert count(store, Event) == events == 5
    assert count(store, CandidatePersonal) == 61
    with store.reader() as s:
        names = set(s.scalars(select(CandidatePersonal.full_name)))
    assert BYSTANDER in names and f"{BYSTANDER} 59" in names
    assert (entry.actor, entry.target, entry.details) == ("ada", pseudonym, '{"reason":"request"}')
    assert not any(secret in audit_text for secret in SECRETS)


def test_a_plain_delete_leaves_the_bytes_behind(store: Store) -> None:
    """Guards the test above: without the scrub, the search finds the erased values."""
    pseudonym, _ = checked_in_candidate(store)
    with store.writer() as s, s.begin():
        cid = s.scalar(select(Candidate.id).where(Candidate.pseudonym == pseudonym))
        s.delete(s.get(CandidatePersonal, cid))
    for secret in SECRETS:
        assert holding(store.path, secret)


def older_store_with_personal_data(db: Path) -> None:
    """A store at schema 0003 (no salt column yet) holding one candidate's personal data."""
    from alembic import command

    from kiosk.store.database import _alembic_config, make_engine

    engine = make_engine(db)
    cfg = _alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.commit()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO candidates (id, pseudonym, created_at)"
            " VALUES (1, 'C-OLD1-BACK', '2024-01-02')"
        )
        conn.exec_driver_sql(
            "INSERT INTO candidate_personal (candidate_id, full_name, external_ref, demographics,"
            " updated_at) VALUES (1, ?, ?, ?, '2024-01-02')",
            (NAME, REF, f'{{"note": "{MARKER}"}}'),
        )
    engine.dispose()


def test_migration_backups_are_scrubbed_and_unreadable_ones_reported(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    older_store_with_personal_data(db)
    store = open_store(db)  # upgrades, leaving k.db.before-0003.bak beside it
    try:
        backup = tmp_path / "k.db.before-0003.bak"
        assert all(backup.name in holding(db, secret) for secret in SECRETS)

        result = erase_personal(store, ADMIN, "C-OLD1-BACK", reason="candidate asked")

        assert result.complete
        assert [(b.path, b.rows_erased, b.problem) for b in result.backups] == [(backup, 1, None)]
        for secret in SECRETS:
            assert holding(db, secret) == []
        with sqlite3.connect(backup) as old:
            assert old.execute("SELECT pseudonym FROM candidates").fetchall() == [("C-OLD1-BACK",)]
            assert old.execute("SELECT count(*) FROM candidate_personal").fetchone() == (0,)

        broken = tmp_path / "k.db.before-0001.bak"
        broken.write_bytes(b"not a database at all" * 100)
        again = erase_personal(store, ADMIN, "C-OLD1-BACK")
        assert again.erased == () and again.already_erased == ("C-OLD1-BACK",)
        (problem,) = again.backup_problems
        assert problem.path == broken and "cannot" in (problem.problem or "")
        assert not again.complete
    finally:
        store.close()


@pytest.mark.slow
def test_a_reader_holding_the_wal_is_reported_and_a_second_erase_finishes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(privacy, "CHECKPOINT_ATTEMPTS", 2)
    monkeypatch.setattr(privacy, "CHECKPOINT_WAIT_MS", 20)
    pseudonym, _ = checked_in_candidate(store)
    station = sqlite3.connect(store.path, isolation_level=None)
    station.execute("BEGIN")
    station.execute("SELECT count(*) FROM events").fetchone()  # holds a snapshot
    try:
        held = erase_personal(store, ADMIN, pseudonym)
    finally:
        station.execute("COMMIT")
        station.close()
    assert held.erased == (pseudonym,)
    assert held.wal_truncated is False and held.checkpoint_attempts == 2 and not held.complete

    finished = erase_personal(store, ADMIN, pseudonym)
    assert finished.already_erased == (pseudonym,) and finished.complete
    for secret in SECRETS:
        assert holding(store.path, secret) == []


def personal_candidate(store: Store, name: str, last_change: datetime) -> str:
    candidate = services.create_candidate(store, ADMIN, full_name=name)
    with store.writer() as s, s.begin():
        row = s.get(Candidate, candidate.id)
        assert row is not None and row.personal is not None
        row.created_at = row.personal.updated_at = last_change
    return candidate.pseudonym


def test_retention_purge_erases_only_the_old_ones(store: Store) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    old = personal_candidate(store, "Old Person", now - timedelta(days=400))
    recent = personal_candidate(store, "Recent Person", now - timedelta(days=30))
    sat_lately = personal_candidate(store, "Returning Person", now - timedelta(days=400))
    with store.writer() as s, s.begin():
        cid = s.scalar(select(Candidate.id).where(Candidate.pseudonym == sat_lately))
        s.add(
            AssessmentSession(
                id="s-late",
                candidate_id=cid,
                created_at=now - timedelta(days=401),
                ended_at=now - timedelta(days=10),
            )
        )

    assert purge_expired(store, ADMIN, older_than_days=365, now=now) == [old]
    held = {r.pseudonym: r.has_personal_data for r in candidates_on_record(store, ADMIN)}
    assert held == {old: False, recent: True, sat_lately: True}
    with store.reader() as s:
        details = s.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "personal_data_erased")
        ).all()
    assert details == ['{"reason":"retention"}']
    assert purge_expired(store, ADMIN, older_than_days=365, now=now) == []


def test_retention_setting_is_audited_and_applied_by_purge_due(store: Store) -> None:
    personal_candidate(store, "Long Gone", datetime.now(UTC) - timedelta(days=100))
    assert retention_days(store) is None and purge_due(store, ADMIN) is None
    set_retention_days(store, ADMIN, 90)
    assert retention_days(store) == 90
    result = purge_due(store, ADMIN)
    assert result is not None and len(result.erased) == 1 and result.complete
    assert holding(store.path, "Long Gone") == []
    set_retention_days(store, ADMIN, None)
    assert retention_days(store) is None
    with store.reader() as s:
        changes = s.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "retention_changed")
        ).all()
    assert changes == ['{"from":null,"to":90}', '{"from":90,"to":null}']
    with pytest.raises(ValueError, match="1 or more"):
        set_retention_days(store, ADMIN, 0)


def test_a_proctor_may_not_erase_purge_or_change_retention(store: Store) -> None:
    pseudonym, _ = checked_in_candidate(store)
    with pytest.raises(PermissionDenied, match="a proctor may not erase personal data"):
        erase_personal(store, PROCTOR, pseudonym)
    with pytest.raises(PermissionDenied):
        purge_expired(store, PROCTOR, older_than_days=1)
    with pytest.raises(PermissionDenied):
        set_retention_days(store, PROCTOR, 30)
    assert count(store, CandidatePersonal) == 2


def test_an_unknown_pseudonym_is_named_with_how_to_list_candidates(store: Store) -> None:
    with pytest.raises(ValueError) as raised:
        erase_personal(store, ADMIN, " C-NOPE-NOPE ")
    assert str(raised.value) == (
        "no candidate with the pseudonym 'C-NOPE-NOPE' here; "
        "`kiosk candidates list` shows the candidates in this store"
    )


# -- the command ----------------------------------------------------------------------


def kiosk_candidates(store: Store, actor: Actor, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    cli.add_parser(parser.add_subparsers(dest="command"))
    return cli.run(parser.parse_args(["candidates", *argv]), store, actor)


def test_command_lists_erases_and_sets_retention(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    pseudonym, _ = checked_in_candidate(store)
    assert kiosk_candidates(store, ADMIN, "list") == 0
    out = capsys.readouterr().out
    assert pseudonym in out and "held" in out and NAME not in out

    assert kiosk_candidates(store, ADMIN, "erase", pseudonym, "--reason", "asked by email") == 0
    out = capsys.readouterr().out
    assert f"erased the personal data of {pseudonym} (reason: asked by email)" in out
    assert "no copy of the erased data left" in out

    assert kiosk_candidates(store, ADMIN, "retention", "30") == 0
    assert "erased 30 days after" in capsys.readouterr().out
    assert kiosk_candidates(store, ADMIN, "purge") == 0
    assert "nothing erased" in capsys.readouterr().out
    assert kiosk_candidates(store, ADMIN, "retention", "off") == 0
    assert "kept until erased" in capsys.readouterr().out


@pytest.mark.slow
def test_command_bad_input_exits_2_with_one_line(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kiosk_candidates(store, ADMIN, "erase", "C-NOPE-NOPE") == 2
    err = capsys.readouterr().err
    assert err.startswith("kiosk: no candidate with the pseudonym 'C-NOPE-NOPE'")
    assert err.count("\n") == 1

    assert kiosk_candidates(store, ADMIN, "purge") == 2
    assert "no retention period: pass --older-than DAYS" in capsys.readouterr().err

    assert kiosk_candidates(store, PROCTOR, "retention", "10") == 2
    assert "a proctor may not station settings" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exited:
        kiosk_candidates(store, ADMIN, "purge", "--older-than", "soon")
    assert exited.value.code == 2
    assert "'soon' is not a whole number of days" in capsys.readouterr().err
