"""Opening stores: a new store is created and migrated; bad paths are refused untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import StoreOpenError, open_store, schema_head


def fingerprint(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns


# Root ignores permission bits; dropping the capabilities that let it do so makes a
# child process meet them like anyone else (setpriv is part of util-linux).
AS_ORDINARY_USER = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    if os.geteuid() == 0
    else []
)


def run_cli(*args: str, env: dict[str, str] | None = None, without_root_powers: bool = False):
    prefix = AS_ORDINARY_USER if without_root_powers else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_new_store_is_created_migrated_and_configured(store_path: Path) -> None:
    with open_store(store_path) as store:
        assert store.schema_version() == schema_head()
        with store.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert store.station().name


def test_writes_begin_immediate_and_reads_deferred(store_path: Path) -> None:
    statements: list[str] = []
    with open_store(store_path) as store:
        from sqlalchemy import event, text

        event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with store.writer() as s, s.begin():
            s.execute(text("SELECT 1"))
        with store.reader() as s, s.begin():
            s.execute(text("SELECT 1"))
    begins = [st for st in statements if st.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_reopening_keeps_data_and_station(store_path: Path) -> None:
    with open_store(store_path) as store:
        first = store.station().id
    with open_store(store_path) as store:
        assert store.station().id == first


def test_store_env_and_flag_choose_the_file(tmp_path: Path) -> None:
    from kiosk.paths import default_store_path, resolve_store_path

    os.environ.pop("KIOSK_STORE", None)
    assert resolve_store_path(None) == default_store_path()
    assert resolve_store_path(str(tmp_path / "a.db")) == tmp_path / "a.db"
    os.environ["KIOSK_STORE"] = str(tmp_path / "env.db")
    try:
        assert resolve_store_path(None) == tmp_path / "env.db"
        assert resolve_store_path(str(tmp_path / "a.db")) == tmp_path / "a.db"
    finally:
        del os.environ["KIOSK_STORE"]


def _not_sqlite(path: Path) -> None:
    path.write_text("name,score\nalice,3\n")


def _corrupt(path: Path) -> None:
    with open_store(path):
        pass
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)  # keep the header magic, wreck page 1
    path.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)


def _newer_schema(path: Path) -> None:
    with open_store(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


BAD_FILES = {
    "not sqlite": (_not_sqlite, "not a kiosk store (not an SQLite database)"),
    "corrupt": (_corrupt, "damaged"),
    "newer schema": (_newer_schema, "newer kiosk"),
    "foreign sqlite": (_foreign_sqlite, "not a kiosk store"),
    "empty file": (_empty, "empty"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_store_file_is_refused_untouched(case: str, tmp_path: Path) -> None:
    make, expected = BAD_FILES[case]
    path = tmp_path / "store.db"
    make(path)
    before = fingerprint(path)
    siblings = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(StoreOpenError) as excinfo:
        open_store(path)
    assert str(path) in str(excinfo.value) and expected in str(excinfo.value)

    for command in (["store", "info"], ["store", "check"]):
        result = run_cli(*command, "--store", str(path))
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and expected in lines[0]
        assert "Traceback" not in result.stderr

    assert fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings


@pytest.mark.slow
def test_folder_given_as_store_is_refused(tmp_path: Path) -> None:
    result = run_cli("store", "info", "--store", str(tmp_path))
    assert result.returncode == 2
    assert "is a folder" not in result.stdout
    assert "this is a folder, not a store file" in result.stderr


@pytest.mark.slow
def test_missing_store_for_check_is_refused_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nothing.db"
    result = run_cli("store", "check", "--store", str(path))
    assert result.returncode == 2 and "no store exists here" in result.stderr
    assert not path.exists()


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder holding a store, neither of which may be written to."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    with open_store(folder / "store.db"):
        pass
    os.chmod(folder / "store.db", 0o444)
    os.chmod(folder, 0o555)
    try:
        yield folder
    finally:
        os.chmod(folder, 0o755)


@pytest.mark.slow
def test_unwritable_folder_is_refused_untouched(unwritable_folder: Path) -> None:
    existing = unwritable_folder / "store.db"
    before = fingerprint(existing)
    # A new store (run would create it) and an existing one (run would write to it).
    for path in (unwritable_folder / "new.db", existing):
        result = run_cli("run", "--store", str(path), without_root_powers=True)
        assert result.returncode == 2, result.stderr
        assert "cannot write" in result.stderr and str(unwritable_folder) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    # Reading needs no write access: `store info` opens the store read-only.
    result = run_cli("store", "info", "--store", str(existing), without_root_powers=True)
    assert result.returncode == 0, result.stderr
    assert fingerprint(existing) == before
    assert sorted(p.name for p in unwritable_folder.iterdir()) == ["store.db"]
