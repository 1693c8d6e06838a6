"""The store's files: private modes, read-only opening, and a damaged write-ahead log."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from kiosk.store import StoreOpenError, open_store, schema_head
from kiosk.store.database import _alembic_config, copy_store, make_engine
from kiosk.store.models import Station
from kiosk.store.wal import wal_problems

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
COMMITS = 8


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def folder_state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in the folder with its content hash and mtime (the -shm index aside)."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if not p.name.endswith("-shm")
    }


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Umask 0: a file or folder not made private on purpose would be world-writable."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def add_stations(store: object, count: int) -> None:
    for i in range(count):
        with store.writer() as s, s.begin():  # type: ignore[attr-defined]
            s.add(Station(name=f"station {i}", settings={"i": i}))


def make_old_store(path: Path) -> None:
    """A store left at the first schema revision, as an older kiosk wrote it."""
    from alembic import command

    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    cfg = _alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.commit()
    engine.dispose()


# -- private files ---------------------------------------------------------------------


@posix_only
def test_new_store_its_side_files_and_folders_are_private(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "a" / "b" / "kiosk.db"
    outside = mode(tmp_path)
    with open_store(path) as store:
        add_stations(store, 1)
        for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm"):
            assert mode(path.parent / name) == 0o600, name
    assert mode(path) == 0o600
    assert mode(tmp_path / "a") == mode(tmp_path / "a" / "b") == 0o700
    assert mode(tmp_path) == outside  # not made by kiosk: left as it was


@posix_only
def test_existing_store_files_are_made_private_when_opened_for_writing(store_path: Path) -> None:
    with open_store(store_path):
        pass
    # Keep a second connection open so the -wal and -shm stay, then loosen everything.
    holder = sqlite3.connect(store_path)
    try:
        holder.execute("SELECT count(*) FROM stations").fetchone()
        sides = [Path(f"{store_path}{s}") for s in ("", "-wal", "-shm")]
        for side, loose in zip(sides, (0o644, 0o640, 0o604), strict=True):
            os.chmod(side, loose)
        with open_store(store_path, read_only=True):
            assert mode(store_path) == 0o644  # reading changes nothing, modes included
        with open_store(store_path):
            assert [mode(side) for side in sides] == [0o600] * 3
    finally:
        holder.close()


@posix_only
@pytest.mark.skipif(os.name == "posix" and os.geteuid() != 0, reason="needs chown")
def test_a_store_owned_by_someone_else_keeps_its_mode(store_path: Path) -> None:
    with open_store(store_path):
        pass
    os.chmod(store_path, 0o644)
    os.chown(store_path, 65534, 65534)
    with open_store(store_path):
        assert mode(store_path) == 0o644


@posix_only
def test_backup_before_migration_is_private(store_path: Path, open_umask) -> None:
    make_old_store(store_path)
    with open_store(store_path) as store:
        assert store.schema_version() == schema_head()
    backup = store_path.with_name(f"{store_path.name}.before-0001.bak")
    assert mode(backup) == 0o600
    assert {p.name: mode(p) for p in store_path.parent.iterdir()} == {
        store_path.name: 0o600,
        backup.name: 0o600,
    }


# -- read-only opening -----------------------------------------------------------------


@pytest.fixture
def live_copy(tmp_path: Path) -> Path:
    """A store whose last commits are only in its -wal, as a kiosk that died leaves it."""
    source = tmp_path / "live" / "kiosk.db"
    copy = tmp_path / "copy" / "kiosk.db"
    copy.parent.mkdir()
    with open_store(source) as store:
        add_stations(store, 3)
        copy_store(source, copy)
    assert Path(f"{copy}-wal").stat().st_size > 0 and Path(f"{copy}-shm").exists()
    return copy


def station_count(store: object) -> int:
    with store.reader() as s:  # type: ignore[attr-defined]
        return int(s.scalar(select(func.count()).select_from(Station)) or 0)


def test_read_only_open_of_a_closed_store_changes_nothing(store_path: Path) -> None:
    with open_store(store_path) as store:
        add_stations(store, 2)
    before = folder_state(store_path.parent)
    with open_store(store_path, read_only=True) as store:
        assert store.read_only and store.schema_version() == schema_head()
        assert station_count(store) == 3 and store.station().name
    assert folder_state(store_path.parent) == before
    assert sorted(p.name for p in store_path.parent.iterdir()) == [store_path.name]


def test_read_only_open_leaves_a_live_log_and_its_store_alone(live_copy: Path) -> None:
    before = folder_state(live_copy.parent)
    names = sorted(p.name for p in live_copy.parent.iterdir())
    with open_store(live_copy, read_only=True) as store:
        assert station_count(store) == 4  # the commits in the -wal are read
    assert folder_state(live_copy.parent) == before  # store and -wal: same bytes, same mtime
    assert sorted(p.name for p in live_copy.parent.iterdir()) == names


@pytest.mark.parametrize("case", ["closed", "live"])
def test_a_read_only_store_refuses_writes(case: str, store_path: Path, live_copy: Path) -> None:
    if case == "closed":
        with open_store(store_path):
            pass
        path = store_path
    else:
        path = live_copy
    before = folder_state(path.parent)
    with open_store(path, read_only=True) as store:
        with pytest.raises(OperationalError, match="attempt to write a readonly database"):
            add_stations(store, 1)
        store.make_durable()
    assert folder_state(path.parent) == before


def test_read_only_refuses_an_older_store_untouched(store_path: Path) -> None:
    make_old_store(store_path)
    before = folder_state(store_path.parent)
    with pytest.raises(StoreOpenError) as excinfo:
        open_store(store_path, read_only=True)
    message = str(excinfo.value)
    assert str(store_path) in message and "older kiosk (schema 0001" in message
    assert "kiosk run" in message and "backup" in message
    assert folder_state(store_path.parent) == before


def test_read_only_never_creates(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "kiosk.db"
    with pytest.raises(StoreOpenError, match="no store exists here"):
        open_store(path, create=True, read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_snapshot_stops_once_another_kiosk_writes(store_path: Path) -> None:
    with open_store(store_path):
        pass
    with open_store(store_path, read_only=True) as reader:
        assert station_count(reader) == 1
        with open_store(store_path) as writer:
            add_stations(writer, 1)
        with pytest.raises(StoreOpenError, match="another kiosk has written"):
            station_count(reader)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix" or not shutil.which("setpriv"), reason="POSIX, setpriv")
def test_a_log_without_its_index_in_a_read_only_folder_is_explained(live_copy: Path) -> None:
    Path(f"{live_copy}-shm").unlink()
    os.chmod(live_copy.parent, 0o555)
    prefix = (
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]
        if os.geteuid() == 0
        else []
    )
    script = (
        "import sys; from kiosk.store import open_store; open_store(sys.argv[1], read_only=True)"
    )
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-c", script, str(live_copy)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        os.chmod(live_copy.parent, 0o755)
    assert result.returncode != 0
    assert "StoreOpenError" in result.stderr and "kiosk.db-shm" in result.stderr
    assert "read-only folder" in result.stderr


# -- the write-ahead log ---------------------------------------------------------------


def frame_offset(wal: bytes, frame: int) -> int:
    """Where frame ``frame`` (1-based) starts in the log."""
    (page_size,) = struct.unpack(">I", wal[8:12])
    return 32 + (frame - 1) * (24 + page_size)


def frame_count(wal: bytes) -> int:
    (page_size,) = struct.unpack(">I", wal[8:12])
    return (len(wal) - 32) // (24 + page_size)


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def rows_sqlite_sees(db: Path, tmp_path: Path) -> int:
    """Open a throwaway copy with plain SQLite: what it reads, without a word of warning."""
    scratch = tmp_path / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    copy_store(db, scratch / db.name)
    Path(f"{scratch / db.name}-shm").unlink(missing_ok=True)
    conn = sqlite3.connect(scratch / db.name)
    try:
        return int(conn.execute("SELECT count(*) FROM stations").fetchone()[0]) - 1
    finally:
        conn.close()


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    """A closed copy of a store whose -wal holds COMMITS commits, one station row each."""
    source = tmp_path / "source" / "kiosk.db"
    copy = tmp_path / "copy" / "kiosk.db"
    copy.parent.mkdir()
    with open_store(source) as store:
        with store.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # start from an empty log
            raw.execute("PRAGMA wal_autocheckpoint = 0")
        add_stations(store, COMMITS)
        copy_store(source, copy)
    Path(f"{copy}-shm").unlink()
    return copy


def test_an_untouched_log_has_no_problems(logged: Path, tmp_path: Path) -> None:
    assert frame_count(Path(f"{logged}-wal").read_bytes()) >= COMMITS
    assert wal_problems(logged) == []
    assert rows_sqlite_sees(logged, tmp_path) == COMMITS


def test_a_damaged_early_frame_reports_the_commits_sqlite_would_drop(
    logged: Path, tmp_path: Path
) -> None:
    wal = Path(f"{logged}-wal")
    flip(wal, frame_offset(wal.read_bytes(), 2) + 24 + 100)
    problems = wal_problems(logged)
    seen = rows_sqlite_sees(logged, tmp_path)
    assert seen < COMMITS - 1  # SQLite silently reads a shorter history
    assert len(problems) == 1 and "frame 2 of" in problems[0] and "checksum" in problems[0]
    assert f"losing {COMMITS - seen} committed transactions" in problems[0]


def test_a_damaged_frame_salt_is_reported_too(logged: Path) -> None:
    wal = Path(f"{logged}-wal")
    flip(wal, frame_offset(wal.read_bytes(), 3) + 8)
    (problem,) = wal_problems(logged)
    assert "frame 3 of" in problem and "salts" in problem


def test_a_torn_last_commit_is_what_a_crash_leaves_and_not_damage(
    logged: Path, tmp_path: Path
) -> None:
    wal = Path(f"{logged}-wal")
    data = wal.read_bytes()
    flip(wal, frame_offset(data, frame_count(data)) + 24 + 7)
    assert wal_problems(logged) == []
    assert rows_sqlite_sees(logged, tmp_path) == COMMITS - 1
    # A partly written last frame is the same thing.
    with wal.open("r+b") as fh:
        fh.truncate(len(data) - 1000)
    assert wal_problems(logged) == []


def test_a_damaged_header_is_reported_while_frames_follow_it(logged: Path) -> None:
    wal = Path(f"{logged}-wal")
    for offset, what in ((0, "bad magic"), (5, "format version"), (17, "checksum")):
        original = wal.read_bytes()
        flip(wal, offset)
        (problem,) = wal_problems(logged)
        assert "header is damaged" in problem and what in problem
        wal.write_bytes(original)
    # A header with no frames, or an empty log, loses nothing.
    wal.write_bytes(wal.read_bytes()[:32])
    flip(wal, 17)
    assert wal_problems(logged) == []
    wal.write_bytes(b"")
    assert wal_problems(logged) == []
    wal.unlink()
    assert wal_problems(logged) == []


def test_stale_frames_from_an_earlier_generation_are_normal(tmp_path: Path) -> None:
    source = tmp_path / "source" / "kiosk.db"
    copy = tmp_path / "copy" / "kiosk.db"
    copy.parent.mkdir()
    with open_store(source) as store:
        with store.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            raw.execute("PRAGMA wal_autocheckpoint = 0")
            add_stations(store, COMMITS)
            raw.execute("PRAGMA wal_checkpoint(RESTART)")  # the next commit restarts the log
        add_stations(store, 1)
        copy_store(source, copy)
    Path(f"{copy}-shm").unlink()
    wal = Path(f"{copy}-wal")
    data = wal.read_bytes()
    salts = [data[frame_offset(data, f) + 8 :][:8] for f in range(1, frame_count(data) + 1)]
    current = salts.count(data[16:24])
    assert salts[:current] == [data[16:24]] * current and len(salts) > current  # stale ones
    assert wal_problems(copy) == []
    # Damage to the new generation's last commit, followed only by stale frames, is a
    # torn last commit; damage before it loses that commit.
    flip(wal, frame_offset(data, current) + 24 + 10)
    assert wal_problems(copy) == []
    wal.write_bytes(data)
    flip(wal, frame_offset(data, 1) + 24 + 10)
    (problem,) = wal_problems(copy)
    assert f"frame 1 of {len(salts)}" in problem and "losing 1 committed transaction " in problem


def to_big_endian_checksums(wal: Path) -> None:
    """Rewrite a log as a big-endian machine writes it, with a plain reference checksum."""

    def checksum(data: bytes, s0: int, s1: int) -> tuple[int, int]:
        for a, b in struct.iter_unpack(">II", data):
            s0 = (s0 + a + s1) & 0xFFFFFFFF
            s1 = (s1 + b + s0) & 0xFFFFFFFF
        return s0, s1

    data = bytearray(wal.read_bytes())
    data[0:4] = struct.pack(">I", 0x377F0683)
    sums = checksum(bytes(data[:24]), 0, 0)
    data[24:32] = struct.pack(">II", *sums)
    for frame in range(1, frame_count(bytes(data)) + 1):
        at = frame_offset(bytes(data), frame)
        end = frame_offset(bytes(data), frame + 1)
        sums = checksum(bytes(data[at : at + 8] + data[at + 24 : end]), *sums)
        data[at + 16 : at + 24] = struct.pack(">II", *sums)
    wal.write_bytes(bytes(data))


def test_big_endian_checksums_are_read_as_sqlite_reads_them(logged: Path, tmp_path: Path) -> None:
    wal = Path(f"{logged}-wal")
    to_big_endian_checksums(wal)
    assert rows_sqlite_sees(logged, tmp_path) == COMMITS  # SQLite accepts the rewrite
    assert wal_problems(logged) == []
    flip(wal, frame_offset(wal.read_bytes(), 2) + 24 + 100)
    assert "frame 2 of" in wal_problems(logged)[0]


def test_a_4_mb_log_is_checked_quickly(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE blobs (data BLOB)")
    for _ in range(10):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO blobs VALUES (?)", [(os.urandom(3500),)] * 100)
        conn.execute("COMMIT")
    assert Path(f"{path}-wal").stat().st_size > 4_000_000
    try:
        assert wal_problems(path) == []  # the first call also imports numpy
        best = min(timed(lambda: wal_problems(path)) for _ in range(3))
    finally:
        conn.close()
    assert best < 0.1


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@pytest.mark.parametrize("read_only", [False, True])
def test_open_store_refuses_a_damaged_log_untouched(logged: Path, read_only: bool) -> None:
    wal = Path(f"{logged}-wal")
    flip(wal, frame_offset(wal.read_bytes(), 2) + 24 + 100)
    before = folder_state(logged.parent)
    with pytest.raises(StoreOpenError) as excinfo:
        open_store(logged, read_only=read_only)
    message = str(excinfo.value)
    assert str(logged) in message and "kiosk.db-wal is damaged" in message
    assert "nothing was changed" in message and "kiosk store check" in message
    assert "keep a copy of kiosk.db and kiosk.db-wal" in message
    assert folder_state(logged.parent) == before
    assert sorted(p.name for p in logged.parent.iterdir()) == ["kiosk.db", "kiosk.db-wal"]


def test_a_log_without_its_store_is_not_thrown_away(logged: Path) -> None:
    logged.unlink()
    wal = Path(f"{logged}-wal")
    before = wal.read_bytes()
    with pytest.raises(StoreOpenError, match="no store file beside it"):
        open_store(logged)
    assert wal.read_bytes() == before and not logged.exists()
