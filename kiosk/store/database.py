"""Opening a store: checks first, then pragmas, migrations and the station row.

:func:`open_store` refuses, without writing a byte, a path that is a folder, an
empty or non-SQLite file, a damaged database, an SQLite database that is not a
kiosk store, a store written by a newer schema, a store whose write-ahead log is
damaged (see :mod:`kiosk.store.wal`), or a place it cannot write to. Each refusal
is a :class:`~kiosk.store.errors.StoreOpenError` whose message names the file and
what to do.

Every connection runs with WAL, ``foreign_keys=ON``, a busy timeout and
``synchronous=NORMAL`` (a commit survives the process dying; :meth:`Store.make_durable`
makes it survive power loss). Write transactions begin with ``BEGIN IMMEDIATE`` so
two writers never deadlock on a lock upgrade; read transactions use
:meth:`Store.reader` and begin deferred.

``open_store(path, read_only=True)`` never creates, migrates or writes: it reads a
store whose schema is current and refuses an older one (``kiosk run`` upgrades it).
A store with a WAL beside it (a kiosk has it open, or one stopped without closing
it) is read through SQLite's ``mode=ro``, which may add a ``-shm`` index but never
touches the store or its log. A store without a WAL is read as ``immutable``, so
that SQLite adds no side files at all; should another kiosk start writing to it
meanwhile, the next transaction is refused rather than reading a changing file.

Privacy of the files: on POSIX systems the store, its ``-wal`` and ``-shm`` side
files and the backups taken before a migration are readable by their owner only
(0600), and folders kiosk creates for a store are 0700, whatever the umask. A store
opened for writing has group and other permissions removed from the files its user
owns. On Windows nothing is changed: there the NTFS permissions of the user's
profile folder, where the default store lives, keep other users out.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqlalchemy import Engine, QueuePool, create_engine, event, func, select
from sqlalchemy.orm import Session

from kiosk.store.errors import StoreOpenError
from kiosk.store.models import Station
from kiosk.store.orm import StoreSession
from kiosk.store.revisions import MIGRATIONS, known_revisions, schema_head
from kiosk.store.wal import wal_path, wal_problems

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["BUSY_TIMEOUT_MS", "Store", "open_store", "opened", "schema_head", "wal_problems"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm")
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
POSIX = os.name == "posix"


def _alembic_config() -> Config:
    """Alembic's configuration for the store's migrations (alembic is imported here, so
    that only a store that is not current pays for it)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _upgrade(conn: Any) -> None:
    """Run the migrations up to the newest schema on ``conn``."""
    from alembic import command

    cfg = _alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


@dataclass
class Store:
    """An open store: the engine plus helpers for transactions.

    A store opened with ``read_only=True`` refuses every write: SQLite answers
    "attempt to write a readonly database".
    """

    path: Path
    engine: Engine
    read_only: bool = False

    def writer(self) -> Session:
        """An ORM session whose transactions begin with ``BEGIN IMMEDIATE``."""
        return StoreSession(self.engine, expire_on_commit=False)

    def reader(self) -> Session:
        """An ORM session for reading; its transactions begin deferred."""
        return StoreSession(self.engine.execution_options(kiosk_read=True), expire_on_commit=False)

    def schema_version(self) -> str | None:
        with self.engine.execution_options(kiosk_read=True).connect() as conn:
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            return None if row is None else str(row[0])

    def make_durable(self) -> None:
        """Make everything committed so far survive a power cut.

        With ``synchronous=NORMAL`` a WAL commit reaches the operating system but is not
        synced; syncing the WAL file (what ``synchronous=FULL`` does at every commit) makes
        all commits before it durable, at the cost of one ``fsync`` per milestone.
        """
        if self.read_only:
            return
        for candidate in (Path(f"{self.path}-wal"), self.path):
            try:
                fd = os.open(candidate, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return

    def station(self) -> Station:
        with self.reader() as s:
            station = s.scalars(select(Station).order_by(Station.id)).first()
            assert station is not None, "open_store() always creates the station row"
            return station

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite's own is unreliable).
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA journal_mode = WAL")
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _on_connect_read_only(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # No journal_mode: setting it is a write. The store is in WAL mode already.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _on_begin(conn: Any) -> None:
    if conn.get_execution_options().get("kiosk_read"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _file_uri(path: Path, **params: str) -> str:
    """An SQLite URI for ``path``; ``as_uri`` escapes ``?``, ``#`` and ``%`` in the path."""
    return f"{path.as_uri()}?{urlencode(params)}"


def _file_state(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _snapshot_begin(path: Path) -> Callable[[Any], None]:
    """BEGIN for a store read as immutable, refusing once another process has written."""
    seen = _file_state(path)

    def begin(conn: Any) -> None:
        if wal_path(path).exists() or _file_state(path) != seen:
            raise StoreOpenError(
                path,
                "another kiosk has written to the store since it was opened read-only",
                "open it again to read the current data",
            )
        conn.exec_driver_sql("BEGIN")

    return begin


def make_read_only_engine(path: Path) -> Engine:
    """An engine that can only read ``path``: nothing is created, written or checkpointed."""
    if wal_path(path).exists():
        uri = _file_uri(path, mode="ro")
        begin: Callable[[Any], None] = _begin_deferred
    else:
        # mode=ro alone would leave an empty -wal and a -shm behind (it cannot
        # delete them again); immutable reads the file as it is, with no side files.
        uri = _file_uri(path, mode="ro", immutable="1")
        begin = _snapshot_begin(path)
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
        poolclass=QueuePool,
    )
    event.listen(engine, "connect", _on_connect_read_only)
    event.listen(engine, "begin", begin)
    return engine


def make_private_folders(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each readable by its owner only."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        try:
            os.mkdir(created, PRIVATE_FOLDER)
        except FileExistsError:
            continue  # made by someone else meanwhile: not ours to change
        if POSIX:
            os.chmod(created, PRIVATE_FOLDER)  # mkdir's mode is cut by the umask


def _create_private_file(path: Path, *, exclusive: bool = True) -> None:
    """Create ``path`` (or take over an existing one) with mode 0600 before anything is in it."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        if POSIX and os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, PRIVATE_FILE)  # the mode given to open is cut by the umask
    finally:
        os.close(fd)


def _make_files_private(path: Path) -> None:
    """Take group and other permissions off the store and its side files that we own."""
    if not POSIX:
        return
    for suffix in ("", *SIDE_FILES):
        file = Path(f"{path}{suffix}")
        try:
            st = file.lstat()
        except FileNotFoundError:
            continue
        mode = stat.S_IMODE(st.st_mode)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or not mode & ~PRIVATE_FILE:
            continue
        what = f"{suffix} file" if suffix else "file"
        try:
            os.chmod(file, mode & PRIVATE_FILE)
        except OSError as exc:
            log.warning("could not make the store's %s private: %s", what, exc.strerror)
            continue
        log.info("store %s made private: mode %03o, was %03o", what, mode & PRIVATE_FILE, mode)


def _probe_folder(folder: Path) -> None:
    """Create and remove a scratch file: the only honest test of write access."""
    try:
        fd, name = tempfile.mkstemp(prefix=".kiosk-probe-", dir=folder)
    except OSError as exc:
        raise StoreOpenError(
            folder,
            f"cannot write in this folder ({exc.strerror or exc})",
            "choose a writable place with --store or KIOSK_STORE, or fix the folder's permissions",
        ) from None
    os.close(fd)
    os.unlink(name)


def _refuse_damaged_wal(path: Path) -> None:
    """Refuse before SQLite reads a log it would silently cut short (and later delete)."""
    problems = wal_problems(path)
    if problems:
        raise StoreOpenError(
            path,
            f"its write-ahead log {wal_path(path).name} is damaged ({'; '.join(problems)}); "
            "nothing was changed",
            f"keep a copy of {path.name} and {wal_path(path).name}, "
            f"then run `kiosk store check --store {path}`",
        )


def _existing_revision(path: Path) -> tuple[bool, str | None]:
    """Read, without writing, whether the file has tables and its schema revision."""
    # With no WAL beside it, read it as immutable: SQLite then creates no side files.
    # A WAL left by an earlier run holds committed data, so then read it normally.
    has_wal = wal_path(path).exists()
    if has_wal and not Path(f"{path}-shm").exists() and not os.access(path.parent, os.W_OK):
        raise StoreOpenError(
            path,
            f"SQLite can read {wal_path(path).name} only with its index {path.name}-shm, "
            "which is missing and cannot be made in this read-only folder",
            f"copy {path.name} and {wal_path(path).name} together to a writable folder "
            "and open the copy",
        )
    uri = _file_uri(path, mode="ro") if has_wal else _file_uri(path, immutable="1")
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = None if row is None else str(row[0])
            return bool(tables), revision
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreOpenError(
            path,
            f"the database is damaged (SQLite says: {exc})",
            "restore it from a backup, or move it aside to start a new store",
        ) from None


def _preflight(path: Path, create: bool, read_only: bool = False) -> str | None:
    """Refuse bad paths before anything writes. Returns the file's schema revision."""
    if path.is_dir():
        raise StoreOpenError(
            path,
            "this is a folder, not a store file",
            f"pass the store file itself, for example {path / 'kiosk.db'}",
        )
    if not path.exists():
        if not create or read_only:
            raise StoreOpenError(
                path,
                "no store exists here",
                "check the path, or run `kiosk run --store PATH` to create a new store",
            )
        if wal_path(path).exists() and wal_path(path).stat().st_size > 0:
            # SQLite would start an empty store here and delete this log with it.
            raise StoreOpenError(
                path,
                f"there is a write-ahead log {wal_path(path).name} but no store file beside it",
                f"put {path.name} back beside it, or move {wal_path(path).name} aside "
                "to start a new store",
            )
        if not path.parent.exists():
            try:
                make_private_folders(path.parent)
            except OSError as exc:
                raise StoreOpenError(
                    Path(exc.filename) if exc.filename else path.parent,
                    f"cannot create this folder ({exc.strerror or exc})",
                    "choose a writable place with --store or KIOSK_STORE",
                ) from None
        _probe_folder(path.parent)
        return None
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreOpenError(
            path,
            f"cannot read the file ({exc.strerror or exc})",
            "fix its permissions or choose another store with --store",
        ) from None
    if not header:
        raise StoreOpenError(
            path,
            "the file is empty, not a kiosk store",
            "remove it, or pass the path of a kiosk store or of a file that does not exist yet",
        )
    if header != SQLITE_MAGIC:
        raise StoreOpenError(
            path,
            "this is not a kiosk store (not an SQLite database)",
            "pass the path of a kiosk store, or of a file that does not exist yet",
        )
    if not read_only:
        try:
            # Open for update without writing: proves write permission on the file itself.
            with path.open("r+b"):
                pass
        except OSError as exc:
            raise StoreOpenError(
                path,
                f"cannot write to the store ({exc.strerror or exc})",
                "fix the file's permissions, or copy the store somewhere writable and pass --store",
            ) from None
        _probe_folder(path.parent)
    _refuse_damaged_wal(path)
    has_tables, revision = _existing_revision(path)
    if has_tables and revision is None:
        raise StoreOpenError(
            path,
            "this SQLite database is not a kiosk store (it has no kiosk schema)",
            "pass the path of a kiosk store, or of a file that does not exist yet",
        )
    head = schema_head()
    if revision is not None and revision not in known_revisions():
        raise StoreOpenError(
            path,
            f"the store was written by a newer kiosk (schema {revision}; this kiosk "
            f"knows up to {head})",
            "open it with a newer kiosk; this one has left it untouched",
        )
    if read_only and revision != head:
        if revision is None:
            problem = "the store has no kiosk schema yet"
        else:
            problem = (
                f"the store was written by an older kiosk (schema {revision}; "
                f"this kiosk uses {head})"
            )
        raise StoreOpenError(
            path,
            f"{problem} and is opened read-only, so it cannot be upgraded here",
            f"open it once with `kiosk run --store {path}` to upgrade it (a backup is kept "
            "beside it); this command has left it untouched",
        )
    return revision


def _backup_before_migration(path: Path, revision: str) -> Path:
    backup = path.with_name(f"{path.name}.before-{revision}.bak")
    _create_private_file(backup, exclusive=False)
    src = sqlite3.connect(_file_uri(path, mode="ro"), uri=True)
    try:
        dst = sqlite3.connect(backup)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return backup


def _open_read_only(path: Path) -> Store:
    _preflight(path, create=False, read_only=True)
    return Store(path=path, engine=make_read_only_engine(path), read_only=True)


def open_store(
    path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False
) -> Store:
    """Open (or create) the store at ``path`` and bring its schema up to date.

    With ``read_only=True`` the store is never created, migrated or written to, and
    one whose schema is not current is refused; ``create`` is then ignored.

    Raises :class:`~kiosk.store.errors.StoreOpenError` for anything that is not a
    usable kiosk store, leaving the file as it was.
    """
    path = Path(path).expanduser().resolve()
    if read_only:
        return _open_read_only(path)
    revision = _preflight(path, create)
    created = not path.exists()
    if created:
        try:
            _create_private_file(path)
        except FileExistsError:
            raise StoreOpenError(
                path,
                "another process created a store here at the same moment",
                "make sure only one kiosk uses this store, then try again",
            ) from None
    else:
        _make_files_private(path)
    head = schema_head()
    if revision is not None and revision != head:
        _backup_before_migration(path, revision)
    engine = make_engine(path)
    try:
        if revision != head:
            with engine.connect() as conn:
                _upgrade(conn)
                conn.commit()
        with StoreSession(engine) as s, s.begin():
            if s.scalar(select(func.count()).select_from(Station)) == 0:
                s.add(Station(name=socket.gethostname() or "station", settings={}))
    except BaseException:
        engine.dispose()
        if created and path.stat().st_size == 0:
            path.unlink()  # nothing was written: leave no empty file to trip the next open
        raise
    return Store(path=path, engine=engine)


@contextmanager
def opened(
    path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False
) -> Iterator[Store]:
    store = open_store(path, create=create, read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def copy_store(src: Path, dst: Path) -> None:
    """Copy a closed store and its WAL side files (used by tests and backups)."""
    for suffix in ("", "-wal", "-shm"):
        side = Path(f"{src}{suffix}")
        if side.exists():
            shutil.copy2(side, f"{dst}{suffix}")
